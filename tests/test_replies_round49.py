"""Classes round 49's held-out replies found: questions to staff about the update, a skip or a leaving said in other
words, an action closed by its number and meeting, "same as last month" said of the update beside other news, a label
typed between quoted paragraphs, and a reply that is only its signature."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand, understand_body

K = IntentKind


def _kinds(text: str, request: Request) -> list[IntentKind]:
    return [i.kind for i in read_intent(understand_body(text), request)]


@pytest.mark.parametrize("request_", [Request.UPDATE, Request.PACKET])
def test_asking_where_the_update_went_is_a_question_no_update(request_: Request) -> None:
    assert K.UPDATE not in _kinds("Where's my update? Sent it Tuesday.", request_)


def test_a_question_announced_as_one_keeps_its_context_out_of_an_update() -> None:
    text = ("Yes, that's all correct, thanks.\n\nHonest question though: is there a way to unsubscribe from just these "
            "confirmation emails? Not from the group! I just don't need a receipt every time I reply.")
    assert K.UPDATE not in _kinds(text, Request.NOTICE)


@pytest.mark.parametrize("text", [
    "Retirez-moi pour ce mois-ci s'il vous plaît. Entre la fermeture de la clinique et les congés, on n'a pas avancé.",
    "Rien de notre côté pour le tour de table ce mois-ci, avec les Fêtes on n'a pas beaucoup avancé.",
])
def test_french_skips_for_this_month(text: str) -> None:
    assert _kinds(text, Request.UPDATE) == [K.SKIP]


def test_leaving_after_that_one_is_asked_and_the_update_kept() -> None:
    text = ("Success: our social prescribing pilot with the hospice society has taken 41 referrals since September, "
            "and the navigators say loneliness comes up more often than housing.\n\n"
            "And some personal news: I'm retiring in March. I'd like to stay on through the February planning session, "
            "so please take me off the list after that one.")
    assert _kinds(text, Request.UPDATE) == [K.UPDATE, K.UNCLEAR]


@pytest.mark.parametrize("text", ["Action #3 from November is done.",
                                  "P.S. Action #3 from November is done – I sent the map to Tom on Dec 1."])
def test_an_action_named_by_number_and_meeting_is_closed(text: str) -> None:
    assert [(i.kind, i.value) for i in read_intent(understand_body(text), Request.UPDATE)] == [(K.DONE, "3")]


def test_same_as_last_month_said_of_the_update_beside_a_yes_is_asked() -> None:
    text = ("Happy new year! Our ED, Lindsay Park, asked me to let you know she won't make the January meeting – she's "
            "at the Divisions ED retreat in Richmond that day – so it'll just be me from the North Shore. I'll be there on "
            "the 12th.\n\nFor the roundtable: same as last month, sorry – crazy couple of weeks with half our MOAs out "
            "sick.\n\nAlso, will the focus presentation be recorded? Our board chair is keen to see it.")
    intents = read_intent(understand_body(text), Request.UPDATE)
    assert [i.kind for i in intents] == [K.RSVP, K.UNCLEAR]
    assert "last month's update again" in intents[1].value


def _message(body: str, sender: str = "Tom Whitehorse <tom@thompson.example.org>") -> bytes:
    return (f"From: {sender}\r\nTo: cop+t0k3n@example.org\r\nSubject: Re: Reminder\r\n"
            "Message-ID: <r49.1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_a_label_typed_between_quoted_paragraphs_is_text() -> None:
    body = ("On 2027-01-05 12:00 p.m., SDH Community of Practice wrote:\r\n> Hello Tom,\r\n>\r\n"
            "> We have not yet had your roundtable update.\r\n\r\nSorry - year-end reporting ate my December. Here it is.\r\n\r\n"
            "> Please reply with a one-minute update.\r\n\r\nSuccess: two clinics now have an Indigenous patient navigator "
            "two days a week.\r\n\r\nSuggest: Rural transportation as a determinant of access to primary care\r\n\r\n"
            "Thanks,\r\nTom\r\n\r\n> Nothing to share this month, or away? Reply \"skip this month\".\r\n>\r\n> --\r\n"
            "> SDH Community of Practice\r\n")
    reply = understand(_message(body))
    assert reply.text.endswith("Suggest: Rural transportation as a determinant of access to primary care")
    assert (K.SUGGEST, "Rural transportation as a determinant of access to primary care") in [
        (i.kind, i.value) for i in read_intent(reply, Request.UPDATE)]


def test_a_reply_that_is_only_its_signature_has_no_text() -> None:
    body = ("Aisha Rahman (she/her)\r\nPMH Facilitator\r\nNorthern Interior Division of Family Practice\r\n"
            "Prince George, BC — on the traditional territory of the Lheidli T’enneh\r\n\r\n"
            "> On Dec 29, 2026, at 12:00 PM, SDH Community of Practice <cop@example.org> wrote:\r\n>\r\n"
            "> Hello Aisha,\r\n> Please reply with your update.\r\n")
    assert understand(_message(body, "Aisha Rahman <arahman@ni.example.org>")).text == ""


def test_an_update_announced_with_a_colon_is_no_part_of_the_decline_s_sentence() -> None:
    """"Quick update for the minutes since I won't be there to give it live: ..." — what the colon introduces is the
    update, not words of the sentence that says the sender will not come."""
    text = ("I'm so sorry, I have to send regrets for today after all.\n\nQuick update for the minutes since I won't be "
            "there to give it live: our food security warm-handoff pathway with the Surrey Food Bank went live in "
            "December, and the MOAs at both pilot clinics made their first six referrals. Thank you to everyone who "
            "sent me their flow charts, they shaped the referral form we now use in both clinics.")
    intents = read_intent(understand_body(text), Request.DAY_OF)
    assert [i.kind for i in intents] == [K.RSVP, K.UPDATE]
    assert "warm-handoff pathway" in intents[1].value
