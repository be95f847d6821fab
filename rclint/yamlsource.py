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

import re
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
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


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

_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_ONLY_PREAMBLE = re.compile(r"\A(?:[ \t]*(?:#[^\n]*|%[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*|%[^\n]*)?\Z")


@dataclass
class Chunk:
    """A slice of a file holding (usually) one document. `line` is its 0-based first line."""

    text: str
    line: int
    offset: int


def split_documents(text: str) -> List[Chunk]:
    """Split at `---` lines; a chunk holding only comments/directives joins the next one."""
    starts = [m.start() for m in _DOC_START.finditer(text)] if "---" in text else []
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks: List[Chunk] = []
    line = 0
    pending_start: Optional[int] = None
    pending_line = 0
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        if pending_start is None:
            pending_start, pending_line = start, line
        piece = text[pending_start:end]
        line += text.count("\n", start, end)
        if i + 1 < len(starts) and _ONLY_PREAMBLE.match(text, start, end) and not text.startswith("---", start):
            continue  # directives/comments before a '---': keep them with the next document
        chunks.append(Chunk(piece, pending_line, pending_start))
        pending_start = None
    return chunks


# --------------------------------------------------------------------------- scalars

_PLAIN = "?"  # tag our resolver gives plain (unquoted) scalars; typed later
_STR = "tag:yaml.org,2002:str"

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUES = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"])
_FALSES = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"])
_INT = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)\Z")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?\Z"
    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)


# Python cannot print an integer of more than 4,300 digits (and nothing in Kubernetes holds one):
# a longer integer stays text (go-yaml v2 also keeps integers that overflow 64 bits as strings).
_MAX_INT_BITS = 14_000


def _parse_int(text: str) -> int:
    value = _parse_int_unbounded(text)
    if value.bit_length() > _MAX_INT_BITS:
        raise ValueError("integer too large")
    return value


def _parse_int_unbounded(text: str) -> int:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    if t.startswith("0b"):
        return sign * int(t[2:], 2)
    if t.startswith("0x"):
        return sign * int(t[2:], 16)
    if t.startswith("0o"):
        return sign * int(t[2:], 8)
    if len(t) > 1 and t.startswith("0"):
        return sign * int(t, 8)
    return sign * int(t)


def type_plain_scalar(text: str) -> Any:
    """Type an unquoted scalar as go-yaml v2 (and so kubectl) does."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    c = text[0]
    if c.isdigit() or c in "+-.":
        if _INT.match(text):
            try:
                return _parse_int(text)
            except ValueError:
                return text
        if _FLOAT.match(text):
            low = text.lower()
            if "inf" in low:
                return float("-inf") if low.startswith("-") else float("inf")
            if "nan" in low:
                return float("nan")
            try:
                return float(text.replace("_", ""))
            except ValueError:
                return text
    return text


def _type_tagged(tag: str, text: str) -> Any:
    if tag.endswith(":str") or tag == "!":
        return text
    if tag.endswith(":int"):
        try:
            return _parse_int(text)
        except ValueError:
            return text
    if tag.endswith(":float"):
        try:
            return float(text)
        except ValueError:
            return text
    if tag.endswith(":bool"):
        if text in _TRUES:
            return True
        if text in _FALSES:
            return False
        return text
    if tag.endswith(":null"):
        return None
    return text  # custom tags (!Ref, !!binary ...) keep their text


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
    # (chunk, number of the document in the chunk, max_nodes): where positions are recovered
    # from when a finding points into this document; most documents never need them
    source: Optional[tuple] = field(default=None, repr=False, compare=False)

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

    def _compact(self):
        """Spans of every node in document order, recovered from the chunk on first use."""
        spans = self.source[3] if len(self.source) > 3 else None
        if spans is None:
            chunk, number, max_nodes = self.source[:3]
            spans = _recover_positions(chunk, number)
            self.source = (chunk, number, max_nodes, spans)
        return spans

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


def _mark_span(node, line_offset: int) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)


def _mark_tuple(node, line_offset: int) -> tuple:
    """Positions are stored as tuples (cheap) and become Spans only when asked for."""
    s, e = node.start_mark, node.end_mark
    return (s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)


class _Converter:
    """Nodes -> Python values + positions, with alias sharing and bomb/cycle bounds."""

    __slots__ = ("line_offset", "text", "positions", "key_positions", "duplicates",
                 "memo", "stack", "expanded", "flow_template", "max_nodes")

    def __init__(self, text: str, line_offset: int, max_nodes: int = MAX_EXPANDED_NODES):
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
            tag = node.ctag  # the raw tag string (light nodes); `node.tag` is a slow property
            if tag.__class__ is not str:
                tag = tag.suffix
            if tag == _PLAIN:
                value = type_plain_scalar(node.value)
            elif tag == _STR:
                value = node.value
            else:
                value = _type_tagged(tag, node.value)
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

    def _mapping(self, node, path: Path):
        if self.flow_template is None and node.flow_style:
            idx = node.start_mark.index
            if self.text.startswith("{{", idx):
                self.flow_template = _mark_span(node, self.line_offset)
        out: Dict[Any, Any] = {}
        size = 1
        merges = []
        for knode, vnode in node.value:
            kcls = knode.__class__.__name__
            if kcls == "ScalarNode":
                k = knode.value
                ktag = knode.ctag
                if ktag.__class__ is not str:
                    ktag = ktag.suffix
                if k == "<<" and ktag == _PLAIN:
                    merges.append(vnode)
                    continue
                if ktag not in (_PLAIN, _STR):
                    k = _type_tagged(ktag, k)
                    k = k if isinstance(k, str) else knode.value
            else:
                k = self.text[knode.start_mark.index:knode.end_mark.index] or "<complex key>"
            cpath = path + (k,)
            kspan = _mark_tuple(knode, self.line_offset)
            if k in out:
                self.duplicates.append((cpath, Span(*kspan), Span(*self.key_positions.get(cpath, kspan))))
            self.key_positions[cpath] = kspan
            v, n = self.convert(vnode, cpath)
            out[k] = v
            size += n + 1
        for mnode in merges:  # YAML 1.1 merge keys: explicit keys win, earlier merges win
            sources = mnode.value if mnode.__class__.__name__ == "SequenceNode" else [mnode]
            for src in sources:
                v, n = self.convert(src, path + ("<<",))
                size += n
                if isinstance(v, dict):
                    span = _mark_tuple(mnode, self.line_offset)
                    for mk, mv in v.items():
                        if mk not in out:
                            out[mk] = mv
                            self.positions.setdefault(path + (mk,), span)
                            self.key_positions.setdefault(path + (mk,), span)
        self.positions.pop(path + ("<<",), None)
        return out, size


def _error_span(exc, line_offset: int) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return Span(mark.line + 1 + line_offset, mark.column + 1)
    return Span(line_offset + 1, 1)


def _error_text(exc) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        text = f"{context}, {problem}" if context else str(problem)
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return " ".join(text.split())


_BRACKETS = re.compile(r"[\[{]")


def _check_depth(chunk: Chunk) -> None:
    """libyaml composes recursively in C: bound nesting before composing.

    A cheap upper bound (flow brackets + lines + compact '- ' entries) clears almost every
    document; only when it exceeds the limit do we count real depth from the event stream.
    """
    text = chunk.text
    bound = text.count("[") + text.count("{") + text.count("\n") + text.count("- ") + 1
    if bound <= MAX_DEPTH:
        return
    parser = _Parser(text)
    depth = 0
    while True:
        event = parser.get_event()
        name = event.__class__.__name__
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", _mark_span(event, chunk.line))
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1
        elif name == "StreamEndEvent":
            return


def check_syntax(chunk: Chunk) -> None:
    """Run libyaml's parser over a chunk without building anything (raises YamlSyntaxError)."""
    require_c_parser()
    if perf.FAST:
        # libyaml's event parser keeps its own stack, so deep nesting costs it nothing: bound the
        # depth (an event loop in Python) only to judge a document that has a syntax error
        try:
            _Parser(chunk.text).raw_parse()
            return
        except Exception:  # noqa: BLE001 - judged below exactly as without the shortcut
            pass
    try:
        _check_depth(chunk)
        _Parser(chunk.text).raw_parse()
    except (YamlLimitError, YamlSyntaxError):
        raise
    except Exception as exc:
        raise YamlSyntaxError(_error_text(exc), _error_span(exc, chunk.line)) from None


def parse_chunk(chunk: Chunk, path: str, first_index: int = 0,
                max_nodes: int = MAX_EXPANDED_NODES) -> Iterator[YamlDoc]:
    """Parse one chunk; yields a YamlDoc per document (usually one).

    The common document (no anchors, duplicate keys, merge keys, complex or tagged keys, or
    template-like flow mappings) is converted without positions; they are recovered from the
    chunk when first asked for. Anything else takes the full path at once."""
    require_c_parser()
    try:
        _check_depth(chunk)
        nodes = _compose_all(chunk.text)
        lazy = perf.FAST and "&" not in chunk.text and 2 * len(chunk.text) + 1 < max_nodes
        for number, node in enumerate(nodes):
            if lazy:
                try:
                    value = _fast_value(node, chunk.text, 0)
                except _NeedFull:
                    pass
                else:
                    yield YamlDoc(path, first_index + number, value, None, None,
                                  source=(chunk, number, max_nodes))
                    continue
            conv = _Converter(chunk.text, chunk.line, max_nodes)
            value, _ = conv.convert(node, ())
            yield YamlDoc(path, first_index + number, value, conv.positions, conv.key_positions,
                          conv.duplicates, conv.flow_template)
    except (YamlLimitError, YamlSyntaxError):
        raise
    except RecursionError:
        raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", Span(chunk.line + 1, 1)) from None
    except Exception as exc:  # libyaml scanner/parser/composer/reader errors
        raise YamlSyntaxError(_error_text(exc), _error_span(exc, chunk.line)) from None


def _recover_positions(chunk: Chunk, number: int):
    """Spans of the `number`-th document of a chunk that parsed before on the fast path (no
    aliases, merges or duplicates: its nodes and its value correspond one to one), in document
    order, 8 ints a node: the span of the key holding it (0s when none), then its own."""
    from array import array

    node = _compose_all(chunk.text)[number]
    off = chunk.line + 1
    out = array("i")
    none = (0, 0, 0, 0)
    stack = [(node, None)]
    while stack:
        node, key = stack.pop()
        if key is None:
            out.extend(none)
        else:
            s, e = key.start_mark, key.end_mark
            out.extend((s.line + off, s.column + 1, e.line + off, e.column + 1))
        s, e = node.start_mark, node.end_mark
        out.extend((s.line + off, s.column + 1, e.line + off, e.column + 1))
        cls = node.__class__.__name__
        if cls == "MappingNode":
            stack.extend((v, k) for k, v in reversed(node.value))
        elif cls == "SequenceNode":
            stack.extend((c, None) for c in reversed(node.value))
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
    """What libyaml's composer builds for us when the fast paths are on: the fields we read,
    in slots, set by a constructor of the same signature as ruamel.yaml's nodes (whose
    Python-side __init__ also wraps every tag in an object)."""

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


def _compose_all(text: str) -> list:
    """Every document of `text` as nodes (light ones when the fast paths are on)."""
    module = sys.modules.get(_CParser.__module__) if perf.FAST else None
    saved = None
    if module is not None and getattr(module, "ScalarNode", None) is not None:
        saved = (module.ScalarNode, module.SequenceNode, module.MappingNode)
        module.ScalarNode, module.SequenceNode, module.MappingNode = ScalarNode, SequenceNode, MappingNode
    try:
        parser = _Parser(text)
        nodes = []
        while parser.check_node():
            nodes.append(parser.get_node())
        return nodes
    finally:
        if saved is not None:
            module.ScalarNode, module.SequenceNode, module.MappingNode = saved


class _NeedFull(Exception):
    """The document needs the full converter (aliases, duplicates, merges, odd keys, depth)."""


_intern = sys.intern


def _fast_value(node, text: str, depth: int) -> Any:
    """A node as a plain value, no positions: the common case of `_Converter.convert`.

    Only light nodes (whose tag is the plain string the resolver gave) take this path."""
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
        if knode.__class__ is not ScalarNode:
            raise _NeedFull
        ktag = knode.ctag
        k = knode.value
        if (ktag != _PLAIN and ktag != _STR) or k in out or (k == "<<" and ktag == _PLAIN):
            raise _NeedFull
        if vnode.__class__ is ScalarNode:  # most values: no call for them
            out[_intern(k)] = _scalar_value(vnode.ctag, vnode.value)
        else:
            out[_intern(k)] = _fast_value(vnode, text, depth)
    return out


def _scalar_value(tag: str, value: str) -> Any:
    if len(value) <= 16:  # names, ports, flags, units: repeated across documents, shared once
        value = _intern(value)
    if tag == _PLAIN:
        return type_plain_scalar(value)
    if tag == _STR:
        return value
    return _type_tagged(tag, value)
