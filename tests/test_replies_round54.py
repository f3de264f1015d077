"""Classes round 54's held-out replies found: a bare answer left open beside a suggestion, a colleague's update passed
on in French, a slot on the agenda that is no leaving, "I mean" after words taken back, and "as of this week"."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


def _kinds(text: str, request: Request) -> list[IntentKind]:
    return [kind for kind, _ in _read(text, request)]


def test_a_suggestion_beside_an_open_no_leaves_it_asked() -> None:
    text = "Can't this time, sorry. Crazy month over here.\n\nSuggest: supporting patients through the disability forms"
    assert sorted(_kinds(text, Request.UPDATE)) == sorted([K.SUGGEST, K.UNCLEAR])


def test_a_no_that_says_more_is_still_read_as_before() -> None:
    """A clause that says more than the bare answer still settles it ("No update, we are short-staffed" aside)."""
    assert _kinds("No, I'll be at the forum in Victoria that day.\n\nSuggest: rural transportation",
                  Request.INVITATION) == [K.RSVP, K.SUGGEST]


def test_a_colleagues_update_passed_on_in_french_is_asked() -> None:
    text = ("Bonjour Jordan,\n\nPriya n'a pas accès à ses courriels cette semaine et m'a demandé de transmettre sa mise à "
            "jour : notre ligne de référence en sécurité alimentaire est maintenant active dans six cliniques de Surrey.")
    assert _kinds(text, Request.UPDATE) == [K.UNCLEAR]


@pytest.mark.parametrize("text", ["Yes, I'll be there on the 12th. But please take me off the presenter slot.",
                                  "Yes, I'll be there. Please take me off the speaker lineup for now."])
def test_coming_off_an_agenda_slot_is_no_leaving(text: str) -> None:
    assert K.UNSUBSCRIBE not in _kinds(text, Request.INVITATION)


def test_please_take_me_off_alone_is_still_leaving() -> None:
    assert _kinds("Please take me off, I've moved to a new role.", Request.DIGEST) == [K.UNSUBSCRIBE]


def test_i_mean_after_words_taken_back() -> None:
    text = "Unsubscribe\n\n...wait, no, sorry, not that. I mean skip me this month. I'm not going anywhere."
    assert _kinds(text, Request.UPDATE) == [K.SKIP]


def test_leaving_as_of_this_week_is_now() -> None:
    text = ("As of this week I've handed the Physician Lead role over to Dr. Grewal, so there's no need to keep sending "
            "the CoP mail to me.")
    assert _kinds(text, Request.DIGEST) == [K.UNSUBSCRIBE]
