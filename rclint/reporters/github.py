"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation a finding.

    ::error file=deploy/app.yaml,line=12,col=29,endLine=12,endColumn=38,title=RCL101 unknown-runtime-class::deploy/app.yaml:12:29: RCL101 ...

Rules followed (shared/docs/peers-and-ci-conventions.md, C2):
- full escaping: the message gets `%` -> %25, CR -> %0D, LF -> %0A; property values also
  `:` -> %3A and `,` -> %2C (an unescaped `,` or `:` in a path breaks the command);
- no `col`/`endColumn` when the span covers several lines (the toolkit's rule);
- `path:line:col: ` repeated at the start of the message, because the runner hides the
  command line from the log;
- paths without a leading `./` (GitHub does not annotate those);
- GitHub shows only 10 annotations of each type per step (50 per job), dropping the rest
  silently, so errors come first, then warnings, then notices (file order within each),
  and a plain-text summary line ends the output, saying what did not fit.

`step_summary_markdown()` gives the Markdown table of all findings for `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import posixpath
from typing import List

from rclint.model import Severity
from rclint.reporters.fingerprint import normalise_path
from rclint.textio import visible

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
PER_STEP_LIMIT = 10  # annotations of one type shown per step
STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub accepts in one step summary


def escape_data(text: str) -> str:
    """A workflow command's message (toolkit `escapeData`)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (toolkit `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _is_stdin(path: str) -> bool:
    """Not a file of the repository: standard input, the live cluster, a kustomize rendering."""
    return "<" in path and path.endswith(">")


def _location(path: str, span) -> str:
    return f"{path}:{span.line}:{span.column}"


def _title(finding, catalog) -> str:
    from rclint.catalog import rule_name  # names from the generated index, not the whole catalogue

    name = rule_name(catalog, finding.code)
    return f"{finding.code} {name}" if name else finding.code


def _ordered(findings) -> list:
    """Most severe first; the (already deterministic) file order within a severity."""
    return sorted(findings, key=lambda f: -int(f.severity or Severity.ERROR))


def annotation(finding, catalog=None, srcroot: str = "") -> str:
    """One workflow command line (without the newline). `srcroot` is where the working directory
    sits in the repository ("" at its root): GitHub resolves `file=` against the repository root."""
    sev = finding.severity or Severity.ERROR
    path = visible(normalise_path(finding.path))
    span = finding.span
    props = []
    if not _is_stdin(path):  # standard input is no file of the repository: no file link
        repo_path = posixpath.normpath(srcroot + path) if srcroot and not path.startswith("/") else path
        props.append(("file", repo_path))
        props.append(("line", span.line))
        end_line = span.end_line
        if end_line is None and span.end_column is not None:
            end_line = span.line  # an end column alone is on the start line
        multi_line = end_line is not None and end_line > span.line
        if not multi_line:
            props.append(("col", span.column))
        if end_line is not None and end_line >= span.line:
            props.append(("endLine", end_line))
        if not multi_line and span.end_column is not None and span.end_column >= span.column:
            props.append(("endColumn", span.end_column))
    props.append(("title", _title(finding, catalog)))
    lines = [f"{_location(path, span)}: {finding.code} {visible(finding.message)}"]
    for r in finding.related:
        lines.append(f"  {_location(visible(normalise_path(r.path)), r.span)}: {visible(r.message)}")
    if finding.help:
        lines.append(f"help: {visible(finding.help)}")
    lines.extend(f"note: {visible(n)}" for n in finding.notes)
    params = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[sev]} {params}::{escape_data(chr(10).join(lines))}"


def summary_text(result) -> str:
    """"2 errors, 1 warning, 1 info in 5 files" or "no problems found in 5 files"."""
    c = result.counts()
    files = result.stats.files
    where = f"{files} file{'s' if files != 1 else ''}"
    if not result.findings:
        return f"no problems found in {where}"
    parts = []
    for sev in ("error", "warning", "info"):
        n = c[sev]
        if n:
            parts.append(f"{n} {sev}{'s' if n != 1 and sev != 'info' else ''}")
    return f"{', '.join(parts)} in {where}"


def _one_line(text: str) -> str:
    """Plain output lines must not smuggle in a workflow command on a line of their own."""
    return visible(" ".join(str(text).split()))


def render(result, catalog=None, srcroot: str = "", **_options) -> str:
    if catalog is None:
        from rclint.catalog import load_catalog

        catalog = load_catalog()
    out: List[str] = [annotation(f, catalog, srcroot) for f in _ordered(result.findings)]
    out.append(f"rclint: {summary_text(result)}")
    hidden = []
    counts = result.counts()
    for sev, kind in (("error", "error"), ("warning", "warning"), ("info", "notice")):
        extra = counts[sev] - PER_STEP_LIMIT
        if extra > 0:
            hidden.append(f"{extra} {kind}{'s' if extra != 1 else ''}")
    if hidden:
        out.append(
            f"rclint: GitHub shows at most {PER_STEP_LIMIT} annotations of each type per step; "
            f"not shown as annotations: {', '.join(hidden)} (all findings are in this log and the step summary)"
        )
    out.extend(f"rclint: note: {_one_line(n)}" for n in result.stats.notes)
    return "".join(line + "\n" for line in out)


# ----------------------------------------------------------------------------- step summary


def escape_markdown_cell(text: str) -> str:
    """Text safe inside a GFM table cell: no HTML, no emphasis/links/code, no `|`, one line."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in ("\\", "`", "*", "_", "[", "]", "|", "#", "~"):
        text = text.replace(ch, "\\" + ch)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "<br>".join(text.split("\n"))


def step_summary_markdown(result, catalog=None, limit: int = STEP_SUMMARY_LIMIT) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`: a count line and a table of every finding.

    Rows that would take the text past `limit` bytes (GitHub refuses a larger step summary)
    are left out and counted in a last line.
    """
    from rclint.catalog import rule_name

    if catalog is None:
        from rclint.catalog import load_catalog

        catalog = load_catalog()
    head = [f"### rclint: {summary_text(result)}", ""]
    if not result.findings:
        return "\n".join(head)
    head += ["| severity | code | location | message |", "| --- | --- | --- | --- |"]
    text = "\n".join(head) + "\n"
    size = len(text.encode("utf-8"))
    rows: List[str] = []
    reserve = 200  # room for the "not shown" line
    findings = list(result.findings)
    for i, f in enumerate(findings):
        sev = (f.severity or Severity.ERROR).label
        name = rule_name(catalog, f.code)
        code = f"{f.code} {name}" if name else f.code
        message = visible(f.message)
        for r in f.related:
            message += f"\n{_location(visible(normalise_path(r.path)), r.span)}: {visible(r.message)}"
        row = (f"| {sev} | {escape_markdown_cell(code)} | "
               f"{escape_markdown_cell(_location(visible(normalise_path(f.path)), f.span))} | "
               f"{escape_markdown_cell(message)} |\n")
        row_size = len(row.encode("utf-8"))
        if size + row_size + reserve > limit:
            left = len(findings) - i
            rows.append(f"\n{left} more finding{'s' if left != 1 else ''} not shown "
                        f"(GitHub limits a step summary to {limit // 1024} KiB); see the job log.\n")
            break
        rows.append(row)
        size += row_size
    return text + "".join(rows)

