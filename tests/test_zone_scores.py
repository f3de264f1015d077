"""The zone model's scores added up from parts are the sums of the lines' feature strings' weights, and the
fixed-point decoding (with its step memo) zones every line as the model's weights in floating point do."""

from __future__ import annotations

import json
import random
import threading

import pytest
from zone_bodies import repository_bodies

from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.zones import zone_lines
from mailflow.mail_in.replies.zones.model import (
    Weights,
    Zone,
    decode,
    decode_shipped,
    emissions,
    pack,
    shipped,
    step_memo,
    trained,
    unpack,
    viterbi,
)
from mailflow.mail_in.replies.zones.scores import scored_lines

# Lines of new text, sign-offs, signatures, lists, rules, disclaimers, headers and quotes, in any order with blank
# lines between: every kind of place a line's features and its parts' scores look at.
_PIECES = [
    "Thanks, that works for me.", "Yes, I will attend the meeting on Thursday and bring the notes we discussed.",
    "Hi Dana,", "Hello all,", "Regards,", "Best wishes,", "Dana Lee", "Dana", "Dr. Dana Lee, PhD | Programme Lead",
    "Fraser Health Authority", "T 604-555-0199 | M 778-555-0100", "dana.lee@example.org", "https://example.org/team",
    "123 Main Street, Vancouver BC V5K 0A1", "Pronouns: she/her", "Sent from my iPhone", "- Fraser Health",
    "- Options Community Services", "* the second item", "-- ", "----", "________________________________",
    "-----Original Message-----", "Begin forwarded message:", "From: Dana Lee <dana@example.org>",
    "Sent: Tuesday, March 3, 2026 9:29 AM", "To: cop@example.test", "Subject: RE: the meeting",
    "On Tue, Mar 3, 2026 at 9:29 AM Dana Lee <dana@example.org> wrote:", "Le mar. 3 mars 2026, Dana a écrit :",
    "> quoted line", "> From: someone@example.org", ">", "> > deeper", "| bar quote", QUOTE_MARK,
    "## Please reply above this line ##", "CONFIDENTIALITY NOTICE: This e-mail is confidential and may be privileged.",
    "Presenter: Dr. Sunita Rao", "Topic: what we learned", "I can't make it, sorry.", "", "", "", "",
]


def _generated(count: int, seed: int) -> list[tuple[list[str], str]]:
    rng = random.Random(seed)
    return [([rng.choice(_PIECES) for _ in range(rng.randint(0, 40))], rng.choice(["", "Dana Lee", "Sunita Rao"]))
            for _ in range(count)]


def _assert_parts_add_up(bodies: list[tuple[list[str], str]]) -> int:
    fixed = shipped()
    lines_seen = 0
    for lines, sender in bodies:
        scored = scored_lines(lines, sender)
        for k, row in enumerate(scored.rows):
            assert scored.scores[k] == fixed.of(row.features), (lines, k, row.features)
            assert scored.top[k] == ("no_text_above" in row.features), (lines, k)
            assert (k in scored.forced) == ("system_marker" in row.features), (lines, k)
        lines_seen += len(scored.rows)
    return lines_seen


def test_the_parts_add_up_to_the_features_weights_on_the_repository_messages() -> None:
    """Every line of every test message scores what its feature strings' fixed-point weights add up to."""
    assert _assert_parts_add_up(repository_bodies()) > 5000


@pytest.mark.parametrize("seed", [1, 2])
def test_the_parts_add_up_to_the_features_weights_on_generated_bodies(seed: int) -> None:
    """Bodies of text, sign-offs, signatures, lists, rules, headers and quotes in random order: the same sums."""
    assert _assert_parts_add_up(_generated(1500, seed)) > 15000


def test_fixed_point_zones_are_the_floating_point_models_zones() -> None:
    """The shipped weights in fixed point with the step memo zone every line as the same weights in floating
    point do (a copy of the weights takes the floating-point path)."""
    floating = Weights(dict(trained().features), dict(trained().transitions))
    assert floating is not trained() and floating == trained()
    bodies = repository_bodies() + _generated(1500, 3)
    for lines, sender in bodies:
        assert zone_lines(lines, sender).zones == zone_lines(lines, sender, floating).zones, lines


def test_the_step_memo_does_not_change_a_path() -> None:
    """Decoding with the memo of steps (shifted best scores) gives the path decoding without it, pins included."""
    fixed = shipped()
    for lines, sender in _generated(800, 4):
        scored = scored_lines(lines, sender)
        forced = {**scored.forced, **({len(scored.rows) // 2: Zone.QUOTED} if len(scored.rows) > 3 else {})}
        plain = decode([unpack(row) for row in scored.scores], fixed.steps, scored.top, forced)
        assert decode_shipped(scored.scores, scored.top, forced) == plain, lines
    assert step_memo().steps and step_memo().states


def test_emissions_and_viterbi_with_the_shipped_weights_are_fixed_point_too() -> None:
    """emissions() under the shipped weights gives the fixed-point scores and viterbi() decodes them as zone_lines."""
    lines = ["Hi Dana,", "", "Yes, I will be there.", "", "Best,", "Sunita", "", "> On Tue Dana wrote:", "> hi"]
    rows = scored_lines(lines, "Sunita Rao").rows
    scores = emissions(rows, trained())
    assert scores == [list(unpack(score)) for score in scored_lines(lines, "Sunita Rao").scores]
    assert tuple(viterbi(scores, trained(), lines=rows)) == zone_lines(lines, "Sunita Rao").zones


def test_packed_vectors_add_zone_by_zone() -> None:
    """Packed score vectors add up exactly zone by zone, negative values and large ones included."""
    rng = random.Random(5)
    vectors = [[rng.randint(-10**9, 10**9) for _ in range(8)] for _ in range(200)]
    assert unpack(sum(map(pack, vectors))) == tuple(map(sum, zip(*vectors, strict=True)))
    assert unpack(pack([-(2**62), 2**62, -1, 0, 1, 0, 0, -5])) == (-(2**62), 2**62, -1, 0, 1, 0, 0, -5)


def test_each_thread_numbers_its_steps_in_its_own_memo() -> None:
    """A state's number means something to one memo only: a thread zoning replies uses a memo of its own (two
    threads numbering states in one memo could give one number to two states), and gets the same zones."""
    bodies = _generated(200, 6)
    alone = [zone_lines(lines, sender).zones for lines, sender in bodies]
    seen: dict[str, object] = {}

    def work() -> None:
        seen["zones"] = [zone_lines(lines, sender).zones for lines, sender in bodies]
        seen["memo"] = step_memo()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["zones"] == alone
    assert seen["memo"] is not step_memo() and step_memo().steps


def test_weights_are_written_the_same_whatever_order_training_built_them_in() -> None:
    """The weights file a training writes does not depend on the order its transitions were gathered in (a set's
    order, which changes with the interpreter's hash seed): two trainings of the same weights write one file."""
    shipped = trained()
    backwards = Weights(dict(reversed(list(shipped.features.items()))),
                        dict(reversed(list(shipped.transitions.items()))))
    assert json.dumps(backwards.to_json()) == json.dumps(shipped.to_json())
    assert list(shipped.to_json()["transitions"]) == sorted(shipped.transitions)


def test_the_step_memo_stays_bounded_under_one_line_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    """One-line replies add an opening state and no step: the memo is cleared on its states' count too, so a
    stream of distinct one-line replies cannot grow it without bound."""
    from mailflow.mail_in.replies.zones import model

    monkeypatch.setattr(model, "_MEMO_SIZE", 10)
    step_memo().clear()
    for n in range(60):
        zone_lines([f"Line {n} " + "word " * n + ("," if n % 2 else ".")], "")
    assert len(step_memo().states) <= 11
