"""Classes round 53's held-out replies found: a closing that runs over two lines or sits over another person's
signature, "assist to the meeting", "J'arriverai avec une dizaine de minutes de retard", a weekday shortened
("there tues"), and praise of what we sent."""

from __future__ import annotations

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _message(body: str, sender: str) -> bytes:
    return (f"From: {sender}\r\nTo: cop+t0k3n@example.org\r\nSubject: Re: Invitation\r\n"
            "Message-ID: <r53.1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_a_closing_over_two_lines_is_left_out() -> None:
    body = ("Dear Sir/Madam,\r\n\r\nKindly disregard my previous email, which was sent to this address in error. I shall "
            "forward my roundtable update under separate cover before the deadline.\r\n\r\n"
            "With apologies for any inconvenience occasioned,\r\nYours faithfully,\r\nGrace Okafor (Mrs.)\r\n"
            "Executive Director\r\n")
    text = understand(_message(body, "Grace Okafor <grace@chilliwack.example.org>")).text
    assert text.endswith("before the deadline.") and "occasioned" not in text


def test_a_closing_over_an_assistants_own_signature_is_left_out() -> None:
    """From the member's mailbox, her assistant signs with her own name: the line over it is still the closing."""
    body = ("Good day po,\r\n\r\nThis is Rowena, the MOA of Dr. Bennett. I am the one checking her emails while she is "
            "on holiday. Dr. Bennett will not be able to attend the meeting on January 12.\r\n\r\n"
            "Thank you po and God bless,\r\n\r\nRowena Dizon\r\nMedical Office Assistant to Dr. Sarah Bennett\r\n"
            "North Shore Division of Family Practice\r\n\r\nFrom: SDH Community of Practice <cop@example.org>\r\n"
            "Date: Tuesday, December 22, 2026 at 12:00 PM\r\nTo: Dr. Sarah Bennett <sbennett@northshore.example.org>\r\n"
            "Subject: Invitation: SDH Community of Practice meeting\r\n\r\nHello Dr. Sarah Bennett,\r\n\r\n"
            "You are invited to the meeting on Tuesday 12 January 2027.\r\n")
    text = understand(_message(body, "Dr. Sarah Bennett <sbennett@northshore.example.org>")).text
    assert text.endswith("meeting on January 12.")


def test_attendance_in_these_words() -> None:
    assert _read("Hello, I will assist to the meeting, maybe 5 minutes late.", Request.INVITATION) == [
        (K.RSVP, "accepted")]
    assert _read("Sorry, I will not be able to assist to the meeting.", Request.INVITATION) == [(K.RSVP, "declined")]
    assert _read("Merci pour le rappel! J'arriverai avec une dizaine de minutes de retard.", Request.DAY_OF) == [
        (K.RSVP, "accepted")]
    assert (K.RSVP, "accepted") in _read("Sorry, never got back to you on the invite - yes I'll be there tues.",
                                          Request.PACKET)


def test_assisting_with_something_is_no_attendance() -> None:
    assert _read("I can assist with the survey if anyone needs a hand.", Request.INVITATION) == []


def test_praise_of_what_we_sent_is_no_update() -> None:
    text = ("Thanks Jordan and Sam – really helpful to have everyone's updates in one place. Appreciate all the work that "
            "goes into pulling this together!")
    assert _read(text, Request.PACKET) == []
    assert [k for k, _ in _read("Merci, l'ordre du jour est très complet.\n\nSuggest: la prescription sociale",
                                Request.PACKET)] == [K.SUGGEST]


def test_news_that_is_helpful_is_still_news() -> None:
    text = "It's really helpful to have the navigator in clinic two days a week now, and referrals have doubled."
    assert [k for k, _ in _read(text, Request.UPDATE)] == [K.UPDATE]
