"""Did-you-mean: the one candidate a person would pick for a misspelt name, or nothing.

Every "did you mean ...?" in rclint comes from here (RuntimeClass names, handlers, config
keys, field names, enum values). The rules, in order:

1. the same name ignoring case and `-`/`_`/`.` (`systemd_cgroup` -> `SystemdCgroup`);
2. one typo: one character inserted, deleted, replaced, or two neighbours swapped
   (`kata-qmeu` -> `kata-qemu`, `kata-qemu-tdz` -> `kata-qemu-tdx`);
3. the same handler family: the candidate is the word with its last parts removed
   (`kata-qemu-typo` -> `kata-qemu`, not the sibling `kata-qemu-tdx`; `NoScheduleNoAdmit`
   -> `NoSchedule`), or the word with one part added, when exactly one candidate does that;
4. within a small family (same first part), at most two typos in a longer word
   (`known-runtime-class` -> `known-runtime-classes`).

A Windows handler (runhcs, wcow, hcs, windows) is never offered for a Linux one or the other
way round. When two candidates are equally close, nothing is suggested: a wrong guess costs
more than none.

Work is bounded so that asking for every one of n names among n candidates stays near
linear: candidates are indexed once (by their one-deletion variants and by their parts), a
query only looks at what the index returns, and the slow comparison of step 4 runs over at
most `FAMILY_CAP` candidates.
"""

from __future__ import annotations

from rclint import lazyre as re  # patterns compiled on first use (start-up)
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

FAMILY_CAP = 32  # candidates compared one by one in step 4
MAX_INDEXED = 64  # longer candidates get steps 1 and 3 only (their deletion index would be large)
_AMBIGUOUS = object()

_SEPARATORS = re.compile(r"[-_.\s/]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WINDOWS = ("runhcs", "wcow", "hcs", "windows")


def _key(text: str) -> str:
    """Case and separators removed: names people consider the same."""
    return _SEPARATORS.sub("", text).lower()


def _parts(text: str) -> Tuple[str, ...]:
    """`kata-qemu-tdx` -> (kata, qemu, tdx); `NoScheduleNoAdmit` -> (no, schedule, no, admit)."""
    out: List[str] = []
    for chunk in _SEPARATORS.split(text):
        out.extend(p.lower() for p in _CAMEL.split(chunk) if p)
    return tuple(out)


def is_windows(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in _WINDOWS)


def _deletions(text: str) -> Set[str]:
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (edits and neighbour swaps), or limit + 1 when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class Suggester:
    """Candidates indexed once; `closest(word)` many times."""

    def __init__(self, candidates: Iterable[str]):
        self.candidates: List[str] = sorted({c for c in candidates if isinstance(c, str) and c})
        self._exact = set(self.candidates)
        self._by_key: Optional[Dict[str, object]] = None
        self._by_deletion: Optional[Dict[str, List[str]]] = None
        self._by_parts: Dict[Tuple[str, ...], object] = {}
        self._extensions: Dict[Tuple[str, ...], object] = {}
        self._families: Dict[str, List[str]] = {}

    # -- indexes, built on first use (most runs never ask)

    def _build(self) -> None:
        self._by_key = {}
        self._by_deletion = {}
        for c in self.candidates:
            k = _key(c)
            prev = self._by_key.get(k)
            self._by_key[k] = c if prev is None else _AMBIGUOUS
            low = c.lower()
            if len(low) <= MAX_INDEXED:
                for d in _deletions(low):
                    self._by_deletion.setdefault(d, []).append(c)
            parts = _parts(c)
            if not parts:
                continue
            prev = self._by_parts.get(parts)
            self._by_parts[parts] = c if prev is None else _AMBIGUOUS
            if len(parts) > 1:
                head = parts[:-1]
                prev = self._extensions.get(head)
                self._extensions[head] = c if prev is None else _AMBIGUOUS
            family = self._families.setdefault(parts[0], [])
            if len(family) <= FAMILY_CAP:
                family.append(c)

    def _allowed(self, word: str, cand: str) -> bool:
        return is_windows(word) == is_windows(cand)

    def _pick(self, word: str, found: Sequence[str]) -> Optional[str]:
        found = [c for c in dict.fromkeys(found) if self._allowed(word, c)]
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        # several equally close: the one sharing the longest prefix, when only one does
        low = word.lower()
        ranked = sorted(found, key=lambda c: -_common_prefix(low, c.lower()))
        if _common_prefix(low, ranked[0].lower()) > _common_prefix(low, ranked[1].lower()):
            return ranked[0]
        return None

    def closest(self, word: str) -> Optional[str]:
        if not isinstance(word, str) or not word or not self.candidates:
            return None
        if word in self._exact:
            return word
        if self._by_key is None:
            self._build()
        assert self._by_key is not None and self._by_deletion is not None
        # 1. same name but for case and separators
        same = self._by_key.get(_key(word))
        if isinstance(same, str):
            return same if self._allowed(word, same) else None
        if same is _AMBIGUOUS:
            return None
        low = word.lower()
        # 2. one typo
        if len(low) <= MAX_INDEXED:
            near: List[str] = []
            seen: Set[str] = set()
            for d in sorted(_deletions(low)) if len(low) >= 3 else ():
                for c in self._by_deletion.get(d, ()):
                    if c in seen:
                        continue
                    seen.add(c)
                    if len(seen) > 4 * FAMILY_CAP:  # a crowd of near names: no clear choice
                        return None
                    if distance(low, c.lower(), 1) <= 1:
                        near.append(c)
            if near:
                return self._pick(word, near)
        parts = _parts(word)
        if not parts:
            return None
        # 3. the family: the word without its last parts, else the word with one part more
        for n in range(len(parts) - 1, 0, -1):
            base = self._by_parts.get(parts[:n])
            if base is _AMBIGUOUS:
                return None
            if isinstance(base, str):
                return base if self._allowed(word, base) else None
        ext = self._extensions.get(parts)
        if isinstance(ext, str):
            return ext if self._allowed(word, ext) else None
        # 4. up to two typos in a longer word, within a small family
        family = self._families.get(parts[0], ())
        if len(low) < 8 or len(family) > FAMILY_CAP:
            return None
        limit = 2
        scored = [(distance(low, c.lower(), limit), c) for c in family if self._allowed(word, c)]
        scored = [(d, c) for d, c in scored if d <= limit]
        if not scored:
            return None
        best = min(d for d, _c in scored)
        return self._pick(word, [c for d, c in scored if d == best])


def closest(word: str, candidates: Iterable[str]) -> Optional[str]:
    """The candidate a person would pick for `word`, or None (see the module docstring)."""
    return Suggester(candidates).closest(word)
