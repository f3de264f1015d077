"""Classes round 48's held-out replies found: Horde's attribution, attendance "in" the meeting, a late join on a
condition, a skip that names the updates, an item kept for a later session, and minutes' tasks as numbered lists."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body

K = IntentKind


def _intents(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _horde(attribution: str) -> bytes:
    return (
        "From: Jordan O'Neill <joneill@kb.example.org>\r\nTo: cop+t0k3n@example.org\r\nSubject: Re: Reminder\r\n"
        "Message-ID: <r48.1@kb.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{attribution}\r\n\r\n"
        "> Hello Jordan,\r\n>\r\n> We have not yet had your roundtable update.\r\n>\r\n"
        "> Nothing to share this month, or away? Reply \"skip this month\".\r\n\r\n"
        "Skip this month please, nothing new from our division since November.\r\n\r\n"
        "> --\r\n> SDH Community of Practice\r\n\r\n--\r\nJordan O'Neill\r\n"
    ).encode()


@pytest.mark.parametrize("attribution", [
    "Quoting SDH Community of Practice <cop+t0k3n@example.org>:",
    "Zitat von SDH Community of Practice <cop+t0k3n@example.org>:",
    "Citation de SDH Community of Practice <cop+t0k3n@example.org> :",
])
def test_horde_s_attribution_opens_the_quote_so_the_answer_typed_in_it_is_the_text(attribution: str) -> None:
    """Horde IMP writes its verb first ("Quoting NAME <address>:"): the quote under it is ours, and the one line
    typed between its paragraphs is all the sender wrote."""
    reply = understand(_horde(attribution))
    assert reply.text == "Skip this month please, nothing new from our division since November."
    assert reply.quoted_from == "cop+t0k3n@example.org"
    assert [i.kind for i in read_intent(reply, Request.UPDATE)] == [K.SKIP]


def test_a_sentence_that_opens_with_quoting_is_no_attribution() -> None:
    text = "Quoting the survey results from last month: 40% of clinics screen for food insecurity.\n\nThanks"
    assert understand_body(text).text.startswith("Quoting the survey results")


@pytest.mark.parametrize(("text", "rsvp"), [
    ("Unfortunately I cannot be in the meeting the 12, I am in Brazil with my family.", "declined"),
    ("I will be in the Zoom call from my car.", "accepted"),
])
def test_in_the_meeting_is_attendance(text: str, rsvp: str) -> None:
    assert _intents(text, Request.INVITATION) == [(K.RSVP, rsvp)]


@pytest.mark.parametrize("text", ["I'll be in clinic all day, here is my update for the group.",
                                  "I won't be in the office that week."])
def test_in_somewhere_else_is_none(text: str) -> None:
    assert all(kind is not K.RSVP for kind, _ in _intents(text, Request.INVITATION))


@pytest.mark.parametrize("text", [
    "Wait, is this today?? I've got patients booked until 12:30 - I'll jump on after that if I can.",
    "I'll join later if I can.",
])
def test_a_late_join_on_a_condition_is_tentative(text: str) -> None:
    assert _intents(text, Request.DAY_OF) == [(K.RSVP, "tentative")]


@pytest.mark.parametrize("text", [
    "Yes of course – I'm chairing!\n\nAnd re your other email about updates: skip me this month.",
    "Yes. Skip me for the roundtable this month.",
])
def test_a_skip_that_names_the_updates_is_no_decline_of_the_meeting(text: str) -> None:
    assert _intents(text, Request.INVITATION) == [(K.RSVP, "accepted"), (K.SKIP, "")]


def test_a_skip_alone_under_the_invitation_still_declines() -> None:
    assert _intents("Skip me this month, sorry.", Request.INVITATION) == [(K.RSVP, "declined")]


def test_an_item_kept_for_a_later_session_holds_no_approval() -> None:
    text = ("Helen called me this morning - she has approved the draft, with one change: please remove item 2. "
            "She'd like to hold it for the February planning session with Grace.")
    assert _intents(text, Request.AGENDA) == [(K.APPROVE, ""), (K.REMOVE, "item 2")]


def test_holding_the_draft_itself_is_still_a_hold() -> None:
    kinds = [kind for kind, _ in _intents("Looks fine but please hold it for now, Amrit hasn't confirmed.",
                                          Request.AGENDA)]
    assert K.APPROVE not in kinds


def test_a_task_the_minutes_mark_done_is_no_open_action() -> None:
    minutes = ("Minutes of the February planning session. Ten members attended and voted on the topics for the year; "
               "the top three go to May, June and July.\n\nNext steps:\n"
               "Tom Whitehorse to connect Jordan with the food bank lead by Feb 19.\n"
               "Sam to post the dot-vote results to the shared folder (done Feb 9).\n")
    actions = [value for kind, value in _intents(minutes, Request.MINUTES) if kind is K.ACTION]
    assert actions == ["connect Jordan with the food bank lead by Feb 19"]


def test_numbered_tasks_under_a_heading_take_their_owner_lines_flush_beneath_them() -> None:
    minutes = ("Voici le compte rendu de la rencontre d'hier, avec les présences, le tour de table et la discussion "
               "ouverte sur le partage des formulaires entre divisions.\n\nPoints de suivi :\n\n"
               "1. Envoyer le gabarit d'entente aux membres\nResponsable : Dr Amrit Sandhu\nÉchéance : 22 juin\n\n"
               "2. Ajouter les formulaires au dossier partagé\nResponsable : Sam Okoye\nÉchéance : 30 juin\n")
    actions = [i for i in read_intent(understand_body(minutes), Request.MINUTES) if i.kind is K.ACTION]
    assert [(a.who, a.value) for a in actions] == [
        ("Dr Amrit Sandhu", "Envoyer le gabarit d'entente aux membres, by 22 juin"),
        ("Sam Okoye", "Ajouter les formulaires au dossier partagé, by 30 juin"),
    ]
