"""Which groups of key stems (``lexicon``'s ``*_HINTS``) an ASCII line may hold, told from its words.

``shapes`` asks, before an expensive pattern, whether the line holds one of the pattern's key stems: one
substring scan of the whole line per stem, ~45 scans per line. Here a line's words answer first. Each stem is
represented by its longest run of word characters (its *key*: "information" for "health information", "google"
for "meet.google"). In an ASCII line, an occurrence of a stem holds one of its key, and a key (word characters
only) lies inside one word of the line: a line none of whose words holds a key of a group holds none of that
group's stems, and the stem scans of that group are skipped. When a word holds one, the caller scans the line
exactly as before, so the answer is always the scan's.

What a word holds depends only on the word, and replies are written in a few thousand recurring words: each
distinct word is looked at once and remembered, in two bounded sets of words no longer than 32 characters (emptied
when full; forgetting only costs a second look; a longer word, a code or a blob more than a word, is looked at
each time). Stems that are not ASCII ("métis") cannot occur in an ASCII line and have no key.
"""

from __future__ import annotations

import re

_KEY_RUN = re.compile(r"[a-z0-9_]+")
_LIMIT = 20_000         # remembered words per set
_LONGEST = 32           # the longest word remembered: with _LIMIT, about 1.5 MB per set at most


def _key(stem: str) -> str:
    """The stem's longest run of ASCII word characters (the first of the longest)."""
    return max(_KEY_RUN.findall(stem), key=len)


class HintIndex:
    """Per hint group (a bit each), the keys of its ASCII stems, and the words already looked at."""

    def __init__(self, groups: tuple[tuple[str, ...], ...], limit: int = _LIMIT) -> None:
        self._limit = limit
        self._keys = tuple(
            (1 << bit, tuple(sorted({_key(stem) for stem in stems if stem.isascii()})))
            for bit, stems in enumerate(groups))
        self._every_key = tuple(sorted({key for _, keys in self._keys for key in keys}))
        self._clean: set[str] = set()           # words that hold no key
        self._marked: dict[str, int] = {}       # words that hold one: the bits of the groups they hold keys of

    def groups(self, words: frozenset[str]) -> int:
        """The bits of the groups a key of which some of ``words`` (a line's words, lower case) holds: a group
        whose bit is unset has none of its stems in the line."""
        clean = self._clean
        if words <= clean:
            return 0
        unknown = words - clean
        new = [w for w in unknown if w not in self._marked]
        if new and not any(map("\n".join(new).__contains__, self._every_key)):
            self._remember_clean(new)       # the usual case: none of the new words holds a key
            unknown = unknown.difference(new)
        bits = 0
        for word in unknown:
            held = self._marked.get(word)
            bits |= self._look_at(word) if held is None else held
        return bits

    def _look_at(self, word: str) -> int:
        bits = 0
        for bit, keys in self._keys:
            if any(map(word.__contains__, keys)):
                bits |= bit
        if bits and len(word) <= _LONGEST:
            if len(self._marked) >= self._limit:
                self._marked.clear()
            self._marked[word] = bits
        elif not bits:
            self._remember_clean([word])
        return bits

    def _remember_clean(self, words: list[str]) -> None:
        if len(self._clean) + len(words) > self._limit:
            self._clean.clear()
        self._clean.update(word for word in words if len(word) <= _LONGEST)
