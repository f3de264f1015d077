"""Classes round 50's held-out replies found: an absence said in a person's signature, declines from phones
("Have to skip today", "Non finalement", "je ne pourrai pas me connecter"), a coordinator minding the member's inbox,
an introduction promised, a change approved "with that removed", a note for members in French, leaving "from now on",
"live update" beside an answer, "I should be there" and a yes on a condition after it, a reply sent again, a
recording link corrected, and a yes taken back with "zut, attendez"."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind, ReplyKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _kinds(text: str, request: Request) -> list[IntentKind]:
    return [kind for kind, _ in _read(text, request)]


def _message(body: str, sender: str = "Aisha Rahman <aisha@northern.example.org>") -> bytes:
    return (f"From: {sender}\r\nTo: cop+t0k3n@example.org\r\nSubject: Re: Reminder: your roundtable update\r\n"
            "Message-ID: <r50.1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_an_absence_in_a_persons_signature_is_part_of_their_reply() -> None:
    """A reply whose signature (under its "-- " line) says the sender will be away later, with whom to call meanwhile:
    a person's reply with their update, not an out-of-office."""
    body = ("Hi all,\r\n\r\nApologies for the late reply, I joined the division in November. I look after eleven clinics "
            "in the north, some of them hours from the nearest legal aid office.\r\n\r\n"
            "Challenge: our screening pilot is ready but the rural clinics have nowhere to refer patients yet.\r\n\r\n"
            "Aisha\r\n\r\n-- \r\nAisha Rahman, PMH Facilitator\r\nI work Monday to Thursday. I will be away January "
            "18-29; for anything urgent please contact admin@northern.example.org.\r\n")
    reply = understand(_message(body))
    assert reply.kind is ReplyKind.REPLY
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [K.UPDATE]


def test_an_out_of_office_still_says_so_at_once() -> None:
    """The same words as the message itself, nothing before them: an out-of-office."""
    body = ("Thank you for your message. I will be away January 18-29 with limited access to email; for anything urgent "
            "please contact admin@northern.example.org.\r\n")
    assert understand(_message(body)).kind is ReplyKind.AUTO_REPLY


@pytest.mark.parametrize(("text", "request_", "expected"), [
    ("Have to skip today, sorry – our board chair called an emergency meeting at noon.", Request.DAY_OF,
     [(K.RSVP, "declined")]),
    ("Need to skip the meeting today, sorry.", Request.DAY_OF, [(K.RSVP, "declined")]),
    ("Have to skip this one, sorry.", Request.UPDATE, [(K.SKIP, "")]),
    ("Non finalement, désolé.", Request.DAY_OF, [(K.RSVP, "declined")]),
    ("No after all, sorry.", Request.INVITATION, [(K.RSVP, "declined")]),
    ("Urgence à la clinique, je ne pourrai pas me connecter.", Request.DAY_OF, [(K.RSVP, "declined")]),
    ("Sorry, I won't be able to connect today.", Request.DAY_OF, [(K.RSVP, "declined")]),
])
def test_declines_as_phones_write_them(text: str, request_: Request, expected: list[tuple[IntentKind, str]]) -> None:
    assert _read(text, request_) == expected


def test_connecting_with_people_is_no_attendance() -> None:
    assert K.RSVP not in _kinds("I'd love to connect with anyone who has set up a rural navigator model.",
                                Request.INVITATION)


def test_a_coordinator_minding_the_members_inbox_answers_for_them() -> None:
    """From Tom's own address, his coordinator: "I'm keeping an eye on his inbox ... he won't be able to attend"."""
    text = ("Hello,\n\nThis is Dana, Tom's program coordinator – I'm keeping an eye on his inbox while he's in sessions "
            "this week. Tom has the regional planning day on January 12, so he won't be able to attend this one.")
    reply = understand(_message(text.replace("\n", "\r\n"), "Tom Whitehorse <tom@thompson.example.org>"))
    assert [(i.kind, i.value) for i in read_intent(reply, Request.INVITATION)] == [(K.RSVP, "declined")]


def test_an_introduction_promised_to_the_welcome_is_none_yet() -> None:
    text = ("Thanks so much! I'm on the road for clinic visits this week – will send a proper intro once I'm back at my "
            "desk.")
    assert _kinds(text, Request.WELCOME) == []


def test_a_change_then_with_that_removed_its_good_to_go_approves_with_the_change() -> None:
    text = ("Looks good – approved.\n\nActually, hold on, one change first: please take the \"Housing first\" item out "
            "of open discussion. With that removed it's good to go.")
    assert sorted(_kinds(text, Request.AGENDA)) == sorted([K.APPROVE, K.REMOVE])


def test_a_note_for_members_in_french_with_a_comma_before_please() -> None:
    text = ("C'est approuvé pour moi. Une note pour les membres, s'il vous plaît : merci d'arriver à la salle 201 vers "
            "11 h 45 pour commencer à l'heure.")
    found = _read(text, Request.AGENDA)
    assert [k for k, _ in found] == [K.APPROVE, K.NOTE] and found[1][1].startswith("merci d'arriver")


@pytest.mark.parametrize("text", [
    "Je quitte mes fonctions à la fin du mois. À partir de maintenant, il n'est plus nécessaire de m'envoyer les "
    "courriels de la CdP.",
    "It is no longer necessary to send me the CoP emails, I have moved to a new role.",
])
def test_leaving_from_now_on_in_other_words(text: str) -> None:
    assert _kinds(text, Request.DIGEST) == [K.UNSUBSCRIBE]


def test_leaving_from_a_later_month_is_still_asked() -> None:
    assert _kinds("À partir de mars, merci de me retirer de la liste.", Request.DIGEST) == [K.UNCLEAR]


@pytest.mark.parametrize("text", [
    "I'll try – we have a board meeting at noon that day that tends to run over… Ah, live update: our chair just "
    "wrote to me, the board meeting was moved up to 10. So it's confirmed, I'll be there on the 12th!",
    "Je vais essayer – on a un CA ce midi-là qui a la fâcheuse habitude de déborder…\n\nAh, mise à jour en direct : "
    "notre présidente vient de m'écrire, le CA est devancé à 10 h. C'est donc confirmé, je serai présente le 12!",
])
def test_a_live_update_on_coming_is_no_roundtable_update(text: str) -> None:
    assert _read(text, Request.INVITATION) == [(K.RSVP, "accepted")]


@pytest.mark.parametrize(("text", "rsvp"), [
    ("I should be there.", "accepted"),
    ("Je devrais être là le 12.", "accepted"),
    ("I'll be there on the 12th, unless the mobile clinic lands that day.", "tentative"),
    ("Je devrais être là le 12, sauf si la clinique mobile tombe ce jour-là.", "tentative"),
    ("Je serai là, à moins que la clinique déborde.", "tentative"),
    ("I can't come, unless they move it.", "declined"),
])
def test_what_the_sender_expects_and_a_condition_after_a_yes(text: str, rsvp: str) -> None:
    assert _read(text, Request.INVITATION) == [(K.RSVP, rsvp)]


def test_a_reply_sent_again_is_no_update() -> None:
    text = "Resending in case this didn't go through the first time – our server was having issues yesterday."
    assert K.UPDATE not in _kinds(text, Request.UPDATE)


def test_a_recording_link_taken_back_gives_the_second() -> None:
    text = ("Hi all, here are the minutes from yesterday's session. Twelve members attended and we agreed on the focus "
            "topics for the spring.\n\nRecording: https://video.example.org/rec/one\nSorry, that's November's link "
            "(wrong tab). This is the right one:\nRecording: https://video.example.org/rec/two\n")
    found = _read(text, Request.MINUTES)
    assert [v for k, v in found if k is K.RECORDING] == ["https://video.example.org/rec/two"]


def test_two_recording_links_with_nothing_between_are_both_kept() -> None:
    text = ("Minutes of the session: twelve members attended and we agreed on the spring focus topics.\n\n"
            "Recording: https://video.example.org/rec/part-1\nRecording: https://video.example.org/rec/part-2\n")
    assert [k for k, _ in _read(text, Request.MINUTES)].count(K.RECORDING) == 2


@pytest.mark.parametrize("text", ["J'y serai! Ah zut attendez… c'est aujourd'hui ça??",
                                  "I'll be there! Shoot, wait – is that today??"])
def test_a_yes_taken_back_with_nothing_after_is_asked(text: str) -> None:
    assert _kinds(text, Request.DAY_OF) == [K.UNCLEAR]
