"""Suppressions, applied by the engine after the checks ran (checks never see them).

Three forms:
- the annotation `rclint.io/ignore: "RCL101,RCL109"` on an object's `metadata.annotations`,
  or on a workload's pod-template metadata; it covers every finding inside that object.
  An optional `rclint.io/ignore-reason` annotation says why;
- a comment `# rclint: ignore[RCL101]` on the finding's line or on the line above it
  (YAML and TOML alike);
- a comment `# rclint: ignore-file[RCL109]` anywhere in a file: the whole file.

A suppression that matched nothing, or names a code that does not exist, is reported as
RCL006 so stale ignores do not pile up.
"""

from __future__ import annotations

import bisect
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

from rclint.model import Finding, Span

ANNOTATION = "rclint.io/ignore"
REASON_ANNOTATION = "rclint.io/ignore-reason"

_COMMENT = re.compile(r"#\s*rclint:\s*(ignore-file|ignore)\b\s*(\[[^\]\n]*\]?)?([^\n]*)")
_CODE_SPLIT = re.compile(r"[\s,]+")


@dataclass
class Suppression:
    """One `# rclint: ignore` comment or annotation and what it hides."""

    path: str
    span: Span
    codes: Tuple[str, ...]
    scope: str  # "line" | "file" | "object"
    first_line: int = 0
    last_line: int = 0
    reason: Optional[str] = None
    problem: Optional[str] = None  # malformed: why
    used: Set[str] = field(default_factory=set)

    def covers(self, f: Finding) -> bool:
        if f.path != self.path or f.code not in self.codes:
            return False
        if self.scope == "file":
            return True
        return self.first_line <= f.span.line <= self.last_line


def parse_codes(text: str) -> Tuple[str, ...]:
    """Codes or rule names ("RCL101, unused-runtime-class") -> codes; an unknown token is kept
    (upper-cased when it looks like a code) so that RCL006 can report it."""
    from rclint.catalog import resolve

    out = []
    for token in _CODE_SPLIT.split(text.strip()):
        if token:
            out.append(resolve(token) or (token.upper() if token.upper().startswith("RCL") else token))
    return tuple(out)


def scan_comments(path: str, text: str) -> List[Suppression]:
    """Every `# rclint: ignore[...]` / `ignore-file[...]` comment in a file's text."""
    if "rclint:" not in text:
        return []
    out: List[Suppression] = []
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())
    for m in _COMMENT.finditer(text):
        line = bisect.bisect_right(line_starts, m.start())
        col = m.start() - line_starts[line - 1] + 1
        span = Span(line, col, line, col + len(m.group(0).rstrip()))
        kind, bracket = m.group(1), m.group(2)
        scope = "file" if kind == "ignore-file" else "line"
        problem = None
        codes: Tuple[str, ...] = ()
        if not bracket or not bracket.endswith("]"):
            problem = f"`# rclint: {kind}` needs the codes it ignores, e.g. `# rclint: {kind}[RCL101]`"
        else:
            codes = parse_codes(bracket[1:-1])
            if not codes:
                problem = f"`# rclint: {kind}[]` names no code"
        out.append(Suppression(path, span, codes, scope, line, line + 1, problem=problem))
    return out


def object_suppressions(inventory) -> List[Suppression]:
    """`rclint.io/ignore` annotations on objects and on pod templates."""
    out: List[Suppression] = []
    templates: Dict[int, list] = {}
    for ref in inventory.pod_specs:
        if ref.template_metadata_path is not None:
            templates.setdefault(id(ref.obj), []).append(ref.template_metadata_path)
    for obj in inventory.objects:
        meta_paths = [("metadata",)] + templates.get(id(obj), [])
        if not any(isinstance(obj.get(m + ("annotations",)), dict) and ANNOTATION in obj.get(m + ("annotations",))
                   for m in meta_paths):
            continue
        whole = obj.value_span(())
        first, last = whole.line, whole.end_line or whole.line
        for meta in meta_paths:
            annotations = obj.get(meta + ("annotations",))
            if not isinstance(annotations, dict) or ANNOTATION not in annotations:
                continue
            value = annotations[ANNOTATION]
            span = obj.value_span(meta + ("annotations", ANNOTATION))
            reason = annotations.get(REASON_ANNOTATION)
            reason = reason if isinstance(reason, str) else None
            if not isinstance(value, str) or not value.strip():
                out.append(Suppression(obj.path, span, (), "object", first, last, reason,
                                       problem=f'the {ANNOTATION} annotation must be a string of rule codes, e.g. "RCL101,RCL109"'))
                continue
            out.append(Suppression(obj.path, span, parse_codes(value), "object", first, last, reason))
    return out


def apply(findings: Iterable[Finding], suppressions: List[Suppression]) -> List[Finding]:
    """The findings no suppression covers; each suppression records the codes it matched.

    Linear in findings plus suppressions (up to sorting): the covered lines of each
    (path, code) are merged into sorted intervals, and a suppression learns whether it was
    used by a binary search over the suppressed findings' lines.
    """
    covered: Dict[Tuple[str, str], List[Tuple[float, float]]] = {}
    for s in suppressions:
        if s.problem is not None:
            continue
        lo, hi = (float("-inf"), float("inf")) if s.scope == "file" else (s.first_line, s.last_line)
        for code in set(s.codes):
            covered.setdefault((s.path, code), []).append((lo, hi))
    merged = {key: _merge(spans) for key, spans in covered.items()}
    kept = []
    hit_lines: Dict[Tuple[str, str], List[int]] = {}
    for f in findings:
        if f.code != "RCL006":
            spans = merged.get((f.path, f.code))
            if spans is not None and _inside(spans, f.span.line):
                hit_lines.setdefault((f.path, f.code), []).append(f.span.line)
                continue
        kept.append(f)
    for lines in hit_lines.values():
        lines.sort()
    for s in suppressions:
        if s.problem is not None:
            continue
        for code in s.codes:
            lines = hit_lines.get((s.path, code))
            if not lines:
                continue
            if s.scope == "file":
                s.used.add(code)
                continue
            i = bisect.bisect_left(lines, s.first_line)
            if i < len(lines) and lines[i] <= s.last_line:
                s.used.add(code)
    return kept


def _merge(spans: List[Tuple[float, float]]) -> Tuple[List[float], List[float]]:
    """Sorted, non-overlapping (starts, ends) covering the same lines as `spans`."""
    starts: List[float] = []
    ends: List[float] = []
    for lo, hi in sorted(spans):
        if ends and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def _inside(spans: Tuple[List[float], List[float]], line: int) -> bool:
    starts, ends = spans
    i = bisect.bisect_right(starts, line) - 1
    return i >= 0 and line <= ends[i]


def unused(suppressions: List[Suppression], known: Set[str], enabled: Set[str]) -> List[Finding]:
    out = []
    for s in suppressions:
        where = {"line": "suppression comment", "file": "file-level suppression comment",
                 "object": f"{ANNOTATION} annotation"}[s.scope]
        if s.problem:
            head, _sep, example = s.problem.partition(", e.g. ")
            out.append(Finding("RCL006", f"malformed suppression: {head}", s.path, s.span, field=f"suppression:{s.scope}",
                               help=example.strip("`")))
            continue
        for code in s.codes:
            if code not in known:
                from rclint.catalog import closest

                hint = closest(code)
                msg = (f"the {where} names {code}, which is no rclint rule; did you mean {hint}?" if hint
                       else f"the {where} names {code}, which is no rclint rule code or name")
            elif code in enabled and code not in s.used:
                msg = f"the {where} for {code} matches no finding"
            else:
                continue
            out.append(Finding("RCL006", msg, s.path, s.span, field=f"suppression:{s.scope}:{code}",
                               help=f"remove {code} from it" if code in known else ""))
    return out
