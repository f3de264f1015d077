"""Classes round 59's held-out replies found: a yes for the meeting named by its month and day ("Yes for Feb 9"); away
somewhere and joining the call from there; a colleague who "y sera à ma place"; "that's right except one thing" to a
receipt."""

from __future__ import annotations

from datetime import date

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.core.roundtable_replies import for_another_day
from mailflow.mail_in.replies import ReplyKind, read_intent, understand, understand_body
from mailflow.mail_in.replies.tables import ASK_NOTICE_NO

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


@pytest.mark.parametrize("text", ["Yes for Feb 9 – I've blocked 12 to 1:30.", "Yes for the long session on February 9th!",
                                  "Oui pour le 9 février.", "yes for 9 feb"])
def test_a_yes_for_the_meeting_named_by_its_month_and_day_is_a_yes_for_that_day(text: str) -> None:
    intents = read_intent(understand_body(text), Request.INVITATION)
    assert [(i.kind, i.value, i.on) for i in intents] == [(K.RSVP, "accepted", ("--02-09",))]
    # the core keeps it for February's meeting, and asks when it answers January's invitation
    assert for_another_day(intents, date(2027, 2, 9)) == (intents, "")
    kept, asked = for_another_day(intents, date(2027, 1, 12))
    assert kept == () and "12 January 2027" in asked


@pytest.mark.parametrize("text", [
    "I'm in Lisbon with my mother until February 20th, so the session runs 8:00 to 9:30 pm here. I can log on at 8.",
    "I'm on vacation until the 20th but I'll join from the cottage.",
])
def test_away_somewhere_and_joining_the_call_from_there_is_no_absence(text: str) -> None:
    kinds = [kind for kind, _ in _read(text, Request.INVITATION)]
    assert K.RSVP in kinds and K.AWAY not in kinds
    # away and not coming stays both
    assert _read("I'm away until February 20th, so I won't make it.", Request.INVITATION) == [
        (K.RSVP, "declined"), (K.AWAY, "")]


@pytest.mark.parametrize("text", ["Ma collègue, la Dre Sophie Lavoie, y sera à ma place.",
                                  "Sophie y assistera à ma place; pourriez-vous lui transmettre le lien?"])
def test_a_colleague_who_will_be_there_in_ones_place_is_a_decline(text: str) -> None:
    assert _read(text, Request.INVITATION) == [(K.RSVP, "declined")]


@pytest.mark.parametrize("text", [
    "Thanks, that's right except one thing – we're funded for three days a week now, not two. Everything else is accurate.",
    "C'est exact sauf le nombre de cliniques : quatre, pas trois.",
])
def test_right_except_one_thing_to_a_receipt_is_asked_about_never_a_new_update(text: str) -> None:
    assert _read(text, Request.NOTICE) == [(K.UNCLEAR, ASK_NOTICE_NO)]


def test_a_signature_that_says_when_its_mailbox_is_read_leaves_the_reply_a_persons() -> None:
    raw = (b"From: Helen Cho <helen.cho@southisland-division.example.org>\r\nTo: cop@example.org\r\n"
           b"Subject: RE: Invitation: SDH in PMH/PCN Community of Practice, Tuesday 12 January 2027\r\n"
           b"Date: Wed, 23 Dec 2026 09:00:00 -0800\r\nMessage-ID: <r59-signature@southisland-division.example.org>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"Hi Jordan,\r\n\r\nI can do the first half hour, so I'll drop off after the roundtable.\r\n\r\nHelen\r\n\r\n"
           b"Dr. Helen Cho, MD, CCFP (she/her)\r\nPhysician Lead | South Island Division of Family Practice\r\n"
           b"I work part-time (Monday, Tuesday, Thursday). This mailbox is not monitored for urgent clinical matters; "
           b"if your message is urgent, please call the clinic.\r\n")
    reply = understand(raw)
    assert reply.kind is ReplyKind.REPLY
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(K.RSVP, "tentative")]
