"""Applying fixes: byte-level splices into the text rclint linted, never a re-dump.

A fix (`rclint.model.Fix`) is a tuple of edits, each a span of the file (1-based line and
code-point column, end exclusive) and its replacement text. Everything outside the edited spans
stays byte-identical: comments, quoting, key order, indentation, blank lines, other documents,
CRLF line ends, a byte-order mark and the file's encoding.

`fix_loop` lints, applies the fixes the user allowed (safe ones; unsafe ones too with
--unsafe-fixes), lints the edited text again (in memory: an overlay the readers consult), and
repeats until nothing more applies. Only then is anything written, each file atomically and only
when it still holds the bytes rclint read.
"""

from __future__ import annotations

import bisect
import codecs
import itertools
import operator
import os
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from rclint.model import Edit, Finding, Fix, Span
from rclint.textio import visible

MAX_PASSES = 10
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# --------------------------------------------------------------------------- what was read


@dataclass
class ReadLog:
    """The bytes each input had when rclint first read it, and the edited bytes that later
    passes read instead (keyed by display path, the path findings carry)."""

    original: Dict[str, bytes] = field(default_factory=dict)
    real: Dict[str, Optional[str]] = field(default_factory=dict)  # display -> path on disk (None: stdin, "": neither)
    overlay: Dict[str, bytes] = field(default_factory=dict)


_ACTIVE: Optional[ReadLog] = None


def observed(display: str, real: Optional[str], data: bytes) -> bytes:
    """Called by every reader of input files: records what was read and, while fixing, returns
    the edited text of an earlier pass instead. A no-op unless a fix run is active."""
    log = _ACTIVE
    if log is None:
        return data
    if display not in log.original:
        log.original[display] = data
        log.real[display] = real
    # every pass sees the same snapshot: the first read, or the text an earlier pass fixed
    return log.overlay.get(display, log.original[display])


# --------------------------------------------------------------------------- text and positions


class Source:
    """One file's bytes as text, with positions <-> offsets the way rclint counts them."""

    def __init__(self, path: str, data: bytes):
        self.path = path
        self.data = data
        self.bom = b""
        self.encoding = "utf-8"
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                self.bom, self.encoding = bom, encoding
                break
        self.text = data[len(self.bom):].decode(self.encoding)
        lines = self.text.split("\n")
        # the offset after each "\n": the lengths of the lines before it, plus one per break
        self.line_starts = [0] + list(map(operator.add, itertools.accumulate(map(len, lines[:-1])),
                                          range(1, len(lines))))

    @property
    def lines_agree(self) -> bool:
        """False when the text has line breaks YAML counts but rclint's offsets do not (a lone
        CR, NEL, LS, PS): YAML positions would not map onto it exactly, so it gets no YAML fix."""
        text = self.text
        if "\r" not in text and text.isascii():
            return True  # the common case, without a regular-expression scan
        return _OTHER_BREAKS.search(text) is None

    def offset(self, line: int, column: int) -> Optional[int]:
        """The text offset of a 1-based line/column, or None when the file has no such place."""
        if line < 1 or line > len(self.line_starts) or column < 1:
            return None
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        if start + column - 1 > end:
            return None
        return start + column - 1

    def position(self, offset: int) -> Tuple[int, int]:
        li = bisect.bisect_right(self.line_starts, offset) - 1
        return li + 1, offset - self.line_starts[li] + 1

    def span(self, start: int, end: int) -> Span:
        a, b = self.position(start), self.position(end)
        return Span(a[0], a[1], b[0], b[1])

    def range(self, span: Span) -> Optional[Tuple[int, int]]:
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line or span.line, span.end_column or span.column)
        if start is None or end is None or end < start:
            return None
        return start, end

    def slice(self, span: Span) -> Optional[str]:
        r = self.range(span)
        return None if r is None else self.text[r[0]:r[1]]

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """The offset of the line break (or the end of the text) of the line holding `offset`."""
        j = self.text.find("\n", offset)
        return len(self.text) if j < 0 else j

    def newline(self) -> str:
        """The file's line break ("\\r\\n" when its first line ends so)."""
        j = self.text.find("\n")
        return "\r\n" if j > 0 and self.text[j - 1] == "\r" else "\n"


# How a run reads a file again (its filesystem policy's read_again, set by rclint.engine.run):
# a file is read again under the rule it was first read by, never through a symlink that
# appeared since, never outside the tree.
_READ_AGAIN = None


def reading_with(read_again) -> None:
    global _READ_AGAIN
    _READ_AGAIN = read_again


def source_for(display: str) -> Optional[Source]:
    """The text a finding's positions refer to: what the current pass read, else the file."""
    log = _ACTIVE
    if log is not None and display in log.original:
        if log.real.get(display) == "":
            return None  # not a file and not standard input: nothing to fix
        return Source(display, log.overlay.get(display, log.original[display]))
    if display in ("-", "<stdin>"):
        return None
    if _READ_AGAIN is not None:
        try:
            return Source(display, _READ_AGAIN(display))
        except (OSError, ValueError):
            return None
    if not os.path.isfile(display):
        return None
    try:
        with open(display, "rb") as fh:
            return Source(display, fh.read())
    except (OSError, ValueError):
        return None


def edit_ranges(src: Source, fix: Fix) -> Optional[List[Tuple[int, int, str]]]:
    out = []
    for e in fix.edits:
        r = src.range(e.span)
        if r is None:
            return None
        out.append((r[0], r[1], e.replacement))
    out.sort()
    for a, b in zip(out, out[1:]):
        if a[1] > b[0] or (a[0] == a[1] == b[0] == b[1]):
            return None
    return out


def splice(text: str, ranges: Iterable[Tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, repl in sorted(ranges):
        parts.append(text[last:start])
        parts.append(repl)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _overlaps(r: Tuple[int, int, str], taken: List[Tuple[int, int, str]]) -> bool:
    for t in taken:
        if r[0] < t[1] and t[0] < r[1]:
            return True
        if r[0] == r[1] and t[0] <= r[0] <= t[1]:
            return True  # an insertion touching another edit: its order would be a guess
        if t[0] == t[1] and r[0] <= t[0] <= r[1]:
            return True
    return False


def allowed(fix: Optional[Fix], unsafe: bool) -> bool:
    return fix is not None and (fix.safe or unsafe)


def apply_fixes(findings: Iterable[Finding], unsafe: bool, sources: Callable[[str], Optional[Source]] = source_for
                ) -> Tuple[Dict[str, bytes], Dict[str, int]]:
    """One pass: {display path: new bytes} and how many fixes went into each. A fix whose edits
    overlap an earlier one waits for the next pass (it is recomputed on the edited text)."""
    by_file: Dict[str, List[Fix]] = {}
    for f in findings:
        if allowed(f.fix, unsafe) and f.fix.edits:
            paths = {e.path for e in f.fix.edits}
            if len(paths) == 1:
                by_file.setdefault(paths.pop(), []).append(f.fix)
    out: Dict[str, bytes] = {}
    counts: Dict[str, int] = {}
    for path in sorted(by_file):
        src = sources(path)
        if src is None:
            continue
        taken: List[Tuple[int, int, str]] = []
        seen = set()
        for fix in by_file[path]:
            if fix.edits in seen:  # two findings, one fix (e.g. one comment)
                continue
            ranges = edit_ranges(src, fix)
            if ranges is None or any(_overlaps(r, taken) for r in ranges):
                continue
            seen.add(fix.edits)
            taken.extend(ranges)
        if taken:
            new = src.encode(splice(src.text, taken))
            if new != src.data:
                out[path] = new
                counts[path] = len(seen)
    return out, counts


# --------------------------------------------------------------------------- the loop


@dataclass
class FixOutcome:
    """What the fix passes did: the last pass's result and the files they changed."""

    result: object  # the engine Result of the last pass: what remains
    fixed: int = 0
    fixed_by_file: Dict[str, int] = field(default_factory=dict)
    changed: Dict[str, Tuple[Optional[str], bytes, bytes]] = field(default_factory=dict)  # display -> (real, old, new)
    stdin: Dict[str, bytes] = field(default_factory=dict)  # display -> what standard input held
    unsafe: bool = False


def fix_loop(run: Callable[[], object], unsafe: bool) -> FixOutcome:
    """Lint, apply, lint again until no allowed fix applies (at most MAX_PASSES passes)."""
    global _ACTIVE
    log = ReadLog()
    previous, _ACTIVE = _ACTIVE, log
    try:
        result = run()
        by_file: Dict[str, int] = {}
        for _ in range(MAX_PASSES):
            new, counts = apply_fixes(result.findings, unsafe)
            if not new:
                break
            for path, n in counts.items():
                by_file[path] = by_file.get(path, 0) + n
            log.overlay.update(new)
            result = run()
        outcome = FixOutcome(result, unsafe=unsafe)
        for display, data in log.overlay.items():
            old = log.original.get(display)
            if old is not None and data != old:
                outcome.changed[display] = (log.real.get(display), old, data)
                outcome.fixed_by_file[display] = by_file.get(display, 0)
        outcome.fixed = sum(outcome.fixed_by_file.values())
        outcome.stdin = {d: data for d, data in log.original.items() if log.real.get(d) is None}
        return outcome
    finally:
        _ACTIVE = previous


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fixable_note(result) -> str:
    """The summary's word on fixes when none were applied: how many --fix would handle."""
    safe = sum(1 for f in result.findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in result.findings if f.fix is not None and not f.fix.safe)
    parts = []
    if safe:
        parts.append(f"[*] {safe} fixable with --fix")
    if unsafe:
        fixes = "fix" if unsafe == 1 else "fixes"
        parts.append(f"{unsafe} {'more ' if safe else ''}{fixes} available with --fix --unsafe-fixes")
    return ("rclint: " + "; ".join(parts)) if parts else ""


def fix_summary(outcome: FixOutcome, would: bool = False) -> str:
    """`rclint: fixed 3 problems in 2 files; 1 more fixable with --unsafe-fixes`."""
    files = sum(1 for n in outcome.fixed_by_file.values() if n)
    verb = "would fix" if would else "fixed"
    text = f"rclint: {verb} {_plural(outcome.fixed, 'problem')}"
    if outcome.fixed:
        text += f" in {_plural(files, 'file')}"
    unsafe = sum(1 for f in outcome.result.findings if f.fix is not None and not f.fix.safe)
    if unsafe and not outcome.unsafe:
        text += f"; {unsafe} more fixable with --unsafe-fixes"
    return text


def unified_diff(display: str, old: bytes, new: bytes) -> str:
    import difflib  # only --diff needs it
    a, b = Source(display, old).text, Source(display, new).text
    lines = difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                 fromfile=f"a/{display}", tofile=f"b/{display}")
    out = []
    for line in lines:
        end = "\n" if line.endswith("\n") else "\n\\ No newline at end of file\n"
        body = line[:-1] if line.endswith("\n") else line
        cr = "\r" if body.endswith("\r") else ""
        body = body[:-1] if cr else body
        # the diff goes to a terminal as often as to `patch`: no input text may start a line or an
        # escape sequence there (tabs and CRLF line ends, which patches need, stay as they are)
        out.append("\t".join(visible(part) for part in body.split("\t")) + cr + end)
    return "".join(out)


# --------------------------------------------------------------------------- writing


class WriteRefused(Exception):
    """The file is not written (the reason says why); the run goes on."""


def _inside(path: str, roots: Iterable[str]) -> bool:
    real = os.path.realpath(path)
    for root in roots:
        r = os.path.realpath(root)
        if real == r or real.startswith(r.rstrip(os.sep) + os.sep):
            return True
    return False


def write_fixed(real: str, old: bytes, new: bytes, roots: Iterable[str]) -> None:
    """Replace `real` with `new` through the filesystem policy (atomic: a temporary file created
    next to it with O_CREAT|O_EXCL|O_NOFOLLOW, then renamed; the file's mode kept; never through
    a symlink), only if it still holds `old` and its folder lies inside `roots`."""
    from rclint.fspolicy import Refused, write_bytes

    roots = list(roots)
    if not _inside(os.path.dirname(os.path.abspath(real)), roots):
        raise WriteRefused("it is outside the linted tree")
    try:
        write_bytes(real, new, roots, unchanged=old)
    except Refused as exc:
        raise WriteRefused(exc.reason) from None
    except OSError as exc:
        raise WriteRefused(f"it cannot be written ({exc.strerror or exc})") from None


# --------------------------------------------------------------------------- attaching


def attach_fixes(findings: List[Finding], inventory, done=()) -> List[Finding]:
    """Give each finding its fix, when its rule has one and the text allows it; findings in the
    files `done` were given theirs already (rclint.stream)."""
    from rclint.fixers import FIXERS, TOML_ONLY, FixContext

    if not any(f.code in FIXERS and f.path not in done for f in findings):
        return findings
    ctx = FixContext(inventory)
    # one file's text at a time (findings come sorted by path): a run with fixable findings in
    # every file must not hold every file's text at once
    cached: Tuple[Optional[str], Optional[Source]] = (None, None)
    out = []
    for f in findings:
        fixer = FIXERS.get(f.code)
        if fixer is not None and f.fix is None and f.path not in done:
            if cached[0] != f.path:
                cached = (None, None)
                cached = (f.path, source_for(f.path))
            src = cached[1]
            fix = None
            if src is not None and (src.lines_agree or f.code in TOML_ONLY):
                try:
                    fix = fixer(f, src, ctx)
                except Exception:  # noqa: BLE001 - a fixer bug costs the fix, never the run
                    fix = None
            if fix is not None and _valid(fix, src):
                f = replace(f, fix=fix)
        out.append(f)
    return out


def _valid(fix: Fix, src: Source) -> bool:
    return bool(fix.edits) and all(e.path == src.path for e in fix.edits) and edit_ranges(src, fix) is not None


def make_edit(src: Source, start: int, end: int, replacement: str) -> Edit:
    return Edit(src.path, src.span(start, end), replacement)
