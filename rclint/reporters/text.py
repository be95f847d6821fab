"""Human-readable output, in two styles (as ruff has them).

`full` (the default, wherever the output goes): a header, the location, a code frame with
the source line and a caret under the exact span, the related locations as secondary
frames, then the `help:` and `note:` lines:

    error[RCL101]: Pod web: runtimeClassName "kata-qmeu" names no RuntimeClass
      --> deploy/pod.yaml:6:21
       |
     6 |   runtimeClassName: kata-qmeu
       |                     ^^^^^^^^^
       |
      ::: deploy/runtimeclasses.yaml:4:9
       |
     4 |   name: kata-qemu
       |         - RuntimeClass "kata-qemu" defined here
       |
    help: runtimeClassName: kata-qemu
    note: the API server rejects the pod: RuntimeClass "kata-qmeu" not found

`concise`: one line a finding, `path:line:col: CODE message`.

Every input-derived text (paths, messages, source lines) goes through
`rclint.textio.visible()`, so nothing from the scanned tree can start a log line or an escape
sequence. Colour only when asked (the command line decides: terminal, NO_COLOR, FORCE_COLOR).
"""

from __future__ import annotations

from typing import Dict, List, Optional

from rclint.textio import visible

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _BLUE, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[34m", "\x1b[0m"

STYLES = ("full", "concise")
DEFAULT_STYLE = "full"


class _Paint:
    def __init__(self, colour: bool):
        self.on = colour

    def __call__(self, text: str, *codes: str) -> str:
        if not self.on or not text:
            return text
        return "".join(codes) + text + _RESET


def _location(path: str, span) -> str:
    return f"{visible(path)}:{span.line}:{span.column}"


def _fix_mark(f) -> str:
    """`[*] ` before the message of a finding `--fix` fixes (as ruff marks them)."""
    return "[*] " if f.fix is not None and f.fix.safe else ""


def _one_line(text: str) -> str:
    return visible(" ".join(str(text).split("\n")))


# ----------------------------------------------------------------------------- concise


def render_concise(result, catalog=None, colour: bool = False) -> str:
    paint = _Paint(colour)
    lines = []
    for f in result.findings:
        sev = f.severity.label
        lines.append(f"{paint(_location(f.path, f.span) + ':', _BOLD)} {paint(f.code, _BOLD, _COLOURS[sev])} "
                     f"{_fix_mark(f)}{_one_line(f.message)}")
    return "".join(line + "\n" for line in lines)


# ----------------------------------------------------------------------------- full


class _Lines:
    """A file's lines, split once; only the last few files' are kept (findings come file by
    file, each with a few related locations elsewhere)."""

    KEEP = 8

    def __init__(self, sources: Dict[str, str]):
        self.sources = sources
        self.cache: Dict[str, Optional[List[str]]] = {}  # oldest first

    def get(self, path: str, line: int) -> Optional[str]:
        if path in self.cache:
            lines = self.cache.pop(path)
        else:
            lines = self.sources[path].splitlines() if path in self.sources else None
        self.cache[path] = lines
        while len(self.cache) > self.KEEP:
            del self.cache[next(iter(self.cache))]
        if lines is not None and 1 <= line <= len(lines):
            return lines[line - 1]
        return None


def _frame(lines: _Lines, path: str, span, label: str, marker: str, width: int, paint: _Paint,
           colour_codes: tuple) -> List[str]:
    """The source line of `span` with `marker`s under the span; [] when the line is unknown."""
    text = lines.get(path, span.line)
    if text is None:
        return []
    text = text.rstrip("\r")
    start = max(span.column, 1) - 1
    if span.end_line in (None, span.line) and span.end_column is not None and span.end_column > span.column:
        end = min(span.end_column - 1, len(text))
    else:
        end = len(text.rstrip())  # to the end of the line (a multi-line or unknown span)
    start = min(start, len(text))
    end = max(end, start + 1)
    # columns on the printed line: the sanitiser may widen what comes before the span
    pad = len(visible(text[:start]))
    length = max(len(visible(text[start:end])), 1)
    gutter = " " * width
    bar = paint("|", _BLUE, _BOLD)
    under = paint(marker * length, *colour_codes)
    if label:
        under += " " + paint(_one_line(label), *colour_codes)
    return [
        f"{gutter} {bar}",
        f"{paint(str(span.line).rjust(width), _BLUE, _BOLD)} {bar} {visible(text)}",
        f"{gutter} {bar} {' ' * pad}{under}",
    ]


def _finding_full(f, lines: _Lines, catalog, paint: _Paint) -> List[str]:
    sev = f.severity.label
    colour = (_BOLD, _COLOURS[sev])
    from rclint.catalog import rule_name  # names from the generated index, not the whole catalogue

    name = rule_name(catalog, f.code)
    name = f" {name}" if name else ""
    out = [f"{paint(f'{sev}[{f.code}]', *colour)}{paint(name, _DIM)}: {_fix_mark(f)}{paint(_one_line(f.message), _BOLD)}"]
    spans = [f.span.line] + [r.span.line for r in f.related if r.path == f.path]
    width = max(len(str(n)) for n in spans + [1])
    for r in f.related:
        width = max(width, len(str(r.span.line)))
    gutter = " " * width
    arrow = paint("-->", _BLUE, _BOLD)
    out.append(f"{gutter}{arrow} {_location(f.path, f.span)}")
    frame = _frame(lines, f.path, f.span, "", "^", width, paint, colour)
    out.extend(frame)
    for r in f.related:
        if frame:
            out.append(f"{gutter} {paint('|', _BLUE, _BOLD)}")
        out.append(f"{gutter}{paint(':::', _BLUE, _BOLD)} {_location(r.path, r.span)}")
        rel = _frame(lines, r.path, r.span, r.message, "-", width, paint, (_BLUE, _BOLD))
        if rel:
            out.extend(rel)
        elif r.message:
            out.append(f"{gutter} {paint('|', _BLUE, _BOLD)} {_one_line(r.message)}")
    if frame or f.related:
        out.append(f"{gutter} {paint('|', _BLUE, _BOLD)}")
    if f.help:
        first, *rest = [visible(line) for line in str(f.help).strip("\n").split("\n")]
        out.append(f"{paint('help', _BOLD)}: {first}")
        out.extend(f"      {line}".rstrip() for line in rest)  # a YAML/TOML snippet keeps its lines
    for n in f.notes:
        out.append(f"{paint('note', _BOLD)}: {_one_line(n)}")
    return out


def render_full(result, catalog=None, colour: bool = False) -> str:
    return "".join(_full_chunks(result, catalog, colour))


def _full_chunks(result, catalog=None, colour: bool = False):
    """The full format a finding at a time, a blank line between findings."""
    paint = _Paint(colour)
    lines = _Lines(getattr(result, "sources", None) or {})
    sep = ""
    for f in result.findings:
        yield sep + "\n".join(_finding_full(f, lines, catalog, paint)) + "\n"
        sep = "\n"


def render(result, catalog=None, colour: bool = False, style: str = DEFAULT_STYLE, **_options) -> str:
    if style == "concise":
        return render_concise(result, catalog, colour)
    return render_full(result, catalog, colour)


def chunks(result, catalog=None, colour: bool = False, style: str = DEFAULT_STYLE, **_options):
    """render() in pieces, written as they come (see rclint.reporters.get_chunked_reporter)."""
    if style == "concise":
        yield render_concise(result, catalog, colour)
    else:
        yield from _full_chunks(result, catalog, colour)


# ----------------------------------------------------------------------------- statistics, summary


def statistics(result, catalog=None) -> str:
    """One line a rule with findings: count, code, name, severity (most frequent first)."""
    counts: Dict[str, int] = {}
    severities: Dict[str, str] = {}
    for f in result.findings:
        counts[f.code] = counts.get(f.code, 0) + 1
        severities.setdefault(f.code, f.severity.label)
    if not counts:
        return ""
    width = len(str(max(counts.values())))
    from rclint.catalog import rule_name

    names = {code: rule_name(catalog, code) for code in counts}
    name_width = max(len(n) for n in names.values())
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{n:>{width}}  {code}  {names[code]:<{name_width}}  {severities[code]}".rstrip() + "\n"
                   for code, n in rows)


def summary(result) -> str:
    """The last line(s) on stderr: counts by severity, files, and what was hidden."""
    c = result.counts()
    s = result.stats
    files = f"{s.files} file{'s' if s.files != 1 else ''}"
    if not result.findings:
        text = f"rclint: no problems found in {files}"
    else:
        parts = []
        for sev in ("error", "warning", "info"):
            n = c[sev]
            if n:
                parts.append(f"{n} {sev}{'s' if n != 1 and sev != 'info' else ''}")
        text = f"rclint: {', '.join(parts)} in {files}"
    hidden = []
    if getattr(s, "suppressed", 0):
        hidden.append(f"{s.suppressed} suppressed")
    if getattr(s, "baselined", 0):
        hidden.append(f"{s.baselined} in the baseline")
    if hidden:
        text += f" ({', '.join(hidden)})"
    notes = "".join(f"\nrclint: note: {visible(str(n))}" for n in s.notes)
    return text + notes
