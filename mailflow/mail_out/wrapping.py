"""Greedy wrapping of one line at single spaces: what ``textwrap.wrap`` gives for the lines it is the same on.

``textwrap`` splits a line into chunks (words and whitespace runs) and fills lines one chunk at a time: a
Python loop per word, most of the cost of a receipt's plain text (a member's update is several long lines
of words that no other message shares, so no cache helps). For a line of words separated by single
spaces, with no other whitespace anywhere, its answer is simply: each line the longest run of whole words
that fits, the space at the cut dropped, a word longer than a line alone on its line (break_long_words and
break_on_hyphens off, as render.wrap_text asks). That is two string searches a line here. Any other line
(tabs, runs of spaces, Unicode spaces, a space at an end) is for ``textwrap`` itself.
"""

from __future__ import annotations

import re
import textwrap

_WORDS = re.compile(r"\S+(?: \S+)*")     # words of no whitespace at all, one ASCII space between two


def wrap(text: str, width: int, first: str, then: str) -> list[str]:
    """``textwrap.wrap(text, width, initial_indent=first, subsequent_indent=then, break_long_words=False,
    break_on_hyphens=False)``; ``first`` and ``then`` must leave room on a line (shorter than ``width``)."""
    if not _WORDS.fullmatch(text):
        return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=then,
                             break_long_words=False, break_on_hyphens=False)
    lines = []
    indent = first
    while True:
        room = width - len(indent)
        if len(text) <= room:
            lines.append(indent + text)
            return lines
        cut = text.rfind(" ", 0, room + 1)       # after the last word that fits
        if cut < 0:                              # the first word alone is longer than a line: on its own
            cut = text.find(" ", room + 1)
            if cut < 0:
                lines.append(indent + text)
                return lines
        lines.append(indent + text[:cut])
        text = text[cut + 1:]
        indent = then
