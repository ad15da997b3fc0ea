"""Decodes a file as UTF-8 text (a UTF-8 BOM is dropped) or says what it holds instead."""

from __future__ import annotations

UTF8_BOM = b"\xef\xbb\xbf"
# Byte-order marks of encodings that are not UTF-8, longest first (UTF-32 LE starts like UTF-16).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 text (a byte-order mark FF FE 00 00)"),
    (b"\x00\x00\xfe\xff", "UTF-32 text (a byte-order mark 00 00 FE FF)"),
    (b"\xff\xfe", "UTF-16 text (a byte-order mark FF FE)"),
    (b"\xfe\xff", "UTF-16 text (a byte-order mark FE FF)"),
)
# How much of the file the UTF-16 guess looks at.
_SAMPLE = 4096


class NotText(ValueError):
    """The bytes are not UTF-8 text; `found` says what they are, for a message."""

    def __init__(self, found: str) -> None:
        super().__init__(found)
        self.found = found


def decode_text(data: bytes) -> str:
    """The text of a UTF-8 file, without a leading BOM; raises NotText otherwise.

    A NUL byte is not text either: UTF-16 without a BOM (every other byte NUL) is named as
    such, other NUL bytes as binary data. Offsets count from the file's first byte."""
    for bom, found in _BOMS:
        if data.startswith(bom):
            raise NotText(found)
    skip = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    nul = data.find(b"\0", skip)
    if nul >= 0:
        raise NotText(_utf16_guess(data) or f"binary data: a NUL byte at offset {nul}")
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(f"invalid UTF-8 at byte {skip + exc.start}") from None


def _utf16_guess(data: bytes) -> str | None:
    """ "UTF-16 text without a byte-order mark" when NULs fill one byte of most pairs (ASCII
    text in UTF-16 LE or BE), else None."""
    sample = data[: _SAMPLE - _SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.6 * pairs and even <= 0.05 * pairs:
        return "UTF-16 text without a byte-order mark (little-endian)"
    if even >= 0.6 * pairs and odd <= 0.05 * pairs:
        return "UTF-16 text without a byte-order mark (big-endian)"
    return None
