"""Classes round 51's held-out replies found: minutes promised with the recording, a focus change asked as a
question, a presenter swapped, a later meeting named beside another change, a reply to the wrong thread in French, a
receipt confirmed as a whole, a first meeting missed, an introduction promised before a later meeting, a presenter
named in French ("ce sera plutôt X qui présentera"), and a link alone on its line inside the quote."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _kinds(text: str, request: Request) -> list[IntentKind]:
    return [kind for kind, _ in _read(text, request)]


def test_minutes_promised_with_the_recording_ask_nothing() -> None:
    text = ("Sam took the notes yesterday and is writing them up this week. The recording is still processing on the "
            "Zoom side, so we'll send both together by Friday.")
    assert _kinds(text, Request.MINUTES) == []


def test_a_focus_change_asked_then_approved_with_it() -> None:
    text = ("Approved.\n\nOh wait, not yet, sorry. Can the focus read \"Working agreements with community partners\"? "
            "He's reframed it a bit since December.\n\nWith that change it's approved.")
    assert sorted(_read(text, Request.AGENDA)) == sorted([(K.APPROVE, ""),
                                                          (K.FOCUS, "Working agreements with community partners")])


def test_a_numbered_list_of_changes_for_the_chair() -> None:
    """"Swap the presenter to ..."; a later meeting named in the removal's own sentence does not put off the addition
    on the next line."""
    text = ("Hi,\n\nHelen asked me to make these changes for her:\n\n"
            "1. Swap the presenter to Luis Ferreira – Amrit is on call that week.\n"
            "2. Please drop \"Housing first\" from the future agenda list. Helen would rather hold it for the February "
            "session.\n"
            "3. Add to open discussion: Winter respiratory season\n\n"
            "She hasn't approved it yet, she'd like to see the revised version first.")
    found = _read(text, Request.AGENDA)
    assert (K.PRESENTER, "Luis Ferreira") in found and (K.ADD, "Winter respiratory season") in found
    assert K.REMOVE in [k for k, _ in found] and K.UNCLEAR not in [k for k, _ in found]


def test_an_addition_under_a_heading_for_a_later_meeting_is_still_put_off() -> None:
    text = "For the February meeting:\nAdd: Winter respiratory season\n\nOtherwise approved."
    assert K.ADD not in _kinds(text, Request.AGENDA)


def test_a_reply_to_the_wrong_thread_in_french_takes_back_the_update() -> None:
    text = ("Merci de ne pas en tenir compte, je me suis trompée de fil : cette mise à jour était pour notre comité "
            "PCN. Je vous envoie la bonne cette semaine.")
    assert _kinds(text, Request.NOTICE) == [K.UNDO]


@pytest.mark.parametrize("text", ["All of the above was right.", "That's all correct.",
                                  "Only seeing this now, sorry. January was a blur. All of the above was right."])
def test_a_receipt_confirmed_as_a_whole_asks_nothing(text: str) -> None:
    assert _kinds(text, Request.NOTICE) == []


def test_a_first_meeting_missed_and_an_introduction_promised() -> None:
    text = ("Thank you! Unfortunately I'm at the primary care forum in Prince George on Jan 12 so I'll miss my first "
            "meeting. I'll send a short intro before the February one.")
    assert _read(text, Request.WELCOME) == [(K.RSVP, "declined")]


def test_a_presenter_named_in_french_with_ce_sera() -> None:
    found = _read("Ce sera plutôt Luis Ferreira qui présentera.", Request.FOCUS)
    assert (K.PRESENTER, "Luis Ferreira") in found


def test_a_link_alone_under_the_senders_words_inside_the_quote_is_theirs() -> None:
    body = ("On 2026-12-29 12:00 p.m., SDH Community of Practice wrote:\r\n> Hello Luis,\r\n>\r\n"
            "> Please reply with your update.\r\n\r\n"
            "Success: we now have one shared pathway doc instead of four versions. The pathway doc is here if it's "
            "useful:\r\nhttps://division.example.org/sdh-pathways\r\n\r\n>\r\n> Attach any documents you want to "
            "share.\r\n>\r\n> -- \r\n> SDH Community of Practice\r\n\r\n-- \r\nLuis Ferreira\r\n")
    raw = ("From: Luis Ferreira <luis@division.example.org>\r\nTo: cop+t0k3n@example.org\r\nSubject: Re: Your "
           "roundtable update\r\nMessage-ID: <r51.1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + body).encode()
    assert understand(raw).text.endswith("useful:\nhttps://division.example.org/sdh-pathways")
