"""How a regular expression's matches can start: their first three characters, read from the pattern's text.

``heads("(?:please )?undo")`` is ``{"ple", "und"}``: every match starts with one of them. A match shorter than three
characters is given whole ("y" for ``y|yes``: a text starting with y may be matched by it, whatever follows).
None means anything: the pattern can match the empty text, or uses syntax not read here (a class such as ``\\w``
or ``[^...]``, ``.``, a back reference, flags), which can only make a dispatch on heads coarser, never wrong.

The pattern is read from its start and left as soon as every head is known, so a phrase of some hundred
characters costs the reading of its first few (the standard library's parser would read all of it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set

SIZE = 3                          # characters in a head (alternatives.py reads a head one shorter too: at most 3)
_MAX_HEADS = 4096                 # more heads than this (wide classes one after the other): read as anything
_MAX_RANGE = 512                  # a character range wider than this is read as any character
_ZERO_WIDTH = frozenset("bBAZ")   # \b \B \A \Z take no character
_CATEGORIES = frozenset("dDsSwW")  # \d \s \w and their negations: any character
_ESCAPED = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX = {"x": 2, "u": 4, "U": 8}
_DIGITS = frozenset("0123456789")
_SPECIAL = re.compile(r"[\\\[()|]")          # what skipping the rest of a sequence must look at
_CLASS_END = re.compile(r"[\\\]]")
_LITERALS = re.compile(r"[^\\\[\](){}|?*+.^$]+")   # characters that stand for themselves
_REPEATS = frozenset("?*+{")

Heads = frozenset[str] | None


class _Unread(Exception):
    """Syntax not read here: the pattern may start with anything."""


# Cached: a pure function of the pattern's text, and the phrase tables share many branches (each table of phrases
# is read whole, and again as part of the one that tells at one look that a clause holds none). Bounded: the
# patterns are the tables' branches, some six hundred.
@functools.lru_cache(maxsize=2048)
def heads(pattern: str) -> Heads:
    """The first ``SIZE`` characters every match of ``pattern`` starts with (a shorter match whole); None: any."""
    if _LITERALS.fullmatch(pattern):
        return frozenset({pattern[:SIZE]})    # characters that stand for themselves ("yes", "of course")
    reader = _Reader(pattern)
    try:
        found = reader.alternation()
    except (_Unread, IndexError, ValueError):
        return None
    if reader.at != len(pattern) or found is None or "" in found[0]:
        return None                   # an unbalanced parenthesis; anything; a match of nothing
    return frozenset(found[0] | found[1])


# How a match (of a piece of the pattern) can start: (starts, cut). ``starts``: SIZE characters, or fewer when that is
# all of it; ``cut``: starts shorter than SIZE followed by anything (a class such as \\s), given as they are. (A plain
# pair: some thousand are made reading the tables, and a named tuple costs a Python call to make.)
_Starts = tuple[Set[str], Set[str]]
_EMPTY: _Starts = (frozenset({""}), frozenset())    # what takes no character (an anchor, a lookaround)
_NONE: _Starts = (frozenset(), frozenset())


def _join(before: _Starts, item: _Starts) -> _Starts:
    """How a match of ``before`` followed by one of ``item`` can start: the complete starts stay as they are."""
    starts = {start for start in before[0] if len(start) == SIZE}
    cut = set(before[1])
    for start in before[0]:
        if len(start) < SIZE:
            starts.update((start + more)[:SIZE] for more in item[0])
            for more in item[1]:
                (starts if len(start + more) >= SIZE else cut).add((start + more)[:SIZE])
    if len(starts) + len(cut) > _MAX_HEADS:
        raise _Unread
    return starts, cut


class _Reader:
    """A recursive descent over the pattern's text; ``at`` is where it is."""

    def __init__(self, pattern: str) -> None:
        self.text, self.at = pattern, 0

    def alternation(self) -> _Starts | None:
        found: _Starts | None = _NONE
        while True:
            branch = self.sequence()
            found = None if branch is None or found is None else (found[0] | branch[0], found[1] | branch[1])
            if not self.text.startswith("|", self.at):
                return found
            self.at += 1

    def sequence(self) -> _Starts | None:
        found = _EMPTY                        # (starts shorter than SIZE: all of the match so far)
        while self.at < len(self.text) and self.text[self.at] not in "|)":
            if min(map(len, found[0]), default=SIZE) == SIZE:
                self._skip_sequence()         # every head is known: the rest adds nothing
                break
            literals = _LITERALS.match(self.text, self.at)
            if literals is not None and literals.end() - self.at > 1:     # a run of plain characters: read at once
                run = literals.group()
                if self.text[literals.end(): literals.end() + 1] in _REPEATS:
                    run = run[:-1]            # (the last one is repeated: read on its own)
                self.at += len(run)
                found = {start if len(start) == SIZE else (start + run)[:SIZE] for start in found[0]}, found[1]
                continue
            item = self._repeated(self._atom())
            if item is not None:
                found = _join(found, item)
            elif "" in found[0]:
                return None                   # the match may start with anything
            else:                             # a text starting with one of them may match, whatever follows
                found = ({start for start in found[0] if len(start) == SIZE},
                         found[1] | {start for start in found[0] if len(start) < SIZE})
        return found

    def _repeated(self, item: _Starts | None) -> _Starts | None:
        text = self.text
        char = text[self.at: self.at + 1]
        if char in ("?", "*", "+"):
            least, most = (0, 1) if char == "?" else (0, SIZE) if char == "*" else (1, SIZE + 1)
            self.at += 1
        elif char == "{" and (bounds := self._bounds()) is not None:
            least, most = bounds
        else:
            return item
        if text[self.at: self.at + 1] in ("?", "+"):      # lazy or possessive: the same heads
            self.at += 1
        if item is None:
            return None
        found = _EMPTY if least == 0 else _NONE
        repeated = _EMPTY
        for count in range(1, min(most, max(least, 1) + SIZE) + 1):     # more repeats add no head
            repeated = _join(repeated, item)
            if count >= least:
                found = found[0] | repeated[0], found[1] | repeated[1]
        return found

    def _bounds(self) -> tuple[int, int] | None:
        """A ``{m,n}`` repeat's least and most counts (most counts past SIZE + least add nothing) and the reader
        past it; None when the brace is a literal, as the standard library's parser reads it."""
        text, start = self.text, self.at + 1
        if text.startswith("}", start):
            return None
        end = start
        while text[end: end + 1] in _DIGITS:
            end += 1
        low = text[start:end]
        high = low
        if text.startswith(",", end):
            end += 1
            high_start = end
            while text[end: end + 1] in _DIGITS:
                end += 1
            high = text[high_start:end]
        if not text.startswith("}", end):
            return None
        self.at = end + 1
        least = int(low) if low else 0
        return least, (int(high) if high else least + SIZE + 1)

    def _atom(self) -> _Starts | None:
        text = self.text
        char = text[self.at]
        if char == "(":
            return self._group()
        if char == "[":
            return self._class()
        if char == "\\":
            return self._escape()
        self.at += 1
        if char in "^$":
            return _EMPTY                     # an anchor takes no character
        if char == ".":
            return None
        if char in "*+?{":
            raise _Unread                     # a repeat of nothing (or a brace read as a literal: not here)
        return {char}, _NONE[1]

    def _group(self) -> _Starts | None:
        text = self.text
        self.at += 1
        zero_width = False
        if text.startswith("?", self.at):
            if text.startswith(("?:", "?>"), self.at):
                self.at += 2
            elif text.startswith("?P<", self.at):
                self.at = text.index(">", self.at) + 1
            elif text.startswith(("?=", "?!"), self.at):
                self.at, zero_width = self.at + 2, True
            elif text.startswith(("?<=", "?<!"), self.at):
                self.at, zero_width = self.at + 3, True
            else:
                raise _Unread                 # flags, a back reference, a condition, a comment
        inside = self.alternation()
        if not text.startswith(")", self.at):
            raise _Unread
        self.at += 1
        return _EMPTY if zero_width else inside    # a lookaround takes no character (read as no test: coarser)

    def _escape(self) -> _Starts | None:
        code = self.text[self.at + 1: self.at + 2]
        self.at += 2
        if code in _ZERO_WIDTH:
            return _EMPTY
        if code in _CATEGORIES:
            return None
        return {self._escaped(code)}, _NONE[1]

    def _escaped(self, code: str) -> str:
        """The character an escape stands for (the reader is past the backslash and ``code``)."""
        if code in _ESCAPED:
            return _ESCAPED[code]
        if code in _HEX:
            digits = self.text[self.at: self.at + _HEX[code]]
            self.at += len(digits)
            return chr(int(digits, 16))       # (not hexadecimal: ValueError, read as anything)
        if not code or code.isalnum() or not code.isascii():
            raise _Unread                     # back references, octal, \N{...}, unknown escapes
        return code

    def _class(self) -> _Starts | None:
        text = self.text
        self.at += 1
        found: set[str] | None = set()
        if text.startswith("^", self.at):    # any character but some
            self.at += 1
            found = None
        first = self.at
        while not (text[self.at] == "]" and self.at > first):
            low = self._class_char()
            if text.startswith("-", self.at) and text[self.at + 1] != "]":
                self.at += 1
                high = self._class_char()
                if low is None or high is None or high < low:
                    raise _Unread             # an error the compiler reports
                if found is not None and ord(high) - ord(low) < _MAX_RANGE:
                    found.update(map(chr, range(ord(low), ord(high) + 1)))
                else:
                    found = None
            elif low is None or found is None:
                found = None
            else:
                found.add(low)
        self.at += 1
        return None if found is None else (found, _NONE[1])

    def _class_char(self) -> str | None:
        """One character of a class (None: a category such as \\w)."""
        char = self.text[self.at]
        if char != "\\":
            self.at += 1
            return char
        code = self.text[self.at + 1]
        self.at += 2
        if code in _CATEGORIES:
            return None
        return "\b" if code == "b" else self._escaped(code)

    def _skip_sequence(self) -> None:
        """Move past the rest of the sequence: to its alternation's next ``|`` or closing ``)``."""
        text, depth = self.text, 0
        while (special := _SPECIAL.search(text, self.at)) is not None:
            char, self.at = special.group(), special.start()
            if char == "\\":
                self.at += 2
            elif char == "[":
                self._skip_class()
            elif char == "(":
                depth, self.at = depth + 1, self.at + 1
            elif depth == 0:                  # a | or ) of this sequence's own alternation
                return
            else:
                depth, self.at = depth - (char == ")"), self.at + 1
        self.at = len(text)

    def _skip_class(self) -> None:
        text = self.text
        self.at += 2 if text.startswith("^", self.at + 1) else 1
        if text.startswith("]", self.at):
            self.at += 1                      # (a first "]" is one of the class's characters)
        while (end := _CLASS_END.search(text, self.at)) is not None and end.group() == "\\":
            self.at = end.end() + 1
        if end is None:
            raise _Unread
        self.at = end.end()
