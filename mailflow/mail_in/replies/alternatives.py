"""Alternatives matched at the start of a text, each tried only where it can match: by the text's first character.

A phrase table read at the start of a clause is one alternation of some hundred phrases, and the regular
expression engine tries them one after the other at the first character, most clauses matching none. Each
alternative can only start with some characters ("(?:please )?undo..." with p or u), read from its parsed
form; a text is matched against the alternatives that can start with its first character, in their order. An
alternation finds the first alternative that matches, and the ones left out cannot match there: the match is
the one the whole alternation finds.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

# The standard library's own parser of regular expressions (re._parser, private, without type stubs). What it
# gives that is not read here counts as "any character", so a change in it can only make the dispatch coarser;
# a Python without it gives no first characters at all (every text meets the whole alternation).
_parser: Any
_constants: Any
try:
    _parser = importlib.import_module("re._parser")
    _constants = importlib.import_module("re._constants")
except ImportError:
    _parser = _constants = None

_MAX_RANGE = 512          # a character range wider than this is taken as "any character"
_NOTHING = re.compile("(?!)")          # matches no text: for a first character no branch can start with


class Alternatives:
    """An alternation of ``branches`` (regular expressions without flags) for ``match`` and ``fullmatch`` at the
    start of a text. Compiled when first used, one pattern per first character met that some branch can start
    with (bounded: those characters are read from the branches), one for every other character."""

    __slots__ = ("_branches", "_firsts", "_starts", "_others", "_by_first")

    def __init__(self, branches: Iterable[str]) -> None:
        self._branches = tuple(branches)
        self._firsts: tuple[frozenset[str] | None, ...] = ()
        self._starts: frozenset[str] | None = None           # every character some branch can start with
        self._others: re.Pattern[str] | None = None          # the branches that may start with any character
        self._by_first: dict[str, re.Pattern[str]] = {}

    @property
    def source(self) -> str:
        """The whole alternation."""
        return "|".join(f"(?:{branch})" for branch in self._branches)

    # (called for every clause, several times: the pattern of a first character met before is looked up here, in
    # one dictionary look-up; a character no branch starts with is kept too when it is ASCII, as most are)
    def match(self, text: str) -> re.Match[str] | None:
        return (self._by_first.get(text[:1]) or self._for(text[:1])).match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return (self._by_first.get(text[:1]) or self._for(text[:1])).fullmatch(text)

    def _for(self, first: str) -> re.Pattern[str]:
        """The alternation of the branches that can start with ``first`` ("": the empty text), in their order."""
        if self._starts is None:
            self._firsts = tuple(first_characters(branch) for branch in self._branches)
            self._starts = frozenset().union(*(can for can in self._firsts if can is not None))
            self._others = self._alternation(None)
        if first not in self._starts:
            # only the branches that may start with anything (one pattern, not one per character); kept under
            # the ASCII characters, so the patterns kept stay bounded
            pattern = self._others or _NOTHING
            if first.isascii():
                self._by_first[first] = pattern
            return pattern
        pattern = self._by_first[first] = self._alternation(first) or _NOTHING
        return pattern

    def _alternation(self, first: str | None) -> re.Pattern[str] | None:
        kept = [branch for branch, can in zip(self._branches, self._firsts, strict=True)
                if can is None or (first is not None and first in can)]
        return re.compile("|".join(f"(?:{branch})" for branch in kept)) if kept else None


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with; None when it may start with any, or match nothing
    (an empty match starts with no character)."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & ~_constants.SRE_FLAG_UNICODE:
            return None                   # a flag set inside it ("(?i)"): not read here
        found, empty = _sequence(parsed.data)
    except (re.error, TypeError, ValueError, AttributeError):
        return None
    return None if found is None or empty else frozenset(found)


def _sequence(items: Sequence[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """(first characters, whether it can match nothing) of a sequence of parsed items."""
    found: set[str] = set()
    for op, value in items:
        first, empty = _item(op, value)
        if first is None:
            return None, False
        found |= first
        if not empty:
            return found, False
    return found, True


def _item(op: Any, value: Any) -> tuple[set[str] | None, bool]:
    if op is _constants.LITERAL:
        return {chr(value)}, False
    if op is _constants.IN:
        return _charset(value), False
    if op is _constants.SUBPATTERN:
        _group, add_flags, del_flags, items = value
        return (None, False) if add_flags or del_flags else _sequence(items)
    if op is _constants.ATOMIC_GROUP:
        return _sequence(value)
    if op is _constants.BRANCH:
        found: set[str] = set()
        empty = False
        for items in value[1]:
            first, can_be_empty = _sequence(items)
            if first is None:
                return None, False
            found |= first
            empty = empty or can_be_empty
        return found, empty
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        least, _most, items = value
        first, empty = _sequence(items)
        return first, empty or least == 0
    if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
        return set(), True            # takes no character: what follows it starts the match (a superset)
    return None, False


def _charset(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    found: set[str] = set()
    for op, value in items:
        if op is _constants.LITERAL:
            found.add(chr(value))
        elif op is _constants.RANGE and value[1] - value[0] < _MAX_RANGE:
            found.update(chr(code) for code in range(value[0], value[1] + 1))
        else:                         # a negated set, a category (\w, \s), a wide range
            return None
    return found


def branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    found, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            found.append(pattern[start:i])
            start = i + 1
        i += 1
    found.append(pattern[start:])
    return found
