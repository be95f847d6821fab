"""rclint.kube.scheduling: node selectors, node affinity, taints/tolerations, admission merges."""

from __future__ import annotations

import pytest

from rclint.kube.scheduling import (
    blocking_taints,
    classify_handler_name,
    merge_node_selector,
    merge_tolerations,
    node_selector_matches,
    os_of_handler_kind,
    pod_os_matches,
    required_affinity_matches,
    taint_tolerated,
)

WEIRD = [1, 1.5, True, "text", ["a"], {"a": "b"}, object()]


# --------------------------------------------------------------------------- node_selector_matches


@pytest.mark.parametrize(
    "selector, labels, expected",
    [
        (None, {"a": "1"}, True),
        ({}, {"a": "1"}, True),
        (None, "garbage", True),
        ({}, None, True),
        ({"a": "1"}, {"a": "1", "b": "2"}, True),
        ({"a": "1", "b": "2"}, {"a": "1", "b": "2"}, True),
        ({"a": "1", "b": "2"}, {"a": "1"}, False),
        ({"a": "1"}, {"a": "2"}, False),
        ({"a": "1"}, {}, False),
        ({"a": "1"}, None, False),
        ({"a": ""}, {"a": ""}, True),
        ({"a": ""}, {}, False),  # an empty value still needs the label to be present
        ({"a": None}, {"a": ""}, True),  # null decodes as ""
        ({"a": ""}, {"a": None}, True),
        ({"a": "1"}, {"a": 1}, False),  # a label of the wrong type never matches
        ({"a": 1}, {"a": 1}, False),  # a selector value of the wrong type never matches
        ({1: "x"}, {1: "x"}, False),
        ({"a": "1"}, "garbage", False),
        ({"a": "1"}, ["a"], False),
        ("garbage", {"a": "1"}, False),
        (["a"], {"a": "1"}, False),
        ({"A": "1"}, {"a": "1"}, False),  # keys are case-sensitive
    ],
)
def test_node_selector_matches(selector, labels, expected):
    assert node_selector_matches(selector, labels) is expected


# --------------------------------------------------------------------------- merge_node_selector


def test_merge_pod_without_selector_takes_runtimeclass_selector():
    assert merge_node_selector(None, {"a": "1", "b": "2"}) == ({"a": "1", "b": "2"}, [])
    assert merge_node_selector({}, {"a": "1"}) == ({"a": "1"}, [])


def test_merge_runtimeclass_without_selector_keeps_pod_selector():
    assert merge_node_selector({"a": "1"}, None) == ({"a": "1"}, [])
    assert merge_node_selector({"a": "1"}, {}) == ({"a": "1"}, [])
    assert merge_node_selector(None, None) == ({}, [])


def test_merge_adds_missing_keys_in_runtimeclass_order():
    merged, conflicts = merge_node_selector({"p": "x"}, {"b": "2", "a": "1"})
    assert merged == {"p": "x", "b": "2", "a": "1"}
    assert list(merged) == ["p", "b", "a"]
    assert conflicts == []


def test_merge_same_value_is_not_a_conflict():
    assert merge_node_selector({"a": "1"}, {"a": "1", "b": "2"}) == ({"a": "1", "b": "2"}, [])


def test_merge_reports_every_conflict_and_keeps_pod_value():
    pod = {"kubernetes.io/os": "linux", "zone": "a", "x": "1"}
    rc = {"zone": "b", "kubernetes.io/os": "windows", "extra": "e", "x": "1"}
    merged, conflicts = merge_node_selector(pod, rc)
    assert conflicts == [("zone", "b", "a"), ("kubernetes.io/os", "windows", "linux")]
    assert merged == {"kubernetes.io/os": "linux", "zone": "a", "x": "1", "extra": "e"}


def test_merge_empty_string_values():
    assert merge_node_selector({"a": ""}, {"a": "1"}) == ({"a": ""}, [("a", "1", "")])
    assert merge_node_selector({"a": None}, {"a": ""}) == ({"a": None}, [])
    assert merge_node_selector({"a": None}, {"a": "1"}) == ({"a": None}, [("a", "1", "")])
    assert merge_node_selector({}, {"a": None}) == ({"a": ""}, [])


def test_node_selector_merge_does_not_mutate_inputs():
    pod, rc = {"a": "1"}, {"b": "2"}
    merge_node_selector(pod, rc)
    assert pod == {"a": "1"} and rc == {"b": "2"}


def test_merge_malformed_inputs():
    # A selector that is not a mapping counts as empty.
    assert merge_node_selector("garbage", {"a": "1"}) == ({"a": "1"}, [])
    assert merge_node_selector({"a": "1"}, ["b"]) == ({"a": "1"}, [])
    # RuntimeClass entries of the wrong type are skipped.
    assert merge_node_selector({"a": "1"}, {"a": 2, 3: "x", "b": ["l"]}) == ({"a": "1"}, [])
    # A pod value of the wrong type conflicts, reported raw; pod entries are kept as given.
    assert merge_node_selector({"a": 1, 5: "z"}, {"a": "1"}) == ({"a": 1, 5: "z"}, [("a", "1", 1)])


# --------------------------------------------------------------------------- required_affinity_matches


def affinity(*terms):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}


def expr(key, operator, values=None):
    e = {"key": key, "operator": operator}
    if values is not None:
        e["values"] = values
    return e


def term(*exprs, fields=None):
    t = {}
    if exprs:
        t["matchExpressions"] = list(exprs)
    if fields is not None:
        t["matchFields"] = fields
    return t


NODE = {"zone": "a", "gen": "5", "empty": ""}


@pytest.mark.parametrize(
    "aff",
    [
        None,
        {},
        {"nodeAffinity": None},
        {"nodeAffinity": {}},
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": None}},
        # preferred terms never restrict
        {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": term(expr("zone", "In", ["zzz"]))}]}},
        {"podAffinity": {"anything": 1}},
    ],
)
def test_absent_required_affinity_matches_everything(aff):
    assert required_affinity_matches(aff, NODE, "n1") is True
    assert required_affinity_matches(aff, "garbage labels", 42) is True


@pytest.mark.parametrize(
    "aff",
    [
        affinity(),
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}},
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": None}}},
        affinity({}),
        affinity({"matchExpressions": [], "matchFields": []}),
        affinity({"matchExpressions": None}),
        affinity({}, {"matchExpressions": []}),
    ],
)
def test_no_terms_or_empty_terms_match_nothing(aff):
    assert required_affinity_matches(aff, NODE, "n1") is False


@pytest.mark.parametrize(
    "aff",
    [
        "garbage",
        ["nodeAffinity"],
        {"nodeAffinity": "garbage"},
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": "garbage"}},
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": "garbage"}}},
        {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": {"a": 1}}}},
        affinity("not a term"),
        affinity(None),
        affinity({"matchExpressions": "garbage"}),
        affinity({"matchExpressions": [expr("zone", "In", ["a"])], "matchFields": "garbage"}),
    ],
)
def test_malformed_structure_cannot_match(aff):
    assert required_affinity_matches(aff, NODE, "n1") is False


@pytest.mark.parametrize(
    "e, expected_present, expected_absent",
    [
        # (expression on "zone" when zone=a, same expression when the node has no zone label)
        (expr("zone", "In", ["a", "b"]), True, False),
        (expr("zone", "In", ["b"]), False, False),
        (expr("zone", "NotIn", ["b", "c"]), True, True),
        (expr("zone", "NotIn", ["a"]), False, True),
        (expr("zone", "Exists"), True, False),
        (expr("zone", "Exists", []), True, False),
        (expr("zone", "DoesNotExist"), False, True),
        (expr("zone", "DoesNotExist", None), False, True),
    ],
)
def test_set_operators_and_absent_labels(e, expected_present, expected_absent):
    assert required_affinity_matches(affinity(term(e)), {"zone": "a"}, "n1") is expected_present
    assert required_affinity_matches(affinity(term(e)), {"other": "a"}, "n1") is expected_absent
    assert required_affinity_matches(affinity(term(e)), None, "n1") is expected_absent


@pytest.mark.parametrize(
    "operator, value, label, expected",
    [
        ("Gt", "4", "5", True),
        ("Gt", "5", "5", False),
        ("Gt", "6", "5", False),
        ("Lt", "6", "5", True),
        ("Lt", "5", "5", False),
        ("Lt", "4", "5", False),
        ("Gt", "0", "007", True),  # the node label is parsed with ParseInt: leading zeros are fine
        ("Lt", "0", "-3", True),  # ... and so is a sign
        ("Gt", "0", "+3", True),
        ("Gt", "1", "1.5", False),  # not an integer
        ("Gt", "1", "abc", False),
        ("Gt", "1", "", False),
        ("Lt", "1", " 0", False),  # no whitespace
        ("Lt", "1", "1_0", False),  # no underscores
        ("Gt", "0", "9223372036854775807", True),
        ("Gt", "0", "9223372036854775808", False),  # out of int64 range
        ("Gt", "010", "9", False),  # requirement value 010 == 10
        ("Gt", "010", "11", True),
    ],
)
def test_gt_lt(operator, value, label, expected):
    aff = affinity(term(expr("gen", operator, [value])))
    assert required_affinity_matches(aff, {"gen": label}, "n1") is expected


def test_gt_lt_absent_label_does_not_match():
    assert required_affinity_matches(affinity(term(expr("gen", "Gt", ["1"]))), {}, "n1") is False
    assert required_affinity_matches(affinity(term(expr("gen", "Lt", ["1"]))), {}, "n1") is False


@pytest.mark.parametrize(
    "bad",
    [
        expr("zone", "In", []),  # In/NotIn need values
        expr("zone", "In"),
        expr("zone", "NotIn", []),
        expr("zone", "Exists", ["a"]),  # Exists/DoesNotExist take none
        expr("zone", "DoesNotExist", ["a"]),
        expr("gen", "Gt", ["1", "2"]),  # Gt/Lt take exactly one integer
        expr("gen", "Gt", []),
        expr("gen", "Lt", ["x"]),
        expr("gen", "Lt", ["1.0"]),
        expr("gen", "Gt", ["-1"]),  # ParseInt accepts it, but it is not a valid label value
        expr("gen", "Gt", ["+1"]),
        expr("zone", "in", ["a"]),  # operators are case-sensitive
        expr("zone", "Equal", ["a"]),
        expr("zone", "", ["a"]),
        expr("zone", None, ["a"]),
        expr("zone", ["In"], ["a"]),
        expr("", "Exists"),  # key must be a qualified name
        expr("bad key", "Exists"),
        expr("a/b/c", "Exists"),
        expr(None, "Exists"),
        expr(5, "Exists"),
        expr("zone", "In", ["not valid!"]),  # values must be label values
        expr("zone", "In", [1]),
        expr("zone", "In", "a"),  # values must be a list
        {"operator": "Exists"},
        "zone Exists",
        None,
    ],
)
def test_unparsable_expression_fails_its_term_only(bad):
    good = term(expr("zone", "In", ["a"]))
    # Even a requirement that would match when absent (NotIn / DoesNotExist style) fails the term.
    assert required_affinity_matches(affinity(term(bad, expr("zone", "Exists"))), NODE, "n1") is False
    assert required_affinity_matches(affinity(term(bad)), {}, "n1") is False
    assert required_affinity_matches(affinity(term(bad), good), NODE, "n1") is True


def test_null_value_in_values_counts_as_empty_string():
    aff = affinity(term(expr("empty", "In", [None])))
    assert required_affinity_matches(aff, NODE, "n1") is True


def test_expressions_are_anded_terms_are_ored():
    both = term(expr("zone", "In", ["a"]), expr("gen", "Gt", ["4"]))
    assert required_affinity_matches(affinity(both), NODE, "n1") is True
    one_fails = term(expr("zone", "In", ["a"]), expr("gen", "Gt", ["5"]))
    assert required_affinity_matches(affinity(one_fails), NODE, "n1") is False
    assert required_affinity_matches(affinity(one_fails, term(expr("empty", "Exists"))), NODE, "n1") is True
    assert required_affinity_matches(affinity(one_fails, term(expr("nope", "Exists"))), NODE, "n1") is False


def test_empty_term_does_not_stop_other_terms():
    assert required_affinity_matches(affinity({}, term(expr("zone", "Exists"))), NODE, "n1") is True


def test_malformed_labels():
    e = affinity(term(expr("zone", "NotIn", ["x"])))
    assert required_affinity_matches(e, "garbage", "n1") is False
    assert required_affinity_matches(e, ["zone"], "n1") is False
    # A label of the wrong type matches nothing, not even NotIn / DoesNotExist.
    assert required_affinity_matches(e, {"zone": 5}, "n1") is False
    assert required_affinity_matches(affinity(term(expr("zone", "DoesNotExist"))), {"zone": 5}, "n1") is False
    assert required_affinity_matches(affinity(term(expr("zone", "Exists"))), {"zone": 5}, "n1") is False
    # A null label value is "".
    assert required_affinity_matches(affinity(term(expr("zone", "In", [""]))), {"zone": None}, "n1") is True
    # Terms with only matchFields do not look at labels.
    fields_only = affinity(term(fields=[expr("metadata.name", "In", ["n1"])]))
    assert required_affinity_matches(fields_only, "garbage", "n1") is True


NAME_IN = expr("metadata.name", "In", ["n1"])
NAME_NOT_IN = expr("metadata.name", "NotIn", ["n1"])


@pytest.mark.parametrize(
    "fields, node_name, expected",
    [
        ([NAME_IN], "n1", True),
        ([NAME_IN], "n2", False),
        ([NAME_NOT_IN], "n1", False),
        ([NAME_NOT_IN], "n2", True),
        ([NAME_IN, NAME_NOT_IN], "n1", False),
        ([NAME_IN, expr("metadata.name", "NotIn", ["n2"])], "n1", True),
        # Kubernetes ignores matchFields for a node without a name
        ([NAME_IN], None, True),
        ([NAME_IN], "", True),
        ([NAME_NOT_IN], None, True),
        # a node name of the wrong type cannot match
        ([NAME_IN], 5, False),
        ([NAME_NOT_IN], ["n2"], False),
    ],
)
def test_match_fields(fields, node_name, expected):
    assert required_affinity_matches(affinity(term(fields=fields)), {}, node_name) is expected


@pytest.mark.parametrize(
    "bad",
    [
        expr("metadata.name", "In", ["n1", "n2"]),  # exactly one value
        expr("metadata.name", "In", []),
        expr("metadata.name", "NotIn"),
        expr("metadata.name", "Exists"),  # only In / NotIn
        expr("metadata.name", "DoesNotExist"),
        expr("metadata.name", "Gt", ["1"]),
        expr("metadata.name", ["In"], ["n1"]),
        expr("metadata.uid", "In", ["n1"]),  # only metadata.name
        expr("spec.unschedulable", "NotIn", ["true"]),
        expr("metadata.name", "In", [5]),
        expr("metadata.name", "In", "n1"),
        "metadata.name=n1",
    ],
)
def test_malformed_match_fields_fail_the_term_even_without_node_name(bad):
    aff = affinity(term(fields=[bad]))
    assert required_affinity_matches(aff, {}, "n1") is False
    assert required_affinity_matches(aff, {}, None) is False
    assert required_affinity_matches(affinity(term(fields=[bad]), term(fields=[NAME_IN])), {}, "n1") is True


def test_expressions_and_fields_are_anded():
    both = term(expr("zone", "In", ["a"]), fields=[NAME_IN])
    assert required_affinity_matches(affinity(both), NODE, "n1") is True
    assert required_affinity_matches(affinity(both), NODE, "n2") is False
    assert required_affinity_matches(affinity(both), {"zone": "b"}, "n1") is False
    # matchExpressions: [] with matchFields: the term is fields-only
    assert required_affinity_matches(affinity({"matchExpressions": [], "matchFields": [NAME_IN]}), {}, "n1") is True


def test_node_name_defaults_to_unknown():
    assert required_affinity_matches(affinity(term(fields=[NAME_NOT_IN])), {}) is True


# --------------------------------------------------------------------------- pod_os_matches


@pytest.mark.parametrize(
    "os_name, labels, expected",
    [
        ("linux", {"kubernetes.io/os": "linux"}, True),
        ("windows", {"kubernetes.io/os": "windows"}, True),
        ("linux", {"kubernetes.io/os": "windows"}, False),
        ("windows", {"kubernetes.io/os": "linux"}, False),
        ("Linux", {"kubernetes.io/os": "linux"}, False),  # exact comparison
        ("linux", {"beta.kubernetes.io/os": "windows"}, True),  # only the stable label counts
        ("linux", {}, True),  # unknown node OS
        ("linux", None, True),
        (None, {"kubernetes.io/os": "windows"}, True),  # no spec.os
        (None, "garbage", True),
        ("", {"kubernetes.io/os": "linux"}, False),
        (5, {"kubernetes.io/os": "linux"}, False),
        ({"name": "linux"}, {"kubernetes.io/os": "linux"}, False),
        ("linux", "garbage", False),
        ("linux", {"kubernetes.io/os": 5}, False),
        ("linux", {"kubernetes.io/os": None}, False),  # "" is not linux
        ("linux", {"kubernetes.io/os": ""}, False),
    ],
)
def test_pod_os_matches(os_name, labels, expected):
    assert pod_os_matches(os_name, labels) is expected


# --------------------------------------------------------------------------- taint_tolerated


def taint(key="k", value="v", effect="NoSchedule"):
    return {"key": key, "value": value, "effect": effect}


def tol(key=None, operator=None, value=None, effect=None, seconds=None):
    t = {}
    for name, v in (("key", key), ("operator", operator), ("value", value), ("effect", effect),
                    ("tolerationSeconds", seconds)):
        if v is not None:
            t[name] = v
    return t


@pytest.mark.parametrize(
    "toleration, expected",
    [
        (tol("k", "Equal", "v", "NoSchedule"), True),
        (tol("k", "Equal", "other", "NoSchedule"), False),
        (tol("k", None, "v", "NoSchedule"), True),  # empty operator means Equal
        (tol("k", "", "v", "NoSchedule"), True),
        (tol("k", None, None, "NoSchedule"), False),  # Equal with empty value vs "v"
        (tol("k", "Exists", None, "NoSchedule"), True),
        (tol("k", "Exists", "ignored", "NoSchedule"), True),  # Exists ignores the value
        (tol("other", "Exists", None, "NoSchedule"), False),
        (tol("K", "Exists"), False),  # keys are case-sensitive
        (tol("k", "Exists", None, None), True),  # empty effect matches all effects
        (tol("k", "Exists", None, ""), True),
        (tol("k", "Exists", None, "NoExecute"), False),
        (tol("k", "Exists", None, "PreferNoSchedule"), False),
        (tol(None, "Exists"), True),  # empty key + Exists: everything
        (tol("", "Exists", None, "NoSchedule"), True),
        (tol(None, "Exists", None, "NoExecute"), False),
        (tol(None, "Equal", "v"), True),  # empty key matches any key whatever the operator
        (tol(None, "Equal", "w"), False),
        (tol("k", "exists"), False),  # operators are case-sensitive
        (tol("k", "NotIn", "x"), False),  # unknown operator
        (tol("k", "Equal", "v", "NoSchedule", seconds=5), True),  # seconds play no part
        (tol("k", 5, "v"), False),  # fields of the wrong type: malformed
        (tol(["k"], "Exists"), False),
        (tol("k", "Equal", 1), False),
        (tol("k", "Exists", None, ["NoSchedule"]), False),
        (tol("k", "Exists", seconds="30"), False),
        (tol("k", "Exists", seconds=True), False),
        (tol("k", "Exists", seconds=1.5), False),
        ("k:Exists", False),
        (None, False),
    ],
)
def test_taint_tolerated_single(toleration, expected):
    assert taint_tolerated(taint(), [toleration]) is expected


def test_taint_with_empty_or_null_value():
    assert taint_tolerated(taint(value=""), [tol("k", "Equal")]) is True
    assert taint_tolerated(taint(value=None), [tol("k")]) is True
    assert taint_tolerated({"key": "k", "effect": "NoSchedule"}, [tol("k", "Equal", "")]) is True
    assert taint_tolerated(taint(value=None), [tol("k", "Equal", "v")]) is False


def test_any_toleration_is_enough():
    assert taint_tolerated(taint(), [tol("x", "Exists"), "junk", tol("k", "Exists")]) is True
    assert taint_tolerated(taint(), [tol("x", "Exists"), tol("y", "Exists")]) is False
    assert taint_tolerated(taint(), []) is False
    assert taint_tolerated(taint(), None) is False


@pytest.mark.parametrize("tolerations", ["garbage", {"key": "k", "operator": "Exists"}, 5])
def test_tolerations_not_a_list_tolerate_nothing(tolerations):
    assert taint_tolerated(taint(), tolerations) is False


@pytest.mark.parametrize(
    "bad_taint",
    ["k=v:NoSchedule", None, ["k"], {"key": 5, "effect": "NoSchedule"},
     {"key": "k", "value": 1, "effect": "NoSchedule"}, {"key": "k", "effect": ["NoSchedule"]}],
)
def test_malformed_taint_is_never_tolerated(bad_taint):
    assert taint_tolerated(bad_taint, [tol(None, "Exists")]) is False


@pytest.mark.parametrize(
    "operator, tol_value, taint_value, expected",
    [
        # Lt: the taint's value is less than the toleration's
        ("Lt", "10", "5", True),
        ("Lt", "10", "10", False),
        ("Lt", "10", "11", False),
        ("Lt", "0", "-1", True),
        # Gt: the taint's value is greater than the toleration's
        ("Gt", "10", "11", True),
        ("Gt", "10", "10", False),
        ("Gt", "10", "5", False),
        ("Gt", "-5", "0", True),
        ("Gt", "-9223372036854775808", "9223372036854775807", True),
        # only canonical decimal int64 on both sides
        ("Lt", "010", "5", False),
        ("Lt", "10", "05", False),
        ("Lt", "+10", "5", False),
        ("Gt", "-1", "-0", False),
        ("Lt", "1.5", "1", False),
        ("Lt", "", "1", False),
        ("Gt", "1", "", False),
        ("Lt", "x", "1", False),
        ("Gt", "0", "9223372036854775808", False),
        ("Lt", "9223372036854775808", "0", False),
    ],
)
def test_comparison_operators(operator, tol_value, taint_value, expected):
    t = taint(value=taint_value)
    assert taint_tolerated(t, [tol("k", operator, tol_value)]) is expected
    assert taint_tolerated(t, [tol("k", operator, tol_value)], comparison_operators=False) is False


def test_comparison_operator_with_empty_key_and_effect():
    assert taint_tolerated(taint("any", "3", "NoExecute"), [tol(None, "Lt", "4")]) is True
    assert taint_tolerated(taint("any", "3", "NoExecute"), [tol(None, "Lt", "4", "NoSchedule")]) is False


# --------------------------------------------------------------------------- blocking_taints


def test_blocking_taints_effects():
    ns, ne, pns = taint("a", effect="NoSchedule"), taint("b", effect="NoExecute"), taint("c", effect="PreferNoSchedule")
    assert blocking_taints([ns, ne, pns], []) == [ns, ne]
    assert blocking_taints([ns, ne, pns], None) == [ns, ne]
    assert blocking_taints([pns], []) == []  # PreferNoSchedule never blocks
    assert blocking_taints([ns, ne, pns], [tol("a", "Exists")]) == [ne]
    assert blocking_taints([ns, ne, pns], [tol(None, "Exists")]) == []
    assert blocking_taints([ns, ne, pns], [tol(None, "Exists", None, "NoExecute")]) == [ns]


def test_blocking_taints_unknown_effect_does_not_block():
    odd = taint(effect="NoScheduleNoAdmit")
    assert blocking_taints([odd, taint(effect=""), taint(effect=None)], []) == []


def test_no_execute_with_toleration_seconds_does_not_block_scheduling():
    ne = taint("node.kubernetes.io/unreachable", "", "NoExecute")
    for seconds in (300, 0, -5):
        t = tol("node.kubernetes.io/unreachable", "Exists", None, "NoExecute", seconds)
        assert blocking_taints([ne], [t]) == []
        assert taint_tolerated(ne, [t]) is True


def test_blocking_taints_returns_entries_as_given():
    entry = {"key": "k", "value": "v", "effect": "NoSchedule", "timeAdded": "2024-01-01T00:00:00Z"}
    result = blocking_taints([entry], [])
    assert result == [entry] and result[0] is entry


def test_blocking_taints_malformed():
    assert blocking_taints(None, []) == []
    assert blocking_taints("garbage", []) == []
    assert blocking_taints({"key": "k", "effect": "NoSchedule"}, []) == []
    assert blocking_taints(["k=v:NoSchedule", None, 5], []) == []
    # a blocking effect but a field of the wrong type: cannot be tolerated, so it blocks
    bad = {"key": 5, "effect": "NoSchedule"}
    assert blocking_taints([bad], [tol(None, "Exists")]) == [bad]
    # tolerations that are not a list tolerate nothing
    assert blocking_taints([taint()], "garbage") == [taint()]


def test_blocking_taints_comparison_operators_gate():
    t = taint("gpu-mem", "8", "NoSchedule")
    tols = [tol("gpu-mem", "Gt", "4")]
    assert blocking_taints([t], tols) == []
    assert blocking_taints([t], tols, comparison_operators=False) == [t]


# --------------------------------------------------------------------------- merge_tolerations


def test_merge_concatenates_pod_then_runtimeclass():
    a, b, c = tol("a", "Exists"), tol("b", "Equal", "1"), tol("c", "Exists", None, "NoSchedule")
    assert merge_tolerations([a], [b, c]) == [a, b, c]
    assert merge_tolerations(None, [b]) == [b]
    assert merge_tolerations([a], None) == [a]
    assert merge_tolerations(None, None) == []
    assert merge_tolerations([], []) == []


def test_merge_keeps_first_of_equal_tolerations():
    pod_t = tol("a", "Exists", None, "NoSchedule")
    rc_t = dict(pod_t)
    merged = merge_tolerations([pod_t], [rc_t])
    assert merged == [pod_t] and merged[0] is pod_t
    # null fields equal absent ones
    assert merge_tolerations([{"key": "a", "operator": "Exists", "value": None}], [tol("a", "Exists")]) == [
        {"key": "a", "operator": "Exists", "value": None}
    ]


def test_merge_drops_toleration_covered_by_later_one():
    narrow = tol("a", "Equal", "1", "NoSchedule")
    wide = tol("a", "Exists")
    assert merge_tolerations([narrow], [wide]) == [wide]
    assert merge_tolerations([wide], [narrow]) == [wide]


def test_merge_wildcard_key_exists_covers_everything():
    everything = tol(None, "Exists")
    assert merge_tolerations([tol("a", "Equal", "1"), tol("b", "Exists", None, "NoExecute", 5)], [everything]) == [
        everything
    ]


def test_merge_effect_rules():
    any_effect = tol("a", "Exists")
    no_schedule = tol("a", "Exists", None, "NoSchedule")
    no_execute = tol("a", "Exists", None, "NoExecute")
    assert merge_tolerations([no_schedule, no_execute], [any_effect]) == [any_effect]
    assert merge_tolerations([no_schedule], [no_execute]) == [no_schedule, no_execute]


def test_merge_toleration_seconds():
    forever = tol("a", "Exists", None, "NoExecute")
    short = tol("a", "Exists", None, "NoExecute", 30)
    long = tol("a", "Exists", None, "NoExecute", 300)
    # no tolerationSeconds (tolerate forever) covers any tolerationSeconds
    assert merge_tolerations([short], [forever]) == [forever]
    # a longer tolerationSeconds covers a shorter one, not the other way round
    assert merge_tolerations([short], [long]) == [long]
    assert merge_tolerations([long], [short]) == [long]
    # limited seconds do not cover "forever"
    assert merge_tolerations([forever], [long]) == [forever]
    assert merge_tolerations([long], [forever]) == [forever]


def test_merge_equal_covers_only_explicit_equal():
    explicit = tol("a", "Equal", "1")
    implicit = tol("a", None, "1")
    # Kubernetes quirk: an empty-operator toleration covers an explicit Equal one, never the
    # reverse, so in either order the empty-operator one is what survives.
    merged = merge_tolerations([implicit], [explicit])
    assert merged == [implicit] and merged[0] is implicit
    merged = merge_tolerations([explicit], [implicit])
    assert merged == [implicit] and merged[0] is implicit
    assert merge_tolerations([tol("a", "Equal", "1")], [tol("a", "Equal", "2")]) == [
        tol("a", "Equal", "1"), tol("a", "Equal", "2")]


def test_merge_exists_covers_equal_but_not_other_key():
    assert merge_tolerations([tol("a", "Equal", "1")], [tol("b", "Exists")]) == [tol("a", "Equal", "1"), tol("b", "Exists")]
    # An empty key needs Exists to be a wildcard.
    assert merge_tolerations([tol("a", "Equal", "1")], [tol(None, "Equal", "1")]) == [
        tol("a", "Equal", "1"), tol(None, "Equal", "1")]


def test_merge_comparison_operators_are_covered_but_cover_nothing():
    lt = tol("a", "Lt", "5")
    assert merge_tolerations([lt], [tol("a", "Exists")]) == [tol("a", "Exists")]
    assert merge_tolerations([tol("a", "Equal", "1")], [lt]) == [tol("a", "Equal", "1"), lt]
    assert merge_tolerations([lt], [dict(lt)]) == [lt]


def test_merge_duplicates_within_one_list():
    a = tol("a", "Exists")
    assert merge_tolerations([a, dict(a), dict(a)], []) == [a]


def test_merge_malformed():
    good = tol("a", "Exists")
    junk = {"key": 5, "operator": "Exists"}
    assert merge_tolerations([junk, "x", good], [junk]) == [junk, "x", good, junk]
    assert merge_tolerations("garbage", [good]) == [good]
    assert merge_tolerations([good], {"key": "b"}) == [good]
    # a malformed toleration never covers a valid one
    assert merge_tolerations([good], [{"operator": "Exists", "tolerationSeconds": "x"}]) == [
        good, {"operator": "Exists", "tolerationSeconds": "x"}]


def test_toleration_merge_does_not_mutate_inputs():
    pod, rc = [tol("a", "Equal", "1")], [tol("a", "Exists")]
    merge_tolerations(pod, rc)
    assert pod == [tol("a", "Equal", "1")] and rc == [tol("a", "Exists")]


# --------------------------------------------------------------------------- handler names


@pytest.mark.parametrize(
    "name, kind",
    [
        ("kata", "vm"),
        ("kata-qemu", "vm"),
        ("kata-clh", "vm"),
        ("kata-qemu-snp", "vm"),
        ("katacontainers", "vm"),
        ("Kata-QEMU", "vm"),
        ("runsc", "gvisor"),
        ("gvisor", "gvisor"),
        ("gvisor-kvm", "gvisor"),
        ("RUNSC", "gvisor"),
        ("runsc-debug", None),
        ("runhcs-wcow-process", "windows"),
        ("runhcs-wcow-hypervisor", "windows"),
        ("runhcs-wcow-hypervisor-17763", "windows"),
        ("runhcs-lcow", "windows"),
        ("runhcs", None),
        ("runc", None),
        ("crun", None),
        ("youki", None),
        ("nvidia", None),
        ("my-kata", None),
        ("", None),
        (None, None),
        (5, None),
        (["kata"], None),
    ],
)
def test_classify_handler_name(name, kind):
    assert classify_handler_name(name) == kind


@pytest.mark.parametrize(
    "kind, os_name",
    [
        ("windows", "windows"),
        ("vm", "linux"),
        ("gvisor", "linux"),
        ("runc", "linux"),
        ("wasm", "linux"),
        ("Windows", None),
        ("unknown", None),
        ("", None),
        (None, None),
        (["vm"], None),
        ({"vm": 1}, None),
    ],
)
def test_os_of_handler_kind(kind, os_name):
    assert os_of_handler_kind(kind) == os_name


def test_handler_name_to_os():
    assert os_of_handler_kind(classify_handler_name("runhcs-wcow-process")) == "windows"
    assert os_of_handler_kind(classify_handler_name("kata-fc")) == "linux"
    assert os_of_handler_kind(classify_handler_name("mystery")) is None


# --------------------------------------------------------------------------- never raise


@pytest.mark.parametrize("value", WEIRD + [None])
def test_no_function_raises_on_wrong_types(value):
    for labels in (value, {"k": value}):
        assert node_selector_matches(value, labels) in (True, False)
        assert node_selector_matches({"k": value}, labels) in (True, False)
        assert required_affinity_matches(value, labels, value) in (True, False)
        assert required_affinity_matches(affinity(value), labels, value) in (True, False)
        assert required_affinity_matches(affinity(term(value)), labels, value) in (True, False)
        assert required_affinity_matches(affinity(term(fields=[value])), labels, value) in (True, False)
        assert required_affinity_matches(affinity({"matchExpressions": value, "matchFields": value}), labels,
                                         value) in (True, False)
        assert pod_os_matches(value, labels) in (True, False)
    merged, conflicts = merge_node_selector(value, value)
    assert isinstance(merged, dict) and isinstance(conflicts, list)
    merge_node_selector({"k": value}, {"k": value})
    assert taint_tolerated(value, value) in (True, False)
    assert taint_tolerated(taint(value=value), [value, tol(value, value, value, value, value)]) in (True, False)
    assert isinstance(blocking_taints(value, value), list)
    assert isinstance(blocking_taints([value, {"effect": "NoSchedule", "key": value}], [value]), list)
    assert isinstance(merge_tolerations(value, value), list)
    assert isinstance(merge_tolerations([value, tol(value, value, value, value, value)], [value]), list)
    assert classify_handler_name(value) in (None, "vm", "gvisor", "windows")
    assert os_of_handler_kind(value) in (None, "linux", "windows")
