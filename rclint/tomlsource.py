"""TOML with source positions.

`tomllib` (or `tomli` before Python 3.11) decodes the document; it gives no positions. A small
scanner then walks the same text once and records where every key, table header and value
starts, keyed by the same paths the decoded dict uses, so a check can ask "where is
`plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata`?" and get a 1-based
line/column (columns count code points, like every other rclint position).

The scanner only runs on text that tomllib accepted, so it can rely on the input being valid
TOML; it still never raises (a scanner bug costs positions, never a crash): paths it did not
index fall back to their nearest indexed ancestor, then to line 1, column 1.

Path conventions (the same as the decoded value): a tuple of keys; an element of an array,
including an array of tables (`[[a.b]]`), is addressed by its int index, e.g.
`("a", "b", 0, "key")`.
"""

from __future__ import annotations

import bisect
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

try:  # Python 3.11+
    import tomllib as _toml
except ImportError:  # pragma: no cover - Python 3.10
    import tomli as _toml  # type: ignore[no-redef]

from rclint.model import Span

PathLike = Union[Tuple[Any, ...], List[Any]]

_POSITION_SUFFIX = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_POSITION_END_OF_DOC = re.compile(r"\s*\(at end of document\)\s*$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class TomlSyntaxError(Exception):
    """The text is not valid TOML. `span` is the parser's position (line 1, column 1 if unknown)."""

    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:  # pragma: no cover - trivial
        return f"{self.message} (line {self.span.line}, column {self.span.column})"


def _normalize(path: PathLike) -> Tuple[Any, ...]:
    if isinstance(path, tuple):
        return path
    if isinstance(path, (list,)):
        return tuple(path)
    if isinstance(path, str):
        return (path,)
    return tuple(path)


@dataclass
class TomlDoc:
    """A decoded TOML document plus a position index."""

    value: Dict[str, Any]
    text: str
    _keys: Dict[Tuple[Any, ...], Span] = field(default_factory=dict, repr=False)
    _tables_explicit: Dict[Tuple[Any, ...], Span] = field(default_factory=dict, repr=False)
    _tables_implicit: Dict[Tuple[Any, ...], Span] = field(default_factory=dict, repr=False)
    _values: Dict[Tuple[Any, ...], Span] = field(default_factory=dict, repr=False)
    index_complete: bool = True

    # ------------------------------------------------------------------ lookups

    def key_span(self, path: PathLike) -> Optional[Span]:
        """Where the key itself is written (`key = ...`, a dotted-key part, an inline-table key).

        Keys that only appear in a `[table.header]` have no key span: use `table_span`.
        """
        return self._keys.get(_normalize(path))

    def table_span(self, path: PathLike) -> Optional[Span]:
        """The `[header]` (or `[[header]]`) declaring this table; for a table only created
        implicitly (a parent in a header, or a dotted key), the first key that creates it."""
        path = _normalize(path)
        span = self._tables_explicit.get(path)
        if span is None:
            span = self._tables_implicit.get(path)
        return span

    def value_span(self, path: PathLike) -> Optional[Span]:
        """Where the value of a key (or an array element) starts."""
        return self._values.get(_normalize(path))

    def span(self, path: PathLike) -> Span:
        """key_span, else table_span, else the nearest indexed ancestor's span, else 1:1."""
        path = _normalize(path)
        while True:
            found = self.key_span(path) or self.table_span(path)
            if found is not None:
                return found
            if not path:
                return Span(1, 1)
            path = path[:-1]

    def has(self, path: PathLike) -> bool:
        """True when the decoded value contains `path`."""
        missing = object()
        return self.get(path, missing) is not missing

    def get(self, path: PathLike, default: Any = None) -> Any:
        node: Any = self.value
        for part in _normalize(path):
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return default
        return node

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        lines = self.text.split("\n")
        if 1 <= line <= len(lines):
            return lines[line - 1].rstrip("\r")
        return ""

    def indexed_paths(self) -> Iterable[Tuple[Any, ...]]:
        seen = set()
        for d in (self._keys, self._tables_explicit, self._tables_implicit):
            for p in d:
                if p not in seen:
                    seen.add(p)
                    yield p


def load_toml(text: str) -> TomlDoc:
    """Parse TOML text and index positions. Raises TomlSyntaxError."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = _toml.loads(text)
    except _toml.TOMLDecodeError as exc:
        raise _syntax_error(exc, text) from None
    except RecursionError:
        raise TomlSyntaxError("TOML nesting too deep", _deep_nesting_start(text)) from None
    except (ValueError, TypeError, OverflowError) as exc:  # defensive: malformed dates etc.
        long_int = _LONG_DIGITS.search(text)
        if long_int is not None and "digits" in str(exc):  # Python's int-to-str limit
            raise TomlSyntaxError(_INT_RANGE, _offset_span(text, long_int.start())) from None
        raise TomlSyntaxError(str(exc) or "invalid TOML", Span(1, 1)) from None
    doc = TomlDoc(value=value, text=text)
    scanner = _Scanner(text, doc)
    try:
        scanner.run()
    except Exception:  # noqa: BLE001 - positions are best effort, never fatal
        doc.index_complete = False
    big = _out_of_range(value, ())
    if big is not None:  # Go's TOML decoders (containerd, CRI-O) refuse these: so does rclint
        raise TomlSyntaxError(_INT_RANGE, doc.value_span(big) or doc.span(big))
    return doc


def _deep_nesting_start(text: str, limit: int = 64) -> Span:
    """Where the value that nests arrays or inline tables too deeply starts: its outermost
    `[`/`{` (strings and comments skipped); 1:1 when no such value is found."""
    depth, start, line, col, quote = 0, None, 1, 0, None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        col += 1
        if c == "\n":
            line, col = line + 1, 0
            if quote in ('"', "'"):
                quote = None  # single-line strings end at the line (the text did not parse anyway)
        elif quote is not None:
            if c == "\\" and quote.startswith('"'):
                i += 1
                col += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                col += len(quote) - 1
                quote = None
        elif c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            col += end - i - 1
            i = end - 1
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote) - 1
            col += len(quote) - 1
        elif c in "[{":
            if depth == 0:
                start = Span(line, col)
            depth += 1
            if depth > limit and start is not None:
                return start
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return Span(1, 1)
# Integers beyond 64 bits: containerd's and CRI-O's TOML decoders reject them, and Python
# cannot even print one with more than 4,300 digits. They are syntax errors here, never values.
_INT_RANGE = "integer does not fit in 64 bits"
_LONG_DIGITS = re.compile(r"[0-9_]{4000,}")


def _offset_span(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    return Span(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _out_of_range(value: Any, path: tuple, depth: int = 0):
    """The key path of the first integer outside [-2**63, 2**64), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return path if not -(2 ** 63) <= value < 2 ** 64 else None
    if depth > 200:
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for k, v in items:
        found = _out_of_range(v, path + (k,), depth + 1)
        if found is not None:
            return found
    return None


def _syntax_error(exc: Exception, text: str) -> TomlSyntaxError:
    raw = str(exc)
    span = Span(1, 1)
    m = _POSITION_SUFFIX.search(raw)
    if m:
        message = raw[: m.start()]
        span = Span(max(1, int(m.group(1))), max(1, int(m.group(2))))
    elif _POSITION_END_OF_DOC.search(raw):
        # "(at end of document)": the position just after the last character
        message = _POSITION_END_OF_DOC.sub("", raw)
        lines = text.split("\n")
        span = Span(len(lines), len(lines[-1].rstrip("\r")) + 1)
    else:
        message = raw
        # Python 3.14's TOMLDecodeError also carries lineno/colno attributes.
        lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if isinstance(lineno, int) and isinstance(colno, int) and lineno >= 1 and colno >= 1:
            span = Span(lineno, colno)
    return TomlSyntaxError(message.strip() or "invalid TOML", span)


# --------------------------------------------------------------------------- the scanner

_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}


class _Scanner:
    """Walks valid TOML text and fills a TomlDoc's position index."""

    def __init__(self, text: str, doc: TomlDoc):
        self.s = text
        self.n = len(text)
        self.i = 0
        self.doc = doc
        self.line_starts = [0]
        for m in re.finditer("\n", text):
            self.line_starts.append(m.end())
        # array-of-tables bookkeeping: concrete path of the array -> index of its last element
        self.aot: Dict[Tuple[Any, ...], int] = {}

    # -------------------------------------------------------------- positions

    def pos(self, offset: int, end: Optional[int] = None) -> Span:
        li = bisect.bisect_right(self.line_starts, offset) - 1
        line, col = li + 1, offset - self.line_starts[li] + 1
        if end is None:
            return Span(line, col)
        lj = bisect.bisect_right(self.line_starts, end) - 1
        return Span(line, col, lj + 1, end - self.line_starts[lj] + 1)

    # -------------------------------------------------------------- low-level skipping

    def skip_ws(self) -> None:
        s, n = self.s, self.n
        while self.i < n and s[self.i] in " \t":
            self.i += 1

    def skip_comment(self) -> None:
        if self.i < self.n and self.s[self.i] == "#":
            j = self.s.find("\n", self.i)
            self.i = self.n if j < 0 else j

    def skip_ws_comments_newlines(self) -> None:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                self.skip_comment()
            else:
                break

    def skip_to_line_end(self) -> None:
        self.skip_ws()
        self.skip_comment()
        j = self.s.find("\n", self.i)
        self.i = self.n if j < 0 else j + 1

    # -------------------------------------------------------------- keys

    def read_basic_string(self) -> str:
        """At an opening '"' (single-line). Returns the decoded text; leaves i after the quote."""
        s = self.s
        self.i += 1
        out: List[str] = []
        while self.i < self.n:
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\":
                nxt = s[self.i + 1] if self.i + 1 < self.n else ""
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    self.i += 2
                elif nxt == "u":
                    out.append(chr(int(s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                elif nxt == "U":
                    out.append(chr(int(s[self.i + 2 : self.i + 10], 16)))
                    self.i += 10
                elif nxt == "x":
                    out.append(chr(int(s[self.i + 2 : self.i + 4], 16)))
                    self.i += 4
                else:
                    out.append(nxt)
                    self.i += 2
                continue
            out.append(c)
            self.i += 1
        return "".join(out)

    def read_literal_string(self) -> str:
        j = self.s.find("'", self.i + 1)
        if j < 0:
            j = self.n
        text = self.s[self.i + 1 : j]
        self.i = j + 1
        return text

    def read_key_parts(self) -> List[Tuple[str, int, int]]:
        """A (possibly dotted) key: [(decoded part, start offset, end offset), ...]."""
        parts: List[Tuple[str, int, int]] = []
        while True:
            self.skip_ws()
            start = self.i
            c = self.s[self.i] if self.i < self.n else ""
            if c == '"':
                key = self.read_basic_string()
            elif c == "'":
                key = self.read_literal_string()
            else:
                m = _BARE_KEY.match(self.s, self.i)
                if not m:
                    raise ValueError(f"no key at offset {self.i}")
                key = m.group(0)
                self.i = m.end()
            parts.append((key, start, self.i))
            self.skip_ws()
            if self.i < self.n and self.s[self.i] == ".":
                self.i += 1
                continue
            return parts

    # -------------------------------------------------------------- recording

    def record_key(self, path: Tuple[Any, ...], start: int, end: int) -> None:
        if path not in self.doc._keys:
            self.doc._keys[path] = self.pos(start, end)

    def record_implicit_table(self, path: Tuple[Any, ...], start: int, end: int) -> None:
        if path not in self.doc._tables_implicit:
            self.doc._tables_implicit[path] = self.pos(start, end)

    def record_explicit_table(self, path: Tuple[Any, ...], start: int, end: int) -> None:
        if path not in self.doc._tables_explicit:
            self.doc._tables_explicit[path] = self.pos(start, end)

    # -------------------------------------------------------------- document structure

    def run(self) -> None:
        table: Tuple[Any, ...] = ()
        while True:
            self.skip_ws_comments_newlines()
            if self.i >= self.n:
                return
            if self.s.startswith("[[", self.i):
                table = self.header(array=True)
            elif self.s[self.i] == "[":
                table = self.header(array=False)
            else:
                self.key_value(table)
                self.skip_to_line_end()

    def header(self, array: bool) -> Tuple[Any, ...]:
        start = self.i
        self.i += 2 if array else 1
        parts = self.read_key_parts()
        self.skip_ws()
        self.i += 2 if array else 1  # the closing bracket(s)
        end = self.i
        concrete: List[Any] = []
        last = len(parts) - 1
        for idx, (key, kstart, kend) in enumerate(parts):
            concrete.append(key)
            prefix = tuple(concrete)
            if idx == last:
                if array:
                    n = self.aot.get(prefix, -1) + 1
                    self.aot[prefix] = n
                    self.record_explicit_table(prefix, start, end)
                    concrete.append(n)
                    self.record_explicit_table(tuple(concrete), start, end)
                else:
                    self.record_explicit_table(prefix, start, end)
            else:
                self.record_implicit_table(prefix, kstart, kend)
                if prefix in self.aot:
                    concrete.append(self.aot[prefix])
        self.skip_to_line_end()
        return tuple(concrete)

    def key_value(self, prefix: Tuple[Any, ...]) -> None:
        parts = self.read_key_parts()
        path = prefix
        last = len(parts) - 1
        for idx, (key, kstart, kend) in enumerate(parts):
            path = path + (key,)
            self.record_key(path, kstart, kend)
            if idx != last:
                self.record_implicit_table(path, kstart, kend)
        self.skip_ws()
        if self.i < self.n and self.s[self.i] == "=":
            self.i += 1
        self.skip_ws()
        self.value(path)

    # -------------------------------------------------------------- values

    def value(self, path: Tuple[Any, ...]) -> None:
        s = self.s
        start = self.i
        if s.startswith('"""', self.i):
            self.multiline(start, '"', escapes=True)
        elif s.startswith("'''", self.i):
            self.multiline(start, "'", escapes=False)
        elif self.i < self.n and s[self.i] == '"':
            self.read_basic_string()
        elif self.i < self.n and s[self.i] == "'":
            self.read_literal_string()
        elif self.i < self.n and s[self.i] == "[":
            self.array(path)
        elif self.i < self.n and s[self.i] == "{":
            self.inline_table(path)
        else:
            while self.i < self.n and s[self.i] not in ",]}\n\r#":
                self.i += 1
            # trailing blanks of a scalar are not part of it
            end = self.i
            while end > start and s[end - 1] in " \t":
                end -= 1
            self.doc._values.setdefault(path, self.pos(start, end))
            return
        self.doc._values.setdefault(path, self.pos(start, self.i))

    def multiline(self, start: int, quote: str, escapes: bool) -> None:
        s = self.s
        delim = quote * 3
        j = start + 3
        while j < self.n:
            c = s[j]
            if escapes and c == "\\":
                j += 2
                continue
            if s.startswith(delim, j):
                run = 3
                while run < 5 and j + run < self.n and s[j + run] == quote:
                    run += 1
                self.i = j + run
                return
            j += 1
        self.i = self.n

    def array(self, path: Tuple[Any, ...]) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_ws_comments_newlines()
            if self.i >= self.n:
                return
            if self.s[self.i] == "]":
                self.i += 1
                return
            self.value(path + (index,))
            index += 1
            self.skip_ws_comments_newlines()
            if self.i < self.n and self.s[self.i] == ",":
                self.i += 1

    def inline_table(self, path: Tuple[Any, ...]) -> None:
        self.i += 1
        while True:
            self.skip_ws_comments_newlines()  # newlines are TOML 1.1; harmless for 1.0
            if self.i >= self.n:
                return
            if self.s[self.i] == "}":
                self.i += 1
                return
            if self.s[self.i] == ",":
                self.i += 1
                continue
            self.key_value(path)
