"""Kubernetes name, label and toleration rules, checked the way the API server checks them.

Rules follow k8s.io/apimachinery/pkg/util/validation (IsDNS1123Label, IsDNS1123Subdomain,
IsQualifiedName, IsValidLabelValue), kubernetes/kubernetes pkg/apis/core/validation
(ValidateTolerations, validateTaintEffect), pkg/apis/node/validation (toleration uniqueness
in RuntimeClass) and pkg/api/node/util.go (deprecated node labels). Written from the rules,
not translated from the Go code.

Every ``*_problem`` function returns None for a valid value and otherwise one short message
saying what is wrong (several faults of the same value are joined with "; "). Go measures
lengths in bytes, so the length limits here count UTF-8 bytes as well. Patterns are matched
against the whole string (Go's ``^...$`` without the multi-line flag), so a trailing newline
is an error, as it is for Kubernetes.
"""

from __future__ import annotations

import math
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

DNS1123_LABEL_MAX_LENGTH: Final = 63
DNS1123_SUBDOMAIN_MAX_LENGTH: Final = 253
QUALIFIED_NAME_MAX_LENGTH: Final = 63
LABEL_VALUE_MAX_LENGTH: Final = 63

_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE: Final = re.compile(_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE: Final = re.compile(_LABEL_FMT + r"(\." + _LABEL_FMT + ")*")
_QUALIFIED_NAME_RE: Final = re.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE_RE: Final = re.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")

_DIGITS: Final = frozenset("0123456789")
_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DNS_LABEL_CHARS: Final = _LOWER | _DIGITS | {"-"}
_DNS_SUBDOMAIN_CHARS: Final = _DNS_LABEL_CHARS | {"."}
_QUALIFIED_CHARS: Final = _LOWER | _UPPER | _DIGITS | {"-", "_", "."}

TOLERATION_OPERATORS: Final = ("Equal", "Exists")
COMPARISON_OPERATORS: Final = ("Lt", "Gt")
TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_CANONICAL_INT_RE: Final = re.compile("0|-?[1-9][0-9]*")

# Deprecated node label -> what Kubernetes says to use instead (pkg/api/node/util.go,
# deprecatedNodeLabels; the API server sends these as warnings for RuntimeClass
# scheduling.nodeSelector keys). A label key where one exists; otherwise Kubernetes' own
# free-text hint. See DEPRECATED_NODE_LABEL_MESSAGES for the full warning text.
DEPRECATED_NODE_LABELS: Final[dict[str, str]] = {
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
    "app.kubernetes.io/created-by": "no replacement",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": "Taints and Tolerations",
    "node-role.kubernetes.io/master": "node-role.kubernetes.io/control-plane",
}

# The same keys with the exact warning text the API server attaches (after "<path>: ").
DEPRECATED_NODE_LABEL_MESSAGES: Final[dict[str, str]] = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
    "app.kubernetes.io/created-by": "deprecated since v1.9",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": "deprecated since v1.22; use Taints and Tolerations instead",
    "node-role.kubernetes.io/master": 'use "node-role.kubernetes.io/control-plane" instead',
}


# --------------------------------------------------------------------------- helpers


def describe_type(value: object) -> str:
    """Name a decoded YAML value's type for a message: 'a boolean', 'an integer', 'null'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def _not_a_string(value: object) -> str:
    """'must be a string, not ...', with a quoting hint for YAML scalars."""
    hint = " (put the value in quotes)" if isinstance(value, (bool, int, float)) else ""
    return f"must be a string, not {describe_type(value)}{hint}"


def _byte_length(text: str) -> int:
    """Length as Go's len() counts it: UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def _too_long(text: str, limit: int) -> str | None:
    """The length message when `text` is over `limit` bytes."""
    size = _byte_length(text)
    if size <= limit:
        return None
    has = str(size) if size == len(text) else f"{size} bytes in UTF-8"
    return f"must be no more than {limit} characters (has {has})"


def _quote_chars(chars: Iterable[str]) -> str:
    """Distinct characters in order of appearance: "'_'", "'_' and ' '", "'a', 'b' and 'c'"."""
    seen = [repr(c) for c in dict.fromkeys(chars)]
    if len(seen) > 5:
        seen = seen[:5] + [f"{len(seen) - 5} more"]
    if len(seen) == 1:
        return seen[0]
    return ", ".join(seen[:-1]) + " and " + seen[-1]


def _edges(text: str, bad_edges: str, wanted: str) -> str | None:
    """The start/end message when `text` begins or ends with one of `bad_edges`."""
    starts, ends = text[0] in bad_edges, text[-1] in bad_edges
    if starts and ends:
        return f"must start and end with {wanted} (starts with {text[0]!r}, ends with {text[-1]!r})"
    if starts:
        return f"must start with {wanted} (starts with {text[0]!r})"
    if ends:
        return f"must end with {wanted} (ends with {text[-1]!r})"
    return None


def _join(problems: list[str]) -> str | None:
    """Problems joined with '; ', or None when there are none."""
    return "; ".join(problems) if problems else None


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    """' (did you mean ...?)' for a near miss among `choices`, else ''."""
    from rclint.suggest import closest

    guess = closest(value, choices)
    return f" (did you mean {guess!r}?)" if guess and guess != value else ""


# --------------------------------------------------------------------------- DNS names


# Pods name a handful of RuntimeClasses and handlers, thousands of times: answers per string.
_LABELS: dict = {}
_SUBDOMAINS: dict = {}
_REMEMBERED = 4096


def _remembered(table: dict, s: str, max_length: int, pattern) -> bool:
    """Whether `s` is at most `max_length` bytes and matches `pattern`, answered once per string
    (pods name a handful of classes and handlers thousands of times)."""
    ok = table.get(s)
    if ok is None:
        ok = _byte_length(s) <= max_length and pattern.fullmatch(s) is not None
        if len(table) >= _REMEMBERED:
            table.clear()
        table[s] = ok
    return ok


def is_dns1123_label(s: object) -> bool:
    """True for an RFC 1123 label: at most 63 characters of [a-z0-9-], alphanumeric at both ends."""
    return isinstance(s, str) and _remembered(_LABELS, s, DNS1123_LABEL_MAX_LENGTH, _DNS1123_LABEL_RE)


def is_dns1123_subdomain(s: object) -> bool:
    """True for an RFC 1123 subdomain: at most 253 characters, dot-separated DNS labels."""
    return isinstance(s, str) and _remembered(_SUBDOMAINS, s, DNS1123_SUBDOMAIN_MAX_LENGTH, _DNS1123_SUBDOMAIN_RE)


def _dns_problems(s: str, limit: int, dots: bool) -> list[str]:
    """Every fault of a non-empty DNS label (dots=False) or subdomain (dots=True)."""
    problems: list[str] = []
    long = _too_long(s, limit)
    if long:
        problems.append(long)
    upper = [c for c in s if c in _UPPER]
    if upper:
        problems.append(f"must be lowercase (contains {_quote_chars(upper)})")
    allowed = _DNS_SUBDOMAIN_CHARS if dots else _DNS_LABEL_CHARS
    bad = [c for c in s if c not in allowed and c not in _UPPER]
    if bad:
        what = "lowercase letters, digits, '-' and '.'" if dots else "lowercase letters, digits and '-'"
        problems.append(f"contains {_quote_chars(bad)} (only {what} are allowed)")
    edge = _edges(s, "-." if dots else "-", "a lowercase letter or digit")
    if edge:
        problems.append(edge)
    if dots:
        if ".." in s:
            problems.append("contains '..' (the parts between dots must not be empty)")
        found = [pair for pair in (".-", "-.") if pair in s]
        if found:
            problems.append(
                "each part between dots must start and end with a lowercase letter or digit "
                f"(contains {_quote_chars(found)})"
            )
    return problems


def dns1123_label_problem(s: object) -> str | None:
    """Why `s` is not a DNS-1123 label (a RuntimeClass handler), or None when it is one."""
    if not isinstance(s, str):
        return _not_a_string(s)
    if s == "":
        return "must not be empty"
    problems = _dns_problems(s, DNS1123_LABEL_MAX_LENGTH, dots=False)
    if not problems and not is_dns1123_label(s):  # pragma: no cover - defensive
        problems.append("must consist of lowercase letters, digits and '-', starting and ending with a letter or digit")
    return _join(problems)


def dns1123_subdomain_problem(s: object) -> str | None:
    """Why `s` is not a DNS-1123 subdomain (an object name), or None when it is one."""
    if not isinstance(s, str):
        return _not_a_string(s)
    if s == "":
        return "must not be empty"
    problems = _dns_problems(s, DNS1123_SUBDOMAIN_MAX_LENGTH, dots=True)
    if not problems and not is_dns1123_subdomain(s):  # pragma: no cover - defensive
        problems.append("must consist of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")
    return _join(problems)


# --------------------------------------------------------------------------- labels


def _qualified_part_problems(name: str) -> list[str]:
    """Every fault of a non-empty label name part or label value."""
    problems: list[str] = []
    long = _too_long(name, QUALIFIED_NAME_MAX_LENGTH)
    if long:
        problems.append(long)
    bad = [c for c in name if c not in _QUALIFIED_CHARS]
    if bad:
        problems.append(f"contains {_quote_chars(bad)} (only letters, digits, '-', '_' and '.' are allowed)")
    edge = _edges(name, "-_.", "a letter or digit")
    if edge:
        problems.append(edge)
    return problems


def is_qualified_name(s: object) -> bool:
    """True for a label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters."""
    if not isinstance(s, str):
        return False
    parts = s.split("/")
    if len(parts) > 2:
        return False
    if len(parts) == 2 and not is_dns1123_subdomain(parts[0]):
        return False
    name = parts[-1]
    return _byte_length(name) <= QUALIFIED_NAME_MAX_LENGTH and _QUALIFIED_NAME_RE.fullmatch(name) is not None


def is_label_value(s: object) -> bool:
    """True for a label value: empty, or at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.

    None (YAML null) counts as valid: Kubernetes decodes a null string as "".
    """
    if s is None:
        return True
    return (
        isinstance(s, str)
        and _byte_length(s) <= LABEL_VALUE_MAX_LENGTH
        and _LABEL_VALUE_RE.fullmatch(s) is not None
    )


def label_key_problem(key: object) -> str | None:
    """Why `key` is not a valid label key (qualified name), or None when it is one."""
    if not isinstance(key, str):
        return _not_a_string(key)
    if key == "":
        return "must not be empty"
    slashes = key.count("/")
    if slashes > 1:
        return f"must contain at most one '/' (an optional DNS subdomain prefix, '/', then a name; found {slashes})"
    problems: list[str] = []
    if slashes:
        prefix, name = key.split("/")
        if prefix == "":
            problems.append("prefix before '/' must not be empty")
        else:
            trouble = dns1123_subdomain_problem(prefix)
            if trouble:
                problems.append(f"prefix {prefix!r} is not a valid DNS subdomain: {trouble}")
        if name == "":
            problems.append("name after '/' must not be empty")
        else:
            problems.extend("name part " + p for p in _qualified_part_problems(name))
    else:
        problems.extend(_qualified_part_problems(key))
    if not problems and not is_qualified_name(key):  # pragma: no cover - defensive
        problems.append("must be an optional DNS subdomain prefix and '/', then a name of letters, digits, '-', '_' and '.'")
    return _join(problems)


def label_value_problem(value: object) -> str | None:
    """Why `value` is not a valid label value, or None when it is one.

    None (YAML null) is valid: Kubernetes decodes a null string as "".
    """
    if value is None:
        return None
    if not isinstance(value, str):
        return _not_a_string(value)
    if value == "":
        return None
    problems = _qualified_part_problems(value)  # same character rules and limit (63) as a key's name part
    if not problems and not is_label_value(value):  # pragma: no cover - defensive
        problems.append("must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
    return _join(problems)


def deprecated_node_label_message(key: object) -> str | None:
    """The API server's deprecation warning for a node label key, or None if it is not deprecated."""
    return DEPRECATED_NODE_LABEL_MESSAGES.get(key) if isinstance(key, str) else None


# --------------------------------------------------------------------------- tolerations

Problem = tuple[tuple, str]


def _string_field(tol: Mapping, name: str, problems: list[Problem]) -> str | None:
    """The field as a string ("" when absent or null), or None after recording a type problem."""
    value = tol.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    problems.append(((name,), f"{name} {_not_a_string(value)}"))
    return None


def _seconds_field(tol: Mapping, problems: list[Problem]) -> bool:
    """Whether tolerationSeconds is set; records a problem when it is not a 64-bit integer."""
    value = tol.get("tolerationSeconds")
    if value is None:
        return False
    path = ("tolerationSeconds",)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (remove the quotes)" if isinstance(value, str) and _CANONICAL_INT_RE.fullmatch(value.strip()) else ""
        problems.append((path, f"tolerationSeconds must be an integer number of seconds, not {describe_type(value)}{hint}"))
        return True
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        problems.append((path, f"tolerationSeconds must be a whole number of seconds, not {value!r}"))
        return True
    if not _INT64_MIN <= int(value) <= _INT64_MAX:
        problems.append((path, f"tolerationSeconds {int(value)} does not fit in a 64-bit integer"))
    return True


def _first_present(tol: Mapping, *names: str) -> tuple:
    """The path of the first of `names` present in the toleration, else ()."""
    for name in names:
        if name in tol:
            return (name,)
    return ()


def toleration_problems(tol: object, allow_comparison_operators: bool = False) -> list[tuple[tuple, str]]:
    """Problems of ONE toleration as (sub_path, message); sub_path is () or (field,) inside it.

    Implements Kubernetes' ValidateTolerations: key is a qualified name; an empty key needs
    operator Exists; tolerationSeconds needs effect NoExecute; Equal (or no operator) needs a
    valid label value; Exists needs no value; operators other than Equal/Exists are rejected
    (Lt/Gt only pass with `allow_comparison_operators`, and then need an integer value);
    a non-empty effect is NoSchedule, PreferNoSchedule or NoExecute. Also reports decoded
    YAML values of the wrong type, which the API server cannot decode. A problem about a
    field that is absent is reported at a related field that is present, else at ().
    """
    if not isinstance(tol, Mapping):
        return [((), f"a toleration must be a mapping (key, operator, value, effect, tolerationSeconds), not {describe_type(tol)}")]
    problems: list[Problem] = []
    key = _string_field(tol, "key", problems)
    op = _string_field(tol, "operator", problems)
    value = _string_field(tol, "value", problems)
    effect = _string_field(tol, "effect", problems)
    seconds_set = _seconds_field(tol, problems)

    if key:
        trouble = label_key_problem(key)
        if trouble:
            problems.append((("key",), f"key {key!r} is not a valid taint key: {trouble}"))

    if key == "" and op is not None and op != "Exists":
        found = "empty, which means Equal" if op == "" else repr(op)
        problems.append((
            _first_present(tol, "operator", "key"),
            f"operator must be Exists when key is empty (an empty key with Exists matches every taint); operator is {found}",
        ))

    if seconds_set and effect is not None and effect != "NoExecute":
        found = "empty, which means every effect" if effect == "" else repr(effect)
        problems.append((
            _first_present(tol, "effect", "tolerationSeconds"),
            f"effect must be NoExecute when tolerationSeconds is set; effect is {found}",
        ))

    if op is not None:
        problems.extend(_operator_problems(tol, op, value, allow_comparison_operators))

    if effect and effect not in TAINT_EFFECTS:
        problems.append((
            ("effect",),
            f"unsupported effect {effect!r}: must be NoSchedule, PreferNoSchedule or NoExecute, "
            f"or empty for every effect{_did_you_mean(effect, TAINT_EFFECTS)}",
        ))
    return problems


def _operator_problems(tol: Mapping, op: str, value: str | None, allow_comparison: bool) -> list[Problem]:
    """Operator/value rules of one toleration."""
    if op in ("", "Equal"):
        trouble = label_value_problem(value) if value else None
        return [(("value",), f"value {value!r} is not a valid label value: {trouble}")] if trouble else []
    if op == "Exists":
        if value:
            return [(("value",), f"value must be empty when operator is Exists (found {value!r}); "
                                 "remove it, or use operator Equal to match that value")]
        return []
    if op in COMPARISON_OPERATORS and allow_comparison:
        if value is not None and not _is_canonical_int64(value):
            return [(_first_present(tol, "value", "operator"),
                     f"value must be an integer without leading zeros or '+' for operator {op!r}; found {value!r}")]
        return []
    supported = TOLERATION_OPERATORS + (COMPARISON_OPERATORS if allow_comparison else ())
    if op in COMPARISON_OPERATORS:
        return [(("operator",), f"unsupported operator {op!r}: must be Equal or Exists "
                                "(Lt and Gt exist only behind the alpha TaintTolerationComparisonOperators feature gate)")]
    names = ", ".join(supported[:-1]) + " or " + supported[-1]
    return [(("operator",), f"unsupported operator {op!r}: must be {names}{_did_you_mean(op, supported)}")]


def _is_canonical_int64(text: str) -> bool:
    """A 64-bit integer written without '+' or leading zeros."""
    return _CANONICAL_INT_RE.fullmatch(text) is not None and _INT64_MIN <= int(text) <= _INT64_MAX


def _identity(value: object) -> object:
    """A hashable stand-in for a toleration field when looking for duplicates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return (type(value).__name__, repr(value))  # keeps 1, True and "1" apart, and is hashable


def duplicate_tolerations(tols: list, *, empty_operator_is_equal: bool = True) -> list[tuple[int, int]]:
    """Pairs (first_index, duplicate_index) of tolerations equal on key, operator, value and effect.

    tolerationSeconds is not part of the identity. With `empty_operator_is_equal` (the
    default) a missing operator counts as Equal, which is what it means; the API server's
    own uniqueness check compares the operator text as written. Non-mapping entries are skipped.
    """
    if not isinstance(tols, Sequence) or isinstance(tols, (str, bytes)):
        return []
    seen: dict[tuple, int] = {}
    pairs: list[tuple[int, int]] = []
    for index, tol in enumerate(tols):
        if not isinstance(tol, Mapping):
            continue
        key, op, value, effect = (_identity(tol.get(f)) for f in ("key", "operator", "value", "effect"))
        if empty_operator_is_equal and op == "":
            op = "Equal"
        identity = (key, op, value, effect)
        if identity in seen:
            pairs.append((seen[identity], index))
        else:
            seen[identity] = index
    return pairs
