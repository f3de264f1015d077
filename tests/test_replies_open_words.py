"""The word tests that spare a clause the anchored alternatives that may start with any character (``Phrases.open_words``,
``worded._OPEN_WORDED_WORDS``: ``Alternatives.without_open``) let every match through: one phrase for each such
alternative, and random clauses of the alternatives' own words."""

from __future__ import annotations

import random
import re

import pytest
from phrasekit import random_texts

from mailflow.mail_in.replies import phrases, rsvp, worded
from mailflow.mail_in.replies.alternatives import Alternatives, is_open
from mailflow.mail_in.replies.clauses import Clause, Phrases, clauses, without_lead_in

# One phrase for each open alternative of the table, in the table's order.
_ATTENDANCE = ["sam will sit in for me", "elle assistera a ma place", "elle me remplacera", "two of us will be there",
               "the 12th works"]
_READ = ["#7 is done", "item 7 done", "that one can be closed", "sam will send the minutes",
         "sam is writing up the minutes", "elle enverra le compte rendu"]
_WORDED = ["she asked that item 3 be removed"]


def _without_adverbs(text: str) -> str:
    return without_lead_in(rsvp._ADVERB.sub("", text))


def _lead_cut(text: str) -> str:
    """As ``worded.worded`` reads a clause: its leading "and", "so", "ok"... cut."""
    lead = worded._LEAD.match(text)
    return text[lead.end():] if lead else text


# (the alternation, the words, the phrases, how the clause is turned into the text the alternation is matched on)
TABLES = [
    (phrases._ANY_READ_AFTER_LEAD_IN._start, phrases._OPEN_READ_WORDS, _READ, without_lead_in),
    (rsvp._ANY_PHRASE._start, rsvp._ANY_PHRASE.open_words, _ATTENDANCE, without_lead_in),
    (rsvp._ANY_PHRASE._start, rsvp._ANY_PHRASE.open_words, _ATTENDANCE, _without_adverbs),
    (worded._ANY_WORDED, worded._OPEN_WORDED_WORDS, _WORDED, _lead_cut),
]


def _open(table: Alternatives) -> list[str]:
    return [branch for branch in table._branches if is_open(branch)]


def _clauses(text: str) -> tuple[Clause, ...]:
    return clauses(text, 0, 0, 0)


@pytest.mark.parametrize(("table", "words", "examples", "reading"), TABLES)
def test_each_open_alternative_has_a_phrase_that_passes(table: Alternatives, words: frozenset[str],
                                                        examples: list[str], reading) -> None:
    """Every open alternative is matched by its phrase, and the phrase's clause passes the word test."""
    branches = _open(table)
    assert len(branches) == len(examples), "an open alternative was added or removed: give each one a phrase here"
    for branch, example in zip(branches, examples, strict=True):
        (clause,) = _clauses(example)
        assert re.match(branch, reading(clause.folded)), (branch, example)
        assert not clause.tokens.isdisjoint(words), example
        assert table.match(reading(clause.folded)), example


_EXTRA = ["so", "sorry", "hi all", "i'm", "really", "actually", "unfortunately", "the", "a", "item", "7",
          "12th", "x", "-", "'", "  ", "#3", "moi", "me", "my", "de", "la", "for", "to", "be", "on", "that", "s", "z"]


def _random_texts(table: Alternatives, examples: list[str], count: int, seed: int) -> list[str]:
    return random_texts(_open(table), examples, _EXTRA, count, seed)


@pytest.mark.parametrize(("table", "words", "examples", "reading"), TABLES)
@pytest.mark.parametrize("seed", [1, 2])
def test_no_open_match_is_hidden_by_the_word_test(table: Alternatives, words: frozenset[str], examples: list[str],
                                                  reading, seed: int) -> None:
    """Wherever an open alternative matches a random clause, the clause holds one of the words; and where it holds
    none, the alternation without the open alternatives finds the same match."""
    opened = re.compile("|".join(f"(?:{b})" for b in _open(table)))
    matched = 0
    for text in _random_texts(table, examples, 4000, seed):
        for clause in _clauses(text):
            read = reading(clause.folded)
            if opened.match(read):
                matched += 1
                assert not clause.tokens.isdisjoint(words), (text, clause.folded)
            if clause.tokens.isdisjoint(words):
                whole, closed = table.match(read), table.without_open().match(read)
                assert (whole and whole.group()) == (closed and closed.group()), text
    assert matched > 500          # the clauses do hold the phrases: the property is exercised


def test_phrases_search_with_the_word_test_as_without() -> None:
    """``Phrases.search`` with a clause's runs finds what it finds without them, open alternatives or not."""
    table: Phrases = rsvp._ANY_PHRASE
    for text in ["Elle assistera à ma place", "The 12th works for me", "Our clinic opened a second intake line",
                 "Count me in", "I'll be there"]:
        (clause,) = _clauses(text)
        read = without_lead_in(clause.folded)
        found, whole = table.search(read, clause.tokens), table.search(read)
        assert (found and found.group()) == (whole and whole.group()), text


def test_remove_pronoun_is_asked_only_of_clauses_with_its_verb() -> None:
    """Every match of ``worded._REMOVE_PRONOUN`` ("please remove it", "take that one off") holds one of
    ``worded._REMOVE_VERBS`` whole: over its phrases, and random clauses of its words."""
    examples = ["please remove it", "so drop that", "could you just cut that one", "delete this one", "retirez cela",
                "enlever ca", "take out that", "then take it off", "pls take that one out", "retirer it", "enlevez ca"]
    rng = random.Random(3)
    words = ["so", "then", "please", "pls", "can you", "could you", "just", "remove", "drop", "take", "out", "off", "cut",
             "delete", "retirer", "retirez", "enlever", "enlevez", "it", "that", "that one", "this one", "ca", "cela",
             "x", "-", "removed", "taken", "the", "item"]
    texts = examples + [" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(6000)]
    matched = 0
    for text in texts:
        for clause in _clauses(text):
            if worded._REMOVE_PRONOUN.match(clause.folded):
                matched += 1
                assert not clause.tokens.isdisjoint(worded._REMOVE_VERBS), text
    assert matched > 200
