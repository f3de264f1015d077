"""The zone model: per-zone linear scores over line features, decoded with Viterbi over a zone grammar.

A message's lines move through zones in an order the grammar allows (greeting, body, closing,
signature, disclaimer, then quoted header and history; '>' quotes may interleave with new text).
Each line scores every zone as the sum of its features' weights; each step between zones adds a
transition weight; Viterbi picks the best path. Weights live in ``weights.json`` (trained by
``tools/train_zones.py``), loaded once.
"""

from __future__ import annotations

import enum
import json
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol


class Line(Protocol):
    """What the model reads of a line: its features (``features.Line`` is one)."""

    @property
    def features(self) -> tuple[str, ...]: ...


class Zone(enum.StrEnum):
    GREETING = "greeting"
    BODY = "body"
    CLOSING = "closing"
    SIGNATURE = "signature"
    DISCLAIMER = "disclaimer"
    HEADER = "header"          # the attribution or header block of a quoted message
    QUOTED = "quoted"          # '>'-quoted lines: may sit between new lines (inline answers)
    HISTORY = "history"        # an unprefixed earlier message: everything after its header


ZONES: tuple[Zone, ...] = tuple(Zone)
START = "start"
# The zone grammar: which zone may follow which (a line's zone, given the previous non-blank line's).
ALLOWED: dict[str, frozenset[Zone]] = {
    START: frozenset({Zone.GREETING, Zone.BODY, Zone.CLOSING, Zone.SIGNATURE, Zone.HEADER, Zone.QUOTED}),
    Zone.GREETING: frozenset({Zone.GREETING, Zone.BODY, Zone.CLOSING, Zone.SIGNATURE, Zone.HEADER, Zone.QUOTED}),
    Zone.BODY: frozenset({Zone.BODY, Zone.CLOSING, Zone.SIGNATURE, Zone.DISCLAIMER, Zone.HEADER, Zone.QUOTED}),
    Zone.CLOSING: frozenset({Zone.CLOSING, Zone.SIGNATURE, Zone.DISCLAIMER, Zone.HEADER, Zone.QUOTED}),
    Zone.SIGNATURE: frozenset({Zone.SIGNATURE, Zone.DISCLAIMER, Zone.HEADER, Zone.QUOTED}),
    Zone.DISCLAIMER: frozenset({Zone.DISCLAIMER, Zone.SIGNATURE, Zone.HEADER, Zone.QUOTED}),
    Zone.HEADER: frozenset({Zone.HEADER, Zone.QUOTED, Zone.HISTORY, Zone.BODY, Zone.GREETING}),
    Zone.QUOTED: frozenset({Zone.QUOTED, Zone.BODY, Zone.GREETING, Zone.HEADER, Zone.CLOSING, Zone.SIGNATURE,
                            Zone.DISCLAIMER}),
    Zone.HISTORY: frozenset({Zone.HISTORY}),
}
NEG = float("-inf")


@dataclass(frozen=True)
class Weights:
    """Feature weights (one per zone) and transition weights, as trained."""

    features: dict[str, tuple[float, ...]]
    transitions: dict[str, tuple[float, ...]]      # previous zone (or "start") -> weight per next zone

    @staticmethod
    def from_json(data: dict) -> Weights:
        order = [Zone(z) for z in data["zones"]]
        index = [order.index(z) for z in ZONES]
        feats = {f: tuple(float(w[i]) for i in index) for f, w in data["features"].items()}
        trans = {prev: tuple(float(data["transitions"][prev][i]) for i in index) for prev in data["transitions"]}
        return Weights(feats, trans)

    def to_json(self) -> dict:
        return {
            "zones": [str(z) for z in ZONES],
            "transitions": {prev: [round(w, 4) for w in ws] for prev, ws in sorted(self.transitions.items())},
            "features": {f: [round(w, 4) for w in ws] for f, ws in sorted(self.features.items())
                         if any(abs(w) >= 5e-5 for w in ws)},
        }


@lru_cache(maxsize=1)
def trained() -> Weights:
    """The shipped weights (``weights.json`` beside this module), read once."""
    text = resources.files(__package__).joinpath("weights.json").read_text(encoding="utf-8")
    return Weights.from_json(json.loads(text))


def emissions(lines: Sequence[Line], weights: Weights) -> list[list[float]]:
    """Each line's score for each zone: the sum of its features' weights (in fixed point for the shipped ones:
    ``shipped``; ``viterbi`` decodes them with the shipped transitions in fixed point too)."""
    if weights is trained():
        return [list(_shipped_scores(line.features)) for line in lines]
    return [list(_scores(line.features, weights)) for line in lines]


def _scores(features: Sequence[str], weights: Weights) -> tuple[float, ...]:
    vectors = filter(None, map(weights.features.get, features))       # the weights of the features that have one
    return tuple(map(sum, zip((0.0,) * len(ZONES), *vectors, strict=True)))


# The shipped weights never change, and most lines of a call's replies have a feature set seen before (the same
# quoted invitation, the same signatures, in the same places): each distinct set is scored once.
@lru_cache(maxsize=4096)
def _shipped_scores(features: tuple[str, ...]) -> tuple[int, ...]:
    return unpack(sum(filter(None, map(shipped().packed.get, features))))


# Fixed point: weights.json holds each weight with 4 decimals, so round(w * SCALE) is the weight exactly, and sums
# of such integers are exact whatever their order (float sums are not: a line's score could not be put together
# from parts worked out once). A score vector (one per zone) is packed in one integer, zone k's times 2 ** (64 * k):
# adding packed vectors adds them zone by zone in one addition, exactly, while each zone's sum stays within
# +-2 ** 63 (a line's is under 2e8 here: every shipped weight's size added up, per zone).
SCALE = 10_000


def pack(values: Sequence[int]) -> int:
    """The fixed-point ``values`` (one per zone) as one integer."""
    return sum(value << (64 * k) for k, value in enumerate(values))


_BIAS = pack([1 << 63] * len(ZONES))
_UNPACKED = struct.Struct(f"<{len(ZONES)}q")


# Lines of a call's replies sum to the same vectors again and again (a bounded cache; the key is all the result
# depends on).
@lru_cache(maxsize=4096)
def unpack(packed: int) -> tuple[int, ...]:
    """The per-zone values of a sum of ``pack``ed vectors. Biased by 2 ** 63, each zone's value is a digit in
    [0, 2 ** 64) of the sum in base 2 ** 64 (none borrows from the next); with each digit's top bit flipped
    back, its 8 bytes are the value in two's complement."""
    return _UNPACKED.unpack(((packed + _BIAS) ^ _BIAS).to_bytes(_UNPACKED.size, "little"))


@dataclass(frozen=True)
class Fixed:
    """The shipped weights in fixed point: each feature's weights packed, and the steps of the grammar."""

    packed: dict[str, int]
    steps: Steps

    def of(self, features: Sequence[str]) -> int:
        """The packed sum of ``features``' weights."""
        return sum(filter(None, map(self.packed.get, features)))


@lru_cache(maxsize=1)
def shipped() -> Fixed:
    """``trained()`` in fixed point (``SCALE``), made once."""
    weights = trained()
    packed = {f: pack([round(w * SCALE) for w in ws]) for f, ws in weights.features.items()}
    transitions: dict[str, tuple[float, ...]] = {
        prev: tuple(round(w * SCALE) for w in ws) for prev, ws in weights.transitions.items()}
    return Fixed(packed, Steps.of(Weights({}, transitions)))


_PREV: tuple[str, ...] = (START, *ZONES)


def constraints(lines: Sequence[Line]) -> dict[int, Zone]:
    """Lines whose zone is not the scorer's to decide.

    A marker the sending system wrote ("history starts here": the HTML quote container, a "reply
    above this line" banner) is a header; and history cannot start before any new text was seen
    (a forward or quote at the very top is followed by the sender's text, not the end of it): such
    lines are pinned to "not history" by giving HISTORY no path.
    """
    return {k: Zone.HEADER for k, line in enumerate(lines) if "system_marker" in line.features}


# per zone a line may take, the zone's index and the (previous zone, transition weight) pairs that may precede it
Table = tuple[tuple[int, tuple[tuple[int, float], ...]], ...]
_HISTORY = ZONES.index(Zone.HISTORY)


@dataclass(frozen=True)
class Steps:
    """What Viterbi needs of the grammar and the transition weights, worked out once per weight set."""

    start: tuple[float, ...]       # the weight of opening with each zone (NEG where the grammar forbids it)
    anywhere: Table                # the grammar
    at_top: Table                  # the grammar where no new text was seen above: history cannot start there
    after_text: Table              # the grammar once new text was seen: a header opens history

    @staticmethod
    def of(weights: Weights) -> Steps:
        z = len(ZONES)
        allowed = [[(ZONES[k] in ALLOWED[prev]) for k in range(z)] for prev in _PREV]
        # After new text, a header opens history: it is not followed by new text (that is only so for a
        # forward or quote at the very top).
        after_text = [list(row) for row in allowed]
        header = _PREV.index(Zone.HEADER)
        for k in (ZONES.index(Zone.BODY), ZONES.index(Zone.GREETING)):
            after_text[header][k] = False
        trans = [weights.transitions.get(str(prev), (0.0,) * z) for prev in _PREV]

        def table(grammar: list[list[bool]], targets: range | list[int]) -> Table:
            return tuple((k, tuple((j, trans[j + 1][k]) for j in range(z) if grammar[j + 1][k])) for k in targets)

        start = tuple(trans[0][k] if allowed[0][k] else NEG for k in range(z))
        return Steps(start, table(allowed, range(z)), table(allowed, [k for k in range(z) if k != _HISTORY]),
                     table(after_text, range(z)))


def viterbi(scores: Sequence[Sequence[float]], weights: Weights, forced: dict[int, Zone] | None = None,
            lines: Sequence[Line] | None = None) -> list[Zone]:
    """The best zone path allowed by the grammar; ``forced`` pins some lines to a zone. With ``lines``, the lines
    a sending system marked are pinned (``constraints``) and history cannot start above new text ("no_text_above").
    ``scores`` are ``emissions(lines, weights)`` (in fixed point for the shipped weights)."""
    top = None
    if lines is not None:
        forced = {**constraints(lines), **(forced or {})}
        top = ["no_text_above" in line.features for line in lines]
    # the shipped weights never change; weights being trained do, so their steps are worked out each time
    return decode(scores, shipped().steps if weights is trained() else Steps.of(weights), top, forced)


def decode(scores: Sequence[Sequence[float]], steps: Steps, top: Sequence[bool] | None = None,
           forced: dict[int, Zone] | None = None) -> list[Zone]:
    """Viterbi over ``scores`` (per line, per zone) with ``steps``; ``top``: per line, whether no new text was
    seen above it, where history cannot start (None: the grammar alone decides); ``forced`` pins lines to a zone."""
    if not scores:
        return []
    best = _opening(scores[0], steps, top is not None and top[0], forced)
    tables = (steps.anywhere, steps.at_top, steps.after_text)
    back: list[Sequence[int]] = []
    for i in range(1, len(scores)):
        best, ptr = _step(best, scores[i], tables[0 if top is None else 1 if top[i] else 2])
        if forced and i in forced:
            best = _pin(best, forced, i)
        back.append(ptr)
    return _path(best, back)


def decode_shipped(rows: Sequence[int], top: Sequence[bool], forced: dict[int, Zone]) -> list[Zone]:
    """``decode`` with the shipped weights, of lines scored packed (``Fixed.of``), each step taken once (``Memo``)."""
    if not rows:
        return []
    steps = shipped().steps
    memo = step_memo()
    if len(memo.steps) > _MEMO_SIZE or len(memo.states) > _MEMO_SIZE:    # one-line replies add states, no step
        memo.clear()
    state = memo.state(_opening(unpack(rows[0]), steps, top[0], forced))
    tables = (steps.anywhere, steps.at_top, steps.after_text)
    back: list[Sequence[int]] = []
    ptr: Sequence[int]
    for i in range(1, len(rows)):
        key = (1 if top[i] else 2, state, rows[i])
        taken = memo.steps.get(key)
        if taken is None:
            new, ptr = _step(memo.states[state], unpack(rows[i]), tables[key[0]])
            taken = memo.steps[key] = (memo.state(new), tuple(ptr))
        state, ptr = taken
        if forced and i in forced:
            state = memo.state(_pin(list(memo.states[state]), forced, i))
        back.append(ptr)
    return _path(memo.states[state], back)


class Memo:
    """The Viterbi steps taken with the shipped weights. Viterbi's choices depend on the differences between the
    zones' best scores only, and in fixed point subtracting the highest from all of them is exact: shifted so,
    the same step (the zones' best scores so far, a line's scores and the grammar) comes up again and again in a
    call's replies (the same quoted invitation, the same signatures, in the same places). Each distinct set of
    shifted best scores is a state (a number); a step's key is a grammar table, a state and a packed line (all
    its result depends on), and its result the next state and the zone each zone came from."""

    def __init__(self) -> None:
        self.steps: dict[tuple[int, int, int], tuple[int, tuple[int, ...]]] = {}
        self.states: list[tuple[float, ...]] = []
        self._ids: dict[tuple[float, ...], int] = {}

    def state(self, best: Sequence[float]) -> int:
        """The number of ``best`` shifted to its highest."""
        high = max(best)
        shifted = tuple(best) if high == NEG else tuple([value - high for value in best])
        found = self._ids.get(shifted)
        if found is None:
            found = self._ids[shifted] = len(self.states)
            self.states.append(shifted)
        return found

    def clear(self) -> None:
        self.steps.clear()
        self.states.clear()
        self._ids.clear()


_MEMO_SIZE = 8192           # steps kept (then it starts again: a bound, not a policy)
_THREAD = threading.local()


def step_memo() -> Memo:
    """This thread's ``Memo`` (a state's number means something only to the memo that gave it, and two threads
    reading replies must not number states in one memo at once)."""
    memo: Memo | None = getattr(_THREAD, "memo", None)
    if memo is None:
        memo = _THREAD.memo = Memo()
    return memo


def _opening(first: Sequence[float], steps: Steps, top: bool, forced: dict[int, Zone] | None) -> list[float]:
    """The best score of each zone on the first line."""
    best = [NEG if opening == NEG else opening + score for opening, score in zip(steps.start, first, strict=True)]
    if top:
        best[_HISTORY] = NEG
    return _pin(best, forced, 0) if forced else best


def _path(best: Sequence[float], back: list[Sequence[int]]) -> list[Zone]:
    """The zones of the path that ends at the highest of ``best``, read back through ``back``."""
    k = max(range(len(ZONES)), key=best.__getitem__)
    path = [k]
    for ptr in reversed(back):
        k = ptr[k]
        path.append(k)
    path.reverse()
    return [ZONES[k] for k in path]


def _step(best: Sequence[float], row: Sequence[float], table: Table) -> tuple[list[float], list[int]]:
    """The best score of each zone after ``row`` and the zone before it on that best path (``table``: the grammar
    with its transition weights; a zone no path reaches stays NEG)."""
    new = [NEG] * len(ZONES)
    ptr = [0] * len(ZONES)
    for k, preds in table:
        high, arg = NEG, -1
        for j, weight in preds:
            value = best[j] + weight
            if value > high:
                high, arg = value, j
        if arg >= 0:
            new[k] = high + row[k]
            ptr[k] = arg
    return new, ptr


def _pin(row: list[float], forced: dict[int, Zone], i: int) -> list[float]:
    if i not in forced:
        return row
    keep = ZONES.index(forced[i])
    if row[keep] == NEG:       # the pinned zone is unreachable: leave the row as it is
        return row
    return [v if k == keep else NEG for k, v in enumerate(row)]


def contributions(line: Line, zone: Zone, weights: Weights, top: int = 4) -> list[tuple[str, float]]:
    """The features that pushed ``line`` towards ``zone`` most, relative to the zones' mean."""
    k = ZONES.index(zone)
    found = []
    for f in line.features:
        ws = weights.features.get(f)
        if ws is not None:
            found.append((f, ws[k] - sum(ws) / len(ws)))
    found.sort(key=lambda fw: -abs(fw[1]))
    return found[:top]
