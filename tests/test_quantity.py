"""rclint.kube.quantity: resource.Quantity parsing, ResourceList validation and comparison."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rclint.kube.quantity import (
    QuantityError,
    hugepage_size,
    is_extended_resource_name,
    overhead_problems,
    parse_quantity,
    quantities_equal,
    resource_name_problem,
)

Ki, Mi, Gi = 2**10, 2**20, 2**30


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0", 0),
        ("1", 1),
        ("250m", Fraction(1, 4)),
        ("1000m", 1),
        ("1.5", Fraction(3, 2)),
        ("1.0", 1),
        (".5", Fraction(1, 2)),
        ("1.", 1),
        ("+1", 1),
        ("-1", -1),
        ("-250m", Fraction(-1, 4)),
        ("100n", Fraction(1, 10**7)),
        ("5u", Fraction(5, 10**6)),
        ("2k", 2000),
        ("3M", 3 * 10**6),
        ("4G", 4 * 10**9),
        ("5T", 5 * 10**12),
        ("6P", 6 * 10**15),
        ("7E", 7 * 10**18),
        ("1Ki", Ki),
        ("128Mi", 128 * Mi),
        ("160Mi", 160 * Mi),
        ("2048Mi", 2 * Gi),
        ("1.5Gi", 3 * Gi // 2),
        ("0.5Ki", 512),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1e+3", 1000),
        ("1e-3", Fraction(1, 1000)),
        ("1.5e2", 150),
        ("12e6", 12 * 10**6),
        ("007", 7),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        # finer than 1n rounds up (away from zero) to the next nano unit
        ("0.1n", Fraction(1, 10**9)),
        ("1e-10", Fraction(1, 10**9)),
        ("1.0000000001", Fraction(1000000001, 10**9)),
        ("-0.1n", Fraction(-1, 10**9)),
        # UnmarshalJSON trims surrounding whitespace
        (" 1Gi ", Gi),
        ("\t500m\n", Fraction(1, 2)),
        # Kubernetes quirks: no digits reads as zero
        ("Mi", 0),
        ("k", 0),
        (".", 0),
        ("-", 0),
        ("e3", 0),
        # numbers, as YAML decodes them
        (1, 1),
        (0, 0),
        (-2, -2),
        (0.5, Fraction(1, 2)),
        (0.1, Fraction(1, 10)),
        (1e-07, Fraction(1, 10**7)),
        (1e21, 10**21),
        (2.0, 2),
        (None, 0),
    ],
)
def test_parse_quantity(value, expected):
    assert parse_quantity(value) == expected
    assert isinstance(parse_quantity(value), Fraction)


@pytest.mark.parametrize(
    "value, message",
    [
        ("1.5.0", "'1.5.0' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("", "'' is not a valid quantity: it is empty (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("   ", "'   ' is not a valid quantity: it is empty (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("1 Gi", "'1 Gi' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("abc", "'abc' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("0x10", "'0x10' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("1_000", "'1_000' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("1e3.5", "'1e3.5' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("--1", "'--1' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
        ("1K", "'1K' is not a valid quantity: unknown unit suffix 'K'; did you mean 'k' or 'Ki'?"),
        ("1ki", "'1ki' is not a valid quantity: unknown unit suffix 'ki'; did you mean 'Ki'?"),
        ("1mi", "'1mi' is not a valid quantity: unknown unit suffix 'mi'; did you mean 'Mi'?"),
        ("1GB", "'1GB' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3); did you mean 'G' or 'Gi'?"),
        ("512MiB", "'512MiB' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3); did you mean 'Mi'?"),
        ("1Mk", "'1Mk' is not a valid quantity: unknown unit suffix 'Mk'; use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"),
        ("1e", "'1e' is not a valid quantity: unknown unit suffix 'e'; did you mean 'E' or 'Ei'?"),
        ("1e-", "'1e-' is not a valid quantity: unknown unit suffix 'e-'; use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"),
        ("-e-10", "'-e-10' is not a valid quantity: it has no digits"),
        ("1e99999999999999999999", "'1e99999999999999999999' is not a valid quantity: the exponent does not fit in 64 bits"),
        ("1e5000", "'1e5000' has an exponent beyond +/-4096, which rclint does not evaluate"),
        (True, "true is not a valid quantity: expected a string such as '500m' or '128Mi', or a number"),
        (False, "false is not a valid quantity: expected a string such as '500m' or '128Mi', or a number"),
        ([1], "a list is not a valid quantity: expected a string such as '500m' or '128Mi', or a number"),
        ({"a": 1}, "a mapping is not a valid quantity: expected a string such as '500m' or '128Mi', or a number"),
        (float("nan"), ".nan is not a valid quantity"),
        (float("inf"), ".inf is not a valid quantity"),
        (float("-inf"), "-.inf is not a valid quantity"),
    ],
)
def test_parse_quantity_errors(value, message):
    with pytest.raises(QuantityError) as info:
        parse_quantity(value)
    assert info.value.message == message
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- resource names


@pytest.mark.parametrize(
    "name",
    ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "hugepages-1Gi", "nvidia.com/gpu",
     "example.com/foo", "kubernetes.io/foo", "foo.kubernetes.io/bar", "a" * 244 + "/x"],
)
def test_allowed_resource_names(name):
    assert resource_name_problem(name) is None


@pytest.mark.parametrize(
    "name, message",
    [
        ("gpu", "'gpu' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu"),
        ("Memory", "'Memory' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu (did you mean 'memory'?)"),
        ("requests.cpu", "'requests.cpu' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu (did you mean 'cpu'?)"),
        ("limits.memory", "'limits.memory' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu (did you mean 'memory'?)"),
        ("hugepages_2Mi", "'hugepages_2Mi' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu (did you mean 'hugepages-2Mi'?)"),
        ("pods", "'pods' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu"),
        ("hugepages-foo", "'hugepages-foo' names no valid page size: 'foo' is not a positive whole quantity such as 2Mi or 1Gi"),
        ("hugepages-0", "'hugepages-0' names no valid page size: '0' is not a positive whole quantity such as 2Mi or 1Gi"),
        ("hugepages-500m", "'hugepages-500m' names no valid page size: '500m' is not a positive whole quantity such as 2Mi or 1Gi"),
        ("requests.example.com/foo", "'requests.example.com/foo' is not a valid extended resource name: it must not start with 'requests.' (quota uses that prefix)"),
        ("a" * 245 + "/x", "'" + "a" * 245 + "/x' is not a valid extended resource name: its prefix is too long (with 'requests.' in front it must still be at most 253 characters)"),
        ("my gpu", "'my gpu' is not a valid resource name: contains ' ' (only letters, digits, '-', '_' and '.' are allowed)"),
        ("a/b/c", "'a/b/c' is not a valid resource name: must contain at most one '/' (an optional DNS subdomain prefix, '/', then a name; found 2)"),
        ("", "'' is not a valid resource name: must not be empty"),
        (1, "a resource name must be a string, not an integer"),
    ],
)
def test_resource_name_problems(name, message):
    assert resource_name_problem(name) == message


@pytest.mark.parametrize(
    "name, expected",
    [("nvidia.com/gpu", True), ("example.com/foo", True), ("kubernetes.io/foo", False), ("foo.kubernetes.io/bar", False),
     ("cpu", False), ("requests.example.com/foo", False), (None, False)],
)
def test_is_extended_resource_name(name, expected):
    assert is_extended_resource_name(name) is expected


@pytest.mark.parametrize(
    "name, expected",
    [("hugepages-2Mi", 2 * Mi), ("hugepages-1Gi", Gi), ("hugepages-64Ki", 64 * Ki), ("hugepages-foo", None),
     ("hugepages-0", None), ("hugepages-1.5", None), ("memory", None), (None, None)],
)
def test_hugepage_size(name, expected):
    assert hugepage_size(name) == expected


# --------------------------------------------------------------------------- overhead


@pytest.mark.parametrize(
    "resources",
    [
        {"cpu": "250m", "memory": "160Mi"},
        {"cpu": "1.0", "memory": "2048Mi"},  # kata-qemu-tdx style
        {"cpu": 1, "memory": 134217728},
        {"cpu": "0"},
        {"memory": "1Gi", "hugepages-2Mi": "4Mi"},
        {"cpu": "1", "hugepages-1Gi": "2Gi", "hugepages-2Mi": "0"},
        {"nvidia.com/gpu": "2", "cpu": "100m"},
        {"example.com/foo": 1.0},
        {"ephemeral-storage": "1Gi", "kubernetes.io/whatever": "1.5"},
        {"cpu": None},  # YAML null decodes as 0
        {},
        None,
    ],
)
def test_overhead_without_problems(resources):
    assert overhead_problems(resources) == []


@pytest.mark.parametrize(
    "resources, problems",
    [
        (["cpu"], [((), "must be a mapping of resource names to quantities, not a list")]),
        ("250m", [((), "must be a mapping of resource names to quantities, not a string")]),
        ({"cpu": "1.5.0"}, [(("cpu",), "'1.5.0' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)")]),
        ({"memory": "160MB"}, [(("memory",), "'160MB' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3); did you mean 'M' or 'Mi'?")]),
        ({"memory": True}, [(("memory",), "true is not a valid quantity: expected a string such as '500m' or '128Mi', or a number")]),
        ({"cpu": "-250m"}, [(("cpu",), "must be greater than or equal to 0 (got '-250m')")]),
        ({"memory": -1}, [(("memory",), "must be greater than or equal to 0 (got -1)")]),
        ({"nvidia.com/gpu": "1.5"}, [(("nvidia.com/gpu",), "'nvidia.com/gpu' is an extended resource, so it must be a whole number (got '1.5')")]),
        ({"example.com/foo": "500m"}, [(("example.com/foo",), "'example.com/foo' is an extended resource, so it must be a whole number (got '500m')")]),
        ({"example.com/foo": 0.5}, [(("example.com/foo",), "'example.com/foo' is an extended resource, so it must be a whole number (got 0.5)")]),
        ({"memory": "1Gi", "hugepages-2Mi": "3Mi"}, [(("hugepages-2Mi",), "must be a whole multiple of the 2Mi page size (got '3Mi')")]),
        ({"cpu": "1", "hugepages-1Gi": "1536Mi"}, [(("hugepages-1Gi",), "must be a whole multiple of the 1Gi page size (got '1536Mi')")]),
        ({"hugepages-2Mi": "4Mi"}, [(("hugepages-2Mi",), "hugepages require cpu or memory")]),
        (
            {"hugepages-2Mi": "4Mi", "hugepages-1Gi": "1Gi", "ephemeral-storage": "1Gi"},
            [(("hugepages-2Mi",), "hugepages require cpu or memory"), (("hugepages-1Gi",), "hugepages require cpu or memory")],
        ),
        ({"hugepages-2Mi": "3Mi"}, [(("hugepages-2Mi",), "must be a whole multiple of the 2Mi page size (got '3Mi')"), (("hugepages-2Mi",), "hugepages require cpu or memory")]),
        ({"gpu": "1", "cpu": "1"}, [(("gpu",), "'gpu' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu")]),
        (
            {"requests.memory": "-1x"},
            [
                (("requests.memory",), "'requests.memory' is not a standard container resource: use cpu, memory, ephemeral-storage or hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu (did you mean 'memory'?)"),
                (("requests.memory",), "'-1x' is not a valid quantity: expected a number with an optional unit suffix (e.g. 250m, 1.5, 128Mi or 1e3)"),
            ],
        ),
        ({"cpu": "1", "hugepages-foo": "2Mi"}, [(("hugepages-foo",), "'hugepages-foo' names no valid page size: 'foo' is not a positive whole quantity such as 2Mi or 1Gi")]),
        ({1: "1", "cpu": "1"}, [((1,), "a resource name must be a string, not an integer")]),
    ],
)
def test_overhead_problems(resources, problems):
    assert overhead_problems(resources) == problems


# --------------------------------------------------------------------------- comparison


@pytest.mark.parametrize(
    "a, b",
    [
        ({"cpu": "1"}, {"cpu": "1000m"}),
        ({"memory": "128Mi"}, {"memory": "134217728"}),
        ({"memory": "128Mi"}, {"memory": 134217728}),
        ({"cpu": "250m", "memory": "160Mi"}, {"memory": "0.15625Gi", "cpu": "0.25"}),
        ({"cpu": "1e3"}, {"cpu": "1k"}),
        ({"cpu": 0.5}, {"cpu": "500m"}),
        ({}, None),
        (None, None),
        ({"cpu": None}, {"cpu": "0"}),
    ],
)
def test_quantities_equal(a, b):
    assert quantities_equal(a, b)
    assert quantities_equal(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ({"cpu": "1"}, {"cpu": "1001m"}),
        ({"cpu": "1"}, {"cpu": "1", "memory": "1Mi"}),
        ({"memory": "1Mi"}, {"memory": "1M"}),
        ({"cpu": "1"}, {}),
        ({"cpu": "1"}, None),
        ({"cpu": "1.5.0"}, {"cpu": "1.5.0"}),
        ({"cpu": "1"}, ["cpu"]),
        ("1", "1"),
    ],
)
def test_quantities_not_equal(a, b):
    assert not quantities_equal(a, b)
    assert not quantities_equal(b, a)
