"""A reading that says nothing but prose gets, under every request's table, the intents the whole reading of
its clauses gives (intents_of takes a short way for it: only the prose is looked at)."""

from __future__ import annotations

import pytest
from intentkit import load

from mailflow.mail_in.replies.meaning import TABLES, _intents, intents_of
from mailflow.mail_in.replies.reading import read

EXTRA = ["Thanks! Our clinic opened a new site this month and we hired two nurses.", "Hi all,\n\nNothing much.",
         "Is it OK if I send it Monday? We have our board meeting.", "Can we shorten the agenda?", "Great!",
         "We started the pilot.\nDana", "Challenge: staffing\nSuccess: the new site\nHelp: referrals"]
READINGS = [read(text, "Dana Lee") for text in [*(case.text for case in load()), *EXTRA]]


def test_both_kinds_of_reading_are_met() -> None:
    """The cases hold readings that say only prose and readings that say more."""
    assert sum(r.prose_only for r in READINGS) >= 20
    assert sum(not r.prose_only for r in READINGS) >= 100


@pytest.mark.parametrize("request_kind", list(TABLES), ids=lambda r: str(r))
def test_prose_only_readings_get_the_intents_of_the_whole_reading(request_kind) -> None:
    """With and without files, with and without the prose's text, the short way finds what the whole way finds."""
    table = TABLES[request_kind]
    for reading in READINGS:
        if not reading.prose_only:
            continue
        for files in (False, True):
            for with_text in (True, False):
                assert intents_of(reading, table, files, with_text=with_text) \
                    == _intents(reading, table, files, with_text), reading.text
