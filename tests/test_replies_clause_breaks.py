"""The clause-break pattern, with its space-led breaks sharing one run of spaces, finds the breaks the pattern
written one alternative at a time found (kept here as the reference), on written and random clauses."""

from __future__ import annotations

import random
import re

import pytest

from mailflow.mail_in.replies.clauses import _CLAUSE_BREAK, fold

_BEFORE = re.compile(
    r"(?=[.!?;,:()\s])(?:(?<![.!?;])[.!?;]+(?=\s|$|[\"')\]])|[,:](?=\s|$)|(?<!\s)\s+-{1,2}\s+|[()]|"
    r"(?<!\s)\s+(?=(?:but|mais|however|though|although|cependant|par contre|sauf que|except that|toutefois)\b)|"
    r"(?<!\s)\s+and\s+(?=(?:i|i'm|i'll|i've|we|we're|we'll|won't|will|can't|cannot|can|couldn't|am|have to|"
    r"need to|must|so|therefore|unfortunately|sadly|no|nothing|not much)\b)|"
    r"(?<!\s)\s+(?=so (?:i|i'll|i'm|i've|i'd|we|we'll|we're|we've|je|j'|nous|on)\b)|"
    r"(?<!\s)\s+et\s+(?=(?:je|j'|nous|c'est)\b))"
)

WRITTEN = [
    "Thanks! I'll be there, but I may be late -- traffic. And I can present (briefly).",
    "Yes  but  no;  and  we'll see... so i'll come\tand\ti'm glad -- et je serai la",
    "oui je serai la, j'ai un clinic a 12h30 so je vais devoir quitter",
    "Dr. Lee will present, e.g. the pilot: results.  -  then questions?",
    "and so we go - and not much else , mais non ( ok )",
]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def _random(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["but", "mais", "however", "though", "par contre", "sauf que", "except that", "and", "i", "i'm", "we",
             "can", "so", "have to", "not much", "et", "je", "j'", "nous", "c'est", "no", "x", "update", "dr", "e.g"]
    marks = [" ", "  ", "\t", " - ", " -- ", "--", " --- ", ".", "...", "!", "?", ";", ",", ":", "(", ")", "\"", "'",
             "]", " \u00a0", "\n"]
    return ["".join(rng.choice(words) + rng.choice(marks) for _ in range(rng.randint(1, 12))) for _ in range(count)]


def test_written_clauses_break_as_before() -> None:
    """Dashes, 'but', 'and I', 'so I', 'et je', parentheses and sentence ends break where they broke."""
    for text in WRITTEN:
        assert _spans(_CLAUSE_BREAK.compiled, fold(text)) == _spans(_BEFORE, fold(text)), text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_clauses_break_as_before(seed: int) -> None:
    """Random runs of break words, spaces, dashes and marks break exactly where the reference breaks them."""
    for text in _random(3000, seed):
        assert _spans(_CLAUSE_BREAK.compiled, text) == _spans(_BEFORE, text), repr(text)
