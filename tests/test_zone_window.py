"""The zone window hands the old rules the history start it found on the way: it is the one the rules would
find in the window themselves, on the repository's messages and on generated bodies."""

from __future__ import annotations

import random

import pytest
from zone_bodies import repository_bodies

from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.quotes import history_start
from mailflow.mail_in.replies.zones.features import HISTORY_WINDOW, history_window
from mailflow.mail_in.replies.zones.rules import rule_zones


def _repository_bodies() -> list[list[str]]:
    return [lines for lines, _ in repository_bodies()]


# Lines that open, mark or belong to history, quotes, signatures and new text: the shapes the window and the
# rules look at, in any order, with blank lines between.
_PIECES = [
    "Thanks, that works for me.", "Yes, I will attend.", "Hi Dana,", "Regards,", "Dana Lee", "T 604-555-0199",
    "-- ", "----", "________________________________", "-----Original Message-----", "Begin forwarded message:",
    "From: Dana Lee <dana@example.org>", "Sent: Tuesday, March 3, 2026 9:29 AM", "To: cop@example.test",
    "Subject: RE: the meeting", "On Tue, Mar 3, 2026 at 9:29 AM Dana Lee <dana@example.org> wrote:",
    "On Tue, Mar 3, 2026 at 9:29 AM Dana Lee", "<dana@example.org> wrote:", "Le mar. 3 mars 2026, Dana a écrit :",
    "> quoted line", "> From: someone@example.org", ">", "| bar quote", "C> reply", QUOTE_MARK,
    "## Please reply above this line ##", "CONFIDENTIALITY NOTICE: This e-mail is confidential.", "", "", "",
]


def _generated_bodies(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[rng.choice(_PIECES) for _ in range(rng.randint(0, 3 * HISTORY_WINDOW))] for _ in range(count)]


def _assert_same_history(bodies: list[list[str]]) -> int:
    known = 0
    for lines in bodies:
        window = history_window(lines)
        zoned = lines[:window.end]
        if window.history is None:
            continue
        known += 1
        assert window.history.at == history_start(zoned), lines
        assert rule_zones(zoned, window.history) == rule_zones(zoned), lines
    return known


def test_the_repository_messages_get_the_history_start_the_rules_find() -> None:
    """For every test message's body, the window's history start is history_start of the window."""
    assert _assert_same_history(_repository_bodies()) > 100


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_bodies_get_the_history_start_the_rules_find(seed: int) -> None:
    """Bodies of headers, quotes, markers and text in random order: the same history start as the rules find."""
    assert _assert_same_history(_generated_bodies(2000, seed)) > 800


def test_the_window_walks_only_what_it_reads_and_finds_what_a_walk_of_every_line_finds() -> None:
    """The window that walks the unquoted lines only as far as it needs them is the one that walks them all first
    (markers above and after text, cuts, trailing quotes), on the repository's and generated bodies."""
    from mailflow.mail_in.replies.zones.features import _marked_window

    bodies = _repository_bodies() + _generated_bodies(3000, 7)
    rng = random.Random(8)
    for lines in _generated_bodies(1000, 9):       # a marker indented, or far below a cut
        lines = [*lines, *[rng.choice(_PIECES) for _ in range(40)], rng.choice(["  " + QUOTE_MARK, QUOTE_MARK])]
        bodies.append(lines)
    for lines in bodies:
        assert history_window(lines) == _marked_window(lines), lines
