"""Turning bytes into text the way editors and kubectl would: BOMs, UTF-16, binary detection."""

from __future__ import annotations

import codecs

from rclint import lazyre as re  # patterns compiled on first use (start-up)


class DecodeError(Exception):
    """The bytes are not text rclint can read (binary, unknown encoding)."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, *, lenient_utf8: bool = False) -> str:
    """Decode a file's bytes: a BOM selects UTF-8/16/32 (and is dropped); otherwise UTF-8.

    Raises DecodeError for binary data (NUL bytes without a UTF-16/32 BOM) and for bytes
    that are not valid in the chosen encoding. Line endings are kept as they are.

    `lenient_utf8` reads manifests as kubectl does: go-yaml and Go's JSON decoder take bytes
    that are not UTF-8 (in a comment, a value) and JSON output shows each as U+FFFD, so they
    become U+FFFD here instead of an error.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # UTF-32-LE's BOM starts with UTF-16-LE's: the longer BOMs are tried first.
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {encoding.upper()} at byte {exc.start + len(bom)}") from None
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if lenient_utf8:
            return data.decode("utf-8", "replace")
        raise DecodeError(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 or UTF-16 with a BOM"
        ) from None


# Characters that must never reach a terminal or a CI log raw: C0 controls (a newline in a name
# starts a new log line, where a runner reads `::command::` lines), DEL, C1 controls, ESC
# sequences, the Unicode line/paragraph separators, bidirectional overrides (which reorder what a
# reviewer sees), and lone surrogates (a file name that is not UTF-8, decoded with
# surrogateescape).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: "re.Match[str]") -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, separator, bidi-override and undecodable character shown as a
    visible escape (`\\n`, `\\x1b`, `\\u2028`), so input text can neither start a log line nor an
    escape sequence. Printable text, including non-ASCII letters, is unchanged."""
    if text.isprintable() or _UNSAFE.search(text) is None:  # every unsafe character is unprintable
        return text
    return _UNSAFE.sub(_escape, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """`text` with the bytes of a name that was not UTF-8 (decoded with surrogateescape) as
    `\\xNN` escapes, so that it can be written as UTF-8 in every format. Everything else,
    controls included, is left to the format's own escaping."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_escape, text)


def printable_finding(finding):
    """The finding with every OS-derived string (paths, and messages quoting them) free of
    undecodable bytes; the same object when there were none."""
    from dataclasses import replace

    texts = [finding.path, finding.message, finding.help, *finding.notes]
    texts += [t for r in finding.related for t in (r.path, r.message)]
    if not any(isinstance(t, str) and not t.isascii() and _SURROGATE.search(t) for t in texts):
        return finding
    related = tuple(replace(r, path=escape_surrogates(r.path), message=escape_surrogates(r.message))
                    for r in finding.related)
    return replace(finding, path=escape_surrogates(finding.path), message=escape_surrogates(finding.message),
                   help=escape_surrogates(finding.help), notes=tuple(escape_surrogates(n) for n in finding.notes),
                   related=related)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """Serialised JSON with the characters that `ensure_ascii=False` leaves raw but that
    terminals and logs act on (DEL, C1 controls, line/paragraph separators, bidi overrides)
    written as `\\uXXXX` escapes: the same JSON value, safe to print."""
    # DEL is the one ASCII character escaped: plain ASCII text never needs the pattern
    if (text.isascii() and "\x7f" not in text) or _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
