"""Text folded as ``re.IGNORECASE`` compares letters, for a cheap ``in`` test before such a pattern.

A case-insensitive pattern matches a lower-case ASCII letter at a character whose lower case is that
letter (either case, and the Kelvin sign for k), and also at dotless ı (for i) and long ſ (for s).
``ignorecase_fold`` makes each of those characters that letter, one character for one, so a word
a pattern cannot match without holding occurs in the folded text wherever the pattern could match:
when none of a pattern's words occurs, the pattern cannot match and need not run.
"""

from __future__ import annotations

# Folded before ``str.lower``: dotted İ lowers to two characters (i and a combining dot), ı and ſ to themselves.
_LIKE_ASCII = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))


def ignorecase_fold(text: str) -> str:
    """``text`` in lower case, with İ, ı and ſ made i, i and s (as long as ``text``)."""
    for char, letter in _LIKE_ASCII:
        if char in text:                 # rare: replacing only then keeps the common case one pass
            text = text.replace(char, letter)
    return text.lower()


def holds_any(folded: str, words: tuple[str, ...]) -> bool:
    """Whether the folded text holds one of ``words`` (lower case)."""
    return any(word in folded for word in words)
