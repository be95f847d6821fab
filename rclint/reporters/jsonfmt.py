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
    }


def render(result, catalog=None, **_options) -> str:
    c = result.counts()
    s = result.stats
    doc = {
        "version": 1,
        "findings": [finding_to_json(f) for f in result.findings],
        "summary": {
            "files": s.files,
            "documents": s.documents,
            "findings": len(result.findings),
            "errors": c["error"],
            "warnings": c["warning"],
            "infos": c["info"],
            "notes": list(s.notes),
            "suppressed": getattr(s, "suppressed", 0),
            "baselined": getattr(s, "baselined", 0),
        },
    }
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
