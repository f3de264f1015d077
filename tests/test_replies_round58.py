"""Classes round 58's held-out replies found: an absence over a period that leaves the meeting out (a leave that starts
after it); a French "je vais manquer le tour de table", a part of the meeting missed, not the meeting; a closed
mailbox's automatic notice; topics for a later meeting listed under a sentence; "Everything else in the draft is
approved"; "I'd also like to add ..."."""

from __future__ import annotations

from datetime import date

import pytest

from mailflow.core.intent import Intent, IntentKind
from mailflow.core.kinds import Request
from mailflow.core.roundtable_replies import covers, for_another_day
from mailflow.mail_in.replies import ReplyKind, read_intent, understand, understand_body

K = IntentKind
JANUARY_12 = date(2027, 1, 12)


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _for_the_meeting(text: str, request: Request, day: date = JANUARY_12) -> list[IntentKind]:
    """What the core keeps of the reply for the meeting on ``day`` (an answer about another day is dropped or asked)."""
    intents, asked = for_another_day(read_intent(understand_body(text), request), day,
                                     asked=request in (Request.INVITATION, Request.DAY_OF))
    return [i.kind for i in intents] + ([K.UNCLEAR] if asked else [])


UPDATE = ("Success: three of our five clinics now ask the food-security questions at intake.\n\n"
          "Challenge: no warm referral option in the two northern towns yet.\n\n")


@pytest.mark.parametrize("leave", [
    "Also a heads up: I'll be on medical leave from February 15 to the end of May.",
    "FYI I'm on leave from March 1 to June 30, so I'll miss the spring meetings.",
    "Heads-up: I start parental leave from Feb 3rd for a year; Carla will cover the pilot.",
    "Petite note : je serai en congé du 8 au 26 mars.",
    "Je serai en congé de maternité à partir du 1er avril.",
])
def test_a_leave_that_starts_after_the_meeting_is_news_not_an_absence_from_it(leave: str) -> None:
    text = UPDATE + leave
    assert K.AWAY in [kind for kind, _ in _read(text, Request.UPDATE)]      # the reader reads the absence ...
    assert _for_the_meeting(text, Request.UPDATE) == [K.UPDATE]            # ... the core keeps it off this meeting


@pytest.mark.parametrize("leave", [
    "I'm away from January 8 to 20, so nothing from me this time.",
    "I'm off from December 20 to January 15, so nothing from me this time.",      # across the new year
    "I've been on leave from December 1 and nothing from me this time.",           # started before, no end
    "Je suis en congé du 4 au 22 janvier, donc rien de mon côté ce mois-ci.",
])
def test_an_absence_over_a_period_that_covers_the_meeting_stays(leave: str) -> None:
    assert K.AWAY in _for_the_meeting(leave, Request.UPDATE)


def test_a_period_covers_a_day_read_in_the_year_nearest_it() -> None:
    assert covers("--01-08/--01-20", JANUARY_12)
    assert not covers("--01-13/--01-20", JANUARY_12)          # the day after
    assert covers("--12-20/--01-15", JANUARY_12)              # December this year, January the next
    assert not covers("--12-20/--01-10", JANUARY_12)
    assert covers("--12-01/", JANUARY_12)                     # from a day before, no end
    assert not covers("--02-15/", JANUARY_12)                 # from a day after
    assert covers("--02-29/--03-05", date(2028, 3, 1))        # a leap day, in the year that has it
    # the intent the core reads it from: a day named as a meeting's, or a period
    away = Intent(K.AWAY, on=("--02-09", "--03-01/--06-30"))
    assert for_another_day((away,), JANUARY_12)[0] == ()
    assert for_another_day((away,), date(2027, 2, 9))[0] == (away,)
    assert for_another_day((away,), date(2027, 4, 13))[0] == (away,)


@pytest.mark.parametrize(("text", "rsvp"), [
    ("Je vais me joindre vers 12 h 20, notre CA déborde. Je vais donc manquer le tour de table, désolée!", "tentative"),
    ("Je serai là, mais je vais manquer la présentation : j'ai une clinique à midi.", "tentative"),
    ("I'll be there but I'll miss the open discussion, I have to leave at 12:40.", "tentative"),
    ("Je vais manquer la rencontre, désolée!", "declined"),
    ("Je vais donc manquer la rencontre de mardi.", "declined"),
])
def test_missing_a_part_of_the_meeting_is_being_there_for_the_rest(text: str, rsvp: str) -> None:
    assert _read(text, Request.DAY_OF) == [(K.RSVP, rsvp)]


def _message(body: str, subject: str = "Re: Your roundtable update for the Tuesday 12 January 2027 meeting") -> bytes:
    return (f"From: Dana Lee <dana.lee@members.example.org>\r\nTo: cop@example.org\r\nSubject: {subject}\r\n"
            "Date: Wed, 30 Dec 2026 09:00:00 -0800\r\nMessage-ID: <r58-closed@members.example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


@pytest.mark.parametrize("body", [
    "Thank you for your email.\r\n\r\nThis mailbox is no longer monitored. Dana Lee has moved to a new role and no longer "
    "checks this address. For Division matters please write to info@division.example.org.\r\n\r\n"
    "This is an automated message.\r\n",
    "This is an automatic reply. Dana Lee has left the organization; your message has not been forwarded.\r\n",
    "Merci de votre message. Cette adresse courriel n'est plus surveillée. Ce message est automatique.\r\n",
])
def test_a_closed_mailboxs_notice_is_automatic_mail(body: str) -> None:
    reply = understand(_message(body))
    assert reply.kind is ReplyKind.AUTO_REPLY
    # a person who says the same of an old address, and writes an update, is read as a reply
    person = understand(_message("Please note my old address is no longer monitored; write to me here from now on.\r\n\r\n"
                                 "Challenge: our intake list grew again this month.\r\n"))
    assert person.kind is ReplyKind.REPLY


def test_topics_for_a_later_meeting_listed_under_a_sentence_are_each_a_suggestion() -> None:
    text = ("Thanks for the minutes – a productive session.\n\n"
            "A couple of topics that didn't make the cut on Tuesday but that I'd love to see on a future agenda:\n\n"
            "·         Tenant legal advice for seniors facing renoviction\n"
            "·         Funding navigator time through the PCN\n\n"
            "Happy to help line up speakers for either.")
    assert _read(text, Request.DIGEST) == [(K.SUGGEST, "Tenant legal advice for seniors facing renoviction"),
                                          (K.SUGGEST, "Funding navigator time through the PCN")]
    french = "Merci! Quelques sujets pour une prochaine rencontre :\n- Les interprètes en clinique\n- Le transport rural"
    assert [kind for kind, _ in _read(french, Request.DIGEST)] == [K.SUGGEST, K.SUGGEST]
    # a list under a sentence about something else is no suggestion
    assert K.SUGGEST not in [kind for kind, _ in _read("What we heard at the forum:\n- more interpreters\n- rural transport",
                                                       Request.DIGEST)]


@pytest.mark.parametrize("text", ["Presenter: Tom Whitehorse\n\nEverything else in the draft is approved.",
                                  "The rest of the agenda is approved."])
def test_the_rest_of_the_draft_approved_is_an_approval(text: str) -> None:
    assert K.APPROVE in [kind for kind, _ in _read(text, Request.AGENDA)]


def test_an_item_asked_for_with_i_d_also_like_to_add_is_an_addition() -> None:
    assert _read("I'd also like to add a short item on the provincial SDH data survey.", Request.AGENDA) == [
        (K.ADD, "a short item on the provincial SDH data survey")]
