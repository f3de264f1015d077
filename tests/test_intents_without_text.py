"""Which intents a reading holds does not depend on the text of its update, note or minutes: find_commands asks
for them without that text (``intents_of(..., with_text=False)``), and gets the kinds read_intent gets."""

from __future__ import annotations

import pytest
from intentkit import load

from mailflow.mail_in.replies.meaning import TABLES, intents_of
from mailflow.mail_in.replies.reading import read

CASES = load()


@pytest.mark.parametrize("request_kind", list(TABLES), ids=lambda r: str(r))
def test_the_intents_are_the_same_without_the_prose_text(request_kind) -> None:
    """For every intent case read under every request's table, the intents are those read with the text, but
    for the update, note or minutes made of the prose, whose value alone is left empty."""
    prose_kinds = {"update", "note", "minutes"}
    for case in CASES:
        reading = read(case.text, "Dana Lee")
        for files in (False, True):
            full = intents_of(reading, TABLES[request_kind], files)
            bare = intents_of(reading, TABLES[request_kind], files, with_text=False)
            assert [i.kind for i in bare] == [i.kind for i in full], case.line
            differ = [(got, want) for got, want in zip(bare, full, strict=True) if got != want]
            assert len(differ) <= 1, case.line           # the prose intent alone
            for got, want in differ:
                assert str(want.kind) in prose_kinds and got.value == "" and got.who == want.who, case.line
