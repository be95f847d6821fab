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
- `description` is the short message (what is wrong, one line); `content.body` (Markdown,
  shown when the issue is expanded) holds the rest: the fix, the notes, related locations.
- severity: error -> critical (rclint errors are definite breakage: rejected by the API
  server, pods that never start), warning -> minor, info -> info.
- `type` and `categories` are Code Climate's required fields; GitLab ignores them.
"""

from __future__ import annotations

import json
from typing import Set

from rclint.digest import sha256
from rclint.model import Severity
from rclint.reporters.fingerprint import fingerprint, normalise_path
from rclint.textio import json_safe, visible

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def unique_fingerprint(base: str, seen: Set[str]) -> str:
    fp = base
    n = 1
    while fp in seen:
        n += 1
        fp = sha256(f"{base}:{n}".encode("ascii")).hexdigest()
    seen.add(fp)
    return fp


def _md(text: str) -> str:
    """Input text inside Markdown: no HTML, no emphasis, links or code spans."""
    from rclint.reporters.github import escape_markdown_cell

    return escape_markdown_cell(text)


def content(finding, catalog=None) -> str:
    parts = []
    if finding.help:
        parts.append("**Fix:** " + _md(finding.help))
    parts.extend("**Note:** " + _md(n) for n in finding.notes)
    for r in finding.related:
        parts.append(f"**Related:** {_md(normalise_path(r.path))}:{r.span.line}:{r.span.column}: {_md(r.message)}")
    rule = (catalog or {}).get(finding.code)
    if rule is not None:
        parts.append(f"**Rule:** {rule.id} {rule.name}: {_md(rule.title)} ({rule.help_uri})")
    return "\n\n".join(parts)


def repo_path(path: str, srcroot: str = "") -> str:
    """The path relative to the repository root (GitLab resolves it against CI_PROJECT_DIR)."""
    import posixpath

    text = normalise_path(path)
    if srcroot and not text.startswith(("<", "/")):
        text = posixpath.normpath(srcroot + text)
    return text


def issue(finding, fp: str, catalog=None, srcroot: str = "") -> dict:
    span = finding.span
    end = span.end_line if span.end_line is not None and span.end_line >= span.line else span.line
    out = {
        "description": f"{finding.code} {visible(finding.message)}",
        "check_name": finding.code,
        "fingerprint": fp,
        "severity": SEVERITIES[finding.severity or Severity.ERROR],
        "location": {"path": repo_path(finding.path, srcroot), "lines": {"begin": span.line, "end": end}},
        "type": "issue",
        "categories": ["Bug Risk"],
    }
    body = content(finding, catalog)
    if body:
        out["content"] = {"body": body}
    return out


def render(result, catalog=None, srcroot: str = "", **_options) -> str:
    seen: Set[str] = set()
    issues = [issue(f, unique_fingerprint(fingerprint(f), seen), catalog, srcroot) for f in result.findings]
    return json_safe(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
