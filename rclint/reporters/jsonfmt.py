"""`{"version": 1, "findings": [...], "summary": {...}}`: one JSON object, documented in the README
and described by `schemas/rclint-report.schema.json`.

Version 1 grows only by adding: `help` (the one fix, "" when there is none) and `notes` (why it
matters) on each finding, `suppressed` and `baselined` in the summary. No field changes
meaning or disappears without a new version number.
"""

from __future__ import annotations

import json

from rclint.textio import json_safe


def finding_to_json(f) -> dict:
    return {
        "code": f.code,
        "severity": f.severity.label,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        "help": f.help,
        "notes": list(f.notes),
        "object": f.object.to_json() if f.object else None,
        "related": [
            {"path": r.path, "line": r.span.line, "column": r.span.column, "message": r.message}
            for r in f.related
        ],
        "fix": fix_to_json(f.fix),
    }


def fix_to_json(fix):
    """The fix as structured edits (positions as everywhere: 1-based, code-point columns, end
    exclusive), or None."""
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "description": fix.description,
        "edits": [
            {"path": e.path, "line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
             "end_column": e.span.end_column, "replacement": e.replacement}
            for e in fix.edits
        ],
    }


def _nested(value, level: int) -> str:
    """`value` as json.dumps(..., indent=2) writes it `level` levels deep (a line break in the
    output is always one between elements: JSON strings escape theirs)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def render(result, catalog=None, **_options) -> str:
    return "".join(chunks(result))


def chunks(result, catalog=None, **_options):
    """The report as `json.dumps(..., indent=2)` would write it, in pieces (one a finding), each
    safe to print: a run's thousands of findings never become one tree of dicts, nor one string."""
    c = result.counts()
    s = result.stats
    summary = {
        "files": s.files,
        "documents": s.documents,
        "findings": len(result.findings),
        "errors": c["error"],
        "warnings": c["warning"],
        "infos": c["info"],
        "notes": list(s.notes),
        "suppressed": getattr(s, "suppressed", 0),
        "baselined": getattr(s, "baselined", 0),
    }
    yield '{\n  "version": 1,\n  "findings": '
    if result.findings:
        sep = "[\n    "
        for f in result.findings:
            yield sep + json_safe(_nested(finding_to_json(f), 2))
            sep = ",\n    "
        yield "\n  ]"
    else:
        yield "[]"
    yield ',\n  "summary": ' + json_safe(_nested(summary, 1)) + "\n}\n"
