"""Classes round 56's held-out replies found: attendance said indirectly (popping in for the first part, fine unless
something runs over, the calendar's word, "I'm definitely there", "Probably yes", a month written off), an office
assistant's second-language English, and a change to the draft written as what a line should read."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand_body
from mailflow.mail_in.replies.clauses import lines_of

K = IntentKind


def _read(text: str, request: Request, sender: str = "") -> list[tuple[IntentKind, str]]:
    reply = understand_body(text)
    if sender:
        reply = replace(reply, from_name=sender)
    return [(i.kind, i.value) for i in read_intent(reply, request)]


@pytest.mark.parametrize("text", [
    "I'll pop in for the first half, I have an interview at 12:30 I can't move.",
    "Should be fine unless clinic runs over.",
    "Probably yes, the board may still move its meeting to that day.",
    "Je vais faire un saut pour la première demi-heure, j'ai une rencontre à 12 h 30.",
    "Ça devrait être correct pour mardi, à moins que notre CA se réunisse ce jour-là.",
])
def test_a_part_or_a_likely_yes_is_a_maybe(text: str) -> None:
    assert _read(text, Request.INVITATION) == [(K.RSVP, "tentative")]


@pytest.mark.parametrize("text", ["My calendar says yes (for once!)", "See everyone on the 12th.",
                                  "I accepted the invite ages ago, so I'm definitely there."])
def test_a_yes_said_sideways_is_a_yes(text: str) -> None:
    assert _read(text, Request.INVITATION)[:1] == [(K.RSVP, "accepted")]


def test_a_sentence_about_being_there_for_others_is_no_answer() -> None:
    assert _read("I'm there for my patients every day, that's the job.", Request.INVITATION) == []
    assert _read("It should be fine once the new staff start.", Request.INVITATION) == []


def test_a_month_written_off_is_a_no_where_attendance_is_asked_and_a_reason_beside_a_skip() -> None:
    text = "January's a write-off for me, I'm doing practice visits all week. But I'll be at the February planning session."
    assert _read(text, Request.INVITATION) == [(K.RSVP, "declined")]
    assert _read("Skip me this month please – January is a write-off with locums.", Request.UPDATE) == [(K.SKIP, "")]
    # another month written off says nothing of this one (the core checks the month against the meeting's)
    [intent] = read_intent(understand_body("February's a write-off for me."), Request.INVITATION)
    assert (intent.kind, intent.on) == (K.RSVP, ("--02",))


def test_an_assistants_second_language_english_is_read_for_the_sender() -> None:
    text = ("Good morning,\n\nDr. Sandhu ask me to inform you that he will attend the meeting of 12 January, but maybe he "
            "need to leave before the end because he have rounds at 12:45.\n\nThank you,\nHarpreet")
    assert _read(text, Request.INVITATION, sender="Dr. Amrit Sandhu") == [(K.RSVP, "tentative")]


def test_a_title_inside_an_opening_quote_ends_no_sentence() -> None:
    line = 'So the presenter line should read "Dr. Amrit Sandhu and Tom Whitehorse". With that change it\'s good to go.'
    clauses = [c.text for c in lines_of(line).clauses[0] or ()]
    assert clauses[0].endswith('"Dr. Amrit Sandhu and Tom Whitehorse')


def test_what_the_presenter_line_should_read_is_the_presenter() -> None:
    text = ('Approved! Oh wait, one fix first. So the presenter line should read "Dr. Amrit Sandhu and Tom Whitehorse". '
            "With that change it's good to go.")
    assert sorted(_read(text, Request.AGENDA), key=str) == sorted(
        [(K.APPROVE, ""), (K.PRESENTER, "Dr. Amrit Sandhu and Tom Whitehorse")], key=str)
