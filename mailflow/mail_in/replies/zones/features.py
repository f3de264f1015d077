"""Line features for the zone model: what a line looks like, where it sits, and what surrounds it.

Every feature is a short string; the model holds one weight per (feature, zone). Detectors are
generic shapes (a date and a time, an e-mail address, a key line such as "From:"), never a phrase
taken from one sample (they are in ``shapes``: what a line says by itself). Context features copy a
line's shape features from the lines one and two above and below (prefixes ``p1``/``p2``/``n1``/``n2``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import filterfalse
from typing import NamedTuple

from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.quotes import history_start, is_groupwise_header, is_quoted
from mailflow.mail_in.replies.signatures import own_name_words
from mailflow.mail_in.replies.zones.model import Zone
from mailflow.mail_in.replies.zones.own import (
    AS_NEIGHBOUR,
    BLANK_BELOW,
    NO_NEIGHBOUR,
    NOT_TEXT,
    TAILED,
    Own,
    crossed,
    own_of,
)
from mailflow.mail_in.replies.zones.paragraphs import paragraph_features
from mailflow.mail_in.replies.zones.rules import HistoryStart, rule_zones
from mailflow.mail_in.replies.zones.shapes import bucket_names, named


@dataclass(frozen=True)
class Line:
    """One non-blank line, its features, and where it is in the message (a ``Row`` made by hand: training)."""

    index: int            # index in the message's line list
    text: str
    features: tuple[str, ...]


# Lines zoned past the first quote header that follows new text: enough for the model to confirm or
# overrule the header; an earlier message further down is not read (the cost stays with the new text).
HISTORY_WINDOW = 16


class Window(NamedTuple):
    """The lines to zone (``lines[:end]``) and where history starts in them, when that was worked out on the way."""

    end: int
    history: HistoryStart | None        # None when a history marker ends the window


def history_window(lines: list[str]) -> Window:
    """How many lines to zone: up to a client's history marker (the HTML quote container) after new
    text, else up to HISTORY_WINDOW non-blank lines past the first quote header after new text."""
    # The unquoted lines are walked only as far as they are read: history_start stops at its cut, and the
    # window needs those up to its end (a reply's quoted history is often not '>' quoted: most of its lines are
    # not walked). Only a marker further down could change the window: the lines past the walk are asked for one
    # in one scan (``_holds_marker``), and with one the lines are walked as before (``_marked_window``).
    walk = _Walk(lines)
    cut = history_start(lines, walk)
    if walk.marker is not None:
        return Window(walk.marker + 1, None)
    end = len(lines)
    if cut is not None:
        if _holds_marker(lines[walk.unquoted[-1] + 1:]):
            return _marked_window(lines)
        if walk.unquoted[0] < cut:
            end = _window_end(lines, cut)
        for i in walk:              # the unquoted lines up to the window's end (with no cut: all walked)
            if i >= end:
                break
    return _answers_further_down(lines, _trailing_quote_cut(lines, walk.unquoted, end, cut))


def _answers_further_down(lines: list[str], window: Window) -> Window:
    """``window``, made to reach answers typed further down inside a '>' quoted original (an Outlook or Gmail
    inline reply: "two changes, inline below", each answer a paragraph of its own between quoted lines), which
    the model then reads as ``zones._answers_between_quotes`` does. Looked for only where the window ends inside a
    '>' quote, so a reply whose history is not quoted line by line costs nothing here."""
    end = window.end
    above = next((lines[i] for i in range(end - 1, max(end - 4, -1), -1) if lines[i].strip()), "")
    if window.history is None or end >= len(lines) or not above.startswith(">"):
        return window
    if not _APART_LINE.search("\n".join(lines[end - 1:end + _ANSWERS_REACH])):
        return window                       # no unquoted line set apart below: nothing answers in the quote (most)
    reach = end
    in_run = apart = False          # in a run of unquoted lines; set apart (a blank line) below a quoted one
    gap = False
    for i in range(end, min(len(lines), end + _ANSWERS_REACH)):
        line = lines[i]
        if not line.strip():
            gap = True
            continue
        if line.startswith(">"):
            if in_run and apart and gap:
                reach = i + 1               # the run ends apart from the quote below it: an answer
            in_run = gap = False
            continue
        if _NEW_HISTORY.match(line):
            break                           # an earlier message starts: what follows is not answering this one
        if not in_run:
            # (right under a quoted line, it is the line's wrapped tail: "> ... the" over "rest of it")
            in_run, apart = True, gap
        gap = False
    if in_run and apart:
        reach = len(lines)                  # the answer that ends the message, under the last quoted line
    return window if reach == end else Window(reach, window.history)


# a line that opens an earlier message inside the history: a separator or the first line of a header block
_NEW_HISTORY = re.compile(r"^\s*(?:-{3,}|_{5,}|from:|de :|de:|von:|on .{4,}wrote:?$|le .{4,}a écrit ?:?$)", re.IGNORECASE)
# how far past the window answers are looked for: an original long enough to answer at its far end is rare, and a
# history of earlier messages below it is not read (the cost stays with what the reply answers)
_ANSWERS_REACH = 400
_APART_LINE = re.compile(r"\n[ \t]*\n[ \t]*[^>\s]")      # a blank line, then a line that is no '>' quote


class _Walk:
    """The indices of the non-blank lines that are not '>' quotes (a marker above any text too), in order, as
    ``_marked_window`` lists them, each kept in ``unquoted`` as it is walked; a marker after text ends the walk
    (``marker``)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.unquoted: list[int] = []
        self.marker: int | None = None
        self._steps = self._walk()

    def __iter__(self) -> Iterator[int]:
        return self._steps

    def _walk(self) -> Iterator[int]:
        seen_text = False
        for i, line in enumerate(self.lines):
            # (a GroupWise header ends with ">>>", maybe before spaces: most '>' lines are no call away from their skip)
            if line[:1] == ">" and not ((line.endswith(">>>") or line[-1:].isspace()) and is_groupwise_header(line)):
                continue
            stripped = line.strip()
            if not stripped or is_quoted(line):
                continue
            if stripped != QUOTE_MARK:
                seen_text = True
            elif seen_text:
                self.marker = i
                return
            self.unquoted.append(i)
            yield i


def _holds_marker(lines: list[str]) -> bool:
    """Some line may be the marker: one holds it (it is not ASCII; no line holds "\n")."""
    return QUOTE_MARK in "\n".join(filterfalse(str.isascii, lines))


def _marked_window(lines: list[str]) -> Window:
    """``history_window`` of lines one of which may be the history marker: every unquoted line walked."""
    walk = _Walk(lines)
    for _ in walk:
        pass
    if walk.marker is not None:
        return Window(walk.marker + 1, None)
    unquoted = walk.unquoted
    end = len(lines)
    cut = history_start(lines, unquoted)
    if cut is not None and unquoted and unquoted[0] < cut:
        end = _window_end(lines, cut)
    return _answers_further_down(lines, _trailing_quote_cut(lines, unquoted, end, cut))


def _trailing_quote_cut(lines: list[str], unquoted: list[int], end: int, cut: int | None) -> Window:
    """The window up to ``end`` but for a trailing '>' quote (``unquoted``: the unquoted lines, in order, at
    least those above ``end``)."""
    # a trailing '>' quote (nothing unquoted after it) is never new text: zone only its start
    below = bisect_left(unquoted, end)
    last = unquoted[below - 1] if below else -1
    if last + 1 < end:
        end = min(end, _window_end(lines, last + 1))
    # ``cut`` is history_start(lines[:end]) too: its test of an unquoted line i reads no line past i + 9, and
    # the window ends 15 or more non-blank lines past every unquoted line up to the one after ``cut`` (all of
    # them when there is no cut), or at the end of ``lines``
    return Window(end, HistoryStart(cut))


def _window_end(lines: list[str], start: int) -> int:
    seen = 0
    for i in range(start, len(lines)):
        if lines[i].strip():
            seen += 1
            if seen > HISTORY_WINDOW:
                return i
    return len(lines)


BLANK_ABOVE = bucket_names((0, 1, 2), "blank_above")
TO_BREAK = bucket_names((0, 1, 2, 3, 5, 8, 12), "to_break")
TO_BREAK_LAST = len(TO_BREAK) - 1         # (``named`` inline: asked of every line)
TO_END = bucket_names((0, 1, 2, 3, 5, 8, 12), "to_end")
FROM_START = bucket_names((0, 1, 2, 5), "from_start")
AFTER_SIGN_OFF = bucket_names((1, 2, 3, 6), "after_sign_off")
# the rules' cuts, as evidence (body and greeting are what the rules leave uncut)
_RULE: dict[Zone, str] = {zone: f"rule:{zone}" for zone in Zone if zone not in (Zone.BODY, Zone.GREETING)}
# a line's place: its blank lines above (named), then the rules' cut if any, for each pair (made once)
BLANK_LAST = len(BLANK_ABOVE) - 1
PLACED: dict[tuple[int, str | None], tuple[str, ...]] = {
    (blank, rule): (name,) if rule is None else (name, rule)
    for blank, name in enumerate(BLANK_ABOVE) for rule in (None, *_RULE.values())}


class Placed(NamedTuple):
    """A non-blank line on its way to a ``Row``: its own features and those of its place (made for every
    line of every message: a named tuple is the cheapest immutable record)."""

    at: int                        # index in the message's line list
    text: str
    own: Own
    blank_above: int
    placed: tuple[str, ...]        # blank lines above, and the old rules' cut (as evidence)
    not_text: bool                 # does not count as new text for "no_text_above"


class Row:
    """A zoned line: its index in the message's line list, its text, and its features. The model scores a
    line from parts scored once (``scores.scored_lines``), so the feature strings are made only when something reads
    them (``explain``, training), for the whole message at once."""

    __slots__ = ("_k", "_message", "index", "text")     # made for every line of every message

    def __init__(self, index: int, text: str, message: _Message, k: int) -> None:
        self.index = index
        self.text = text
        self._message = message
        self._k = k

    @property
    def features(self) -> tuple[str, ...]:
        return self._message.features()[self._k]


class _Message:
    """A message's rows, and their feature strings once asked for."""

    def __init__(self, rows: list[Placed]) -> None:
        self.rows = rows
        self._features: list[tuple[str, ...]] | None = None

    def features(self) -> list[tuple[str, ...]]:
        if self._features is None:
            self._features = _with_context(self.rows)
        return self._features


def line_features(lines: list[str], sender_name: str = "") -> list[Row]:
    """Features for every non-blank line of ``lines`` (the message body split on newlines)."""
    return rows_of(placed_lines(lines, sender_name))


def placed_lines(lines: list[str], sender_name: str = "") -> list[Placed]:
    """Every non-blank line of ``lines`` with its own features and those of its place."""
    sender_words = own_name_words(sender_name)
    window = history_window(lines)
    lines = lines[:window.end]
    rules = rule_zones(lines, window.history)
    rows: list[Placed] = []
    blank_before = 0
    for i, raw in enumerate(lines):
        if not raw.strip():
            blank_before += 1
            continue
        own = own_of(raw, sender_words)
        rule = _RULE.get(rules[i]) if i in rules else None
        placed = PLACED[min(blank_before, BLANK_LAST), rule]
        rows.append(Placed(i, raw, own, blank_before, placed, own.not_text or rule in NOT_TEXT))
        blank_before = 0
    return rows


def rows_of(placed: list[Placed]) -> list[Row]:
    """The ``Row`` of each line of a message."""
    message = _Message(placed)
    return [Row(row.at, row.text, message, k) for k, row in enumerate(placed)]


def strong_breaks(rows: list[Placed]) -> tuple[list[bool], list[int], list[bool]]:
    """Per line: whether it is a strong break; the distance (in non-blank lines) to the next strong break or to
    the end: the segment's tail; and whether one of the three lines below is a strong break."""
    n = len(rows)
    breaks = [row.own.strong_break for row in rows]
    to_break = [0] * n
    ahead = [False] * n
    nxt = n                     # the first strong break below the line (n: none)
    for k in range(n - 1, -1, -1):
        ahead[k] = nxt < n and nxt - k <= 3
        if breaks[k]:
            nxt = k
        to_break[k] = nxt - k
    return breaks, to_break, ahead


def tail_name(to_break: int) -> str:
    return "T0" if to_break <= 2 else "T1" if to_break <= 5 else "T2" if to_break <= 10 else "T3"


def _with_context(rows: list[Placed]) -> list[tuple[str, ...]]:
    """Per line, its features: its own, its place, what it sees around it, its paragraph's, its distances, and
    its shapes crossed with where it is (``scores._scored`` adds up the same features' weights from parts)."""
    n = len(rows)
    breaks, to_break, ahead = strong_breaks(rows)
    para = paragraph_features([row.own.shape for row in rows], [row.blank_above for row in rows], breaks)
    around = _around(rows)
    from_start = _counted(FROM_START, n)
    to_end = _counted(TO_END, n)[::-1]
    out: list[tuple[str, ...]] = []
    text_above = False
    sign_off_at = -99
    delimiter_at = -99
    for k, row in enumerate(rows):
        own = row.own
        feats = [*own.features, *row.placed, *around[k], *para[k], TO_BREAK[min(to_break[k], TO_BREAK_LAST)],
                 to_end[k], from_start[k]]
        if not text_above:
            feats.append("no_text_above")
        if k - sign_off_at <= 6:
            feats.append(named(AFTER_SIGN_OFF, k - sign_off_at))
        if k - delimiter_at <= 12:
            feats.append("after_delimiter")
        if ahead[k]:
            feats.append("break_ahead")
        if own.sign_off:
            sign_off_at = k
        if own.delimiter:
            delimiter_at = k
        if not own.quoted and not breaks[k] and not row.not_text:
            text_above = True
        tail = tail_name(to_break[k])
        tailed = own.tailed + row.placed[:1] if row.placed[0] in TAILED else own.tailed
        feats.extend(crossed(tail, tailed))
        if k - sign_off_at <= 4:
            feats.extend(crossed("SO", tailed))
        if text_above:
            feats.extend(crossed("TA", own.above))
        else:
            feats.extend(crossed("NT", tailed))
            if k and rows[k - 1].not_text:
                feats.append("NT&after_header_line")
        feats.append("bias")
        out.append(tuple(feats))
    return out


def _counted(names: tuple[str, ...], n: int) -> list[str]:
    """``named(names, k)`` for k from 0 to n - 1."""
    return [*names[:n], *names[-1:] * (n - len(names))]


def _around(rows: list[Placed]) -> list[tuple[str, ...]]:
    """Per line, what it sees of the lines two and one above and one and two below ("p2:email", ...,
    "blank_below" after the line below's, "n2:none" past the end)."""
    near = [tuple(tuple(map(as_seen.__getitem__, row.own.shapes)) for as_seen in AS_NEIGHBOUR) for row in rows]
    # what the line below shows the line above it: its n1 shapes, and "blank_below" if a blank line parts them
    n1 = [own[2] + BLANK_BELOW if row.blank_above else own[2] for own, row in zip(near, rows, strict=True)]
    n = len(rows)
    no_p2, no_p1, no_n1, no_n2 = NO_NEIGHBOUR
    return [(near[k - 2][0] if k >= 2 else no_p2) + (near[k - 1][1] if k >= 1 else no_p1)
            + (n1[k + 1] if k + 1 < n else no_n1) + (near[k + 2][3] if k + 2 < n else no_n2)
            for k in range(n)]
