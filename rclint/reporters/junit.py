"""JUnit XML for CI test-report views (GitLab `artifacts:reports:junit`, Jenkins, Azure, Buildkite).

There is no formal standard; this follows what linters commonly emit and what the consumers
read (shared/docs/peers-and-ci-conventions.md, C5):

    <testsuites name="rclint" tests= failures= errors="0" skipped="0" time="0">
      <testsuite name="{path}" tests= failures= errors="0" skipped="0" time="0">   one per file with findings
        <testcase classname="{path without extension}" name="{CODE} {rule-name} at {line}:{col}"
                  file="{path}" line="{line}" time="0">                            one per finding
          <failure type="{CODE}" message="{message}">{full text}</failure>

Only findings at or above `--fail-on` (default: error) are failures; the others are test cases
that pass and carry their text in `<system-out>`, so a CI view shows them without failing on
them. A clean run gives one passing placeholder test case, so that the CI shows "0 failures"
instead of "no tests". Every testcase has a `time` (Buildkite requires it), always "0":
the output stays deterministic and holds no timestamp or host name. Characters XML 1.0
cannot carry (control characters) are written as visible `\\xNN` escapes.
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, List

from rclint.model import Severity
from rclint.reporters.fingerprint import normalise_path
from rclint.textio import visible

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_xml_text(text: str) -> str:
    """Replace characters XML 1.0 forbids by visible escapes."""
    return _INVALID_XML.sub(lambda m: _visible(m.group(0)), str(text))


def escape_text(text: str) -> str:
    text = clean_xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def escape_attr(text: str) -> str:
    text = clean_xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;")
    # Attribute-value normalisation would turn these into spaces: keep them as references.
    return text.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _attrs(pairs) -> str:
    return "".join(f' {key}="{escape_attr(value)}"' for key, value in pairs)


def classname(path: str) -> str:
    root, _ext = posixpath.splitext(path)
    return root or path


def failure_text(finding, rule) -> str:
    """The failure body: everything a reader needs without opening another report."""
    sev = (finding.severity or Severity.ERROR).label
    path = visible(normalise_path(finding.path))
    span = finding.span
    lines = [f"{path}:{span.line}:{span.column}: {finding.code} [{sev}] {visible(finding.message)}"]
    if finding.help:
        lines.append(f"fix: {visible(finding.help)}")
    lines.extend(f"note: {visible(n)}" for n in finding.notes)
    if finding.object is not None:
        lines.append(f"object: {visible(finding.object.describe())}")
    for r in finding.related:
        lines.append(f"related: {visible(normalise_path(r.path))}:{r.span.line}:{r.span.column}: {visible(r.message)}")
    if rule is not None:
        lines.append(f"rule: {rule.id} {rule.name}: {rule.title}")
        lines.append(f"help: {rule.help_uri}")
    return "\n".join(lines)


def render(result, catalog=None, fail_on: Severity = Severity.ERROR, **_options) -> str:
    if catalog is None:
        from rclint.catalog import load_catalog

        catalog = load_catalog()
    by_file: Dict[str, List] = {}
    for f in result.findings:
        by_file.setdefault(visible(normalise_path(f.path)), []).append(f)

    total = len(result.findings)

    def failing(f) -> bool:
        return (f.severity or Severity.ERROR) >= fail_on

    failures = sum(1 for f in result.findings if failing(f))
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    if not total:
        out.append(f"<testsuites{_attrs([('name', 'rclint'), ('tests', 1), ('failures', 0), ('errors', 0), ('skipped', 0), ('time', 0)])}>")
        out.append(f"  <testsuite{_attrs([('name', 'rclint'), ('tests', 1), ('failures', 0), ('errors', 0), ('skipped', 0), ('time', 0)])}>")
        files = result.stats.files
        name = f"no problems found in {files} file{'s' if files != 1 else ''}"
        out.append(f"    <testcase{_attrs([('classname', 'rclint'), ('name', name), ('time', 0)])}/>")
        out.append("  </testsuite>")
        out.append("</testsuites>")
        return "\n".join(out) + "\n"

    out.append(f"<testsuites{_attrs([('name', 'rclint'), ('tests', total), ('failures', failures), ('errors', 0), ('skipped', 0), ('time', 0)])}>")
    for path in sorted(by_file):
        cases = by_file[path]
        n = len(cases)
        nf = sum(1 for f in cases if failing(f))
        out.append(f"  <testsuite{_attrs([('name', path), ('tests', n), ('failures', nf), ('errors', 0), ('skipped', 0), ('time', 0)])}>")
        for f in cases:
            rule = catalog.get(f.code)
            rule_name = f" {rule.name}" if rule is not None else ""
            name = f"{f.code}{rule_name} at {f.span.line}:{f.span.column}"
            case = [("classname", classname(path)), ("name", name), ("file", path), ("line", f.span.line), ("time", 0)]
            out.append(f"    <testcase{_attrs(case)}>")
            body = escape_text(failure_text(f, rule))
            if failing(f):
                out.append(f"      <failure{_attrs([('type', f.code), ('message', visible(f.message))])}>{body}</failure>")
            else:
                out.append(f"      <system-out>{body}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
