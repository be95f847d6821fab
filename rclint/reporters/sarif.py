"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

One run, `tool.driver.rules` generated from the rule catalogue, one result per finding.
The output is deterministic (the same Result gives byte-identical text) and holds nothing
about the machine: no timestamps, no absolute paths, no invocation command line. Artifact
URIs are relative to `%SRCROOT%` (the directory rclint was run from, normally the repository
root), whose absolute location is deliberately left out (GitHub resolves relative URIs
against the checkout; the spec allows omitting it).

Conventions followed (shared/docs/peers-and-ci-conventions.md, C1):
- `results` is always present (`[]` when clean);
- a result's message leads with the point and links its related locations as
  `[text](id)`, which is how GitHub (and the spec, 3.11.6) makes them clickable;
- regions carry only known values; `run.columnKind` says columns count code points;
- `partialFingerprints["rclintFingerprint/v1"]` identifies the problem by rule, path, object
  and field, not by line (see fingerprint.py);
- rules carry `help.text` + `help.markdown` (GitHub shows the markdown and not `helpUri`, so
  the link is repeated in it), `defaultConfiguration.level`, `properties.tags` and
  `properties["problem.severity"]` (GitHub's severity for non-security alerts); the rules about
  sandbox isolation (their rule file sets `security-severity`) are tagged `security` and carry
  `properties["security-severity"]`, which makes GitHub show them as security alerts;
- a result's message is the finding's message, then its help ("Fix: ...") and notes, so the
  alert says what to do without opening the rule;
- URIs are relative to the repository root (`%SRCROOT%`) even when rclint runs in a
  subdirectory of it: the command line passes where the working directory sits (`srcroot`).
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Dict, List, Optional
from urllib.parse import quote

from rclint import __version__
from rclint.model import Severity
from rclint.reporters.fingerprint import VERSION as FINGERPRINT_VERSION
from rclint.reporters.fingerprint import fingerprint, normalise_path
from rclint.textio import json_safe

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/rclint/rclint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = f"rclintFingerprint/{FINGERPRINT_VERSION}"

# GitHub's limits for reportingDescriptor texts.
MAX_DESCRIPTION = 1024

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}

# Rule families by code prefix (shared/docs/rules.md); also a filterable tag in GitHub.
CATEGORIES = {
    "RCL0": "input",
    "RCL1": "references",
    "RCL2": "object-validity",
    "RCL3": "node-runtime-config",
    "RCL4": "workload-runtime-compatibility",
}

# Characters left as they are in a URI path: RFC 3986 unreserved (always kept by quote),
# "/" and the sub-delims. ":" is encoded so that a first segment like "a:b.yaml" is never
# read as a URI scheme; "%" is encoded so that file names are never taken as escapes.
_URI_SAFE = "/!$&'()*+,;=@"
_WINDOWS_ABS = re.compile(r"^[A-Za-z]:/")


def category(code: str) -> str:
    return CATEGORIES.get(code[:4], "other")


def artifact_uri(path: str, srcroot: str = "") -> dict:
    """artifactLocation for a finding path: relative to %SRCROOT%, POSIX, percent-encoded.

    "<stdin>" becomes "%3Cstdin%3E", a valid relative reference. A path that is absolute
    (only possible for another drive on Windows) cannot be made relative here: it becomes a
    file: URI without a base.
    """
    text = normalise_path(path)
    if srcroot and not text.startswith("<"):
        text = posixpath.normpath(srcroot + text)
    if text.startswith("/") or _WINDOWS_ABS.match(text):
        absolute = text if text.startswith("/") else "/" + text
        return {"uri": "file://" + quote(absolute, safe=_URI_SAFE + ":")}
    return {"uri": quote(text, safe=_URI_SAFE), "uriBaseId": SRCROOT}


def region(span) -> dict:
    """startLine/startColumn/endLine/endColumn, each only when known and consistent."""
    out: dict = {}
    if span.line is None or span.line < 1:
        return {"startLine": 1}  # GitHub drops a result without a region; the file's start
    out["startLine"] = span.line
    if span.column is not None and span.column >= 1:
        out["startColumn"] = span.column
    end_line = span.end_line
    if end_line is None and span.end_column is not None:
        end_line = span.line  # an end column alone is on the start line
    if end_line is None or end_line < span.line:
        return out
    out["endLine"] = end_line
    if span.end_column is not None and span.end_column >= 1:
        same_line = end_line == span.line
        if not same_line or "startColumn" not in out or span.end_column >= out["startColumn"]:
            out["endColumn"] = span.end_column
    return out


def physical_location(path: str, span, srcroot: str = "") -> dict:
    loc = {"artifactLocation": artifact_uri(path, srcroot)}
    reg = region(span)
    if reg:
        loc["region"] = reg
    return loc


def _plain(text: str) -> str:
    """Text outside embedded links: escape brackets only where they would form a link."""
    if "](" in text:
        return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return text


def _link_text(text: str) -> str:
    """Link text of an embedded link: `\\`, `[` and `]` are escaped (SARIF 3.11.6)."""
    text = " ".join(text.split())  # one line
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _sentence(text: str) -> str:
    text = text.rstrip()
    if not text:
        return text
    return text if text[-1] in ".!?" else text + "."


def result_message(finding) -> str:
    """The finding's message, then "(see [text](1), [text](2))" for its related locations."""
    text = finding.message.rstrip() or f"rclint {finding.code} finding"  # GitHub rejects an empty text
    if not finding.related:
        return _sentence(_plain(text))
    if text.endswith("."):
        text = text[:-1]
    links = ", ".join(
        f"[{_link_text(r.message or 'related location')}]({i})" for i, r in enumerate(finding.related, 1)
    )
    return f"{_plain(text)} (see {links})."


def full_message(finding) -> str:
    """The result message: what is wrong (the first sentence, which GitHub shows in lists), then
    the fix and the why, each on a line of its own."""
    text = result_message(finding)
    if finding.help:
        text += "\nFix: " + _plain(finding.help.strip())
    for note in finding.notes:
        text += "\nNote: " + _plain(_sentence(note.strip()))
    return text


def object_name(obj) -> str:
    """"Deployment/shop/web", "RuntimeClass/kata" (no namespace for cluster-scoped objects)."""
    parts = [obj.kind or "object"]
    if obj.namespace:
        parts.append(obj.namespace)
    parts.append(obj.name or "<unnamed>")
    return "/".join(parts)


def logical_location(obj) -> dict:
    name = object_name(obj)
    fqn = f"{obj.api_version}/{name}" if obj.api_version else name
    return {"name": name, "fullyQualifiedName": fqn, "kind": "object"}


# ----------------------------------------------------------------------------- rules


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def _truncate(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """At most `limit` characters, cut at a sentence end (or a word) when too long."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rfind(". ")
    if cut >= limit // 2:
        return head[: cut + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(" ,;:") + "\u2026"


def _first_paragraph(text: str) -> str:
    """The rationale's first paragraph as one line; a colon that introduced an example
    (an error message in an indented block, say) becomes a full stop."""
    for block in re.split(r"\n\s*\n", text.strip()):
        if block.strip():
            para = _one_paragraph(block)
            return para[:-1].rstrip() + "." if para.endswith(":") else para
    return ""


def rule_descriptor(rule) -> dict:
    title = _sentence(_one_paragraph(rule.title))
    full = _first_paragraph(rule.rationale) or title
    refs = list(rule.references)
    help_text = [rule.title, "", "Why:", rule.rationale.strip(), "", "Fix:", rule.remediation.strip()]
    help_md = [f"**{rule.id} {rule.name}**: {rule.title}", "", "**Why**", "", rule.rationale.strip(), "",
               "**How to fix**", "", rule.remediation.strip()]
    parts = dict(getattr(rule, "parts", ()) or ())
    if parts:
        help_text += ["", "A finding says:"] + [f"- {k}: {v}" for k, v in parts.items()]
        help_md += ["", "**A finding says**", ""] + [f"- {k}: {v}" for k, v in parts.items()]
    if refs:
        help_text += ["", "References:"] + [f"- {r}" for r in refs]
        help_md += ["", "**References**", ""] + [f"- <{r}>" for r in refs]
    help_text += ["", f"Documentation: {rule.help_uri}"]
    help_md += ["", f"[Rule documentation]({rule.help_uri})"]
    tags = ["kubernetes", "runtimeclass", category(rule.id)]
    if rule.security_severity:
        tags.append("security")
    if rule.status and rule.status != "stable":
        tags.append(rule.status)
    properties: dict = {"tags": tags, "problem.severity": PROBLEM_SEVERITY[rule.severity]}
    if rule.security_severity:
        properties["security-severity"] = rule.security_severity
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _truncate(title)},
        "fullDescription": {"text": _truncate(_sentence(full))},
        "help": {"text": "\n".join(help_text), "markdown": "\n".join(help_md)},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _unknown_rule_descriptor(code: str, severity: Severity) -> dict:
    """For a finding whose code the catalogue does not know (should not happen)."""
    text = f"rclint rule {code}."
    return {
        "id": code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"tags": ["kubernetes", "runtimeclass", category(code)]},
    }


# ----------------------------------------------------------------------------- document


def to_sarif(result, catalog, automation_id: Optional[str] = None, srcroot: str = "") -> dict:
    """The SARIF log as a dict (render() serialises it)."""
    if catalog is None:
        from rclint.catalog import load_catalog

        catalog = load_catalog()
    rules: List[dict] = [rule_descriptor(r) for r in sorted(catalog.values(), key=lambda r: r.id)]
    index: Dict[str, int] = {d["id"]: i for i, d in enumerate(rules)}
    for f in result.findings:
        if f.code not in index:
            index[f.code] = len(rules)
            rules.append(_unknown_rule_descriptor(f.code, f.severity or Severity.ERROR))

    results = []
    for f in result.findings:
        sev = f.severity or Severity.ERROR
        location: dict = {"physicalLocation": physical_location(f.path, f.span, srcroot)}
        if f.object is not None:
            location["logicalLocations"] = [logical_location(f.object)]
        res: dict = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[sev],
            "message": {"text": full_message(f)},
            "locations": [location],
        }
        if f.related:
            res["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": physical_location(r.path, r.span, srcroot),
                    "message": {"text": _sentence(r.message or "Related location")},
                }
                for i, r in enumerate(f.related, 1)
            ]
        res["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(f)}
        results.append(res)

    run: dict = {
        "tool": {
            "driver": {
                "name": "rclint",
                "fullName": f"rclint {__version__}",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
    }
    if automation_id:
        run["automationDetails"] = {"id": automation_id}
    notes = [n for n in getattr(result.stats, "notes", []) or [] if str(n).strip()]
    invocation: dict = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": _sentence(str(n))}} for n in notes
        ]
    run["invocations"] = [invocation]
    run["originalUriBaseIds"] = {
        SRCROOT: {"description": {"text": "The root of the repository rclint ran in (the directory rclint ran from "
                                     "when it is in no repository)."}}
    }
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result, catalog=None, automation_id: Optional[str] = None, srcroot: str = "", **_options) -> str:
    """SARIF 2.1.0 text. `automation_id` sets `run.automationDetails.id` ("category/run-id";
    GitHub's upload action fills in its own when it is absent)."""
    doc = to_sarif(result, catalog, automation_id=automation_id, srcroot=srcroot)
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
