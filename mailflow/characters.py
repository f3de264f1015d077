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
    return "".join(replacement if unicodedata.category(ch) in categories else ch for ch in text)
