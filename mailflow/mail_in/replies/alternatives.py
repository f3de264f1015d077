"""Alternatives matched at the start of a text, each tried only where it can match: by the text's first characters.

A phrase table read at the start of a clause is one alternation of some hundred phrases, and the regular
expression engine tries them one after the other at the first character, most clauses matching none. Each
alternative can only start with some three characters ("(?:please )?undo..." with "ple" or "und"), read from its
text (``heads``); a text is matched against the alternatives that can start with its first three characters, in
their order, and only when they are the head of one of them: most texts start with the head of none, and are
answered without a regular expression, and a pattern is compiled for a head only when a text starting with it is
met. An alternation finds the first alternative that matches, and the ones left out cannot match there: the match
is the one the whole alternation finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mailflow.mail_in.replies.match_starts import SIZE, Heads, heads

# What is kept for a first character: the heads a text starting with it must start with to be matched at all
# (None: any text), and the alternation of the branches that can start with it (None: not compiled yet).
_Entry = tuple[Heads, re.Pattern[str] | None]


class Alternatives:
    """An alternation of ``branches`` (regular expressions without flags) for ``match`` and ``fullmatch`` at the
    start of a text. Read when first used; compiled when a text that may match is met, one pattern per head met
    (bounded: the heads are read from the branches), or per first character where a branch may match whatever
    follows it, and one for the branches that may start with any character."""

    __slots__ = ("_branches", "_heads", "_starts", "_by_first", "_by_head", "_others", "_closed")

    def __init__(self, branches: Iterable[str]) -> None:
        self._branches = tuple(branches)
        self._heads: tuple[Heads, ...] = ()
        self._starts: frozenset[str] | None = None           # every character some branch can start with
        self._by_first: dict[str, _Entry] = {}
        self._by_head: dict[str, re.Pattern[str]] = {}      # the pattern for each head met (bounded: the heads)
        self._others: _Entry | None = None                   # for the characters no branch starts with
        self._closed: Alternatives | None = None             # see ``without_open``

    @property
    def source(self) -> str:
        """The whole alternation."""
        return "|".join(f"(?:{branch})" for branch in self._branches)

    # (called for every clause, several times: what is kept for a first character met before is looked up here, a
    # character no branch starts with kept too when it is ASCII, as most are; most texts start with no head and get
    # None without a regular expression. ``fullmatch`` is the same with the last line changed: one call, not two.)
    def match(self, text: str) -> re.Match[str] | None:
        can, pattern = self._by_first.get(text[:1]) or self._for(text[:1])
        if can is None:                      # any text starting so may match: one pattern for the first character
            pattern = pattern or self._compile(text[:1])
        elif (head := text[:SIZE]) in can or (head := text[:SIZE - 1]) in can:    # (a head, or a whole match shorter)
            pattern = self._by_head.get(head) or self._compile(head)
        else:
            return None
        return pattern.match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        can, pattern = self._by_first.get(text[:1]) or self._for(text[:1])
        if can is None:
            pattern = pattern or self._compile(text[:1])
        elif (head := text[:SIZE]) in can or (head := text[:SIZE - 1]) in can:
            pattern = self._by_head.get(head) or self._compile(head)
        else:
            return None
        return pattern.fullmatch(text)

    def without_open(self) -> Alternatives:
        """The alternation without its open branches (``is_open``: tried on nearly every text, they cost most of a match
        that finds nothing), for a text the caller knows none of them matches (see ``Phrases.open_words``): there it
        finds the match the whole alternation finds. Made when first asked for."""
        if self._closed is None:
            self._closed = Alternatives(branch for branch in self._branches if not is_open(branch))
        return self._closed

    def _for(self, first: str) -> _Entry:
        """What is kept for ``first`` ("": the empty text): the heads a text must start with, and its pattern (None:
        not compiled yet)."""
        if self._starts is None:
            self._heads = tuple(heads(branch) for branch in self._branches)
            self._starts = frozenset(head[0] for can in self._heads if can is not None for head in can)
        if first not in self._starts:
            if self._others is None:         # only the branches that may start with anything: one entry for all
                wild = [branch for branch, can in zip(self._branches, self._heads, strict=True) if can is None]
                self._others = (None, _alternation(wild)) if wild else (frozenset(), _NOTHING)
            if first.isascii():
                self._by_first[first] = self._others
            return self._others
        kept = [can for can in self._heads if can is None or any(head[0] == first for head in can)]
        if any(can is None or first in can for can in kept):
            entry: _Entry = (None, None)     # a branch that may start with anything, or match ``first`` alone
        else:
            entry = (frozenset(head for can in kept if can is not None for head in can if head[0] == first), None)
        self._by_first[first] = entry
        return entry

    def _compile(self, start: str) -> re.Pattern[str]:
        """The alternation of the branches that can match a text starting with ``start`` (a first character whose
        texts may all match, or a head), in their order, kept from now on."""
        if len(start) == 1:
            pattern = _alternation([branch for branch, can in zip(self._branches, self._heads, strict=True)
                                    if can is None or any(head[0] == start for head in can)])
            self._by_first[start] = None, pattern
        else:       # (no branch that may start with anything, nor one that matches its first character alone)
            pattern = self._by_head[start] = _alternation(
                [branch for branch, can in zip(self._branches, self._heads, strict=True)
                 if can and any(start.startswith(head) for head in can)])
        return pattern


def is_open(branch: str) -> bool:
    """The branch may start with any character, or with a character whatever follows it ("[a-z][\\w-]* will ..."): the
    first characters of a text cannot leave it out (``Alternatives.match`` tries it on every text so starting)."""
    can = heads(branch)
    return can is None or any(len(head) == 1 for head in can)


def _alternation(branches: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{branch})" for branch in branches))


_NOTHING = re.compile("(?!)")          # matches no text: where no branch can


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with; None when it may start with any, or match nothing
    (an empty match starts with no character)."""
    can = heads(pattern)
    return None if can is None else frozenset(head[0] for head in can)


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
