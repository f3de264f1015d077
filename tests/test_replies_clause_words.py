"""A clause's word count, taken from its runs of word characters when no apostrophe, hyphen or underscore
joins them, is the count of WORD matches, on written and random clauses."""

from __future__ import annotations

import random

import pytest

from mailflow.mail_in.replies.clauses import WORD, clauses


def _random(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["i'll", "we", "follow-up", "_x", "a_b", "x-", "-y", "'quoted'", "l'ordre", "Dr", "2024", "é", "naïve",
             "n't", "--", "_", "'", "co-op", "x", "update"]
    marks = [" ", "  ", ", ", ". ", "! ", "? ", " - ", "; ", ": ", "(", ")", "/", "&"]
    return ["".join(rng.choice(words) + rng.choice(marks) for _ in range(rng.randint(1, 15))) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_word_counts_are_the_word_pattern_counts(seed: int) -> None:
    """Every clause counts as many words as WORD finds in its folded text."""
    for text in [*_random(2000, seed), "I'll be there -- the follow-up is on_line", "Merci à tous, d'accord"]:
        for clause in clauses(text, 0, 0, 0):
            assert clause.words == len(WORD.findall(clause.folded)), (text, clause.folded)
