"""Classes round 60's held-out replies found: "Skipping the roundtable this month"; "No real update this month";
season's wishes after "and" beside thanks; an assistant's "Le Dr Gagnon m'a demandé de vous aviser qu'il ne pourra
malheureusement pas se joindre"; the recording link among several links of one sentence."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import ReplyKind, read_intent, understand, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def test_skipping_the_roundtable_is_a_skip() -> None:
    text = "Skipping the roundtable this month since I'm chairing – I'll get plenty of airtime! Will be there though."
    assert [kind for kind, _ in _read(text, Request.UPDATE)] == [K.RSVP, K.SKIP]
    assert _read("I'm sitting out the roundtable this time.", Request.UPDATE) == [(K.SKIP, "")]


@pytest.mark.parametrize("text", ["No real update from Thompson this month – we're heads down on hiring. More in March.",
                                  "No big update this month – it's been all budget meetings."])
def test_no_real_update_with_its_reasons_is_a_skip(text: str) -> None:
    assert _read(text, Request.UPDATE) == [(K.SKIP, "")]


@pytest.mark.parametrize("text", ["Thank you, and all the best to you and the team for 2027! 🎉",
                                  "Thanks – and happy new year!", "Merci, et meilleurs voeux pour 2027!"])
def test_thanks_and_seasons_wishes_are_no_update(text: str) -> None:
    assert _read(text, Request.UPDATE) == []
    # a wish beside real news leaves the news an update
    news = "Happy new year! Our Trail clinic now screens every new patient for food insecurity, 41 so far."
    assert [kind for kind, _ in _read(news, Request.UPDATE)] == [K.UPDATE]


def _from_gagnon(body: str) -> bytes:
    return ("From: \"Dr. Michel Gagnon\" <mgagnon@wrss-division.example.org>\r\n"
            "Sender: Nadine Roy <nroy@wrss-division.example.org>\r\nTo: cop@example.org\r\n"
            "Subject: RE: Today: SDH in PMH/PCN Community of Practice at 12:00\r\n"
            "Date: Tue, 12 Jan 2027 10:40:00 -0800\r\nMessage-ID: <r60-behalf@wrss-division.example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_an_assistant_writing_from_the_members_mailbox_in_french_gives_the_members_answer() -> None:
    body = ("Bonjour,\r\n\r\nLe Dr Gagnon m'a demandé de vous aviser qu'il ne pourra malheureusement pas se joindre à la "
            "rencontre de ce midi : il est retenu à la clinique pour une urgence.\r\n")
    assert [(i.kind, i.value) for i in read_intent(understand(_from_gagnon(body)), Request.DAY_OF)] == [
        (K.RSVP, "declined")]
    # the same words about someone else than the mailbox's owner pass on their answer, never the sender's
    assert _read("Le Dr Roy m'a demandé de vous aviser qu'il ne pourra pas se joindre à la rencontre.", Request.DAY_OF) == []


def test_the_recording_is_the_link_its_mention_leads_to() -> None:
    text = ("Thanks for a great discussion. The full minutes are in our shared folder<https://files.example.org/m.docx>, "
            "and you can watch the recording here<https://video.example.org/rec/2027-03-16-cop> (passcode 8841).\n\n"
            "In short: we heard from the legal clinic about renovictions and agreed on a joint proposal.")
    recordings = [value for kind, value in _read(text, Request.MINUTES) if kind is K.RECORDING]
    assert recordings == ["https://video.example.org/rec/2027-03-16-cop"]


def _to_the_invitation(body: str, subject: str = "Re: Invitation: SDH in PMH/PCN Community of Practice, Tuesday 9 "
                                                   "February 2027") -> bytes:
    return ("From: Dr. Sarah Bennett <sbennett@northshore-division.example.org>\r\nTo: cop@example.org\r\n"
            f"Subject: {subject}\r\nDate: Wed, 6 Jan 2027 09:00:00 -0800\r\n"
            "Message-ID: <r60-rule@northshore-division.example.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


QUOTED = ("\r\n\r\n> On Jan 5, 2027, at 12:00 PM, SDH in PMH/PCN Community of Practice <cop@example.org> wrote:\r\n>\r\n"
          "> Hello Dr. Sarah Bennett,\r\n>\r\n> Our next meeting is on Tuesday 9 February 2027, 12:00-13:30 PST.\r\n"
          "> Will you attend? Please reply \"yes\" or \"no\".\r\n")


@pytest.mark.parametrize("body", [
    "I am on parental leave until April 2027 and am not reading email. Messages are not being forwarded.\r\n\r\n"
    "For Division business, please contact Rebecca Lau at rlau@northshore-division.example.org." + QUOTED,
    "Hello,\r\n\r\nPlease note that my contract ended on March 31, 2027, and this mailbox is no longer monitored.\r\n\r\n"
    "To reach me, please write to luis@ferreira-consulting.example.ca.\r\n\r\nThank you,\r\nLuis Ferreira" + QUOTED,
])
def test_a_mail_programs_rule_that_quotes_the_invitation_is_still_automatic(body: str) -> None:
    reply = understand(_to_the_invitation(body))
    assert reply.kind is ReplyKind.AUTO_REPLY
    # a person who is on leave and answers in their own words is a reply
    person = understand(_to_the_invitation("Hi Jordan, I'm on parental leave until April and not reading email much, "
                                           "so no for February – see you in the spring!" + QUOTED))
    assert person.kind is ReplyKind.REPLY
