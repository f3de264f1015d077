"""The first-word tests that spare a clause the attendance, approval and change patterns let every match through."""

from __future__ import annotations

import pytest

from mailflow.mail_in.replies import commands, rsvp, worded
from mailflow.mail_in.replies.clauses import Clause, Lazy, clauses

# One phrase for each alternative of the pattern (as the pattern reads it, folded).
_VERBS = ["make it", "make", "attend", "be available", "available", "disponible", "be there", "be present",
          "be in attendance", "come", "join", "participate", "be joining", "be attending", "attending", "joining",
          "coming", "dial in", "call in", "be on the call", "be at", "assister", "venir", "viendrai", "participer",
          "participerai", "assisterai", "me joindre", "joindrai", "y etre", "y aller", "y assister", "etre la",
          "serai presente", "sera pas a", "serai jamais de la partie", "y serai", "y serai pas", "y serons",
          "y serons pas"]
_APPROVALS = ["approve", "approved", "approving", "lgtm", "looks good to me", "all good", "good to go", "go ahead",
              "ok to send", "okay to send", "fine with me", "ship it", "send it out", "please send it", "ready to go",
              "works for me", "sounds great", "perfect", "no further changes needed", "nothing to add", "all set",
              "approuvee", "approuves", "approuvees", "j'approuve", "approuve", "ca me va", "c'est parfait",
              "tout est beau", "parfait", "bon pour envoi", "feu vert", "vous pouvez l'envoyer", "tu peux envoyer",
              "allez-y", "vas-y", "ok pour moi", "ca marche", "aucun changement", "rien a changer", "go for it"]
_CHANGES = [*worded._CHANGE_VERBS, "can we", "could you", "pourrait", "pourrions", "pourriez", "would it be possible"]


def _clause(text: str) -> Clause:
    (found,) = clauses(text, 0, 0, 0)
    return found


@pytest.mark.parametrize(("pattern", "first_words", "phrases", "around"), [
    (rsvp._VERB, rsvp._VERB_FIRST_WORDS, _VERBS, "well {} then"),
    (commands._APPROVE, commands._APPROVE_FIRST_WORDS, _APPROVALS, "well {} then"),
    (worded.CHANGE, worded._CHANGE_FIRST_WORDS, _CHANGES, "please {} item 2"),      # (where a request says it)
    (rsvp._ADVERB, rsvp._ADVERB_WORDS, list(rsvp._ADVERBS), "well {} then"),
    (rsvp._FOR_OTHERS, rsvp._FOR_OTHERS_WORDS, ["on behalf of", "de la part de", "de la part d'une collegue",
                                                 "in his place", "in her stead", "in their place"], "well {} then"),
])
def test_every_alternative_starts_with_a_listed_first_word(pattern: Lazy, first_words: frozenset[str],
                                                         phrases: list[str], around: str) -> None:
    """Each alternative of the pattern, met in a clause, passes the first-word test (else it would be skipped)."""
    for phrase in phrases:
        clause = _clause(around.format(phrase))
        assert pattern.search(clause.folded), phrase
        assert not clause.tokens.isdisjoint(first_words), phrase


def test_clauses_read_alike_with_and_without_the_tests() -> None:
    """Attendance, approval and change requests are still read from ordinary clauses."""
    assert rsvp.attendance(_clause("I will really be there")) == rsvp.Attendance(rsvp.Rsvp.ACCEPTED)
    assert rsvp.attendance(_clause("Unfortunately I can't make it")) == rsvp.Attendance(rsvp.Rsvp.DECLINED)
    assert rsvp.attendance(_clause("Our clinic grew this month")) is None
    assert commands.approval(_clause("Looks good to me")) is commands.Approval.APPROVE
    assert commands.approval(_clause("The pilot went well")) is None
    assert worded.asks_change(_clause("Can we move item 2 to the end"))
    assert not worded.asks_change(_clause("We moved offices"))
    assert worded.asks_change(_clause("I'd like to move the housing item earlier"))
    assert not worded.asks_change(_clause("the focus title may change depending on her answer"))
    assert not worded.asks_change(_clause("our clinic will move to the new site in March"))
