"""`{"version": 1, "findings": [...], "summary": {...}}`: one JSON object, documented in the README."""

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
        "object": f.object.to_json() if f.object else None,
        "related": [
            {"path": r.path, "line": r.span.line, "column": r.span.column, "message": r.message}
            for r in f.related
        ],
    }


def render(result, catalog=None) -> str:
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
        },
    }
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
