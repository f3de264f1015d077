"""The lines a second decoding holds to a zone, where the model's first reading contradicts what the reply shows:
quote headers with no evidence of one, labelled lines cut off as a signature, and a message the sender pasted into
their text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailflow.mail_in.replies.commands import labels_in, opens_with_label
from mailflow.mail_in.replies.quotes import holds_header_words, is_quoted, may_be_header, pasted_below
from mailflow.mail_in.replies.sections import is_label_line
from mailflow.mail_in.replies.zones.features import Row
from mailflow.mail_in.replies.zones.model import Zone

KEPT = frozenset({Zone.GREETING, Zone.BODY})
_LINK_ONLY = re.compile(r"<?(?:https?://|www\.)\S+>?")   # a line that is a link and nothing else
_SIGN_OFF_LINE = re.compile(r"^\s*[^\W\d_][^\d:;?!.]{0,30},\s*$")      # "Abrazos," where the sender signs off


def pinned(zones: list[Zone], rows: Sequence[Row]) -> dict[int, Zone]:
    """The lines a second decoding holds to the body: quote headers without evidence, and labelled lines the first
    decoding cut off as a signature."""
    return {**_headers_without_evidence(zones, rows), **_labels_as_signature(zones, rows), **_pasted(zones, rows)}


def _pasted(zones: list[Zone], rows: Sequence[Row]) -> dict[int, Zone]:
    """A header block the sender's own line introduces ("Here's the notice our Division got, pasted as it came:"),
    with the reply's '>' quoted original further down, is the sender's text, and so is what follows it down to the next
    zone the model did not read as history or a header (their own words, their sign-off)."""
    pinned: dict[int, Zone] = {}
    lines = [row.text for row in rows]
    for k in range(1, len(zones)):
        if zones[k] is Zone.HEADER and pasted_below(lines, k) and any(is_quoted(row.text) for row in rows[k:]):
            if zones[k - 1] is Zone.HEADER:
                pinned[k - 1] = Zone.BODY       # (the line that introduces it, read as the header's first)
            j = k
            while j < len(zones) and zones[j] in (Zone.HEADER, Zone.HISTORY) and not is_quoted(rows[j].text) \
                    and not _SIGN_OFF_LINE.match(rows[j].text):
                pinned[j] = Zone.BODY
                j += 1
            break
    return pinned


def _labels_as_signature(zones: list[Zone], rows: Sequence[Row]) -> dict[int, Zone]:
    """A line right under the body that opens with a label members are asked to write ("Presenter – Dr. Jordan
    O'Neill" under "Focus – ...") is the body's, however much its name looks like a signature's, or its "Key: value"
    shape like a quote header's ("Presenter: me (Sally Bennett), round-robin style" typed inside the quote)."""
    pinned: dict[int, Zone] = {}
    for k in range(1, len(zones)):
        if zones[k] in (Zone.SIGNATURE, Zone.CLOSING, Zone.HEADER) and zones[k - 1] is Zone.BODY \
                and rows[k].index == rows[k - 1].index + 1 and _opens_with_label(rows[k].text):
            pinned[k] = Zone.BODY
    return pinned


def _opens_with_label(line: str) -> bool:
    """The line starts with a label, with its colon or a spaced dash ("Presenter – Wendy Chu")."""
    spots = labels_in(line)
    return bool(spots) and not line[:spots[0][1]].strip(" \t>*_•-–—")


def _headers_without_evidence(zones: list[Zone], rows: Sequence[Row]) -> dict[int, Zone]:
    """The lines of each quote-header block that ends with a colon, of unquoted lines with nothing a header holds in
    any of them (no date, time, address, writing verb, key, marker: ``quotes.may_be_header``), pinned to the body for
    a second decoding: a sentence that ends with a colon ("Please use this instead:") introduces the sender's own
    text, it opens no history."""
    pinned: dict[int, Zone] = {}
    k = 0
    while k < len(zones):
        if zones[k] is not Zone.HEADER:
            k += 1
            continue
        end = k + 1
        while end < len(zones) and zones[end] is Zone.HEADER:
            end += 1
        if rows[end - 1].text.rstrip().endswith((":", "：")) \
                and not any(may_be_header(rows[j].text) or is_quoted(rows[j].text) for j in range(k, end)):
            pinned.update((j, Zone.BODY) for j in range(k, end))
        elif all(_LINK_ONLY.fullmatch(rows[j].text.strip()) for j in range(k, end)) and k and zones[k - 1] is Zone.BODY:
            # a link alone on its line under the sender's words ("The pathway doc is here if it's useful:" over the
            # link, the quote going on below it): no quote header says only a link
            pinned.update((j, Zone.BODY) for j in range(k, end))
        elif is_label_line(rows[k].text.strip()) or opens_with_label(rows[k].text):
            # "How members can help: ... reply to me at priya@...", "Suggest: Rural transportation ...": a label
            # members are asked to write opens no quote header, whatever address or date the line holds; the header
            # starts where its words do
            words = next((j for j in range(k, end)
                          if holds_header_words(rows[j].text.strip()) or is_quoted(rows[j].text)), end)
            pinned.update((j, Zone.BODY) for j in range(k, words))
        k = end
    return pinned
