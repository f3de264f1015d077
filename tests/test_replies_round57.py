"""Classes round 57's held-out replies found: a French "je dois canceller", leaving after a day named by its date,
and good wishes passed on inside a new member's introduction."""

from __future__ import annotations

import pytest

from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand_body

K = IntentKind


def _read(text: str, request: Request) -> list[tuple[IntentKind, str]]:
    return [(i.kind, i.value) for i in read_intent(understand_body(text), request)]


@pytest.mark.parametrize("text", ["Ah non, je dois canceller, on a une urgence à la clinique. Désolée!",
                                  "Je vais devoir canceler pour aujourd'hui."])
def test_a_french_cancel_said_with_the_anglicism_is_a_no(text: str) -> None:
    assert _read(text, Request.DAY_OF) == [(K.RSVP, "declined")]


def test_leaving_after_a_day_named_by_its_date_is_leaving_later() -> None:
    text = "Yes, I'll be there on the 12th. My contract ends this month, so please take me off the list after the 12th."
    kinds = [kind for kind, _ in _read(text, Request.INVITATION)]
    assert K.UNSUBSCRIBE not in kinds and K.UNCLEAR in kinds and K.RSVP in kinds
    assert _read("Please take me off the list.", Request.INVITATION) == [(K.UNSUBSCRIBE, "")]


def test_good_wishes_passed_on_in_an_introduction_leave_it_the_senders() -> None:
    text = ("Thank you for the welcome! I'm Dana Wu, the new PMH lead at the Kootenay Boundary Division. I took over "
            "from Pat Lee, who retired in October, and she asked me to pass along her best to everyone. I come from "
            "ten years of community nursing in Trail and Castlegar, and I'm keen to learn how other divisions follow up "
            "on SDH screening.")
    assert [kind for kind, _ in _read(text, Request.WELCOME)] == [K.UPDATE]
    # a colleague's own update passed on is still asked about
    relayed = "Pat asked me to pass along her update: the Trail food program reached 200 families this fall."
    assert [kind for kind, _ in _read(relayed, Request.UPDATE)] == [K.UNCLEAR]
