"""Classes round 55's held-out replies found: the month named as the roundtable's in a skip, an approval or an update
taken back by name, work that will not let the sender get away, someone sent in the sender's place on a named day,
the call for updates named (no update of its own), minutes another person is writing up, and a question about the
call's setup beside an approval."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _kinds(text: str, request: Request) -> list[IntentKind]:
    return [kind for kind, _ in _read(text, request)]


@pytest.mark.parametrize("text", ["Please skip me for this month's roundtable, we're mid-move.",
                                  "Skip me for this week's meeting please.",
                                  "Could you skip me for this month's update? Thanks"])
def test_a_skip_that_names_the_month_as_the_roundtables_is_a_skip(text: str) -> None:
    assert _kinds(text, Request.UPDATE) == [K.SKIP]


@pytest.mark.parametrize("text", ["Sam, please disregard my approval from this morning.",
                                  "Ignore my approval from earlier, sorry.",
                                  "Please disregard the approval I gave yesterday.",
                                  "Veuillez ignorer mon approbation de ce matin."])
def test_an_approval_taken_back_by_name_is_undone(text: str) -> None:
    assert _kinds(text, Request.AGENDA) == [K.UNDO]


def test_an_update_taken_back_beside_a_skip_is_no_update() -> None:
    text = ("Please disregard the update I sent on Monday, the grant isn't public yet. Skip me for this month's "
            "roundtable and I'll have more in March.")
    assert set(_kinds(text, Request.UPDATE)) <= {K.SKIP, K.UNDO} and K.SKIP in _kinds(text, Request.UPDATE)


@pytest.mark.parametrize("text", ["The clinic is short two physicians and I can't get away at noon, sorry.",
                                  "I won't be able to get away tomorrow.",
                                  "Je ne pourrai pas me libérer mardi, désolée.",
                                  "Dr. Bains will join today in my place.",
                                  "Our coordinator will attend on the 12th in my place."])
def test_work_that_holds_the_sender_or_someone_sent_in_their_place_is_a_no(text: str) -> None:
    assert _read(text, Request.DAY_OF) == [(K.RSVP, "declined")]


def test_getting_away_from_an_idea_says_nothing_of_coming() -> None:
    assert K.RSVP not in _kinds("I can't get away from the idea that transport is the real barrier.", Request.DAY_OF)


@pytest.mark.parametrize("text", [
    "Je serai présente le 12. Je ne sais pas si j'aurai quelque chose pour le tour de table, on verra quand l'appel "
    "aux mises à jour arrivera.",
    "Count me in for the 12th. No idea yet what I'll say at the roundtable, I'll see when your call for updates "
    "lands in my inbox."])
def test_the_call_for_updates_named_beside_a_yes_is_no_update(text: str) -> None:
    assert _kinds(text, Request.INVITATION) == [K.RSVP]


def test_minutes_someone_else_is_writing_up_are_announced_not_sent() -> None:
    text = ("Hello,\n\nDr. Osei asked me to let you know that Priya is writing up the minutes this time, since she took "
            "the notes. They expect to send them Thursday morning with the recording link.\n\nKind regards,\nMarta")
    assert _kinds(text, Request.MINUTES) == []


def test_a_question_about_the_calls_setup_beside_an_approval_approves() -> None:
    text = "Approved, thanks. Could you make Priya a co-host on the video call? She'll run the breakout."
    assert K.APPROVE in _kinds(text, Request.AGENDA) and K.UNCLEAR not in _kinds(text, Request.AGENDA)
    # a change asked beside it still holds the draft
    held = "Approved. Could you move the presentation before the roundtable?"
    assert _kinds(held, Request.AGENDA) == [K.UNCLEAR]
