"""Decoding bytes of any declared (or mislabelled) charset, and RFC 2047 header words."""

from __future__ import annotations

import codecs
import re
from email.errors import HeaderParseError
from email.header import decode_header

from mailflow.characters import CONTROLS, replace_unsafe

_ALIASES = {
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "euc-kr": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso-8859-8-i": "iso-8859-8", "x-sjis": "cp932", "shift_jis": "cp932", "sjis": "cp932",
    "windows-31j": "cp932", "x-mac-roman": "mac_roman", "unicode-1-1-utf-7": "utf-7",
    "big5": "big5hkscs", "utf8": "utf-8",
}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SEVEN_BIT = {"iso2022_jp", "iso2022_jp_2", "iso2022_kr", "utf_7", "hz", "iso2022_jp_1", "iso2022_jp_3"}


def codec_for(label: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode text bytes: valid UTF-8 wins over a wrong label; UTF-8 with stray bytes (labelled UTF-8, or
    with a label nobody knows) keeps its UTF-8 and marks the strays; never raises."""
    codec = codec_for(label)
    if codec in _SEVEN_BIT:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, ValueError):
            pass
    if data.isascii():
        return data.decode("ascii")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec in (None, "utf-8") and _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", "replace")   # UTF-8 with stray bytes: the strays become U+FFFD
    for candidate in (codec, "cp1252"):
        if candidate and candidate not in ("utf-8", "ascii"):
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, ValueError, LookupError):
                continue
    return data.decode("latin-1")


_STRAY_BYTE = re.compile(r"[\udc80-\udcff]")        # a byte the parser could not decode (surrogateescape)
_FOLD = re.compile(r"\r?\n[ \t]*")


def _raw_header_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def decode_header_value(value: object) -> str:
    """An unfolded header value with RFC 2047 words decoded and control characters removed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii() and _STRAY_BYTE.search(value):
        value = decode_bytes(_raw_header_bytes(value))
    if "\n" in value:
        value = _FOLD.sub(" ", value)
    if "=?" in value:
        try:
            parts = decode_header(value)
            value = "".join(
                decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
                for chunk, charset in parts
            )
        except (ValueError, LookupError, AssertionError, HeaderParseError):
            pass        # a malformed encoded word stays as it was written
    return " ".join(replace_unsafe(value, CONTROLS).split())
