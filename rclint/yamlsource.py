"""Multi-document YAML (and JSON) with exact source positions, fast and bounded.

Parsing goes through libyaml (ruamel.yaml.clib's CParser) driven directly with a resolver
that does nothing: composing nodes in C is ~25x faster than ruamel's round-trip loader, and
the nodes keep their start/end marks. Scalars are typed afterwards the way Kubernetes'
YAML decoder (go-yaml v2, YAML 1.1 rules) types them, so `runtimeClassName: yes` is a bool
here exactly as it is for kubectl.

A file is first split into documents at `---` lines (exact: the YAML spec forbids a `---`
at column 0 inside any content), and only documents whose text can matter are parsed; each
parsed document's positions are shifted by its line offset, which reproduces full-file
positions exactly.

Bounds: nesting depth, alias expansion (billion-laughs), recursive aliases. Breaking one
raises YamlLimitError; bad syntax raises YamlSyntaxError; both carry a position.
"""

from __future__ import annotations

from rclint import lazyre as re  # patterns compiled on first use (start-up)
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

from rclint import perf
from rclint.model import Span

try:  # ruamel.yaml.clib provides the libyaml binding as a top-level module
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # pragma: no cover - exercised only on a broken install
    _CParser = None

MAX_DEPTH = 1000
MAX_EXPANDED_NODES = 1_000_000


class YamlSyntaxError(Exception):
    """Input kubectl would not read, at `span`; `help` is the fix, `notes` kubectl's own words."""

    def __init__(self, message: str, span: Span, help: str = "", notes: Tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.span = span
        self.help = help
        self.notes = notes


class YamlLimitError(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


def require_c_parser() -> None:
    if _CParser is None:
        raise RuntimeError(
            "ruamel.yaml.clib (the libyaml C extension) is not installed; "
            "reinstall rclint with its dependencies (pip install rclint)"
        )


# --------------------------------------------------------------------------- splitting

# A chunk that holds nothing but blank lines and comments decodes to null: kubectl skips it.
_BLANK = re.compile(r"(?:---(?:[ \t\r][^\n]*)?(?:\n|\Z))?(?:[ \t\r\ufeff]*(?:#[^\n]*)?\n)*[ \t\r\ufeff]*(?:#[^\n]*)?\Z")


_MAYBE_BLANK = frozenset(" \t\r\n#-\ufeff")


@dataclass
class Chunk:
    """A slice of a file holding one document as kubectl reads it. `line` is its 0-based first
    line, `offset` its first character in the file."""

    text: str
    line: int
    offset: int


def split_kube(text: str) -> Tuple[List[Chunk], Optional["YamlSyntaxError"]]:
    """Split a YAML stream the way the Kubernetes YAML reader does (and so kubectl, Helm, the API
    server's tooling): every line that starts with `---` ends a document; what follows `---` on
    that line may only be blanks or a comment. Anything else there (`---apiVersion: v1`, `--- {}`,
    `----`) is an error that stops the stream, and the document it would have ended is lost.

    A separator line read while nothing is buffered (the first line, or right after another
    separator) is not dropped but opens the next document, as in the Kubernetes reader: go-yaml
    then sees `---` (a document start) or `---# x` (a plain scalar). Other separator lines are
    dropped. Returns the chunks before any error (blank/comment-only chunks dropped: they decode
    to null, which kubectl skips) and the error, if any.
    """
    chunks: List[Chunk] = []
    start = 0
    line = 0
    sep = 0 if text.startswith("---") else text.find("\n---") + 1  # str.find: ~5x a regex
    while sep > 0 or (sep == 0 and text.startswith("---")):
        eol = text.find("\n", sep)
        if eol < 0:
            eol = len(text)
        rest = text[sep + 3:eol]
        stripped = rest.strip()
        sep_line = line + text.count("\n", start, sep)
        if stripped and not stripped.startswith("#"):
            column = 4 + (len(rest) - len(rest.lstrip()))
            return chunks, YamlSyntaxError(
                f"`---` followed by {stripped[:30]!r} is no document separator",
                Span(sep_line + 1, column),
                help="put `---` on a line of its own (a `# comment` may follow it) and the text after it "
                     "on the next line",
                notes=(f"kubectl: invalid Yaml document separator: {stripped[:60]}",
                       "the document this line would end is lost too"),
            )
        if sep != start:  # read while nothing is buffered, the line opens the next document
            _add_chunk(chunks, text, start, sep, line)
            start = eol + 1
            line = sep_line + 1
        sep = text.find("\n---", eol) + 1 if eol < len(text) else 0
        if sep == 0:
            break
    if start < len(text):
        _add_chunk(chunks, text, start, len(text), line)
    return chunks, None


def _add_chunk(chunks: List[Chunk], text: str, start: int, end: int, line: int) -> None:
    if text[start] in _MAYBE_BLANK and _BLANK.match(text, start, end):
        return
    piece = text[start:end]
    if piece.startswith("\ufeff"):  # a BOM opening a later document (zero width, like the first)
        piece = piece[1:]
        start += 1
    chunks.append(Chunk(piece, line, start))


def split_documents(text: str) -> List[Chunk]:
    """The chunks `split_kube` yields (without its separator error)."""
    return split_kube(text)[0]


# --------------------------------------------------------------------------- scalars

_PLAIN = "?"  # tag our resolver gives plain (unquoted) scalars; typed later
_STR = "tag:yaml.org,2002:str"

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUES = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"])
_FALSES = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"])
_INF = float("inf")
# go-yaml v2's table of plain scalars with a fixed meaning (YAML 1.1).
_SPECIAL: Dict[str, Any] = {t: None for t in _NULLS}
_SPECIAL.update({t: True for t in _TRUES})
_SPECIAL.update({t: False for t in _FALSES})
for _t in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
    _SPECIAL[_t] = _INF
for _t in ("-.inf", "-.Inf", "-.INF"):
    _SPECIAL[_t] = -_INF
for _t in (".nan", ".NaN", ".NAN"):
    _SPECIAL[_t] = float("nan")
_MISSING = object()
_NUMBER_START = frozenset("0123456789+-")
# strconv.ParseInt/ParseUint with base 0 (after go-yaml removed every '_')
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)\Z")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")  # go-yaml's yamlStyleFloat
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")  # what strconv.ParseFloat takes after a '.'
_TIMESTAMP_PREFIX = re.compile(r"[0-9]{4}-")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]{1,9})?(?:Z|[-+][0-9]{2}:[0-9]{2})?)?\Z"
)
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


# Python cannot print an integer of more than 4,300 digits (and nothing in Kubernetes holds one):
# a longer integer stays text. (go-yaml v2 reads integers beyond 64 bits as floats, or as text
# beyond the float range, which `_parse_int_unbounded` already leaves to the caller.)
_MAX_INT_BITS = 14_000


def _parse_int(text: str) -> int:
    value = _parse_int_unbounded(text)
    if value.bit_length() > _MAX_INT_BITS:
        raise ValueError("integer too large")
    return value


def _parse_int_unbounded(text: str) -> int:
    """An integer as go-yaml v2 reads it (strconv.ParseInt/ParseUint, base 0, '_' ignored).

    Raises ValueError when it is not one (including out of the 64-bit range)."""
    t = text.replace("_", "")
    m = _GO_INT.match(t)
    if m is None:
        raise ValueError(text)
    sign, body = m.groups()
    prefix = body[:2].lower()
    if prefix == "0x":
        base, digits = 16, body[2:]
    elif prefix == "0b":
        base, digits = 2, body[2:]
    elif prefix == "0o":
        base, digits = 8, body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, digits = 8, body[1:]
    else:
        base, digits = 10, body
    digits = digits.lstrip("0") or "0"
    if len(digits) > 64:  # far outside 64 bits (and clear of Python's int-to-str digit limit)
        raise ValueError(text)
    value = int(digits, base)
    if sign == "-":
        value = -value
    if _INT64_MIN <= value <= _INT64_MAX or (not sign and 0 <= value <= _UINT64_MAX):
        return value
    raise ValueError(text)


def _timestamp_like(text: str) -> bool:
    return _TIMESTAMP_PREFIX.match(text) is not None and _TIMESTAMP.match(text) is not None


def type_plain_scalar(text: str) -> Any:
    """Type an unquoted scalar as go-yaml v2 (and so kubectl) does: YAML 1.1 booleans and nulls,
    base-0 integers (`0x1F`, `0X1F`, `0o17`, `017`, `0b11`) within 64 bits, then floats (`08` is
    8.0), else a string. Timestamps stay strings, as they reach JSON. `.inf`/`.nan` come back as
    floats; the document converter rejects them, as kubectl does."""
    v = _SPECIAL.get(text, _MISSING)
    if v is not _MISSING:
        return v
    c = text[0]
    if c in _NUMBER_START:
        if c != "+" and c != "-" and _timestamp_like(text):
            return text
        plain = text.replace("_", "") if "_" in text else text
        try:
            return _parse_int(plain)
        except ValueError:
            pass
        if _GO_FLOAT.match(plain):
            f = float(plain)
            if f != _INF and f != -_INF:  # out of float64 range: strconv fails, it stays a string
                return f
        return text
    if c == "." and _DOT_FLOAT.match(text):
        f = float(text)
        if f != _INF:
            return f
    return text


class _TagMismatch(Exception):
    pass


def _type_tagged(tag: str, text: str) -> Any:
    """A scalar with an explicit tag. go-yaml resolves the text and refuses a tag it contradicts
    (`!!int abc`: "cannot decode !!str `abc` as a !!int"); unknown and local tags keep the text."""
    if tag.endswith(":str") or tag == "!":
        return text
    if not tag.startswith("tag:yaml.org,2002:"):
        return text  # custom tags (!Ref ...) keep their text
    name = tag[18:]
    if name in ("int", "float", "bool", "null"):
        value = type_plain_scalar(text) if text else None
        ok = (
            (name == "int" and value.__class__ is int)
            or (name == "float" and value.__class__ in (int, float))
            or (name == "bool" and value.__class__ is bool)
            or (name == "null" and value is None)
        )
        if not ok:
            raise _TagMismatch(f"cannot decode {text[:30]!r} as a !!{name}")
        return float(value) if name == "float" else value
    return text


def _go_float_key(value: float) -> str:
    """A float map key as text, as sigs.k8s.io/yaml writes it (FormatFloat(f, 'g', -1, 32))."""
    if value != value:
        return ".nan"
    if value in (_INF, -_INF):
        return ".inf" if value > 0 else "-.inf"
    import struct

    f32 = struct.unpack("f", struct.pack("f", value))[0] if abs(value) < 3.4e38 else value
    for prec in range(1, 18):
        digits = f"{f32:.{prec - 1}e}"
        try:
            if struct.unpack("f", struct.pack("f", float(digits)))[0] == f32:
                break
        except OverflowError:
            break
    mantissa, exp_text = digits.split("e")
    exp = int(exp_text)
    if exp < -4 or exp >= 6:
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    text = f"{f32:.{max(0, prec - 1 - exp)}f}"
    return text


# --------------------------------------------------------------------------- documents

Path = Tuple[Any, ...]


@dataclass
class YamlDoc:
    """One YAML document as plain Python values plus the source span of every node.

    `positions[path]` is the span of the value at `path`; `key_positions[path]` is the
    span of the mapping key whose value lives at `path` (both stored as (line, column,
    end_line, end_column) tuples; value_span/key_span return Spans). Paths are tuples of keys and
    list indices, e.g. ('spec', 'containers', 0, 'image').
    """

    path: str
    index: int
    value: Any
    positions: Optional[Dict[Path, tuple]]  # None until asked for (see `source`)
    key_positions: Optional[Dict[Path, tuple]]
    # (path, span of the repeated key, span of its first occurrence)
    duplicates: List[Tuple[Path, Span, Span]] = field(default_factory=list)
    flow_template: Optional[Span] = None
    # where positions are recovered from when a finding points into this document (a
    # LazySource); most documents never need them
    source: Optional["LazySource"] = field(default=None, repr=False, compare=False)

    @property
    def start(self) -> Span:
        if self.positions is None:
            return self.value_span(())
        t = self.positions.get(())
        return Span(*t) if t is not None else Span(1, 1)

    def value_span(self, path: Path) -> Span:
        """The value's span, or the nearest enclosing node's when the path is absent."""
        path = tuple(path)
        if self.positions is None:
            found, index, _keyed = _locate(self.value, path)
            spans = self._compact()
            return Span(*spans[8 * index + 4:8 * index + 8])
        while path:
            t = self.positions.get(path)
            if t is not None:
                return Span(*t)
            path = path[:-1]
        return self.start

    def key_span(self, path: Path) -> Span:
        """The span of the key holding `path`, else its value's span."""
        if self.positions is None:
            path = tuple(path)
            found, index, keyed = _locate(self.value, path)
            if found and keyed:
                spans = self._compact()
                return Span(*spans[8 * index:8 * index + 4])
            return self.value_span(path)
        t = self.key_positions.get(tuple(path))
        return Span(*t) if t is not None else self.value_span(path)

    def may_hold_line(self, line: int) -> bool:
        """False only when `line` (1-based) lies outside the text this document was read from:
        lets callers skip documents without recovering their positions."""
        src = self.source
        if self.positions is not None or src is None:
            return True
        return src.line < line <= src.last_line

    def _compact(self):
        """Spans of every node in document order, recovered from the chunk on first use."""
        src = self.source
        if src.spans is None:
            chunk = src.text_chunk()
            if chunk is None:  # the file changed or vanished since it was read: no exact position
                src.spans = _unknown_spans(self.value, src.line)
            elif src.projected:  # a projection (parse_chunk's shape_of): only the nodes it keeps
                src.spans = _recover_positions(chunk, self.value)
            else:
                src.spans = _recover_positions(chunk)
        return src.spans

    def get(self, path: Path, default: Any = None) -> Any:
        node = self.value
        for part in path:
            if isinstance(part, int):
                if isinstance(node, list) and -len(node) <= part < len(node):
                    node = node[part]
                else:
                    return default
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return default
        return node


class LazySource:
    """Where a lazily positioned document's positions come from: its chunk (or, once detached,
    where in which file to read it again), which document of it, the node bound it was read
    under; the spans once recovered; the chunk's first (0-based) and last (1-based) lines."""

    __slots__ = ("chunk", "number", "max_nodes", "spans", "line", "last_line", "projected",
                 "file", "offset", "length", "digest")

    def __init__(self, chunk: "Chunk", number: int, max_nodes: int):
        self.chunk: Optional[Chunk] = chunk
        self.number = number
        self.max_nodes = max_nodes
        self.spans = None
        self.line = chunk.line
        self.last_line = chunk.line + 1 + chunk.text.count("\n")
        self.projected = False
        self.file: Optional[str] = None
        self.offset = chunk.offset
        self.length = len(chunk.text)
        self.digest = 0

    def detach(self, file: str) -> None:
        """Drop the chunk's text: `text_chunk` reads it again from `file` (a key of
        `register_reader`) when a position is asked for."""
        if self.chunk is not None:
            self.digest = hash(self.chunk.text)
            self.file = file
            self.chunk = None

    def text_chunk(self) -> Optional["Chunk"]:
        if self.chunk is not None:
            return self.chunk
        text = _file_text(self.file)
        if text is None:
            return None
        piece = text[self.offset:self.offset + self.length]
        if len(piece) != self.length or hash(piece) != self.digest:
            return None
        return Chunk(piece, self.line, self.offset)


# Detached documents read their file again through these (display path -> the file's text, as
# loaded); the last few texts are kept, as findings come file by file.
_READERS: Dict[str, Any] = {}
_TEXTS: Dict[str, Optional[str]] = {}
_TEXTS_KEPT = 4


def register_reader(file: str, read) -> None:
    _READERS[file] = read
    _TEXTS.pop(file, None)


def clear_readers() -> None:
    _READERS.clear()
    _TEXTS.clear()


def _file_text(file: Optional[str]) -> Optional[str]:
    if file in _TEXTS:
        return _TEXTS[file]
    read = _READERS.get(file)
    try:
        text = read() if read is not None else None
    except Exception:  # noqa: BLE001 - unreadable now: the document gets no exact position
        text = None
    if len(_TEXTS) >= _TEXTS_KEPT:
        _TEXTS.pop(next(iter(_TEXTS)))
    _TEXTS[file] = text
    return text


def _unknown_spans(value: Any, line: int):
    """Spans for a document whose text cannot be read again: its first line, for every node."""
    from array import array

    return array("i", (line + 1, 1, line + 1, 1) * (2 * _size(value)))


class _Parser(_CParser if _CParser is not None else object):  # type: ignore[misc]
    """libyaml composer with a resolver that leaves typing to us (plain vs quoted only)."""

    def resolve(self, kind, value, implicit):  # noqa: D401 - libyaml callback
        if value is not None and implicit[0]:
            return _PLAIN
        return _STR

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


# --------------------------------------------------------------------------- pure-Python fallback
#
# libyaml 0.1.7 rejects a few things go-yaml (and so kubectl) reads: a ':' inside a plain scalar
# in a flow collection (`[{image: registry/x:1.0}]`, `[http://host/]`) and the `\'` escape. For
# the rare document libyaml refuses, ruamel.yaml's pure-Python parser gets a second try, with
# go-yaml's table of double-quoted escapes (`\'` allowed, `\/` not: YAML 1.1).

_PURE = None


def _pure_yaml():
    global _PURE
    if _PURE is None:
        import ruamel.yaml
        from ruamel.yaml.resolver import VersionedResolver
        from ruamel.yaml.scanner import Scanner
        from ruamel.yaml.tag import Tag

        plain_tag, str_tag = Tag(suffix=_PLAIN), Tag(suffix=_STR)

        breaks = "\r\n\x85\u2028\u2029"

        class GoEscapesScanner(Scanner):
            ESCAPE_REPLACEMENTS = {k: v for k, v in Scanner.ESCAPE_REPLACEMENTS.items() if k != "/"}
            ESCAPE_REPLACEMENTS["'"] = "'"

            @property
            def scanner_processing_version(self):
                return (1, 1)  # go-yaml's: e.g. a '?' ends a plain scalar in a flow collection

            def _document_marker(self) -> bool:
                return self.reader.prefix(3) in ("---", "...") and self.reader.peek(3) in "\0 \t" + breaks

            def scan_plain_spaces(self, indent, start_mark):
                """The blanks inside a plain scalar; go-yaml, like libyaml, takes tabs there
                (ruamel refuses them)."""
                peek, forward = self.reader.peek, self.reader.forward
                n = 0
                while peek(n) in " \t":
                    n += 1
                blanks = self.reader.prefix(n)
                forward(n)
                if peek() not in breaks:
                    return [blanks] if blanks else []
                first = self.scan_line_break()
                self.allow_simple_key = True
                if self._document_marker():
                    return None
                more = []
                while peek() in " \t" + breaks:
                    if peek() in " \t":
                        forward()
                        continue
                    more.append(self.scan_line_break())
                    if self._document_marker():
                        return None
                folded = [first] if first != "\n" else ([] if more else [" "])
                return folded + more

        class PlainResolver(VersionedResolver):
            def resolve(self, kind, value, implicit):
                return plain_tag if value is not None and implicit[0] else str_tag

            def descend_resolver(self, *args):
                pass

            def ascend_resolver(self, *args):
                pass

        y = ruamel.yaml.YAML(typ="safe", pure=True)
        y.Resolver = PlainResolver
        y.Scanner = GoEscapesScanner
        _PURE = y
    return _PURE


_DOCUMENT_END = re.compile(r"^\.\.\.(?=[ \t\r\n]|\Z)", re.M)


def _compose_pure(text: str):
    """The first document's root node by ruamel's pure-Python parser, or None when empty.

    The text stops at the first `...` line: go-yaml reads nothing after it, while ruamel's
    scanner would already trip over what follows on that line. ruamel's warnings (a reused
    anchor, which go-yaml allows) never reach stderr: they would carry input text."""
    import warnings

    end = _DOCUMENT_END.search(text)
    if end is not None:
        text = text[:end.start()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = _pure_yaml().compose_all(text)
        try:
            return next(docs, None)
        finally:
            docs.close()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _mark_span(node, line_offset: int) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)


def _mark_tuple(node, line_offset: int) -> tuple:
    """Positions are stored as tuples (cheap) and become Spans only when asked for."""
    s, e = node.start_mark, node.end_mark
    return (s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)


class YamlConvertError(YamlSyntaxError):
    """Well-formed YAML that kubectl still refuses while converting it to JSON."""


_KEY_SPECIAL = frozenset(_SPECIAL)


class _Converter:
    """Nodes -> Python values + positions, with alias sharing and bomb/cycle bounds.

    Values are what sigs.k8s.io/yaml hands on as JSON: map keys become strings (`on:` is
    "true", `1:` is "1"), `<<` merges overwrite keys set before them, and what JSON cannot hold
    (`.inf`, `.nan`, null or collection keys) is an error for the whole document."""

    __slots__ = ("line_offset", "text", "positions", "key_positions", "duplicates",
                 "memo", "stack", "expanded", "flow_template", "max_nodes", "pure", "surrogates")

    def __init__(self, text: str, line_offset: int, max_nodes: int = MAX_EXPANDED_NODES,
                 pure: bool = False):
        self.text = text
        self.line_offset = line_offset
        self.positions: Dict[Path, tuple] = {}
        self.key_positions: Dict[Path, tuple] = {}
        self.duplicates: List[Tuple[Path, Span, Span]] = []
        self.memo: Dict[int, Tuple[Any, int]] = {}
        self.stack: set = set()
        self.expanded = 0
        self.flow_template: Optional[Span] = None
        self.max_nodes = max_nodes
        self.pure = pure
        # a `\uD800`-style escape gives a lone surrogate, which go-yaml refuses
        self.surrogates = "\\u" in text or "\\U" in text

    def _tag(self, node) -> str:
        return str(node.ctag) if self.pure else node.ctag.suffix  # `node.tag` is a slow property

    def convert(self, node, path: Path) -> Tuple[Any, int]:
        """Return (value, expanded node count of the subtree)."""
        key = id(node)
        seen = self.memo.get(key)
        if seen is not None:  # an alias: share the value, count its full size
            self.expanded += seen[1]
            if self.expanded > self.max_nodes:
                raise YamlLimitError(
                    f"alias expansion exceeds {self.max_nodes:,} nodes (a 'billion laughs' bomb?)",
                    _mark_span(node, self.line_offset),
                )
            self.positions.setdefault(path, _mark_tuple(node, self.line_offset))
            return seen
        if key in self.stack:
            raise YamlLimitError("recursive alias (a node contains itself)", _mark_span(node, self.line_offset))
        if len(path) > MAX_DEPTH:
            raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", _mark_span(node, self.line_offset))
        self.expanded += 1
        if self.expanded > self.max_nodes:
            raise YamlLimitError(
                f"document has more than {self.max_nodes:,} nodes", _mark_span(node, self.line_offset)
            )
        self.positions[path] = _mark_tuple(node, self.line_offset)
        cls = node.__class__.__name__
        if cls == "ScalarNode":
            tag = str(node.ctag) if self.pure else node.ctag.suffix  # `node.tag` is a slow property
            if tag == _PLAIN:
                value = type_plain_scalar(node.value)
                if value.__class__ is float and (value != value or value == _INF or value == -_INF):
                    raise YamlConvertError(
                        f"`{node.value}` has no JSON form (kubectl: json: unsupported value)",
                        _mark_span(node, self.line_offset), help=f'quote it ("{node.value}") or write a finite number',
                        notes=("kubectl: error converting YAML to JSON: json: unsupported value: "
                               + ("NaN" if value != value else "+Inf" if value > 0 else "-Inf"),))
            elif tag == _STR:
                value = node.value
                if self.surrogates and _SURROGATE.search(value):
                    raise YamlSyntaxError("found invalid Unicode character escape code",
                                          _mark_span(node, self.line_offset))
            else:
                try:
                    value = _type_tagged(tag, node.value)
                except _TagMismatch as exc:
                    raise YamlConvertError(str(exc), _mark_span(node, self.line_offset),
                                           help="drop the tag or make the value match it",
                                           notes=(f"kubectl: error converting YAML to JSON: yaml: {exc}",)) from None
                if value.__class__ is float and (value != value or value == _INF or value == -_INF):
                    raise YamlConvertError(
                        f"`{node.value}` has no JSON form (kubectl: json: unsupported value)",
                        _mark_span(node, self.line_offset))
            result = (value, 1)
        else:
            self.stack.add(key)
            try:
                if cls == "MappingNode":
                    result = self._mapping(node, path)
                else:
                    result = self._sequence(node, path)
            finally:
                self.stack.discard(key)
        self.memo[key] = result
        return result

    def _sequence(self, node, path: Path):
        out: List[Any] = []
        size = 1
        for i, child in enumerate(node.value):
            v, n = self.convert(child, path + (i,))
            out.append(v)
            size += n
        return out, size

    def _key(self, knode) -> str:
        """A map key as JSON sees it (a string), or an error for keys JSON cannot have."""
        if knode.__class__.__name__ != "ScalarNode":
            raise YamlConvertError("a sequence or mapping cannot be a map key (kubectl: invalid map key)",
                                   _mark_span(knode, self.line_offset), help="use a plain or quoted string as the key",
                                   notes=("kubectl: error converting YAML to JSON: yaml: invalid map key",))
        k = knode.value
        tag = str(knode.ctag) if self.pure else knode.ctag.suffix
        if tag == _PLAIN:
            if k not in _KEY_SPECIAL and k[0] not in _NUMBER_START and k[0] != ".":
                return k
            value = type_plain_scalar(k)
        elif tag == _STR:
            if self.surrogates and _SURROGATE.search(k):
                raise YamlSyntaxError("found invalid Unicode character escape code", _mark_span(knode, self.line_offset))
            return k
        else:
            try:
                value = _type_tagged(tag, k)
            except _TagMismatch as exc:
                raise YamlConvertError(str(exc), _mark_span(knode, self.line_offset)) from None
        if value is None:
            raise YamlConvertError("a null map key cannot become JSON (kubectl: unsupported map key)",
                                   _mark_span(knode, self.line_offset), help='name the key, or quote it ("~")',
                                   notes=("kubectl: error converting YAML to JSON: unsupported map key of type: <nil>",))
        if value is True:
            return "true"
        if value is False:
            return "false"
        if value.__class__ is int:
            return str(value)
        if value.__class__ is float:
            return _go_float_key(value)
        return value

    def _mapping(self, node, path: Path):
        if self.flow_template is None and node.flow_style:
            idx = node.start_mark.index
            if self.text.startswith("{{", idx):
                self.flow_template = _mark_span(node, self.line_offset)
        out: Dict[Any, Any] = {}
        size = 1
        for knode, vnode in node.value:
            if knode.__class__.__name__ == "ScalarNode" and knode.value == "<<" and self._tag(knode) == _PLAIN:
                size += self._merge(vnode, path, out)
                continue
            k = self._key(knode)
            cpath = path + (k,)
            kspan = _mark_tuple(knode, self.line_offset)
            if k in out:
                self.duplicates.append((cpath, Span(*kspan), Span(*self.key_positions.get(cpath, kspan))))
            self.key_positions[cpath] = kspan
            v, n = self.convert(vnode, cpath)
            out[k] = v
            size += n + 1
        self.positions.pop(path + ("<<",), None)
        return out, size

    def _merge(self, mnode, path: Path, out: Dict[Any, Any]) -> int:
        """YAML 1.1 merge, as go-yaml v2 does it: the merged keys overwrite keys set before the
        `<<` (keys after it win), and in `<<: [*a, *b]` the earlier map wins."""
        is_seq = mnode.__class__.__name__ == "SequenceNode"
        sources = mnode.value if is_seq else [mnode]
        size = 0
        values = []
        for src in sources:
            v, n = self.convert(src, path + ("<<",))
            size += n
            if not isinstance(v, dict):
                raise YamlConvertError("map merge requires map or sequence of maps as the value",
                                       _mark_span(src, self.line_offset), help="merge (`<<:`) only a mapping or a list of mappings",
                                       notes=("kubectl: error converting YAML to JSON: yaml: map merge requires map or "
                                              "sequence of maps as the value",))
            values.append(v)
        span = _mark_tuple(mnode, self.line_offset)
        for v in reversed(values):
            for mk, mv in v.items():
                out[mk] = mv
                self.positions[path + (mk,)] = span
                self.key_positions[path + (mk,)] = span
        return size


def _error_span(exc, line_offset: int) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        column = mark.column + 1
        if str(getattr(exc, "problem", "")).startswith("found unknown escape character '") and column > 1:
            column -= 1  # ruamel's pure scanner marks the character after the backslash
        return Span(mark.line + 1 + line_offset, column)
    return Span(line_offset + 1, 1)


def _error_text(exc) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        text = f"{context}, {problem}" if context else str(problem)
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return " ".join(text.split())


def _check_depth(chunk: Chunk) -> None:
    """libyaml composes recursively in C: bound nesting before composing.

    A cheap upper bound (length, then flow brackets + lines + compact entries) clears almost every
    document; only when it exceeds the limit do we count real depth from the event stream.
    """
    text = chunk.text
    if len(text) < MAX_DEPTH:  # every level costs at least one character
        return
    # every level opens with a bracket, a new line, or a compact '- ' / '? ' on the same line
    bound = text.count("\n") + text.count("[") + text.count("{") + text.count("-") + text.count("?") + 1
    if bound <= MAX_DEPTH:
        return
    parser = _Parser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            name = event.__class__.__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", _mark_span(event, chunk.line))
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name in ("StreamEndEvent", "DocumentEndEvent"):
                return
    except YamlLimitError:
        raise
    except Exception:
        return  # a syntax error: the parse that follows reports it


# A document rclint does not read is only syntax-checked by libyaml, unless it may hold what only
# a full parse catches: a `\/` escape in double quotes (libyaml takes it, go-yaml refuses it), an
# alias (an unknown one fails only when composing), a `!!` tag (`!!int abc` fails in go-yaml) or
# a `.inf`/`.nan` value (kubectl cannot convert it to JSON). Only cheap literal tests: this runs on
# every such document, so it must cost far less than the libyaml check itself. (Null or
# collection keys and bad `<<` merges are left to documents rclint reads; see the README.)
_ALIAS = re.compile(r"\*[-\w]")
_SPECIAL_FLOAT = re.compile(r"\.(?:inf|Inf|INF|nan|NaN|NAN)")
# where a node (so an alias or a tag) can start: the document's start, or after a line break
# (YAML 1.1's include NEL, LS and PS) or a mapping, sequence, flow or explicit-key indicator,
# blanks between; `*word*` or `Policy!!` inside prose (a CRD's descriptions) is none of these
_NODE_START = frozenset(":-[{,?\r\n\x85\u2028\u2029\ufeff")


def _at_node_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in _NODE_START


def _alias_at_node(text: str) -> bool:
    return any(_at_node_start(text, m.start()) for m in _ALIAS.finditer(text))


def _tag_at_node(text: str) -> bool:
    i = text.find("!!")
    while i >= 0:
        if i == 0 or text[i - 1] in " \t" or _at_node_start(text, i):
            return True
        i = text.find("!!", i + 2)
    return False


def _infinity(text: str) -> bool:
    """A whole `.inf`/`.nan` scalar, not `node.info`."""
    for m in _SPECIAL_FLOAT.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if not (before.isalnum() or before in "_.") and not (after.isalnum() or after in "_."):
            return True
    return False


def _odd_slashes(text: str) -> List[int]:
    """Offsets of every `\\/` that is an escape (after an even run of backslashes)."""
    out = []
    i = text.find("\\/")
    while i >= 0:
        j = i
        while j > 0 and text[j - 1] == "\\":
            j -= 1
        if (i - j) % 2 == 0:
            out.append(i)
        i = text.find("\\/", i + 2)
    return out


def _slash_escape(text: str) -> bool:
    """Whether a `\\/` escape may sit in a double-quoted scalar (a `"` before it on its line):
    libyaml 0.1.7 takes it (YAML 1.2), go-yaml refuses it (YAML 1.1). In single quotes, plain and
    block scalars it is two plain characters for both; `\\'` needs no test (libyaml refuses it
    in double quotes, so the fallback parser decides)."""
    return any('"' in text[text.rfind("\n", 0, i) + 1:i] for i in _odd_slashes(text))


def _slash_in_double_quotes(root, offsets: List[int]) -> bool:
    """Whether a double-quoted scalar of the composed document holds one of `offsets`."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        name = node.__class__.__name__
        if name == "ScalarNode":
            if node.style == '"':
                start, end = node.start_mark.index, node.end_mark.index
                if any(start <= i < end for i in offsets):
                    return True
        elif name == "MappingNode":
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        else:
            stack.extend(node.value)
    return False


def _needs_full_parse(text: str) -> bool:
    # (Text after a `...` needs no test here: kubectl ignores it, and when libyaml's syntax check
    # stumbles on it the full parse, which reads only the first document, decides.)
    if "\\" in text and _slash_escape(text):
        return True
    if "*" in text and _alias_at_node(text):
        return True
    return ("!!" in text and _tag_at_node(text)) or ("." in text and _infinity(text))


_ANCHOR_NAME = re.compile(r"[-\w]+")
_AFTER_ANCHOR = frozenset(" \t\r\n,:?]}")


def _check_anchor_names(root, text: str, line_offset: int) -> None:
    """go-yaml ends an anchor name at the first character that is not alphanumeric, `-` or `_`
    and wants a blank or `,:?]}` there; ruamel's pure-Python parser takes `&a"x"` as the anchor
    `a"x"`. Refuse what go-yaml refuses (aliases to such names fail on their own)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        anchor = getattr(node, "anchor", None)
        if anchor is not None:
            anchor = str(anchor)
            i = node.start_mark.index
            after = text[i + 1 + len(anchor):i + 2 + len(anchor)] if text.startswith("&" + anchor, i) else ""
        if anchor is not None and (not _ANCHOR_NAME.fullmatch(anchor) or (after and after not in _AFTER_ANCHOR)):
            mark = node.start_mark
            raise YamlSyntaxError("while scanning an anchor, did not find expected alphabetic or numeric character",
                                  Span(mark.line + 1 + line_offset, mark.column + 1))
        name = node.__class__.__name__
        if name == "MappingNode":
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif name == "SequenceNode":
            stack.extend(node.value)


def _compose_first(chunk: Chunk):
    """(root node or None, pure) for the chunk's first document, as go-yaml would read it."""
    text = chunk.text
    try:
        parser = _Parser(text)
        node = parser.get_node() if parser.check_node() else None
    except Exception as libyaml_error:
        try:
            node = _compose_pure(text)
        except RecursionError:
            raise
        except Exception:
            raise libyaml_error from None
        if node is not None and "&" in text:
            _check_anchor_names(node, text, chunk.line)
        return node, True
    if node is not None and "\\" in text:
        offsets = _odd_slashes(text)
        if offsets and _slash_in_double_quotes(node, offsets):
            return _compose_pure(text), True  # go-yaml's escape table refuses `\\/`: say where
    return node, False


def check_syntax(chunk: Chunk) -> None:
    """Check a chunk the way kubectl would read it, building nothing when that is safe
    (raises YamlSyntaxError, YamlLimitError)."""
    if _CParser is None:
        require_c_parser()
    text = chunk.text
    if not _needs_full_parse(text):
        # libyaml parses without recursion (only composing recurses), but its time grows with
        # the square of the flow nesting: bound it when the brackets could nest too deep
        try:
            if len(text) >= MAX_DEPTH and text.count("[") + text.count("{") > MAX_DEPTH:
                _check_depth(chunk)
            _Parser(text).raw_parse()
            return
        except YamlLimitError:
            raise
        except Exception:
            pass  # maybe one libyaml 0.1.7 refuses and go-yaml reads: the full path decides
    for _doc in parse_chunk(chunk, "", 0):
        pass


def parse_chunk(chunk: Chunk, path: str, first_index: int = 0,
                max_nodes: int = MAX_EXPANDED_NODES, shape_of=None) -> Iterator[YamlDoc]:
    """Parse one chunk as kubectl does: its first YAML document (anything after a `...` is never
    read). Yields one YamlDoc, or nothing for an empty document.

    The common document (no anchors, escapes, merge, duplicate, tagged or typed keys, no tags,
    no infinities, no template-like flow mappings) is converted without positions: they are
    recovered from the chunk the first time a finding points into it. Anything else takes the
    full converter.

    `shape_of(root node)`, when given, says what of such a document to keep (see
    `_shaped_value`; None: all of it): such a projected document's positions are recovered for
    the nodes it keeps only."""
    require_c_parser()
    doc = None
    try:
        _check_depth(chunk)
        node = None
        if perf.FAST and _light_candidate(chunk.text, max_nodes):
            node, pure = _compose_first_light(chunk)
            if node is None:
                return
            if not pure:
                try:
                    shape = shape_of(node) if shape_of is not None else None
                    value = _fast_value(node, chunk.text, 0) if shape is None else _shaped_value(node, chunk.text, 0, shape)
                except _NeedFull:
                    node = None  # the full converter reads ruamel's own nodes
                else:
                    doc = YamlDoc(path, first_index, value, None, None, source=LazySource(chunk, 0, max_nodes))
                    doc.source.projected = shape is not None
        if doc is None:
            if node is None:
                node, pure = _compose_first(chunk)
            if node is None:
                return
            conv = _Converter(chunk.text, chunk.line, max_nodes, pure)
            value, _ = conv.convert(node, ())
            doc = YamlDoc(path, first_index, value, conv.positions, conv.key_positions,
                          conv.duplicates, conv.flow_template)
    except (YamlLimitError, YamlSyntaxError):
        raise
    except RecursionError:
        raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", Span(chunk.line + 1, 1)) from None
    except Exception as exc:  # libyaml scanner/parser/composer/reader errors
        help, span = "", _error_span(exc, chunk.line)
        stripped = chunk.text.lstrip()
        if stripped.startswith("%"):  # point at the directive, not at the `---` after it
            help = ("delete the `%YAML`/`%TAG` line: kubectl splits at `---` first, so a directive "
                    "stands alone, and it reads YAML 1.1 anyway")
            span = Span(chunk.line + chunk.text.count("\n", 0, len(chunk.text) - len(stripped)) + 1, 1)
        raise YamlSyntaxError(_error_text(exc), span, help=help) from None
    yield doc


_EVERY = object()  # _recover_positions: every node, not a projection's


def _recover_positions(chunk: Chunk, keep: Any = _EVERY):
    """Spans of a chunk's document that parsed before on the fast path (no aliases, merges,
    duplicates or typed keys: its nodes and its value correspond one to one), in document
    order, 8 ints a node: the span of the key holding it (0s when none), then its own. With
    `keep`, the document's projection (parse_chunk's shape_of): only the nodes it keeps, in
    its own order, so that `_locate` over the projection indexes them."""
    from array import array

    node = _compose_first_light(chunk)[0]
    off = chunk.line + 1
    out = array("i")
    none = (0, 0, 0, 0)
    stack = [(node, None, keep)]
    while stack:
        node, key, keep = stack.pop()
        if key is None:
            out.extend(none)
        else:
            s, e = key.start_mark, key.end_mark
            out.extend((s.line + off, s.column + 1, e.line + off, e.column + 1))
        s, e = node.start_mark, node.end_mark
        out.extend((s.line + off, s.column + 1, e.line + off, e.column + 1))
        if keep is _EVERY:
            cls = node.__class__.__name__
            if cls == "MappingNode":
                stack.extend((v, k, _EVERY) for k, v in reversed(node.value))
            elif cls == "SequenceNode":
                stack.extend((c, None, _EVERY) for c in reversed(node.value))
        elif isinstance(keep, dict):  # the node's keys or some of them, in its order (see _shaped_value)
            pairs = node.value if len(node.value) == len(keep) else [p for p in node.value if p[0].value in keep]
            stack.extend((vn, kn, v) for (kn, vn), v in zip(reversed(pairs), reversed(keep.values())))
        elif isinstance(keep, list):
            stack.extend((c, None, v) for c, v in reversed(list(zip(node.value, keep))))
    return out


def _size(value: Any) -> int:
    """Nodes in a value's subtree (a fast-path value: one node per dict, list and scalar)."""
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _locate(value: Any, path: Path) -> Tuple[bool, int, bool]:
    """(whole path found, document-order index of the deepest node found, held by a mapping key)."""
    index = 0
    keyed = False
    for part in path:
        if isinstance(value, dict):
            if isinstance(part, (list, dict)) or part not in value:
                return False, index, keyed
            here = index
            index += 1
            for k, v in value.items():
                if k == part and type(k) is type(part):
                    break
                index += _size(v)
            else:
                return False, here, keyed
            value, keyed = value[part], True
        elif isinstance(value, list):
            if type(part) is not int or not 0 <= part < len(value):
                return False, index, keyed
            index += 1 + sum(_size(v) for v in value[:part])
            value, keyed = value[part], False
        else:
            return False, index, keyed
    return True, index, keyed


# ------------------------------------------------------------------ composing, fast path


class _LightNode:
    """What libyaml's composer builds for the fast path: the fields it reads, in slots, set by a
    constructor of the same signature as ruamel.yaml's nodes (whose Python-side __init__ also
    wraps every tag in an object)."""

    __slots__ = ("ctag", "value", "start_mark", "end_mark", "flow_style")

    def __init__(self, tag, value, start_mark=None, end_mark=None, flow_style=None, comment=None, anchor=None):
        self.ctag = tag
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.flow_style = flow_style


class ScalarNode(_LightNode):
    __slots__ = ()


class SequenceNode(_LightNode):
    __slots__ = ()


class MappingNode(_LightNode):
    __slots__ = ()


def _light_candidate(text: str, max_nodes: int) -> bool:
    """Text the fast path may take: no anchors (so no aliases, no anchor-name checks), no
    backslash (so no escapes to judge), too short to exceed the node bound."""
    return "&" not in text and "\\" not in text and 2 * len(text) + 1 < max_nodes


def _compose_first_light(chunk: Chunk):
    """`_compose_first` with light nodes from libyaml (ruamel's pure fallback is unaffected)."""
    module = sys.modules.get(_CParser.__module__)
    saved = None
    if module is not None and getattr(module, "ScalarNode", None) is not None:
        saved = (module.ScalarNode, module.SequenceNode, module.MappingNode)
        module.ScalarNode, module.SequenceNode, module.MappingNode = ScalarNode, SequenceNode, MappingNode
    try:
        return _compose_first(chunk)
    finally:
        if saved is not None:
            module.ScalarNode, module.SequenceNode, module.MappingNode = saved


class _NeedFull(Exception):
    """The document needs the full converter."""


_intern = sys.intern


def _plain_key(knode) -> str:
    """The text of a mapping key the fast paths take: a string scalar that is itself (not null,
    a bool, a number, a merge) as JSON sees it; anything else raises _NeedFull."""
    if knode.__class__ is not ScalarNode:
        raise _NeedFull
    k = knode.value
    ktag = knode.ctag
    if ktag == _PLAIN:
        if not k or k in _KEY_SPECIAL or k[0] in _NUMBER_START or k[0] == "." or k == "<<":
            raise _NeedFull
    elif ktag != _STR:
        raise _NeedFull
    return k


def _fast_value(node, text: str, depth: int) -> Any:
    """A node as a plain value, no positions: the common case of `_Converter.convert`, which
    decides everything else (it raises the same errors a full conversion would)."""
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar_value(node.ctag, node.value)
    if depth >= MAX_DEPTH:
        raise _NeedFull
    depth += 1
    if cls is SequenceNode:
        return [_fast_value(child, text, depth) for child in node.value]
    if cls is not MappingNode or (node.flow_style and text.startswith("{{", node.start_mark.index)):
        raise _NeedFull
    out: Dict[Any, Any] = {}
    for knode, vnode in node.value:
        k = _plain_key(knode)
        if k in out:
            raise _NeedFull
        if vnode.__class__ is ScalarNode:  # most values: no call for them
            out[_intern(k)] = _scalar_value(vnode.ctag, vnode.value)
        else:
            out[_intern(k)] = _fast_value(vnode, text, depth)
    return out


_NONFINITE = frozenset(t for t, v in _SPECIAL.items() if v.__class__ is float)


def _fast_check(node, text: str, depth: int) -> None:
    """What `_fast_value` would decide about a node, building nothing: raises _NeedFull
    exactly when it would (for a subtree a projection leaves out)."""
    cls = node.__class__
    if cls is ScalarNode:
        tag = node.ctag
        if tag != _STR and (tag != _PLAIN or node.value in _NONFINITE):
            raise _NeedFull
        return
    if depth >= MAX_DEPTH:
        raise _NeedFull
    depth += 1
    if cls is SequenceNode:
        children = node.value
    elif cls is not MappingNode or (node.flow_style and text.startswith("{{", node.start_mark.index)):
        raise _NeedFull
    else:
        seen = set()
        children = []
        for knode, vnode in node.value:
            k = _plain_key(knode)
            if k in seen:
                raise _NeedFull
            seen.add(k)
            children.append(vnode)
    for child in children:
        if child.__class__ is ScalarNode:  # most values: no call for them
            tag = child.ctag
            if tag != _STR and (tag != _PLAIN or child.value in _NONFINITE):
                raise _NeedFull
        else:
            _fast_check(child, text, depth)


def _shaped_value(node, text: str, depth: int, shape) -> Any:
    """`_fast_value` keeping only what `shape` asks for: True, everything; ("map", fields,
    default), a mapping whose key k keeps `fields.get(k, default)` of its value (None: the value
    is checked, and None kept in its place; False: checked, and the key left out); ("list",
    item), a sequence of items shaped so. A node of another kind than its shape expects is kept
    whole. Raises _NeedFull exactly when `_fast_value` would. Kept keys keep the node's order."""
    if shape is True:
        return _fast_value(node, text, depth)
    cls = node.__class__
    if shape[0] == "list":
        if cls is not SequenceNode:
            return _fast_value(node, text, depth)
        if depth >= MAX_DEPTH:
            raise _NeedFull
        return [_shaped_value(child, text, depth + 1, shape[1]) for child in node.value]
    if cls is not MappingNode:
        return _fast_value(node, text, depth)
    if depth >= MAX_DEPTH:
        raise _NeedFull
    depth += 1
    if node.flow_style and text.startswith("{{", node.start_mark.index):
        raise _NeedFull
    fields, default = shape[1], shape[2]
    out: Dict[Any, Any] = {}
    seen = set()
    for knode, vnode in node.value:
        k = _plain_key(knode)
        if k in seen:
            raise _NeedFull
        seen.add(k)
        sub = fields.get(k, default)
        if sub is None or sub is False:
            _fast_check(vnode, text, depth)
            if sub is None:
                out[_intern(k)] = None
        elif vnode.__class__ is ScalarNode:
            out[_intern(k)] = _scalar_value(vnode.ctag, vnode.value)
        else:
            out[_intern(k)] = _shaped_value(vnode, text, depth, sub)
    return out


def scalar_node_value(node) -> Any:
    """A fast-path scalar node's value (raises _NeedFull where the full converter must decide)."""
    return _scalar_value(node.ctag, node.value)


def _scalar_value(tag: str, value: str) -> Any:
    if len(value) <= 16:  # names, ports, flags, units: repeated across documents, shared once
        value = _intern(value)
    if tag == _STR:
        return value
    if tag != _PLAIN:
        raise _NeedFull
    typed = type_plain_scalar(value)
    if typed.__class__ is float and (typed != typed or typed == _INF or typed == -_INF):
        raise _NeedFull  # no JSON form: the full converter says so
    return typed
