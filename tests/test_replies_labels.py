"""Which lines open with a reply label (the zone model asks of every line with a colon)."""

from __future__ import annotations

import pytest

from mailflow.mail_in.replies.commands import labels_in, opens_with_label
from mailflow.mail_in.replies.sections import has_sections


@pytest.mark.parametrize(("line", "expected"), [
    ("Focus: housing first", True),
    ("  - **Remove**: item 3", True),
    ("> Presenter : Dr. Lee", True),
    ("1. Action items:", True),
    (" " * 90 + "Focus: housing first", True),            # the label starts past 80 characters
    ("Thanks! Focus: housing first", False),             # after a sentence: a label, but not the line's opening
    ("We discussed the topic: housing", False),          # inside a sentence: no label at all
    ("On Monday at 10:00 Dana wrote:", False),
    ("Nothing labelled here", False),
])
def test_a_line_opens_with_a_label_only_when_nothing_but_bullets_come_before_it(line: str, expected: bool) -> None:
    """A reply label at the start of a line (after bullets or spaces) opens it; one after words does not."""
    assert opens_with_label(line) is expected


def test_labels_are_found_only_at_a_line_start_or_after_a_sentence() -> None:
    """Labels count at a line start or after a sentence break, never inside a sentence, and need a colon."""
    assert [kind.name for kind, _, _ in labels_in("Thanks! Focus: burnout. Remove: item 2")] == ["FOCUS", "REMOVE"]
    assert labels_in("we discussed the topic: x") == []
    assert labels_in("Focus burnout and remove item 2") == []


def test_sections_need_a_labelled_colon() -> None:
    """An update uses sections only with a "Challenge:"-style label; the words alone are no section."""
    assert has_sections("Intro.\nChallenge: staffing\nSuccess: the pilot")
    assert has_sections("It went well. Success: the pilot ran")
    assert not has_sections("Our challenge and our success this month")


def test_a_label_with_a_spaced_dash_at_a_lines_start_is_the_label():
    """ "Topic - Income security", "Presenter – Wendy Chu" (a dash where the colon goes) at a line's start are the
    labels; a dash inside a sentence ("the topic - as we said - is fine") is none."""
    assert [(kind.value, line[value:]) for line in ("Topic - Income security: what works", "Presenter – Wendy Chu")
            for kind, _, value in labels_in(line)] == [("focus", "Income security: what works"),
                                                       ("presenter", "Wendy Chu")]
    assert labels_in("The topic - as we said - is fine") == []
