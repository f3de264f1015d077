"""The word tests that spare a clause the unanchored phrase alternatives (``Phrases.floating_words``) let every
match through: one phrase for each alternative, and random clauses of the alternatives' own words."""

from __future__ import annotations

import re

import pytest
from phrasekit import random_texts

from mailflow.mail_in.replies import commands, phrases, rsvp
from mailflow.mail_in.replies.alternatives import branches as _branches
from mailflow.mail_in.replies.clauses import Clause, Phrases, clauses, fold, without_lead_in

# One phrase for each unanchored alternative of the table, in the table's order.
_UNSUBSCRIBE = ["please unsubscribe me now", "i would like to unsubscribe", "take me off the mailing list",
                "after that please take me off", "delete my email from", "we no longer wish to receive", "can you opt me out", "could you kindly unsubscribe",
                "could you stop sending me these emails", "i'd like to stop receiving these",
                "i'm no longer interested in receiving", "i am leaving the group", "desabonnez-moi",
                "desinscris", "desinscrivez-moi", "retirez-moi de la liste", "svp me retirer", "merci de retirer mon nom de votre liste de distribution",
                "je veux me desabonner",
                "je ne veux plus recevoir", "there's no need to keep sending the cop mail to me",
                "pas besoin de continuer a m'envoyer", "il n'est plus necessaire de m'envoyer les courriels",
                "it is no longer necessary to send me these"]
_READ = ["ci-joint", "ci-jointes", "en piece jointe", "did you get my update", "let me know if it didn't come through",
         "resending in case this didn't go through",
         "avez-vous bien recu ma mise a jour", "this was meant for my colleague",
         "i replied from dr. bennett's mailbox by mistake", "that answer was meant for dr. lau's committee", "wrong person",
         "my predecessor", "destine a mon predecesseur", "mauvaise adresse",
         "ce message etait destine a mon equipe", "ce courriel ne vous etait pas destine", "this email wasn't meant for you",
         "i replied to the wrong email", "i think i got this by mistake", "j'ai recu ce message par erreur", "je me suis trompee de fil", "mauvais fil",
         "the pilot summary pdf attached to the agenda won't open", "the pdf seems to be missing", "my email will change to", "please update my email", "my new address is", "mon adresse courriel change",
         "ma nouvelle adresse est", "we're moving to a new email domain", "sam's doing the minutes this time", "sam will write up the minutes",
         "the minutes will come from jordan", "sam took the notes"]
_HOLD = ["please don't send it", "not yet", "hold off", "wait until monday", "not quite ready", "pas encore",
         "n'envoyez pas", "ne pas envoyer", "i'll leave the approval to you", "attendez que je", "pas tout de suite", "ne l'envoyez pas",
         "i haven't yet had a chance to look", "i'll review it later", "i'll approve it tomorrow", "j'approuverai demain", "je l'approuverai demain",
         "je n'ai pas encore eu le temps de le lire",
         "i'll confirm first thing tomorrow", "let me just double-check with our ed"]
_ATTENDANCE = ["count me out", "count me in", "comptez sur moi", "j'en serai", "je confirme ma presence",
               "confirming my attendance"]


def _plain(text: str) -> str:
    return text


def _without_adverbs(text: str) -> str:
    return without_lead_in(rsvp._ADVERB.sub("", text))


# (the table, the phrases, how the clause is turned into the text the table is searched in)
TABLES = [
    (phrases._UNSUBSCRIBE, _UNSUBSCRIBE, _plain),
    (phrases._ANY_READ_AFTER_LEAD_IN, _READ, without_lead_in),
    (commands._HOLD, _HOLD, _plain),
    (rsvp._ANY_PHRASE, _ATTENDANCE, without_lead_in),
    (rsvp._ANY_PHRASE, _ATTENDANCE, _without_adverbs),
]


def _floating(table: Phrases) -> list[str]:
    return [branch for pattern in table.patterns for branch in _branches(pattern) if not branch.startswith("^")]


def _clauses(text: str) -> tuple[Clause, ...]:
    return clauses(text, 0, 0, 0)


@pytest.mark.parametrize(("table", "examples", "reading"), TABLES)
def test_each_unanchored_alternative_has_a_phrase_that_passes(table: Phrases, examples: list[str], reading) -> None:
    """Every unanchored alternative is matched by its phrase, and the phrase's clause passes the word test."""
    branches = _floating(table)
    assert len(branches) == len(examples), "an alternative was added or removed: give each one a phrase here"
    assert table.floating_words
    for branch, example in zip(branches, examples, strict=True):
        (clause,) = _clauses(f"well {example} then")
        assert re.search(branch, reading(clause.folded)), (branch, example)
        assert not clause.tokens.isdisjoint(table.floating_words), example
        assert table.search(reading(clause.folded), clause.tokens), example


_EXTRA = ["so", "sorry", "hi all", "i'm", "really", "actually", "unfortunately", "the", "a", "list", "group", "x",
          "-", "'", "  ", "moi", "me", "my", "de", "la", "for", "to", "be", "on", "that", "s", "z"]


def _random_texts(table: Phrases, examples: list[str], count: int, seed: int) -> list[str]:
    return random_texts(_floating(table), examples, _EXTRA, count, seed)


@pytest.mark.parametrize(("table", "examples", "reading"), TABLES)
@pytest.mark.parametrize("seed", [1, 2])
def test_no_unanchored_match_is_hidden_by_the_word_test(table: Phrases, examples: list[str], reading,
                                                        seed: int) -> None:
    """Wherever an unanchored alternative matches a random clause, the clause holds one of the words."""
    floating = re.compile("|".join(f"(?:{b})" for b in _floating(table)))
    matched = 0
    for text in _random_texts(table, examples, 4000, seed):
        for clause in _clauses(text):
            searched = reading(clause.folded)
            if floating.search(searched):
                matched += 1
                assert not clause.tokens.isdisjoint(table.floating_words), (text, clause.folded)
            assert bool(table.search(searched, clause.tokens)) == bool(table.search(searched)), text
    assert matched > 500          # the clauses do hold the phrases: the property is exercised


def test_clauses_without_the_words_are_still_read_as_before() -> None:
    """Unsubscribing, a misdirected message and attendance phrases are read; content is not."""
    (leave,) = _clauses("Please take me off this list")
    assert phrases.said(leave) is phrases.Said.UNSUBSCRIBE
    (content,) = _clauses("Our clinic opened a second intake line")
    assert phrases.said(content) is None and rsvp.attendance(content) is None
    (count,) = _clauses("Count me in")
    assert rsvp.attendance(count) == rsvp.Attendance(rsvp.Rsvp.ACCEPTED)
    assert fold("Désinscrivez-moi") == "desinscrivez-moi"
