"""Where a pod can run: node selectors, required node affinity, taints and tolerations, and
what the RuntimeClass admission plugin does to a pod's scheduling fields.

Every function takes plain values decoded from YAML and never raises. Input of the wrong
shape or type is "malformed" and **cannot match**: a malformed selector, affinity term,
requirement, label value or toleration matches / tolerates nothing. YAML null where
Kubernetes has a string counts as "" (that is how the API server decodes a null string).
Each function's docstring says what happens to malformed parts of its input.

Kubernetes behaviour encoded here, with its source (kubernetes/kubernetes):

- nodeSelector: ``labels.SelectorFromSet``; every key must be present with an equal value.
- Required node affinity: ``GetRequiredNodeAffinity`` / ``LazyErrorNodeSelector``
  (staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go).
  A nil required affinity matches every node; a present one with no (or only empty) terms
  matches no node; a term with neither matchExpressions nor matchFields matches no node;
  a term with a parse error never matches, while the other terms still can. matchFields are
  **ignored when the node has no name** (``len(nodeFields) > 0`` in ``nodeSelectorTerm.match``).
- Label requirements: ``labels.NewRequirement`` and ``Requirement.Matches`` (apimachinery
  pkg/labels/selector.go). The key must be a qualified name and every value a label value;
  In/NotIn need at least one value, Exists/DoesNotExist none, Gt/Lt exactly one that
  ``strconv.ParseInt(v, 10, 64)`` accepts. NotIn and DoesNotExist match an absent label;
  In, Exists, Gt and Lt do not. Gt/Lt parse the node's label with ParseInt (sign and
  leading zeros allowed); a label that does not parse does not match.
- Tolerations: ``Toleration.ToleratesTaint`` (staging/src/k8s.io/api/core/v1/toleration.go,
  newest revision): an empty toleration effect matches every effect; an empty toleration
  key matches every key *whatever the operator*; "" and Equal compare values; Exists ignores
  the value; Lt/Gt compare integers in canonical form (``content.IsDecimalInteger``: no "+",
  no leading zeros, no "-0") and mean ``taint < toleration`` / ``taint > toleration``.
  Lt/Gt are behind the alpha TaintTolerationComparisonOperators gate (1.35); with the gate
  off they tolerate nothing (``comparison_operators=False`` here).
- Scheduling filter (scheduler TaintToleration plugin): only NoSchedule and NoExecute taints
  block; tolerationSeconds is not looked at, so a NoExecute toleration with any
  tolerationSeconds (even 0) lets the pod schedule, to be evicted after that many seconds.
- Admission (plugin/pkg/admission/runtimeclass/admission.go, ``setScheduling``) and
  toleration merging (pkg/util/tolerations/merge/merge.go, ``DoTolerationsMerge`` and
  ``IsSuperset``).
- spec.os.name is not used by the scheduler; the kubelet rejects a pod whose os.name is not
  its own OS (pkg/kubelet/lifecycle/predicate.go, ``rejectPodAdmissionBasedOnOSField``), and
  the kubelet's OS is what the node's ``kubernetes.io/os`` label reports.
"""

from __future__ import annotations

from rclint import lazyre as re  # patterns compiled on first use (start-up)
from collections.abc import Mapping
from typing import Any, Final

from rclint.kube.validation import is_label_value, is_qualified_name

__all__ = [
    "OS_LABEL",
    "BLOCKING_TAINT_EFFECTS",
    "node_selector_matches",
    "merge_node_selector",
    "required_affinity_matches",
    "pod_os_matches",
    "taint_tolerated",
    "blocking_taints",
    "merge_tolerations",
    "classify_handler_name",
    "os_of_handler_kind",
]

OS_LABEL: Final = "kubernetes.io/os"
BLOCKING_TAINT_EFFECTS: Final = ("NoSchedule", "NoExecute")
NODE_NAME_FIELD: Final = "metadata.name"

_LABEL_OPERATORS: Final = frozenset({"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"})
_FIELD_OPERATORS: Final = frozenset({"In", "NotIn"})

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_GO_PARSE_INT_RE: Final = re.compile(r"[+-]?[0-9]+")  # strconv.ParseInt(s, 10, 64) syntax
_CANONICAL_INT_RE: Final = re.compile(r"0|-?[1-9][0-9]*")  # content.IsDecimalInteger

# Sentinels for a label lookup.
_ABSENT: Final = object()
_MALFORMED: Final = object()


# --------------------------------------------------------------------------- small helpers


def _as_str(value: object) -> str | None:
    """A Kubernetes string field: str as is, None as "", anything else None (malformed)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else None


def _go_parse_int64(text: str) -> int | None:
    """What ``strconv.ParseInt(text, 10, 64)`` returns, or None where it fails."""
    if _GO_PARSE_INT_RE.fullmatch(text) is None:
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def _canonical_int64(text: str) -> int | None:
    """An int64 written in canonical decimal form (no '+', no leading zeros, no "-0"), else None."""
    if _CANONICAL_INT_RE.fullmatch(text) is None:
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def _labels_or_none(labels: object) -> Mapping | None:
    """Node labels as a mapping: None means "no labels"; a non-mapping is malformed (None)."""
    if labels is None:
        return {}
    return labels if isinstance(labels, Mapping) else None


def _label(labels: Mapping, key: str) -> object:
    """The label's value as a string, or _ABSENT, or _MALFORMED for a value of the wrong type."""
    try:
        if key not in labels:
            return _ABSENT
        value = labels[key]
    except Exception:  # an exotic Mapping; never raise on input
        return _MALFORMED
    text = _as_str(value)
    return _MALFORMED if text is None else text


def _list_or_none(value: object) -> list | None:
    """A YAML list field: None (absent) is [], a list is itself, anything else None (malformed)."""
    if value is None:
        return []
    return value if isinstance(value, list) else None


# --------------------------------------------------------------------------- nodeSelector


def node_selector_matches(selector: object, labels: object) -> bool:
    """True when every ``selector`` key is a node label with an equal value.

    A None or empty selector matches every node, even one with malformed labels. A selector
    that is not a mapping, an entry whose key is not a string or whose value is not a string
    (null counts as ""), and non-mapping ``labels`` cannot match. ``labels`` None means a
    node without labels. A label of the wrong type never equals anything.
    """
    if selector is None:
        return True
    if not isinstance(selector, Mapping):
        return False
    if not selector:
        return True
    node_labels = _labels_or_none(labels)
    if node_labels is None:
        return False
    for key, value in selector.items():
        wanted = _as_str(value)
        if not isinstance(key, str) or wanted is None:
            return False
        if _label(node_labels, key) != wanted:  # _ABSENT / _MALFORMED never equal a str
            return False
    return True


def merge_node_selector(
    pod_selector: object, rc_selector: object
) -> tuple[dict[Any, Any], list[tuple[str, str, Any]]]:
    """The RuntimeClass admission plugin's nodeSelector merge (``setScheduling``).

    Returns ``(merged, conflicts)``. ``merged`` is the pod's selector (entries as given) plus
    every RuntimeClass entry whose key the pod does not have, in RuntimeClass order.
    ``conflicts`` lists ``(key, rc_value, pod_value)`` for each RuntimeClass key that the pod
    has with a different value, in RuntimeClass order; any conflict means the API server
    rejects the pod with ``conflict: runtimeClass.scheduling.nodeSelector[<key>] = <rcValue>;
    pod.spec.nodeSelector[<key>] = <podValue>`` (Kubernetes stops at the first conflict it
    meets in random map order; all are reported here). For a conflicting key ``merged``
    keeps the pod's value.

    Null values count as "" on both sides. A selector that is not a mapping counts as empty.
    RuntimeClass entries with a non-string key or value are skipped (the API server would
    not accept that RuntimeClass). A pod value of the wrong type never equals a RuntimeClass
    value, so it is reported as a conflict with its raw value.
    """
    pod = pod_selector if isinstance(pod_selector, Mapping) else {}
    rc = rc_selector if isinstance(rc_selector, Mapping) else {}
    merged: dict[Any, Any] = dict(pod)
    conflicts: list[tuple[str, str, Any]] = []
    for key, value in rc.items():
        rc_value = _as_str(value)
        if not isinstance(key, str) or rc_value is None:
            continue
        if key in pod:
            raw = pod[key]
            pod_value = _as_str(raw)
            if pod_value != rc_value:
                conflicts.append((key, rc_value, raw if pod_value is None else pod_value))
        else:
            merged[key] = rc_value
    return merged, conflicts


# --------------------------------------------------------------------------- required node affinity


def _parse_label_requirement(expr: object) -> tuple[str, str, list[str]] | None:
    """``(key, operator, values)`` of a matchExpressions entry, or None where
    ``labels.NewRequirement`` (or the operator switch before it) would fail."""
    if not isinstance(expr, Mapping):
        return None
    key, operator = expr.get("key"), expr.get("operator")
    raw_values = _list_or_none(expr.get("values"))
    if not isinstance(key, str) or not is_qualified_name(key):
        return None
    if not isinstance(operator, str) or operator not in _LABEL_OPERATORS or raw_values is None:
        return None
    values: list[str] = []
    for raw in raw_values:
        text = _as_str(raw)
        if text is None or not is_label_value(text):
            return None
        values.append(text)
    if operator in ("In", "NotIn") and not values:
        return None
    if operator in ("Exists", "DoesNotExist") and values:
        return None
    if operator in ("Gt", "Lt") and (len(values) != 1 or _go_parse_int64(values[0]) is None):
        return None
    return key, operator, values


def _label_requirement_matches(req: tuple[str, str, list[str]], labels: Mapping) -> bool:
    """``Requirement.Matches`` for one parsed requirement; a malformed label matches nothing."""
    key, operator, values = req
    found = _label(labels, key)
    if found is _MALFORMED:
        return False
    if found is _ABSENT:
        return operator in ("NotIn", "DoesNotExist")
    assert isinstance(found, str)
    if operator == "In":
        return found in values
    if operator == "NotIn":
        return found not in values
    if operator == "Exists":
        return True
    if operator == "DoesNotExist":
        return False
    node_value = _go_parse_int64(found)
    wanted = _go_parse_int64(values[0])
    if node_value is None or wanted is None:
        return False
    return node_value > wanted if operator == "Gt" else node_value < wanted


def _parse_field_requirement(expr: object) -> tuple[str, str] | None:
    """``(operator, value)`` of a matchFields entry, or None when malformed.

    Only ``metadata.name`` with In or NotIn and exactly one value is accepted (API validation,
    ``ValidateNodeFieldSelectorRequirement``; the scheduler's
    ``nodeSelectorRequirementsAsFieldSelector`` also insists on In/NotIn with one value).
    """
    if not isinstance(expr, Mapping):
        return None
    operator = expr.get("operator")
    values = _list_or_none(expr.get("values"))
    if expr.get("key") != NODE_NAME_FIELD or not isinstance(operator, str) or operator not in _FIELD_OPERATORS:
        return None
    if values is None or len(values) != 1:
        return None
    value = _as_str(values[0])
    if value is None:
        return None
    return operator, value


def _term_matches(term: object, labels: Mapping | None, node_name: object) -> bool:
    """One nodeSelectorTerm: its matchExpressions AND its matchFields."""
    if not isinstance(term, Mapping):
        return False
    exprs = _list_or_none(term.get("matchExpressions"))
    fields = _list_or_none(term.get("matchFields"))
    if exprs is None or fields is None:
        return False
    if not exprs and not fields:
        return False  # an empty term selects no node
    label_reqs = [_parse_label_requirement(e) for e in exprs]
    field_reqs = [_parse_field_requirement(f) for f in fields]
    if any(r is None for r in label_reqs) or any(r is None for r in field_reqs):
        return False  # a parse error makes the whole term fail
    if label_reqs:
        if labels is None:
            return False
        if not all(_label_requirement_matches(r, labels) for r in label_reqs):  # type: ignore[arg-type]
            return False
    if field_reqs:
        if node_name is None or node_name == "":
            return True  # Kubernetes skips matchFields for a node without a name
        if not isinstance(node_name, str):
            return False
        for operator, value in field_reqs:  # type: ignore[misc]
            if (node_name == value) != (operator == "In"):
                return False
    return True


def required_affinity_matches(affinity: object, labels: object, node_name: object = None) -> bool:
    """Whether a node passes ``affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution``.

    Terms are ORed; inside a term every matchExpressions entry and every matchFields entry
    must match. A missing (or null) affinity, nodeAffinity or required selector matches every
    node. A required selector with no terms, or only empty terms, matches no node.
    ``labels`` None means a node without labels; ``node_name`` None or "" means the name is
    unknown, and then (as in Kubernetes for a nameless node) matchFields are not checked.

    Malformed input cannot match: an affinity, nodeAffinity or required selector that is not
    a mapping, nodeSelectorTerms that is not a list, and non-mapping ``labels`` (for terms
    with matchExpressions) or a non-string ``node_name`` (for terms with matchFields) make
    the result False for the parts they touch. A term containing any requirement that
    Kubernetes would fail to parse (unknown operator, bad key or value, wrong number of
    values, a non-integer Gt/Lt value, a matchFields key other than ``metadata.name``) never
    matches; the other terms still can.
    """
    if affinity is None:
        return True
    if not isinstance(affinity, Mapping):
        return False
    node_affinity = affinity.get("nodeAffinity")
    if node_affinity is None:
        return True
    if not isinstance(node_affinity, Mapping):
        return False
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    if not isinstance(required, Mapping):
        return False
    terms = _list_or_none(required.get("nodeSelectorTerms"))
    if terms is None:
        return False
    node_labels = _labels_or_none(labels)
    return any(_term_matches(term, node_labels, node_name) for term in terms)


# --------------------------------------------------------------------------- OS


def pod_os_matches(os_name: object, labels: object) -> bool:
    """Whether a pod's ``spec.os.name`` agrees with the node's ``kubernetes.io/os`` label.

    None (no ``spec.os``) matches every node; so does a node whose labels are None or lack
    the label (its OS is unknown). An os_name that is not a non-empty string, labels that are
    not a mapping, or an OS label of the wrong type cannot match. The comparison is exact
    (both are lowercase ``linux`` / ``windows`` in Kubernetes).
    """
    if os_name is None:
        return True
    if not isinstance(os_name, str) or os_name == "":
        return False
    node_labels = _labels_or_none(labels)
    if node_labels is None:
        return False
    found = _label(node_labels, OS_LABEL)
    if found is _ABSENT:
        return True
    return found == os_name


# --------------------------------------------------------------------------- taints and tolerations

_Toleration = tuple[str, str, str, str, int | None]  # key, operator, value, effect, seconds


def _parse_taint(taint: object) -> tuple[str, str, str] | None:
    """``(key, value, effect)`` of a taint, or None when malformed."""
    if not isinstance(taint, Mapping):
        return None
    parts = tuple(_as_str(taint.get(name)) for name in ("key", "value", "effect"))
    if any(p is None for p in parts):
        return None
    return parts  # type: ignore[return-value]


def _parse_toleration(tol: object) -> _Toleration | None:
    """``(key, operator, value, effect, tolerationSeconds)``, or None when any field has the
    wrong type (tolerationSeconds must be an integer or null)."""
    if not isinstance(tol, Mapping):
        return None
    parts = [_as_str(tol.get(name)) for name in ("key", "operator", "value", "effect")]
    if any(p is None for p in parts):
        return None
    seconds = tol.get("tolerationSeconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)):
        return None
    key, operator, value, effect = parts
    return key, operator, value, effect, seconds  # type: ignore[return-value]


def _tolerates(tol: _Toleration, taint: tuple[str, str, str], comparison_operators: bool) -> bool:
    """``Toleration.ToleratesTaint``."""
    key, operator, value, effect, _seconds = tol
    taint_key, taint_value, taint_effect = taint
    if effect and effect != taint_effect:
        return False
    if key and key != taint_key:
        return False
    if operator in ("", "Equal"):
        return value == taint_value
    if operator == "Exists":
        return True
    if operator in ("Lt", "Gt"):
        if not comparison_operators:
            return False
        limit = _canonical_int64(value)
        actual = _canonical_int64(taint_value)
        if limit is None or actual is None:
            return False
        return actual < limit if operator == "Lt" else actual > limit
    return False


def taint_tolerated(taint: object, tolerations: object, *, comparison_operators: bool = True) -> bool:
    """True when at least one toleration tolerates ``taint`` (Kubernetes ``ToleratesTaint``).

    - an empty toleration effect matches every effect, otherwise the effects must be equal;
    - an empty toleration key matches every key (API validation only allows that with
      Exists, but matching does not check the operator);
    - operator "" or Equal compares values, Exists ignores the value;
    - Lt / Gt compare canonical int64 values: ``Lt`` tolerates a taint whose value is less
      than the toleration's, ``Gt`` one whose value is greater; anything that is not a
      canonical integer (``+1``, ``01``, ``-0``, ``1.5``) tolerates nothing. With
      ``comparison_operators=False`` (the alpha gate off) Lt/Gt tolerate nothing;
    - any other operator tolerates nothing; tolerationSeconds plays no part.

    A malformed taint is never tolerated; ``tolerations`` that is not a list (None counts as
    empty) tolerates nothing, and a malformed toleration (not a mapping, or a field of the
    wrong type) is skipped.
    """
    parsed_taint = _parse_taint(taint)
    tols = _list_or_none(tolerations)
    if parsed_taint is None or tols is None:
        return False
    for tol in tols:
        parsed = _parse_toleration(tol)
        if parsed is not None and _tolerates(parsed, parsed_taint, comparison_operators):
            return True
    return False


def blocking_taints(taints: object, tolerations: object, *, comparison_operators: bool = True) -> list:
    """The taints that keep the pod off the node: effect NoSchedule or NoExecute and not
    tolerated (the scheduler's TaintToleration filter). PreferNoSchedule never blocks.

    A NoExecute taint tolerated with any ``tolerationSeconds`` does not block scheduling
    (the pod is evicted once that time has passed). ``taints`` None or not a list gives [];
    entries are returned as given. A taint entry with a blocking effect but another field of
    the wrong type cannot be tolerated, so it is returned; entries without a blocking effect
    (including non-mappings) are not.
    """
    entries = _list_or_none(taints)
    if not entries:
        return []
    return [
        taint
        for taint in entries
        if isinstance(taint, Mapping)
        and taint.get("effect") in BLOCKING_TAINT_EFFECTS
        and not taint_tolerated(taint, tolerations, comparison_operators=comparison_operators)
    ]


def _is_superset(ss: _Toleration, t: _Toleration) -> bool:
    """``IsSuperset``: whether toleration ``ss`` tolerates everything ``t`` tolerates."""
    if ss == t:
        return True
    ss_key, ss_op, ss_value, ss_effect, ss_seconds = ss
    t_key, t_op, t_value, t_effect, t_seconds = t
    if t_key != ss_key and (ss_key != "" or ss_op != "Exists"):
        return False
    if t_effect != ss_effect and ss_effect != "":
        return False
    if ss_effect == "NoExecute" and ss_seconds is not None:
        if t_seconds is None or t_seconds > ss_seconds:
            return False
    if ss_op in ("", "Equal"):
        return t_op == "Equal" and t_value == ss_value  # t's "" operator does not count as Equal
    return ss_op == "Exists"


def merge_tolerations(pod_tolerations: object, rc_tolerations: object) -> list:
    """The tolerations the admission plugin leaves on the pod (``DoTolerationsMerge``).

    Pod tolerations then RuntimeClass tolerations; a toleration is dropped when one already
    kept, or a later different one, tolerates a superset of it (equal tolerations: the first
    is kept). Superset means: same key, or an empty-key Exists; same effect, or an empty
    effect; for a NoExecute toleration with tolerationSeconds, the other must have
    tolerationSeconds no longer than it; Exists covers any operator, Equal (or "") covers only
    an explicit ``Equal`` with the same value. Quirk kept from Kubernetes: an empty-operator
    toleration covers the same explicit ``Equal`` one but is not covered by it, so whichever
    order they come in, the empty-operator one is kept.

    Entries are returned as given (not copied). A list argument that is not a list (None is
    empty) contributes nothing. Malformed entries (not a mapping, or a field of the wrong
    type) are kept in place and never compared.
    """
    pod = _list_or_none(pod_tolerations) or []
    rc = _list_or_none(rc_tolerations) or []
    entries = [*pod, *rc]
    parsed = [_parse_toleration(e) for e in entries]
    merged: list = []
    kept: list[_Toleration] = []
    for i, (entry, t) in enumerate(zip(entries, parsed)):
        if t is None:
            merged.append(entry)
            continue
        if any(_is_superset(k, t) for k in kept):
            continue
        if any(later is not None and later != t and _is_superset(later, t) for later in parsed[i + 1:]):
            continue
        kept.append(t)
        merged.append(entry)
    return merged


# --------------------------------------------------------------------------- handler names


def classify_handler_name(name: object) -> str | None:
    """The kind of sandbox a handler name usually means: "vm" (``kata*``), "gvisor"
    (``runsc``, ``gvisor*``), "windows" (``runhcs-*``, including ``runhcs-lcow``, which runs
    Linux containers on a Windows node), else None (unknown, including non-strings).
    Case-insensitive: handler names must be lowercase, but a bad one still gets a kind.
    """
    if not isinstance(name, str):
        return None
    lowered = name.lower()
    if lowered.startswith("kata"):
        return "vm"
    if lowered == "runsc" or lowered.startswith("gvisor"):
        return "gvisor"
    if lowered.startswith("runhcs-"):
        return "windows"
    return None


_KIND_OS: Final[dict[str, str]] = {
    "windows": "windows",
    "vm": "linux",
    "gvisor": "linux",
    "runc": "linux",
    "wasm": "linux",
}


def os_of_handler_kind(kind: object) -> str | None:
    """The node OS a handler kind needs: "windows" for windows; "linux" for vm, gvisor, runc
    and wasm; None for anything else (exact, case-sensitive match)."""
    return _KIND_OS.get(kind) if isinstance(kind, str) else None
