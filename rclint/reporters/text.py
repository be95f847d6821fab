"""`path:line:col: CODE [severity] message`, one finding a line; colour only when asked."""

from __future__ import annotations

from rclint.textio import visible

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def render(result, catalog=None, colour: bool = False) -> str:
    lines = []
    for f in result.findings:
        sev = f.severity.label
        loc = f"{visible(f.path)}:{f.span.line}:{f.span.column}:"
        if colour:
            lines.append(f"{_BOLD}{loc}{_RESET} {_COLOURS[sev]}{f.code} [{sev}]{_RESET} {visible(f.message)}")
        else:
            lines.append(f"{loc} {f.code} [{sev}] {visible(f.message)}")
        for r in f.related:
            rel = f"    {visible(r.path)}:{r.span.line}:{r.span.column}: {visible(r.message)}"
            lines.append(f"{_DIM}{rel}{_RESET}" if colour else rel)
    return "".join(line + "\n" for line in lines)


def summary(result) -> str:
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
    notes = "".join(f"\nrclint: note: {visible(str(n))}" for n in s.notes)
    return text + notes
