"""Phrase tables matched by first character find, on every clause, the match the whole alternation finds."""

from __future__ import annotations

import random
import re

import pytest
from intentkit import load

from mailflow.mail_in.replies import clauses, commands, phrases, rsvp
from mailflow.mail_in.replies.alternatives import Alternatives, first_characters
from mailflow.mail_in.replies.clauses import Phrases, fold, lines_of, without_lead_in


def _all_alternatives() -> list[tuple[str, Alternatives]]:
    """Every dispatched alternation of the reply-reading modules, with a name to tell them apart."""
    found: list[tuple[str, Alternatives]] = []

    def visit(name: str, value: object) -> None:
        if isinstance(value, Alternatives):
            found.append((name, value))
        elif isinstance(value, Phrases) and value._start is not None:
            found.append((name, value._start))
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                visit(f"{name}[{i}]", item)

    for module in (clauses, phrases, rsvp, commands):
        for name, value in vars(module).items():
            visit(f"{module.__name__}.{name}", value)
    return found


ALTERNATIVES = _all_alternatives()


def _texts() -> list[str]:
    """Folded clauses of every intent case (and each without its lead-in), and random runs of the tables' words."""
    texts: set[str] = set()
    for case in load():
        for line in lines_of(case.text).clauses:
            for clause in line or ():
                texts.update((clause.folded, without_lead_in(clause.folded)))
    words = sorted({w for _, alternatives in ALTERNATIVES for w in re.findall(r"[a-z']+", alternatives.source)})
    rng = random.Random(12)
    texts.update(" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(4000))
    texts.update(["", " ", "👍", "✔️", "yes", "no", "?", "i'll pass", fold("Désolée, je ne pourrai pas"), "2024 was good",
                  "€5", "中文 yes", "-- no", "(yes)"])
    return sorted(texts)


TEXTS = _texts()


def test_every_phrase_table_is_dispatched() -> None:
    """The phrase tables read at a clause's start (some forty of them) are all matched by first character."""
    assert len(ALTERNATIVES) >= 20


@pytest.mark.parametrize(("name", "alternatives"), ALTERNATIVES, ids=[name for name, _ in ALTERNATIVES])
def test_same_match_as_the_whole_alternation(name: str, alternatives: Alternatives) -> None:
    """match and fullmatch give the span the whole alternation gives, or none when it gives none."""
    whole = re.compile(alternatives.source)
    for text in TEXTS:
        for mine, theirs in ((alternatives.match(text), whole.match(text)),
                             (alternatives.fullmatch(text), whole.fullmatch(text))):
            assert (mine and mine.span()) == (theirs and theirs.span()), (name, text)


def test_tables_match_their_phrases() -> None:
    """The dispatch still finds phrases: an unsubscribe, a courtesy, a bare answer, a worded change."""
    assert phrases.said(lines_of("Please unsubscribe me").clauses[0][0]) is phrases.Said.UNSUBSCRIBE
    assert phrases.courtesy(lines_of("Thanks so much").clauses[0][0])
    assert rsvp.answer(lines_of("Nope").clauses[0][0]) is rsvp.Answer.NO
    assert commands.worded(lines_of("please remove item 3").clauses[0][0], "") is not None


@pytest.mark.parametrize(("pattern", "first"), [
    ("(?:please )?undo", {"p", "u"}),
    (r"\bnot (?:sure|certain)", {"n"}),
    (r"[a-c]y|z", {"a", "b", "c", "z"}),
    (r"(?:a|b?)c", {"a", "b", "c"}),
    (r"(?=x)y", {"y"}),
    ("\U0001f44d|\u2714\ufe0f?", {"\U0001f44d", "\u2714"}),
])
def test_first_characters(pattern: str, first: set[str]) -> None:
    """The characters a pattern's matches can start with, read through groups, options and lookaheads."""
    assert first_characters(pattern) == first


@pytest.mark.parametrize("pattern", [r"x?", r"\w+", r"[^a]b", r"(?i)abc", r".x", r"(?:a|)", r"[\s,]+x"])
def test_any_first_character(pattern: str) -> None:
    """A pattern that can start with any character, match nothing, or carries its own flags: tried with every text."""
    assert first_characters(pattern) is None


def test_patterns_kept_stay_bounded() -> None:
    """Texts starting with a thousand characters no alternative starts with add no pattern per character."""
    alternatives = rsvp._ANY_ANSWER
    for code in range(0x4E00, 0x4E00 + 1000):
        assert alternatives.match(chr(code) + " yes") is None
    assert alternatives.match("yes") is not None and alternatives.match("bah") is None      # an ASCII start is kept
    assert set(alternatives._by_first) <= (alternatives._starts or set()) | {chr(code) for code in range(128)} | {""}


def test_a_python_without_the_regex_parser_still_matches_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were re._parser gone, no first characters are known and every text meets the whole alternation."""
    from mailflow.mail_in.replies import alternatives
    monkeypatch.setattr(alternatives, "_parser", None)
    assert first_characters("(?:please )?undo") is None
    table = Alternatives(["(?:please )?undo", "cancel", "stop"])
    for text in ("please undo that", "undo", "cancel it", "stop now", "nothing", ""):
        whole = re.match(table.source, text)
        found = table.match(text)
        assert (found and found.group(0)) == (whole and whole.group(0))
