"""The word tests before the bounce, delay and help-desk subject patterns let every match through: subjects drawn
from each alternative of each pattern, in odd cases and letters, with words and marks around them."""

from __future__ import annotations

import random
import re
from re import _parser as sre

import pytest

from mailflow.mail_in.replies import bounces, classify
from mailflow.mail_in.replies.alternatives import branches as _branches
from mailflow.mail_in.replies.casefold import holds_any, ignorecase_fold

# (pattern, its words, how many alternatives it had when the words were listed)
PATTERNS = [
    (bounces._SUBJECT, bounces._SUBJECT_WORDS, 38),
    (bounces._DELAY_SUBJECT, bounces._DELAY_WORDS, 9),
    (classify._TICKET_SUBJECT, classify._TICKET_WORDS, 6),
]
_CATEGORY = {sre.CATEGORY_DIGIT: "1234", sre.CATEGORY_WORD: "aZ_9é", sre.CATEGORY_SPACE: " \t"}


def _sample(nodes: sre.SubPattern | list, rng: random.Random) -> str:
    """A string the parsed pattern matches (choices made at random)."""
    out = []
    for op, arg in nodes:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.SUBPATTERN:
            out.append(_sample(arg[3], rng))
        elif op is sre.BRANCH:
            out.append(_sample(rng.choice(arg[1]), rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = arg
            out.extend(_sample(body, rng) for _ in range(rng.randint(low, min(high, low + 2))))
        elif op is sre.IN:
            kind, value = rng.choice([item for item in arg if item[0] is not sre.NEGATE])
            if kind is sre.LITERAL:
                out.append(chr(value))
            elif kind is sre.RANGE:
                out.append(chr(rng.randint(*value)))
            else:
                out.append(rng.choice(_CATEGORY[value]))
        elif op is sre.ANY:
            out.append(rng.choice("x -"))
        elif op is not sre.AT:              # anchors and \b take no character
            raise AssertionError(f"the sampler cannot draw {op} {arg}")
    return "".join(out)


def _odd(text: str, rng: random.Random) -> str:
    """The text with its letters in either case, and i, s and k sometimes written as İ/ı, ſ and the Kelvin sign."""
    swaps = {"i": "\u0130\u0131I", "s": "\u017fS", "k": "\u212aK"}
    return "".join(rng.choice(swaps[ch]) if ch in swaps and rng.random() < 0.2 else
                   ch.upper() if rng.random() < 0.3 else ch for ch in text)


@pytest.mark.parametrize(("pattern", "words", "alternatives"), PATTERNS, ids=["bounce", "delay", "ticket"])
def test_every_alternative_drawn_holds_a_word(pattern: re.Pattern[str], words: tuple[str, ...],
                                              alternatives: int) -> None:
    """A subject drawn from any alternative matches it and, folded, holds one of the words."""
    branches = _branches(pattern.pattern)
    assert len(branches) == alternatives, "an alternative was added or removed: review the words"
    rng = random.Random(7)
    for branch in branches:
        parsed = sre.parse(branch, pattern.flags)
        for _ in range(40):
            subject = _odd(_sample(parsed, rng), rng) if rng.random() < 0.5 else _sample(parsed, rng)
            assert re.search(branch, subject, pattern.flags), (branch, subject)
            assert holds_any(ignorecase_fold(subject), words), (branch, subject)


@pytest.mark.parametrize(("pattern", "words", "alternatives"), PATTERNS, ids=["bounce", "delay", "ticket"])
def test_no_subject_match_is_hidden_by_the_word_test(pattern: re.Pattern[str], words: tuple[str, ...],
                                                     alternatives: int) -> None:
    """Random subjects around drawn phrases: wherever the pattern matches, the folded subject holds a word."""
    rng = random.Random(11)
    branches = [sre.parse(b, pattern.flags) for b in _branches(pattern.pattern)]
    filler = ["Re:", "Fwd:", "AW:", "[ext]", "your", "the", "update", "meeting", "#", "no.", "12", "-", "(", ")"]
    matched = 0
    for _ in range(4000):
        parts = [rng.choice(filler) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.8:
            parts.insert(rng.randint(0, len(parts)), _sample(rng.choice(branches), rng))
        subject = _odd(" ".join(parts), rng)
        if pattern.search(subject):
            matched += 1
            assert holds_any(ignorecase_fold(subject), words), subject
    assert matched > 1000


def test_subjects_are_still_told_apart() -> None:
    """A bounce, a delay and a help-desk receipt are told by their subjects; a reply's subject is none of them."""
    assert bounces.from_text("MAILER-DAEMON@x.org", "Undeliverable: agenda", "<>", "", "").failure is not None
    assert bounces.from_text("postmaster@x.org", "Delivery delayed: agenda", "<>", "", "").delay
    assert classify.ticket_receipt("[Ticket #4411] Re: agenda", "")
    reply = "Re: Your roundtable update for the Tuesday 12 January 2027 meeting"
    assert bounces.from_text("Dana <dana@x.org>", reply, "dana@x.org", "Thanks!", "").failure is None
    assert not classify.ticket_receipt(reply, "Thanks!")
