"""JSON manifests read as kubectl reads them, with exact positions.

kubectl (the Kubernetes YAML-or-JSON decoder) reads a stream whose first non-blank character is
`{` as a sequence of JSON values (Go's encoding/json): several objects in one file (jq output)
are several documents, YAML-only syntax (comments, single quotes, trailing commas, unquoted keys)
is an error that stops the stream, `\\uD83D\\uDE00` surrogate pairs are one character and a lone
surrogate becomes U+FFFD. Everything else is YAML.

Validation uses Python's json (C speed, the same grammar as Go's); values with positions come
from a small recursive-descent reader run only on the values already known to be valid.
"""

from __future__ import annotations

import bisect
import json
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from json.decoder import scanstring
from typing import Any, Dict, List, Optional, Tuple

from rclint.model import Span
from rclint.yamlsource import MAX_DEPTH, YamlDoc, YamlLimitError, YamlSyntaxError

_JSON_PREFIX = re.compile(r"[ \t\r\n\v\f\x85\xa0]*\{")
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANT = re.compile(r"NaN|-?Infinity")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1


def is_json_stream(text: str) -> bool:
    """Whether kubectl would read this (decoded, BOM removed) text as JSON: its first non-blank
    character is `{`. kubectl reads files through a BOM-removing, UTF-16-decoding reader first,
    so a BOM before the `{` does not matter."""
    return _JSON_PREFIX.match(text, 0, 4096) is not None


def _number(text: str) -> Any:
    if "." in text or "e" in text or "E" in text:
        f = float(text)
        return f if f not in (float("inf"), float("-inf")) else text
    if len(text) > 21:  # outside 64 bits for sure, and clear of Python's int-to-str digit limit
        f = float(text)
        return f if f not in (float("inf"), float("-inf")) else text
    v = int(text)
    return v if _INT64_MIN <= v <= _UINT64_MAX else float(v)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=lambda s: 0, parse_float=lambda s: 0)


class _Reader:
    """Values with positions from text already validated by json."""

    def __init__(self, text: str, line_starts: List[int], path: str):
        self.text = text
        self.line_starts = line_starts
        self.path = path
        self.positions: Dict[tuple, tuple] = {}
        self.key_positions: Dict[tuple, tuple] = {}
        self.duplicates: List[Tuple[tuple, Span, Span]] = []

    def _pos(self, offset: int) -> Tuple[int, int]:
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def _span(self, start: int, end: int) -> tuple:
        return self._pos(start) + self._pos(end)

    def value(self, i: int, path: tuple) -> Tuple[Any, int]:
        if len(path) > MAX_DEPTH:
            raise YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels", Span(*self._pos(i)))
        text = self.text
        c = text[i]
        start = i
        if c == "{":
            out: Dict[str, Any] = {}
            i = _WS.match(text, i + 1).end()
            if text[i] == "}":
                i += 1
            else:
                while True:
                    kstart = i
                    k, i = scanstring(text, i + 1, True)
                    if _LONE_SURROGATE.search(k):
                        k = _LONE_SURROGATE.sub("\ufffd", k)
                    kspan = self._span(kstart, i)
                    i = _WS.match(text, i).end() + 1  # ':'
                    i = _WS.match(text, i).end()
                    cpath = path + (k,)
                    if k in out:
                        self.duplicates.append((cpath, Span(*kspan), Span(*self.key_positions[cpath])))
                    self.key_positions[cpath] = kspan
                    out[k], i = self.value(i, cpath)
                    i = _WS.match(text, i).end()
                    if text[i] == "}":
                        i += 1
                        break
                    i = _WS.match(text, i + 1).end()  # ','
            value: Any = out
        elif c == "[":
            items: List[Any] = []
            i = _WS.match(text, i + 1).end()
            if text[i] == "]":
                i += 1
            else:
                while True:
                    v, i = self.value(i, path + (len(items),))
                    items.append(v)
                    i = _WS.match(text, i).end()
                    if text[i] == "]":
                        i += 1
                        break
                    i = _WS.match(text, i + 1).end()
            value = items
        elif c == '"':
            value, i = scanstring(text, i + 1, True)
            if _LONE_SURROGATE.search(value):
                value = _LONE_SURROGATE.sub("\ufffd", value)
        elif text.startswith("true", i):
            value, i = True, i + 4
        elif text.startswith("false", i):
            value, i = False, i + 5
        elif text.startswith("null", i):
            value, i = None, i + 4
        else:
            m = _NUMBER.match(text, i)
            value, i = _number(m.group()), m.end()
        self.positions[path] = self._span(start, i)
        return value, i


def load_json_stream(text: str, path: str, with_values: bool = True
                     ) -> Tuple[List[YamlDoc], int, Optional[YamlSyntaxError]]:
    """(documents, number of JSON values read, error that stopped the stream or None).

    Documents are the non-null values in stream order (non-objects included: callers skip what
    is not a Kubernetes object, as kubectl does); with `with_values=False` only validity is
    checked and no documents are built."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    docs: List[YamlDoc] = []
    count = 0
    i = _WS.match(text, 0).end()
    n = len(text)
    while i < n:
        try:
            end = _DECODER.raw_decode(text, i)[1]
        except (json.JSONDecodeError, ValueError) as exc:
            pos = getattr(exc, "pos", None)
            if pos is None:  # NaN/Infinity: Go's decoder has no such constants
                m = _CONSTANT.search(text, i)
                pos = m.start() if m else i
            line = bisect.bisect_right(line_starts, pos) - 1
            msg = getattr(exc, "msg", str(exc))
            if msg.endswith(" at"):  # "Invalid control character at"
                msg = msg[:-3] + " in a string"
            return docs, count, YamlSyntaxError(
                msg[0].lower() + msg[1:], Span(line + 1, pos - line_starts[line] + 1))
        except RecursionError:
            line = bisect.bisect_right(line_starts, i) - 1
            return docs, count, YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels",
                                               Span(line + 1, i - line_starts[line] + 1))
        if with_values and not text.startswith("null", i):
            reader = _Reader(text, line_starts, path)
            try:
                value, _ = reader.value(i, ())
            except RecursionError:
                return docs, count, YamlLimitError(f"nesting deeper than {MAX_DEPTH} levels",
                                                   Span(*reader._pos(i)))
            except YamlLimitError as exc:
                return docs, count, exc
            docs.append(YamlDoc(path, count, value, reader.positions, reader.key_positions, reader.duplicates))
        count += 1
        i = _WS.match(text, end).end()
    return docs, count, None
