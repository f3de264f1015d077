"""Classes round 61's held-out replies found: who someone is between commas ("Nadia Petrov, our ED, will join in my
place"); the chair's question beside the focus lines, about the focus or about something else; "scratch that
presenter"; an approval promised for later; "Skip the roundtable for me this month"; a file that is not there; "will be
about 15 minutes late"; a verb with no subject before a question; already on the link as the meeting starts; "for your
records there was nothing new from North Shore"; an item named by its number and its title; "je manquerai la
discussion"."""

from __future__ import annotations

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, reply, situation

from mailflow.core.agenda_replies import resolve
from mailflow.core.answers import on_reply
from mailflow.core.cycle import on_time
from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.core.state import MeetingState
from mailflow.mail_in.replies import read_intent, understand, understand_body
from mailflow.mail_in.replies.tables import ASK_FOCUS
from mailflow.schedule.config import Step

K = IntentKind
AMARA = MEMBERS[0]          # chairs January


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


@pytest.mark.parametrize("text", [
    "The ferry is cancelled so I'm stuck on the island. Tomás Reyes, our program lead, will join in my place.",
    "Empêchée aujourd'hui. Luc Tremblay, mon adjoint, sera là à ma place.",
    "Luc Tremblay, notre directeur, me remplacera.",
])
def test_someone_sent_in_the_senders_place_named_with_who_they_are_is_a_decline(text: str) -> None:
    assert _read(text, Request.DAY_OF) == [(K.RSVP, "declined")]


def test_a_greeting_or_thanks_before_commas_is_no_name() -> None:
    """Only a name opens such a run: "Thanks, my friend, will do" says nothing about coming."""
    assert _read("Thanks, my friend, will do.", Request.DAY_OF) == []


LINES = "Focus: Rural transport to specialist appointments\nPresenter: Dr. Hana Sato\n\n"


def test_a_question_about_something_else_beside_the_focus_lines_leaves_them_applied() -> None:
    text = LINES + "Could you make sure the breakout rooms are switched on for the video link? Thanks!"
    assert [kind for kind, _ in _read(text, Request.FOCUS)] == [K.FOCUS, K.PRESENTER]


@pytest.mark.parametrize("question", [
    "Could we give her 25 minutes instead of the usual 20?",
    "Hana asked whether she can share the regional data. If not, should someone else present instead?",
])
def test_a_question_about_the_focus_or_its_presenter_is_put_to_staff_as_the_chair_asked_it(question: str) -> None:
    read = _read(LINES + question, Request.FOCUS)
    assert [kind for kind, _ in read] == [K.FOCUS, K.PRESENTER, K.UNCLEAR]
    assert read[2][1].startswith(f'The chair asked "{question}" with the focus they gave')
    assert ASK_FOCUS not in read[2][1]                 # never "what is the focus?" when the chair said it


def test_a_question_on_the_presenter_line_is_asked_about() -> None:
    read = _read("Focus: Rural transport\nPresenter: TBD – would Dr. Sato be willing? I don't know her well.",
                 Request.FOCUS)
    assert [kind for kind, _ in read] == [K.FOCUS, K.UNCLEAR]
    assert "would Dr. Sato be willing?" in read[1][1]


def test_the_chairs_other_question_to_the_focus_planning_reaches_staff() -> None:
    """The daemon's side: the lines are applied, and staff are told the question the reply asked."""
    state = on_time(situation(), MeetingState(key=JAN.key), at(Step.FOCUS_PLANNING)).meeting
    text = LINES + "Can we use breakout rooms on the video link for the discussion part?"
    d = on_reply(situation(), state, reply(AMARA, text, request="focus"))
    assert d.meeting.agenda.focus_topic == "Rural transport to specialist appointments"
    [told] = [x for x in d.sends if x.kind == "alert-member-question"]
    assert told.to.email == STAFF and "breakout rooms" in told.context["excerpt"]


def test_scratch_that_presenter_takes_back_that_line_alone() -> None:
    text = (LINES + "Actually, scratch that presenter – Hana is on call that week. Her colleague said yes instead:\n\n"
            "Presenter: Dr. Omar Haddad\n")
    assert _read(text, Request.FOCUS) == [(K.FOCUS, "Rural transport to specialist appointments"),
                                          (K.PRESENTER, "Dr. Omar Haddad")]
    # "scratch that" naming nothing still takes back all that came before it
    assert _read("Add: Transport survey\nActually scratch that. Add: Parking at the forum", Request.AGENDA) == [
        (K.ADD, "Parking at the forum")]


@pytest.mark.parametrize("text", [
    "Thanks – got it. I'm going through it tonight and will approve first thing tomorrow.",
    "Merci, je l'approuverai demain matin.",
])
def test_an_approval_promised_for_later_changes_nothing(text: str) -> None:
    assert _read(text, Request.AGENDA) == []
    assert _read("Approved, thanks!", Request.AGENDA) == [(K.APPROVE, "")]


def test_skip_the_roundtable_for_me_this_month_is_a_skip() -> None:
    text = ("Skip the roundtable for me this month – I'm presenting the focus, so I'll save my minute for that. "
            "I've attached our one-page summary so it can go out with the packet.")
    assert _read(text, Request.UPDATE) == [(K.SKIP, "")]


@pytest.mark.parametrize("text", [
    "Hi, the packet says the referral map is attached but I can't find it on my phone. Can someone resend it?",
    "The PDF seems to be missing from the packet – could you send it again?",
    "Bonjour, je ne trouve pas la pièce jointe mentionnée dans l'ordre du jour. Pourriez-vous me la renvoyer?",
])
def test_words_about_a_file_that_is_not_there_are_no_update(text: str) -> None:
    assert _read(text, Request.PACKET) == []


def test_a_file_missing_in_the_members_own_news_stays_news() -> None:
    text = "Our intake file is missing two fields the province now requires, so we rebuilt the form this month."
    assert [kind for kind, _ in _read(text, Request.PACKET)] == [K.UPDATE]


def test_an_assistant_says_the_member_will_be_late() -> None:
    """From the member's own mailbox: his answer, a few minutes late is still a yes; from anyone else's, not the sender's."""
    text = ("This is Kelly from Dr. Singh's office. He asked me to let you know he's tied up at the hospital and will be "
            "about 15 minutes late joining today's call.")
    raw = ("From: Dr. Arjun Singh <asingh@kootenay-division.example.org>\r\nTo: cop@example.org\r\n"
           "Subject: RE: Today: SDH in PMH/PCN Community of Practice at 12:00\r\n"
           "Date: Tue, 12 Jan 2027 11:40:00 -0800\r\nMessage-ID: <r61-late@kootenay-division.example.org>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n").encode()
    assert [(i.kind, i.value) for i in read_intent(understand(raw), Request.DAY_OF)] == [(K.RSVP, "accepted")]
    assert _read("I'll be about 10 minutes late, stuck in traffic.", Request.DAY_OF) == [(K.RSVP, "accepted")]


def test_a_statement_with_no_subject_before_a_question_is_no_question() -> None:
    text = "Will be joining from the car – is there a dial-in number for this link?"
    assert _read(text, Request.DAY_OF) == [(K.RSVP, "accepted")]
    assert _read("Will there be a dial-in number?", Request.DAY_OF) == []


@pytest.mark.parametrize("text", [
    "I'm on the link but it says waiting for the host. Is this the right one?",
    "I've been in the waiting room since noon – is the meeting happening?",
    "Je suis sur le lien depuis midi et rien ne se passe. Est-ce le bon lien?",
])
def test_already_on_the_link_as_the_meeting_starts_is_there(text: str) -> None:
    assert _read(text, Request.DAY_OF) == [(K.RSVP, "accepted")]


def test_on_call_is_not_on_the_call() -> None:
    assert _read("I'm on call at the hospital all day and won't be able to join.", Request.DAY_OF) == [
        (K.RSVP, "declined")]


@pytest.mark.parametrize("text", [
    "Only just seeing this, sorry. For your records, there was nothing new from Kootenay Boundary this month anyway.",
    "There was nothing new at our clinic this month.",
])
def test_nothing_new_from_a_place_this_month_is_a_skip(text: str) -> None:
    assert _read(text, Request.UPDATE) == [(K.SKIP, "")]


def test_an_item_named_by_its_number_and_its_title() -> None:
    assert _read("Approuvé. Retirer l'item 2 (Provincial survey results), on l'a couvert en juillet.", Request.AGENDA) == [
        (K.APPROVE, ""), (K.REMOVE, "item 2 (Provincial survey results)")]
    listed = ("Referral forms", "Provincial survey results", "Transport")
    assert resolve("item 2 (Provincial survey results)", listed, listed) == "Provincial survey results"
    assert resolve("item 9 (Transport)", listed, listed) == "Transport"           # the title where the number is off
    assert resolve("item 2 (Parking at the forum)", listed, listed) == "Provincial survey results"
    assert resolve("item 2 (Transport)", listed, listed) is None                  # two items named: staff are asked


def test_leaving_early_and_missing_the_discussion_in_french_is_part_of_the_meeting() -> None:
    text = ("Oui, je serai là le 12 janvier. Par contre, je devrai quitter vers 12 h 30, donc je manquerai la "
            "discussion ouverte.")
    assert _read(text, Request.INVITATION) == [(K.RSVP, "tentative")]
