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

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

from rclint.model import Finding, Span

ANNOTATION = "rclint.io/ignore"
REASON_ANNOTATION = "rclint.io/ignore-reason"

_COMMENT = re.compile(r"#\s*rclint:\s*(ignore-file|ignore)\b\s*(\[[^\]\n]*\]?)?([^\n]*)")
_CODE_SPLIT = re.compile(r"[\s,]+")


@dataclass
class Suppression:
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
    import bisect

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
    by_path: Dict[str, List[Suppression]] = {}
    for s in suppressions:
        if s.problem is None:
            by_path.setdefault(s.path, []).append(s)
    kept = []
    for f in findings:
        hit = False
        if f.code != "RCL006":
            for s in by_path.get(f.path, ()):
                if s.covers(f):
                    s.used.add(f.code)
                    hit = True
        if not hit:
            kept.append(f)
    return kept


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
