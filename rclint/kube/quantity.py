"""Kubernetes resource quantities (resource.Quantity) and ResourceList validation.

`parse_quantity` accepts what the API server accepts, from the grammar of
k8s.io/apimachinery/pkg/api/resource (ParseQuantity, the suffix table, UnmarshalJSON):
``[+-]digits[.digits]`` followed by a decimal SI suffix (n u m "" k M G T P E), a binary
suffix (Ki Mi Gi Ti Pi Ei) or a decimal exponent (e3, E-2); leading and trailing
whitespace is trimmed as UnmarshalJSON does; values finer than 1n are rounded up (away
from zero) to the next nano unit. Values are exact Fractions, never floats.

Kubernetes quirks kept on purpose: a quantity without digits ("Mi", "k", ".", "-") parses
as 0, YAML null decodes as 0, and "1." is 1. One deliberate difference: a decimal exponent
beyond +/-4096 is refused (Kubernetes accepts any int64 exponent and truncates it to
32 bits), so that absurd input cannot make us build astronomically large numbers.

`overhead_problems` applies the ResourceList rules of ValidateContainerResourceRequirements
(pkg/apis/core/validation) as used for RuntimeClass ``overhead.podFixed`` and pod
``spec.overhead``: resource names, non-negative values, whole extended resources,
hugepages divisible by their page size, and hugepages only together with cpu or memory.
"""

from __future__ import annotations

import math
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from rclint.kube.validation import describe_type, is_qualified_name, label_key_problem

if TYPE_CHECKING:  # fractions (and decimal, which it imports) only when a quantity is parsed: start-up
    from fractions import Fraction

__all__ = [
    "QuantityError",
    "parse_quantity",
    "overhead_problems",
    "quantities_equal",
    "resource_name_problem",
    "is_extended_resource_name",
    "hugepage_size",
    "STANDARD_CONTAINER_RESOURCES",
    "HUGEPAGES_PREFIX",
]

_DECIMAL_SUFFIXES: Final = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_DIGITS: Final = frozenset("0123456789")
_EXPONENT_RE: Final = re.compile("[+-]?[0-9]+")
_MAX_EXPONENT: Final = 4096
_MAX_DIGITS: Final = 4096  # below Python's 4,300-digit int-to-str limit
_INT64_MAX: Final = 2**63 - 1
_NANO_PER_UNIT: Final = 10**9
# Go's unicode.IsSpace set, which strings.TrimSpace removes.
_GO_SPACE: Final = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_EXAMPLES: Final = "e.g. 250m, 1.5, 128Mi or 1e3"
_BIG_UNITS: Final = ("k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

STANDARD_CONTAINER_RESOURCES: Final = ("cpu", "memory", "ephemeral-storage")
HUGEPAGES_PREFIX: Final = "hugepages-"
_NATIVE_NAMESPACE: Final = "kubernetes.io/"
_QUOTA_REQUESTS_PREFIX: Final = "requests."


class QuantityError(ValueError):
    """A value Kubernetes does not accept as a quantity; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- parsing


def _scan(text: str) -> tuple[bool, str, str, str] | None:
    """Split into (negative, whole digits, fraction digits, suffix); None when malformed."""
    i, end = 0, len(text)
    negative = False
    if i < end and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    start = i
    while i < end and text[i] in _DIGITS:
        i += 1
    whole = text[start:i]
    fraction = ""
    if i < end and text[i] == ".":
        i += 1
        start = i
        while i < end and text[i] in _DIGITS:
            i += 1
        fraction = text[start:i]
    suffix_start = i
    while i < end and text[i] in _SUFFIX_CHARS:
        i += 1
    if i < end and text[i] in "+-":
        i += 1
    while i < end and text[i] in _DIGITS:
        i += 1
    if i != end:
        return None
    return negative, whole, fraction, text[suffix_start:]


def _unit_hint(letters: str) -> str:
    """'; did you mean ...?' for a mistyped unit such as K, ki, MB, Gb or KiB."""
    base = letters[:-1] if len(letters) > 1 and letters[-1] in "bB" else letters
    wanted = (base.lower(), base.lower() + "i")
    candidates = [u for u in _BIG_UNITS if u.lower() in wanted]
    if not candidates:
        return ""
    quoted = [repr(c) for c in candidates]
    return "; did you mean " + " or ".join(quoted) + "?"


def _parse_text(text: str, shown: str) -> Fraction:
    """Parse a trimmed quantity string; `shown` is how errors quote the input."""
    from fractions import Fraction

    if text == "":
        raise QuantityError(f"{shown} is not a valid quantity: it is empty ({_EXAMPLES})")
    scanned = _scan(text)
    if scanned is None:
        tail = re.fullmatch(r"[+-]?[0-9]*\.?[0-9]*([A-Za-z]+)", text)
        hint = _unit_hint(tail.group(1)) if tail else ""
        raise QuantityError(
            f"{shown} is not a valid quantity: expected a number with an optional unit suffix ({_EXAMPLES}){hint}"
        )
    negative, whole, fraction, suffix = scanned
    base, exponent = 10, 0
    if suffix in _DECIMAL_SUFFIXES:
        exponent = _DECIMAL_SUFFIXES[suffix]
    elif suffix in _BINARY_SUFFIXES:
        base, exponent = 2, _BINARY_SUFFIXES[suffix]
    elif len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT_RE.fullmatch(suffix[1:]):
        exponent = int(suffix[1:])
        if abs(exponent) > _INT64_MAX:
            raise QuantityError(f"{shown} is not a valid quantity: the exponent does not fit in 64 bits")
        if abs(exponent) > _MAX_EXPONENT:
            raise QuantityError(
                f"{shown} has an exponent beyond +/-{_MAX_EXPONENT}, which rclint does not evaluate"
            )
    elif not suffix[0].isalpha():
        raise QuantityError(f"{shown} is not a valid quantity: expected a number with an optional unit suffix ({_EXAMPLES})")
    else:
        hint = _unit_hint(suffix) or (
            "; use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"
        )
        raise QuantityError(f"{shown} is not a valid quantity: unknown unit suffix {suffix!r}{hint}")
    if not whole and not fraction:
        # Kubernetes' fast path reads "no digits" as 0; its exact path (taken below 1n) rejects it.
        if base == 10 and exponent < -9:
            raise QuantityError(f"{shown} is not a valid quantity: it has no digits")
        return Fraction(0)
    if len(whole) + len(fraction) > _MAX_DIGITS:
        short = shown if len(shown) <= 40 else shown[:36] + "..." + shown[-1]
        raise QuantityError(f"{short} has more than {_MAX_DIGITS} digits, which rclint does not evaluate")
    magnitude = Fraction(int(whole + fraction or "0"), 10 ** len(fraction))
    magnitude *= Fraction(base) ** exponent
    nanos = magnitude * _NANO_PER_UNIT
    if nanos.denominator != 1:
        magnitude = Fraction(math.ceil(nanos), _NANO_PER_UNIT)
    return -magnitude if negative else magnitude


def parse_quantity(value: object) -> Fraction:
    """The exact value of a quantity as Kubernetes decodes it from YAML/JSON.

    Strings use the Quantity grammar; ints and floats are accepted (Kubernetes reads the JSON
    number's text); None (YAML null) is 0, as Quantity.UnmarshalJSON makes it. Raises
    QuantityError with a readable message for anything else.
    """
    from fractions import Fraction

    if value is None:
        return Fraction(0)
    if isinstance(value, bool):
        shown = "true" if value else "false"
        raise QuantityError(f"{shown} is not a valid quantity: expected a string such as '500m' or '128Mi', or a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise QuantityError(".nan is not a valid quantity")
        if math.isinf(value):
            raise QuantityError(f"{'-' if value < 0 else ''}.inf is not a valid quantity")
        text = repr(value)  # shortest round-trip form, like Go's JSON encoding of the number
        return _parse_text(text, text)
    if isinstance(value, str):
        return _parse_text(value.strip(_GO_SPACE), repr(value))
    raise QuantityError(
        f"{describe_type(value)} is not a valid quantity: expected a string such as '500m' or '128Mi', or a number"
    )


def _shown(raw: object) -> str:
    """How a message quotes a raw YAML value."""
    return repr(raw) if isinstance(raw, str) else str(raw)


def _ceil_away(value: Fraction) -> int:
    """Round to an integer away from zero, as Quantity.Value() does."""
    return math.ceil(value) if value >= 0 else -math.ceil(-value)


# --------------------------------------------------------------------------- resource names


def is_extended_resource_name(name: object) -> bool:
    """True for an extended resource: prefixed, outside kubernetes.io, not 'requests.'-prefixed."""
    return (
        isinstance(name, str)
        and "/" in name
        and _NATIVE_NAMESPACE not in name
        and not name.startswith(_QUOTA_REQUESTS_PREFIX)
        and is_qualified_name(_QUOTA_REQUESTS_PREFIX + name)
    )


def hugepage_size(name: object) -> Fraction | None:
    """The page size in bytes named by 'hugepages-<size>' (2097152 for hugepages-2Mi), or None.

    None also when the size is not a positive whole quantity, which Kubernetes then rejects.
    """
    from fractions import Fraction

    if not isinstance(name, str) or not name.startswith(HUGEPAGES_PREFIX):
        return None
    try:
        size = parse_quantity(name[len(HUGEPAGES_PREFIX):])
    except QuantityError:
        return None
    if size <= 0 or math.ceil(size * 1000) % 1000 != 0:
        return None
    return Fraction(_ceil_away(size))


def resource_name_problem(name: object) -> str | None:
    """Why `name` cannot be used in a pod-level ResourceList (overhead), or None when it can."""
    if not isinstance(name, str):
        return f"a resource name must be a string, not {describe_type(name)}"
    trouble = label_key_problem(name)
    if trouble:
        return f"{name!r} is not a valid resource name: {trouble}"
    if "/" not in name:
        if name in STANDARD_CONTAINER_RESOURCES:
            return None
        if name.startswith(HUGEPAGES_PREFIX):
            if hugepage_size(name) is None:
                size = name[len(HUGEPAGES_PREFIX):]
                return f"{name!r} names no valid page size: {size!r} is not a positive whole quantity such as 2Mi or 1Gi"
            return None
        return (
            f"{name!r} is not a standard container resource: use cpu, memory, ephemeral-storage or "
            f"hugepages-<size>, or a domain-prefixed extended resource such as example.com/gpu{_name_hint(name)}"
        )
    if _NATIVE_NAMESPACE in name:
        return None
    if name.startswith(_QUOTA_REQUESTS_PREFIX):
        return f"{name!r} is not a valid extended resource name: it must not start with 'requests.' (quota uses that prefix)"
    if not is_qualified_name(_QUOTA_REQUESTS_PREFIX + name):
        return (
            f"{name!r} is not a valid extended resource name: its prefix is too long "
            "(with 'requests.' in front it must still be at most 253 characters)"
        )
    return None


def _name_hint(name: str) -> str:
    """' (did you mean ...?)' for a near-standard resource name, else ''."""
    bare = name
    for quota_prefix in ("requests.", "limits."):
        if bare.startswith(quota_prefix):
            bare = bare[len(quota_prefix):]
    for standard in STANDARD_CONTAINER_RESOURCES:
        if standard == bare.lower():
            return f" (did you mean {standard!r}?)"
    if bare.lower().startswith("hugepages") and not bare.lower().startswith(HUGEPAGES_PREFIX):
        return f" (did you mean {HUGEPAGES_PREFIX + bare[len('hugepages'):].lstrip('-_')!r}?)"
    return ""


# --------------------------------------------------------------------------- ResourceList


def overhead_problems(resources: object) -> list[tuple[tuple, str]]:
    """Problems of a ResourceList (RuntimeClass overhead.podFixed, pod spec.overhead).

    Returns (sub_path, message) pairs: () for the list itself, (name,) for an entry. None
    (an empty `podFixed:`) has no problems.
    """
    if resources is None:
        return []
    if not isinstance(resources, Mapping):
        return [((), f"must be a mapping of resource names to quantities, not {describe_type(resources)}")]
    problems: list[tuple[tuple, str]] = []
    has_cpu_or_memory = any(name in ("cpu", "memory") for name in resources)
    hugepages: list[object] = []
    for name, raw in resources.items():
        path = (name,)
        name_trouble = resource_name_problem(name)
        if name_trouble:
            problems.append((path, name_trouble))
        if isinstance(name, str) and name.startswith(HUGEPAGES_PREFIX):
            hugepages.append(name)
        try:
            quantity = parse_quantity(raw)
        except QuantityError as exc:
            problems.append((path, exc.message))
            continue
        if quantity < 0:
            problems.append((path, f"must be greater than or equal to 0 (got {_shown(raw)})"))
        if is_extended_resource_name(name) and _ceil_away(quantity * 1000) % 1000 != 0:
            problems.append((path, f"{name!r} is an extended resource, so it must be a whole number (got {_shown(raw)})"))
        page = hugepage_size(name)
        if page is not None and _ceil_away(quantity) % int(page) != 0:
            size = str(name)[len(HUGEPAGES_PREFIX):]
            problems.append((path, f"must be a whole multiple of the {size} page size (got {_shown(raw)})"))
    if hugepages and not has_cpu_or_memory:
        problems.extend(((name,), "hugepages require cpu or memory") for name in hugepages)
    return problems


def quantities_equal(a: object, b: object) -> bool:
    """Whether two ResourceLists hold the same resources with equal quantities ('1' == '1000m').

    None and an empty mapping are equal (Kubernetes' semantic equality treats nil and empty
    maps alike). A value that does not parse makes the lists unequal.
    """
    a = {} if a is None else a
    b = {} if b is None else b
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return False
    if set(a) != set(b):
        return False
    try:
        return all(parse_quantity(a[name]) == parse_quantity(b[name]) for name in a)
    except QuantityError:
        return False
