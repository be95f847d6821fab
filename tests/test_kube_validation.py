"""rclint.kube.validation: DNS names, label keys/values, tolerations, deprecated node labels."""

from __future__ import annotations

import itertools

import pytest

from rclint.kube.validation import (
    DEPRECATED_NODE_LABEL_MESSAGES,
    DEPRECATED_NODE_LABELS,
    deprecated_node_label_message,
    describe_type,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    duplicate_tolerations,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
    label_key_problem,
    label_value_problem,
    toleration_problems,
)

# --------------------------------------------------------------------------- DNS-1123 label


@pytest.mark.parametrize("s", ["a", "0", "kata", "kata-qemu", "runc", "runhcs-wcow-process", "1-2", "a" * 63, "a-" * 31 + "b"])
def test_dns1123_label_valid(s):
    assert is_dns1123_label(s)
    assert dns1123_label_problem(s) is None


@pytest.mark.parametrize(
    "s, message",
    [
        ("", "must not be empty"),
        ("a" * 64, "must be no more than 63 characters (has 64)"),
        ("a" * 70, "must be no more than 63 characters (has 70)"),
        ("Kata", "must be lowercase (contains 'K')"),
        ("KaTa", "must be lowercase (contains 'K' and 'T')"),
        ("my_handler", "contains '_' (only lowercase letters, digits and '-' are allowed)"),
        ("kata.qemu", "contains '.' (only lowercase letters, digits and '-' are allowed)"),
        ("a b", "contains ' ' (only lowercase letters, digits and '-' are allowed)"),
        ("a_b.c d", "contains '_', '.' and ' ' (only lowercase letters, digits and '-' are allowed)"),
        ("kata\n", "contains '\\n' (only lowercase letters, digits and '-' are allowed)"),
        ("-kata", "must start with a lowercase letter or digit (starts with '-')"),
        ("kata-", "must end with a lowercase letter or digit (ends with '-')"),
        ("-", "must start and end with a lowercase letter or digit (starts with '-', ends with '-')"),
        (
            "My_Handler",
            "must be lowercase (contains 'M' and 'H'); contains '_' (only lowercase letters, digits and '-' are allowed)",
        ),
        (
            "K" * 64,
            "must be no more than 63 characters (has 64); must be lowercase (contains 'K')",
        ),
        (
            "é" * 40,
            "must be no more than 63 characters (has 80 bytes in UTF-8); "
            "contains 'é' (only lowercase letters, digits and '-' are allowed)",
        ),
        (5, "must be a string, not an integer (put the value in quotes)"),
        (True, "must be a string, not a boolean (put the value in quotes)"),
        (None, "must be a string, not null"),
        (["a"], "must be a string, not a list"),
    ],
)
def test_dns1123_label_problem_messages(s, message):
    assert not is_dns1123_label(s)
    assert dns1123_label_problem(s) == message


def test_dns1123_label_names_at_most_five_characters():
    assert dns1123_label_problem("a_b.c d/e:f!g") == (
        "contains '_', '.', ' ', '/', ':' and 1 more (only lowercase letters, digits and '-' are allowed)"
    )


# --------------------------------------------------------------------------- DNS-1123 subdomain


@pytest.mark.parametrize("s", ["a", "kata", "example.com", "a.b.c", "kata-containers.io", "1.2.3", "a" * 253, ("a" * 63 + ".") * 3 + "a" * 61])
def test_dns1123_subdomain_valid(s):
    assert is_dns1123_subdomain(s)
    assert dns1123_subdomain_problem(s) is None


def test_subdomain_parts_have_no_63_character_limit():
    # Kubernetes checks only the whole length (253) and the pattern for subdomains.
    assert is_dns1123_subdomain("a" * 100 + ".b")


@pytest.mark.parametrize(
    "s, message",
    [
        ("", "must not be empty"),
        ("a" * 254, "must be no more than 253 characters (has 254)"),
        ("Gvisor", "must be lowercase (contains 'G')"),
        ("my_class", "contains '_' (only lowercase letters, digits, '-' and '.' are allowed)"),
        (".kata", "must start with a lowercase letter or digit (starts with '.')"),
        ("kata.", "must end with a lowercase letter or digit (ends with '.')"),
        ("-kata", "must start with a lowercase letter or digit (starts with '-')"),
        ("a..b", "contains '..' (the parts between dots must not be empty)"),
        ("a.-b", "each part between dots must start and end with a lowercase letter or digit (contains '.-')"),
        ("a-.b", "each part between dots must start and end with a lowercase letter or digit (contains '-.')"),
        ("a-.-b", "each part between dots must start and end with a lowercase letter or digit (contains '.-' and '-.')"),
        (
            "My_Class.",
            "must be lowercase (contains 'M' and 'C'); "
            "contains '_' (only lowercase letters, digits, '-' and '.' are allowed); "
            "must end with a lowercase letter or digit (ends with '.')",
        ),
        (1.5, "must be a string, not a number (put the value in quotes)"),
    ],
)
def test_dns1123_subdomain_problem_messages(s, message):
    assert not is_dns1123_subdomain(s)
    assert dns1123_subdomain_problem(s) == message


# --------------------------------------------------------------------------- label keys and values


@pytest.mark.parametrize(
    "key",
    [
        "kubernetes.io/os",
        "katacontainers.io/kata-runtime",
        "node.kubernetes.io/windows-build",
        "node-role.kubernetes.io/control-plane",
        "MyName",
        "my.name",
        "a_b.C-d",
        "x",
        "example.com/" + "n" * 63,
        "a" * 253 + "/b",
    ],
)
def test_label_key_valid(key):
    assert is_qualified_name(key)
    assert label_key_problem(key) is None


@pytest.mark.parametrize(
    "key, message",
    [
        ("", "must not be empty"),
        ("a/b/c", "must contain at most one '/' (an optional DNS subdomain prefix, '/', then a name; found 2)"),
        ("/os", "prefix before '/' must not be empty"),
        ("kubernetes.io/", "name after '/' must not be empty"),
        ("/", "prefix before '/' must not be empty; name after '/' must not be empty"),
        ("Example.com/foo", "prefix 'Example.com' is not a valid DNS subdomain: must be lowercase (contains 'E')"),
        ("my_domain.io/foo", "prefix 'my_domain.io' is not a valid DNS subdomain: contains '_' (only lowercase letters, digits, '-' and '.' are allowed)"),
        ("a" * 254 + "/b", "prefix '" + "a" * 254 + "' is not a valid DNS subdomain: must be no more than 253 characters (has 254)"),
        ("n" * 64, "must be no more than 63 characters (has 64)"),
        ("example.com/" + "n" * 64, "name part must be no more than 63 characters (has 64)"),
        ("my label", "contains ' ' (only letters, digits, '-', '_' and '.' are allowed)"),
        ("example.com/my label", "name part contains ' ' (only letters, digits, '-', '_' and '.' are allowed)"),
        ("-os", "must start with a letter or digit (starts with '-')"),
        ("os_", "must end with a letter or digit (ends with '_')"),
        ("example.com/.os.", "name part must start and end with a letter or digit (starts with '.', ends with '.')"),
        ("kubernetes.io/os:", "name part contains ':' (only letters, digits, '-', '_' and '.' are allowed)"),
        (3, "must be a string, not an integer (put the value in quotes)"),
        (None, "must be a string, not null"),
    ],
)
def test_label_key_problem_messages(key, message):
    assert not is_qualified_name(key)
    assert label_key_problem(key) == message


@pytest.mark.parametrize("value", ["", "windows", "amd64", "10.0.20348", "true", "A_b-c.D", "v" * 63, None])
def test_label_value_valid(value):
    assert is_label_value(value)
    assert label_value_problem(value) is None


@pytest.mark.parametrize(
    "value, message",
    [
        ("v" * 64, "must be no more than 63 characters (has 64)"),
        ("a b", "contains ' ' (only letters, digits, '-', '_' and '.' are allowed)"),
        ("x/y", "contains '/' (only letters, digits, '-', '_' and '.' are allowed)"),
        ("-x", "must start with a letter or digit (starts with '-')"),
        ("x.", "must end with a letter or digit (ends with '.')"),
        (True, "must be a string, not a boolean (put the value in quotes)"),
        (1, "must be a string, not an integer (put the value in quotes)"),
        (1.5, "must be a string, not a number (put the value in quotes)"),
        ({"a": 1}, "must be a string, not a mapping"),
    ],
)
def test_label_value_problem_messages(value, message):
    assert not is_label_value(value)
    assert label_value_problem(value) == message


_ALPHABET = "aZ0-._/ "


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4])
def test_problem_functions_agree_with_predicates(length):
    """Exhaustive over a small alphabet: a message exactly when the predicate says invalid."""
    pairs = [
        (is_dns1123_label, dns1123_label_problem),
        (is_dns1123_subdomain, dns1123_subdomain_problem),
        (is_qualified_name, label_key_problem),
        (is_label_value, label_value_problem),
    ]
    for chars in itertools.product(_ALPHABET, repeat=length):
        s = "".join(chars)
        for predicate, problem in pairs:
            assert (problem(s) is None) == predicate(s), (s, predicate.__name__)


@pytest.mark.parametrize(
    "value, expected",
    [(None, "null"), (True, "a boolean"), (1, "an integer"), (1.0, "a number"), ("x", "a string"),
     ({}, "a mapping"), ([], "a list"), (b"x", "a bytes")],
)
def test_describe_type(value, expected):
    assert describe_type(value) == expected


# --------------------------------------------------------------------------- deprecated node labels


def test_deprecated_node_labels_match_kubernetes():
    # kubernetes/kubernetes pkg/api/node/util.go, deprecatedNodeLabels
    assert DEPRECATED_NODE_LABELS == {
        "beta.kubernetes.io/arch": "kubernetes.io/arch",
        "beta.kubernetes.io/os": "kubernetes.io/os",
        "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
        "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
        "app.kubernetes.io/created-by": "no replacement",
        "scheduler.alpha.kubernetes.io/preferAvoidPods": "Taints and Tolerations",
        "node-role.kubernetes.io/master": "node-role.kubernetes.io/control-plane",
    }
    assert set(DEPRECATED_NODE_LABEL_MESSAGES) == set(DEPRECATED_NODE_LABELS)


def test_every_deprecated_label_is_a_valid_key_and_every_replacement_key_too():
    for key, hint in DEPRECATED_NODE_LABELS.items():
        assert label_key_problem(key) is None
        if "/" in hint:
            assert label_key_problem(hint) is None


@pytest.mark.parametrize(
    "key, message",
    [
        ("beta.kubernetes.io/os", 'deprecated since v1.14; use "kubernetes.io/os" instead'),
        ("failure-domain.beta.kubernetes.io/zone", 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead'),
        ("app.kubernetes.io/created-by", "deprecated since v1.9"),
        ("scheduler.alpha.kubernetes.io/preferAvoidPods", "deprecated since v1.22; use Taints and Tolerations instead"),
        ("node-role.kubernetes.io/master", 'use "node-role.kubernetes.io/control-plane" instead'),
        ("kubernetes.io/os", None),
        (1, None),
    ],
)
def test_deprecated_node_label_message(key, message):
    assert deprecated_node_label_message(key) == message


# --------------------------------------------------------------------------- tolerations


@pytest.mark.parametrize(
    "tol",
    [
        {"key": "katacontainers.io/kata-runtime", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        {"key": "os", "value": "windows", "effect": "NoSchedule"},
        {"key": "dedicated", "operator": "Exists"},
        {"operator": "Exists"},
        {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": -5},
        {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300.0},
        {"key": "k", "value": "", "effect": ""},
        {"key": "k", "operator": "Equal", "value": None, "effect": None, "tolerationSeconds": None},
        {"key": "k", "effect": "PreferNoSchedule"},
    ],
)
def test_valid_tolerations(tol):
    assert toleration_problems(tol) == []


@pytest.mark.parametrize(
    "tol, problems",
    [
        ("key=value:NoSchedule", [((), "a toleration must be a mapping (key, operator, value, effect, tolerationSeconds), not a string")]),
        (None, [((), "a toleration must be a mapping (key, operator, value, effect, tolerationSeconds), not null")]),
        (
            {},
            [((), "operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is empty, which means Equal")],
        ),
        (
            {"effect": "NoSchedule"},
            [((), "operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is empty, which means Equal")],
        ),
        (
            {"key": "", "value": "x"},
            [(("key",), "operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is empty, which means Equal")],
        ),
        (
            {"operator": "Equal", "effect": "NoSchedule"},
            [(("operator",), "operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is 'Equal'")],
        ),
        (
            {"key": "k", "operator": "Exists", "value": "v"},
            [(("value",), "value must be empty when operator is Exists (found 'v'); remove it, or use operator Equal to match that value")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 30},
            [(("effect",), "effect must be NoExecute when tolerationSeconds is set; effect is 'NoSchedule'")],
        ),
        (
            {"key": "k", "operator": "Exists", "tolerationSeconds": 30},
            [(("tolerationSeconds",), "effect must be NoExecute when tolerationSeconds is set; effect is empty, which means every effect")],
        ),
        (
            {"key": "k", "value": "a b"},
            [(("value",), "value 'a b' is not a valid label value: contains ' ' (only letters, digits, '-', '_' and '.' are allowed)")],
        ),
        (
            {"key": "k", "operator": "Equal", "value": "v" * 64},
            [(("value",), "value '" + "v" * 64 + "' is not a valid label value: must be no more than 63 characters (has 64)")],
        ),
        (
            {"key": "k", "operator": "exists"},
            [(("operator",), "unsupported operator 'exists': must be Equal or Exists (did you mean 'Exists'?)")],
        ),
        (
            {"key": "k", "operator": "Equals", "value": "v"},
            [(("operator",), "unsupported operator 'Equals': must be Equal or Exists (did you mean 'Equal'?)")],
        ),
        (
            {"key": "k", "operator": "In", "value": "v"},
            [(("operator",), "unsupported operator 'In': must be Equal or Exists")],
        ),
        (
            {"key": "k", "operator": "Gt", "value": "5"},
            [(("operator",), "unsupported operator 'Gt': must be Equal or Exists (Lt and Gt exist only behind the alpha TaintTolerationComparisonOperators feature gate)")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoSchedul"},
            [(("effect",), "unsupported effect 'NoSchedul': must be NoSchedule, PreferNoSchedule or NoExecute, or empty for every effect (did you mean 'NoSchedule'?)")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "noexecute"},
            [(("effect",), "unsupported effect 'noexecute': must be NoSchedule, PreferNoSchedule or NoExecute, or empty for every effect (did you mean 'NoExecute'?)")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoScheduleNoAdmit"},
            [(("effect",), "unsupported effect 'NoScheduleNoAdmit': must be NoSchedule, PreferNoSchedule or NoExecute, or empty for every effect (did you mean 'NoSchedule'?)")],
        ),
        (
            {"key": "my key", "operator": "Exists"},
            [(("key",), "key 'my key' is not a valid taint key: contains ' ' (only letters, digits, '-', '_' and '.' are allowed)")],
        ),
        (
            {"key": "Example.com/k", "operator": "Exists"},
            [(("key",), "key 'Example.com/k' is not a valid taint key: prefix 'Example.com' is not a valid DNS subdomain: must be lowercase (contains 'E')")],
        ),
        (
            {"key": "k", "value": True, "effect": "NoSchedule"},
            [(("value",), "value must be a string, not a boolean (put the value in quotes)")],
        ),
        (
            {"key": 1, "operator": "Exists"},
            [(("key",), "key must be a string, not an integer (put the value in quotes)")],
        ),
        (
            {"key": "k", "operator": ["Exists"]},
            [(("operator",), "operator must be a string, not a list")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": 1},
            [(("effect",), "effect must be a string, not an integer (put the value in quotes)")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": "300"},
            [(("tolerationSeconds",), "tolerationSeconds must be an integer number of seconds, not a string (remove the quotes)")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 1.5},
            [(("tolerationSeconds",), "tolerationSeconds must be a whole number of seconds, not 1.5")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": True},
            [(("tolerationSeconds",), "tolerationSeconds must be an integer number of seconds, not a boolean")],
        ),
        (
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 2**63},
            [(("tolerationSeconds",), "tolerationSeconds 9223372036854775808 does not fit in a 64-bit integer")],
        ),
        (
            # Kubernetes reports both: the empty-key rule and the unsupported operator.
            {"operator": "exist"},
            [
                (("operator",), "operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is 'exist'"),
                (("operator",), "unsupported operator 'exist': must be Equal or Exists (did you mean 'Exists'?)"),
            ],
        ),
        (
            {"key": "-k", "operator": "Exists", "value": "v", "effect": "NoSchedule", "tolerationSeconds": 10},
            [
                (("key",), "key '-k' is not a valid taint key: must start with a letter or digit (starts with '-')"),
                (("effect",), "effect must be NoExecute when tolerationSeconds is set; effect is 'NoSchedule'"),
                (("value",), "value must be empty when operator is Exists (found 'v'); remove it, or use operator Equal to match that value"),
            ],
        ),
    ],
)
def test_toleration_problems(tol, problems):
    assert toleration_problems(tol) == problems


@pytest.mark.parametrize(
    "tol, problems",
    [
        ({"key": "sla", "operator": "Gt", "value": "950"}, []),
        ({"key": "sla", "operator": "Lt", "value": "-3"}, []),
        ({"key": "sla", "operator": "Lt", "value": "0"}, []),
        ({"key": "sla", "operator": "Gt", "value": "095"}, [(("value",), "value must be an integer without leading zeros or '+' for operator 'Gt'; found '095'")]),
        ({"key": "sla", "operator": "Gt", "value": "+5"}, [(("value",), "value must be an integer without leading zeros or '+' for operator 'Gt'; found '+5'")]),
        ({"key": "sla", "operator": "Lt", "value": "-0"}, [(("value",), "value must be an integer without leading zeros or '+' for operator 'Lt'; found '-0'")]),
        ({"key": "sla", "operator": "Lt", "value": "1.5"}, [(("value",), "value must be an integer without leading zeros or '+' for operator 'Lt'; found '1.5'")]),
        ({"key": "sla", "operator": "Lt"}, [(("operator",), "value must be an integer without leading zeros or '+' for operator 'Lt'; found ''")]),
        ({"key": "sla", "operator": "Gt", "value": str(2**63)}, [(("value",), f"value must be an integer without leading zeros or '+' for operator 'Gt'; found '{2**63}'")]),
        ({"key": "sla", "operator": "In"}, [(("operator",), "unsupported operator 'In': must be Equal, Exists, Lt or Gt")]),
    ],
)
def test_toleration_comparison_operators_when_allowed(tol, problems):
    assert toleration_problems(tol, allow_comparison_operators=True) == problems


# --------------------------------------------------------------------------- duplicates


def test_duplicate_tolerations():
    tols = [
        {"key": "a", "operator": "Equal", "value": "1", "effect": "NoSchedule"},
        {"key": "a", "value": "1", "effect": "NoSchedule"},  # empty operator means Equal
        {"key": "a", "operator": "Equal", "value": "1", "effect": "NoExecute"},
        {"key": "a", "operator": "Equal", "value": "1", "effect": "NoSchedule", "tolerationSeconds": 5},
        "not a mapping",
        {"operator": "Exists"},
        {"operator": "Exists", "key": None, "value": None, "effect": ""},
    ]
    assert duplicate_tolerations(tols) == [(0, 1), (0, 3), (5, 6)]


def test_duplicate_tolerations_literal_operator_like_the_api_server():
    tols = [{"key": "a", "value": "1"}, {"key": "a", "operator": "Equal", "value": "1"}, {"key": "a", "value": "1"}]
    assert duplicate_tolerations(tols, empty_operator_is_equal=False) == [(0, 2)]
    assert duplicate_tolerations(tols) == [(0, 1), (0, 2)]


def test_duplicate_tolerations_keeps_types_apart_and_tolerates_junk():
    tols = [{"key": "a", "value": "1"}, {"key": "a", "value": 1}, {"key": "a", "value": True}, {"key": "a", "value": [1]}]
    assert duplicate_tolerations(tols) == []
    assert duplicate_tolerations([{"key": "a", "value": [1]}, {"key": "a", "value": [1]}]) == [(0, 1)]
    assert duplicate_tolerations(None) == []
    assert duplicate_tolerations("abc") == []
    assert duplicate_tolerations([]) == []
