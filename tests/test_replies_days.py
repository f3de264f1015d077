"""The days an answer about attendance names (``days.days_named``), which the core compares with the meeting's."""

from __future__ import annotations

import pytest

from mailflow.core.kinds import Request
from mailflow.mail_in.replies import read_intent, understand_body
from mailflow.mail_in.replies.clauses import fold
from mailflow.mail_in.replies.days import days_named


@pytest.mark.parametrize(("text", "days"), [
    ("Count me in for the Feb 9 extended session", ("--02-09",)),
    ("february 9th works", ("--02-09",)),
    ("je serai là le 9 février", ("--02-09",)),
    ("le 1er mars", ("--03-01",)),
    ("the 31st of Jan", ("--01-31",)),
    ("Tuesday, January 12, 2027", ("--01-12",)),
    ("mardi 12 février", ("--02-12",)),
    ("Yes for the 17th", ("---17",)),
    ("on Tuesday the 12th at noon", ("---12",)),
    ("je serai là le 12 à midi", ("---12",)),
    ("mardi 12", ("---12",)),
    # no day: a time, an ordinal that counts something else, an impossible date, no number
    ("see you at 12:30", ()), ("le 9h30", ()), ("le 12 h", ()), ("only for the 2nd half", ()),
    ("the 3rd item", ()), ("Feb 30", ()), ("see you Tuesday", ()),
])
def test_the_days_a_clause_names(text: str, days: tuple[str, ...]) -> None:
    assert days_named(fold(text)) == days


def test_an_answer_carries_the_days_of_its_attendance_clauses_only():
    """The RSVP intent carries the days named where attendance is said; a day named elsewhere in the reply (the
    date of an earlier message) is not the answer's."""
    [rsvp] = read_intent(understand_body("Count me in for the Feb 9 extended session."), Request.INVITATION)
    assert (rsvp.value, rsvp.on) == ("accepted", ("--02-09",))
    intents = read_intent(understand_body("I replied on the 31st with my update. Yes, I'll be there!"),
                          Request.INVITATION)
    assert [(i.value, i.on) for i in intents if i.kind.value == "rsvp"] == [("accepted", ())]
