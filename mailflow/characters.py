"""Characters that must not reach a header, a file name or a calendar: the one rule for cleaning them."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

# Never allowed in a header or a calendar value: controls (CR, LF, NUL, NEL...), format characters
# (bidi overrides, zero-width), line and paragraph separators, surrogates, private use, unassigned.
UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
CONTROLS = frozenset({"Cc"})


def replace_unsafe(text: str, categories: Collection[str] = UNSAFE, replacement: str = " ") -> str:
    """``text`` with every character of the given Unicode ``categories`` replaced by ``replacement``."""
    if text.isascii() and text.isprintable() and _PRINTABLE_ASCII.isdisjoint(categories):
        return text          # the common case, without looking at each character
    return "".join(replacement if unicodedata.category(ch) in categories else ch for ch in text)


_PRINTABLE_ASCII = frozenset(unicodedata.category(chr(code)) for code in range(0x20, 0x7F))
