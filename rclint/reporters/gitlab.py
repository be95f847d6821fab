"""GitLab Code Quality report (`artifacts: reports: codequality: gl-code-quality-report.json`).

A JSON array of Code Climate-style issues (shared/docs/peers-and-ci-conventions.md, C5):

    {"description": "RCL101 Deployment shop/web: runtimeClassName ...",
     "check_name": "RCL101",
     "fingerprint": "<sha256 over rule, path, object identity and field>",
     "severity": "critical",
     "location": {"path": "deploy/app.yaml", "lines": {"begin": 12, "end": 12}},
     "type": "issue", "categories": ["Bug Risk"]}

- `fingerprint` comes from fingerprint.py, so an issue keeps its identity when lines move
  and GitLab does not report it as fixed-and-new. GitLab needs it unique within a report:
  a second finding with the same identity gets the hash re-salted with its occurrence
  number (deterministic, since findings arrive sorted).
- severity: error -> critical (rclint errors are definite breakage: rejected by the API
  server, pods that never start), warning -> minor, info -> info.
- `type` and `categories` are Code Climate's required fields; GitLab ignores them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Set

from rclint.model import Severity
from rclint.reporters.fingerprint import fingerprint, normalise_path
from rclint.textio import json_safe, visible

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def unique_fingerprint(base: str, seen: Set[str]) -> str:
    fp = base
    n = 1
    while fp in seen:
        n += 1
        fp = hashlib.sha256(f"{base}:{n}".encode("ascii")).hexdigest()
    seen.add(fp)
    return fp


def issue(finding, fp: str) -> dict:
    span = finding.span
    end = span.end_line if span.end_line is not None and span.end_line >= span.line else span.line
    return {
        "description": f"{finding.code} {visible(finding.message)}",
        "check_name": finding.code,
        "fingerprint": fp,
        "severity": SEVERITIES[finding.severity or Severity.ERROR],
        "location": {"path": normalise_path(finding.path), "lines": {"begin": span.line, "end": end}},
        "type": "issue",
        "categories": ["Bug Risk"],
    }


def render(result, catalog=None, **_options) -> str:
    seen: Set[str] = set()
    issues = [issue(f, unique_fingerprint(fingerprint(f), seen)) for f in result.findings]
    return json_safe(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
