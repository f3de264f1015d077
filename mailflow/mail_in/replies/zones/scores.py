"""A line's zone scores under the shipped weights, added up from parts scored once.

A line's features (``features._with_context``) are its own, its place's, what it sees of its neighbours, its
paragraph's, its distances and its shapes crossed with where it is; the weights of most of them depend on one
line or one paragraph only. In fixed point (``model.shipped``) a sum does not depend on its order, so each part's
score is worked out once (per distinct line: ``features.Own``; per paragraph; per place) and a line's score is
the sum of a dozen parts: the same integers the feature strings' weights add up to (tests/test_zone_scores.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from mailflow.mail_in.replies.zones.features import (
    AFTER_SIGN_OFF,
    BLANK_ABOVE,
    FROM_START,
    PLACED,
    TO_BREAK,
    TO_BREAK_LAST,
    TO_END,
    Placed,
    Row,
    placed_lines,
    rows_of,
    strong_breaks,
    tail_name,
)
from mailflow.mail_in.replies.zones.model import Zone, shipped
from mailflow.mail_in.replies.zones.own import ABOVE, NO_NEIGHBOUR, TAILED, Own, crossed
from mailflow.mail_in.replies.zones.paragraphs import PARA_LINE, paragraphs


class Scored(NamedTuple):
    """A message's non-blank lines and what the zone model needs of them under the shipped weights."""

    rows: list[Row]
    scores: list[int]               # per line, its fixed-point score for each zone, packed (``model.shipped``)
    top: list[bool]                 # per line, no new text above it ("no_text_above")
    forced: dict[int, Zone]         # the lines the sending system marked, pinned (``model.constraints``)


def scored_lines(lines: list[str], sender_name: str = "") -> Scored:
    """Every non-blank line of ``lines`` (the message body split on newlines), with its scores."""
    placed = placed_lines(lines, sender_name)
    scores, top = _scored(placed)
    return Scored(rows_of(placed), scores, top, {k: Zone.HEADER for k, row in enumerate(placed) if row.own.marker})


class _Parts(NamedTuple):
    """The packed scores of the features a line takes from its place (``features._with_context``), made once."""

    placed: dict[tuple[str, ...], int]
    none: tuple[int, ...]              # "p2:none", "p1:none", "n1:none", "n2:none", "n1:none": past either end
    to_end: tuple[int, ...]
    from_start: tuple[int, ...]
    bias: int
    by_distance: tuple[tuple[int, str, dict[str, int]], ...]   # see ``_by_distance``
    after_sign_off: tuple[int, ...]
    no_text_above: int
    after_delimiter: int
    break_ahead: int
    after_header: int                  # "NT&after_header_line"
    crossed: dict[str, dict[str, int]]          # per prefix ("T0"...), each feature it crosses, crossed
    blank_crossed: dict[str, dict[str, int]]    # per prefix, per blank_above name: it crossed (0: not in TAILED)
    para_line: tuple[int, ...]


_PREFIXES = ("T0", "T1", "T2", "T3", "SO", "NT")      # crossed with a line's TAILED features ("TA": its ABOVE ones)


@lru_cache(maxsize=1)
def _parts() -> _Parts:
    fixed = shipped()

    def each(names: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(fixed.packed.get(name, 0) for name in names)

    blank_crossed = {prefix: {name: fixed.of(crossed(prefix, (name,))) if name in TAILED else 0 for name in BLANK_ABOVE}
                     for prefix in _PREFIXES}
    to_break = each(TO_BREAK)
    return _Parts(
        placed={placed: fixed.of(placed) for placed in PLACED.values()},
        none=tuple(map(fixed.of, (*NO_NEIGHBOUR, NO_NEIGHBOUR[2]))),
        to_end=each(TO_END), from_start=each(FROM_START), bias=fixed.of(("bias",)),
        by_distance=tuple((to_break[min(d, TO_BREAK_LAST)], tail_name(d), blank_crossed[tail_name(d)])
                          for d in range(_FAR + 1)),
        after_sign_off=each(AFTER_SIGN_OFF),
        no_text_above=fixed.of(("no_text_above",)), after_delimiter=fixed.of(("after_delimiter",)),
        break_ahead=fixed.of(("break_ahead",)), after_header=fixed.of(("NT&after_header_line",)),
        crossed={prefix: dict(zip(names, each(crossed(prefix, names)), strict=True))
                 for prefix, names in [*((prefix, tuple(TAILED)) for prefix in _PREFIXES), ("TA", tuple(ABOVE))]},
        blank_crossed=blank_crossed,
        para_line=each(PARA_LINE),
    )


# Per distance to the next strong break, up to one (_FAR) past which nothing changes: the packed "to_break" bucket,
# the tail ("T0"...) a line's shapes are crossed with, and the blank_above features crossed with that tail.
_FAR = max(TO_BREAK_LAST, 11)


# Paragraph features come from a small closed set (sizes, shares, flags): the cache holds them all.
@lru_cache(maxsize=1024)
def _para_score(tags: tuple[str, ...]) -> int:
    return shipped().of(tags)


def _scored(rows: list[Placed]) -> tuple[list[int], list[bool]]:
    """Per line, its score for each zone, packed (the sum of its ``_with_context`` features' fixed-point weights,
    added up from parts), and whether no new text was seen above it (the features' sequence, step by step)."""
    parts = _parts()
    n = len(rows)
    breaks, to_break, ahead = strong_breaks(rows)
    # what does not depend on the lines above it: its own, its place's, what it sees of the lines around it (past
    # either end: "none"; "blank_below" from the line below), its distances to either end, and its paragraph's
    seen = [parts.none, parts.none, *[row.own.seen for row in rows], parts.none, parts.none]
    below = [row.own.seen[4] if row.blank_above else row.own.seen[2] for row in rows]
    below.append(parts.none[2])
    ends = _counted(parts.to_end, n)
    ends.reverse()
    fixed = [row.own.score + parts.placed[row.placed] + p2[0] + p1[1] + n1 + n2[3] + from_start + to_end + parts.bias
             for row, p2, p1, n1, n2, from_start, to_end
             in zip(rows, seen, seen[1:], below[1:], seen[4:], _counted(parts.from_start, n), ends, strict=False)]
    for start, end, tags in paragraphs([row.own.shape for row in rows], [row.blank_above for row in rows], breaks):
        base = _para_score(tags)
        for k in range(start, end):
            fixed[k] += base + parts.para_line[min(k - start, 2)]
    # new text is seen from the first line that is not a quote, a break or a header line on: above it, "no_text_above"
    # (up to that line) and the crossed features of "NT"; from it on, those of "TA"
    first_text = next((k for k, row in enumerate(rows) if not (row.own.quoted or breaks[k] or row.not_text)), n)
    top = [k <= first_text for k in range(n)]
    for k in range(min(first_text + 1, n)):
        fixed[k] += parts.no_text_above
        if 0 < k < first_text and rows[k - 1].not_text:
            fixed[k] += parts.after_header
    # then the parts that depend on a sign-off or delimiter a few lines above, and the crossed features
    by_distance, after_sign_off, blank_crossed = parts.by_distance, parts.after_sign_off, parts.blank_crossed
    scores: list[int] = []
    sign_off_at = -99
    delimiter_at = -99
    for k, row in enumerate(rows):
        own = row.own
        memo = own.crossed
        blank = row.placed[0]
        step, tail, tail_blank = by_distance[min(to_break[k], _FAR)]
        total = fixed[k] + step + (memo[tail] if tail in memo else _cross(own, tail)) + tail_blank[blank]
        if k - sign_off_at <= 6:
            total += after_sign_off[k - sign_off_at]
        if k - delimiter_at <= 12:
            total += parts.after_delimiter
        if ahead[k]:
            total += parts.break_ahead
        if own.sign_off:
            sign_off_at = k
        if own.delimiter:
            delimiter_at = k
        if k - sign_off_at <= 4:
            total += (memo["SO"] if "SO" in memo else _cross(own, "SO")) + blank_crossed["SO"][blank]
        if k >= first_text:
            total += memo["TA"] if "TA" in memo else _cross(own, "TA")
        else:
            total += (memo["NT"] if "NT" in memo else _cross(own, "NT")) + blank_crossed["NT"][blank]
        scores.append(total)
    return scores, top


def _counted(values: tuple[int, ...], n: int) -> list[int]:
    """``values[min(k, len(values) - 1)]`` for k from 0 to n - 1."""
    return [*values[:n], *values[-1:] * (n - len(values))]


def _cross(own: Own, prefix: str) -> int:
    """The packed score of ``own``'s features crossed with ``prefix`` ("TA": its ABOVE ones, else its TAILED
    ones), kept in ``own.crossed``."""
    packed = own.crossed[prefix] = _crossed_score(prefix, own.above if prefix == "TA" else own.tailed)
    return packed


# Lines share the features that are crossed (a length, an ending, a word class): each set is scored once per
# prefix (bounded; a function of the prefix, the features and the shipped weights only).
@lru_cache(maxsize=4096)
def _crossed_score(prefix: str, features: tuple[str, ...]) -> int:
    return sum(map(_parts().crossed[prefix].__getitem__, features))
