"""The cheap test before the label scan (labels.may_hold_label) lets every label through: each alternative of
every label, and random lines of label words, colons and the marks a label may carry."""

from __future__ import annotations

import random
import re
from re import _parser as sre

import pytest

from mailflow.mail_in.replies.clauses import fold
from mailflow.mail_in.replies.commands import labels_in, opens_with_label
from mailflow.mail_in.replies.labels import LABEL, LABELS, LAST_WORDS, may_hold_label


def _expand(nodes: sre.SubPattern | list) -> list[str]:
    """Every string a pattern made of literals, groups, alternatives, classes and '?' matches (a label's)."""
    out = [""]
    for op, arg in nodes:
        if op is sre.LITERAL:
            choices = [chr(arg)]
        elif op is sre.SUBPATTERN:
            choices = _expand(arg[3])
        elif op is sre.BRANCH:
            choices = [text for branch in arg[1] for text in _expand(branch)]
        elif op is sre.MAX_REPEAT and arg[1] == 1:
            choices = ([""] if arg[0] == 0 else []) + _expand(arg[2])
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):
            choices = [chr(code) for _, code in arg]
        else:
            raise AssertionError(f"a label pattern the test cannot expand: {op} {arg}")
        out = [head + tail for head in out for tail in choices]
    return out


PHRASES = sorted({text for _, pattern in LABELS for text in _expand(sre.parse(pattern))})


def test_every_label_phrase_ends_with_a_listed_last_word() -> None:
    """The last word of every alternative is in LAST_WORDS (a label added to LABELS must be added there)."""
    assert len(PHRASES) > 100
    for phrase in PHRASES:
        assert re.findall(r"\w+", phrase)[-1] in LAST_WORDS, phrase


@pytest.mark.parametrize("template", ["{}: value", "Thanks! {} (s) *: value", "- {} _ : value", "**{}**: value",
                                      "ok. {}\t:value", "{}  (s):"])
def test_every_label_phrase_passes_the_test_and_is_read(template: str) -> None:
    """Each alternative, written with the marks a label may carry, passes the test and is found as a label."""
    for phrase in PHRASES:
        line = template.format(phrase)
        assert may_hold_label(fold(line)), line
        assert labels_in(line), line


def test_lines_without_a_label_are_told_at_once() -> None:
    """Lines whose colons end no label fail the test (and so hold none), a link's colon included."""
    for line in ["Challenge: our intake list grew", "Sent: Tuesday, March 3, 2026 9:29 AM", "see https://x.org/note",
                 "the topic of the day: burnout", "footnote: x", "no colon here"]:
        assert not may_hold_label(fold(line)), line
        assert not labels_in(line) and not opens_with_label(line), line


def _random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = [*LAST_WORDS, *PHRASES, "challenge", "success", "help", "sent", "from", "the", "my", "please", "and",
             "https://x.org", "note_", "_note", "(s)", "( s )", "*", "_", "**", "__", ":", "：", "::", ": //", "://",
             ".", "!", "?", "-", "'", "l'", "\u00a0", "\t", "  ", "Remove", "FOCUS", "Présentateur", "Sujet"]
    return ["".join(rng.choice(words) + rng.choice(["", " ", "", ":", " :"]) for _ in range(rng.randint(1, 10)))
            for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_label_match_is_ever_hidden_by_the_test(seed: int) -> None:
    """Wherever the label pattern matches a random line, the test lets the line through."""
    matched = 0
    for line in _random_lines(3000, seed):
        folded = fold(line)
        if LABEL.search(folded):
            matched += 1
            assert may_hold_label(folded), line
    assert matched > 300          # the lines do hold labels: the property is exercised
