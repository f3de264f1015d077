"""An update's word count and language: the counting rule (whitespace runs holding a letter or digit)."""

from __future__ import annotations

import random
import re
import sys

import pytest

from mailflow.core.roundtable import language_of, word_count

# Every kind of character the counting rule tells apart: spaces of several kinds, letters and digits of several
# scripts, the underscore (a regex word character that is not alphanumeric), marks, punctuation, symbols.
PIECES = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "a", "Z", "é", "ß", "ω", "中", "٣", "²", "Ⅻ",
          "_", "-", "—", "\u0301", ".", ",", "!", "(", ")", "&", "@", "€", "👍", "'", "’", "«", "»", "9"]


def _by_the_rule(text: str) -> int:
    """The rule as first written: each str.split() token with any str.isalnum() character is one word."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


@pytest.mark.parametrize("seed", range(6))
def test_word_count_is_the_count_of_tokens_holding_a_letter_or_digit(seed: int) -> None:
    """word_count gives what counting str.split() tokens with an alphanumeric character gives, on generated text."""
    rng = random.Random(seed)
    for _ in range(2000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        assert word_count(text) == _by_the_rule(text), repr(text)


def test_the_pattern_classes_are_the_string_methods_for_every_character() -> None:
    """\\s is str.isspace and [^\\W_] is str.isalnum for every code point (what makes the pattern the rule)."""
    space, alnum = re.compile(r"\s"), re.compile(r"[^\W_]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(space.fullmatch(char)) == char.isspace(), hex(code)
        assert bool(alnum.fullmatch(char)) == char.isalnum(), hex(code)


def test_an_update_in_french_reads_as_french() -> None:
    """An update with more French than English short words is marked "fr"; an English one is not."""
    assert language_of("Nous avons eu une bonne semaine avec les patients et la clinique.") == "fr"
    assert language_of("We had a good week with the patients and the clinic; le menu was fine.") == ""
    assert word_count("Challenge: -- the PCN pilot (phase 2) — done!") == 7
