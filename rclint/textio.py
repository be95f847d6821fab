"""Turning bytes into text the way editors and kubectl would: BOMs, UTF-16, binary detection."""

from __future__ import annotations

import codecs


class DecodeError(Exception):
    """The bytes are not text rclint can read (binary, unknown encoding)."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> str:
    """Decode a file's bytes: a BOM selects UTF-8/16/32 (and is dropped); otherwise UTF-8.

    Raises DecodeError for binary data (NUL bytes without a UTF-16/32 BOM) and for bytes
    that are not valid in the chosen encoding. Line endings are kept as they are.
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
        raise DecodeError(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 or UTF-16 with a BOM"
        ) from None
