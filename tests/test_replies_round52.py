"""Classes round 52's held-out replies found: "sauf" after nothing new, a skip concluded from its "except", "same as last
month, plus ...", an addition not to replace the update, "neither X nor I", a yes on a condition said as "ferries
permitting", "je me connecte" and "j'essaierai" of other things, "c'est impossible pour moi", the meeting left to its
recording, and a member's inbox shared with an office."""

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


def test_nothing_new_sauf_good_news_is_an_update() -> None:
    text = ("Pas grand-chose de neuf ce mois-ci, sauf une bonne nouvelle : notre navigatrice communautaire entre en poste "
            "le 18 janvier, après huit mois de poste vacant.")
    assert _kinds(text, Request.UPDATE) == [K.UPDATE]


def test_sauf_si_is_still_a_condition() -> None:
    assert _read("Je serai là le 12, sauf si la clinique déborde.", Request.INVITATION) == [(K.RSVP, "tentative")]


def test_an_except_that_a_skip_concludes_from_is_its_reason() -> None:
    text = ("Hi there – nothing new from Kootenay Boundary except that I'm still buried in year-end reporting for the "
            "Ministry, so please skip me this month. Back in February with something real.")
    assert _kinds(text, Request.UPDATE) == [K.SKIP]


def test_same_as_last_month_plus_news_is_asked() -> None:
    text = "Same as last month, plus we now have a second MOA trained on the poverty screening tool. Sorry for the late reply!"
    found = _read(text, Request.UPDATE)
    assert [k for k, _ in found] == [K.UNCLEAR] and "last month's update again" in found[0][1]


def test_an_addition_not_to_replace_the_update_sent_is_asked() -> None:
    text = ("Petit ajout à la mise à jour que je vous ai envoyée lundi : on a aussi obtenu le financement de la Fondation "
            "de l'hôpital pour prolonger la clinique d'impôts jusqu'à la fin avril, ce qui veut dire que nos bénévoles "
            "pourront aider une centaine de familles de plus. Merci de l'ajouter à la suite de ce que j'ai déjà envoyé, et "
            "non de remplacer le reste!")
    assert _kinds(text, Request.UPDATE) == [K.UNCLEAR]


@pytest.mark.parametrize(("text", "request_", "rsvp"), [
    ("Unfortunately neither Amrit nor I can make the 12th: we're both at the forum in Victoria.", Request.INVITATION,
     "declined"),
    ("Count me in for the 12th, ferries permitting.", Request.INVITATION, "tentative"),
    ("Si ma conjointe peut rentrer plus tôt, je me connecte à midi.", Request.DAY_OF, "tentative"),
    ("Je me connecte à midi!", Request.DAY_OF, "accepted"),
    ("Le 12 janvier, c'est impossible pour moi : je remplace notre coordonnatrice à la clinique mobile.",
     Request.INVITATION, "declined"),
    ("Sorry, clinic is slammed today. Will catch the recording.", Request.DAY_OF, "declined"),
])
def test_attendance_in_these_words(text: str, request_: Request, rsvp: str) -> None:
    assert [(k, v) for k, v in _read(text, request_) if k is K.RSVP] == [(K.RSVP, rsvp)]


def test_trying_to_send_a_few_lines_is_no_maybe() -> None:
    text = ("Je serai en congé du 4 au 18 janvier, donc je ne pourrai malheureusement pas être à la rencontre du 12. "
            "J'essaierai quand même d'envoyer quelques lignes pour le tour de table avant de partir.")
    assert (K.RSVP, "declined") in _read(text, Request.INVITATION)


def test_a_note_beside_a_calendar_yes_that_leaves_it_to_the_recording_is_asked() -> None:
    raw = (b"From: Aisha Rahman <aisha@northern.example.org>\r\nTo: cop+t0k3n@example.org\r\nSubject: Accepted: CoP "
           b"meeting\r\nMessage-ID: <r52.1@example.org>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nSaying yes so it stays on my calendar, but realistically I'll "
           b"be driving back from Vanderhoof that day with no signal. Will catch the recording.\r\n--b\r\n"
           b"Content-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n"
           b"BEGIN:VEVENT\r\nUID:cop-20270112@example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:aisha@northern.example.org"
           b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n--b--\r\n")
    assert [i.kind for i in read_intent(understand(raw), Request.INVITATION)] == [K.UNCLEAR]


def test_an_office_answering_from_the_members_shared_inbox_answers_for_them() -> None:
    text = ("Good afternoon,\r\n\r\nThis is Tanya from the division office. Dr. O'Neill's inbox is shared with our front "
            "office while he is away over the holidays. He asked us to decline anything on January 12, so unfortunately "
            "he won't be able to attend this meeting.\r\n")
    raw = ("From: \"O'Neill, Jordan (Dr)\" <joneill@kb.example.org>\r\nSender: Tanya K <tanya@kb.example.org>\r\n"
           "To: cop+t0k3n@example.org\r\nSubject: RE: Invitation\r\nMessage-ID: <r52.2@example.org>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    assert (K.RSVP, "declined") in [(i.kind, i.value) for i in read_intent(understand(raw), Request.INVITATION)]
