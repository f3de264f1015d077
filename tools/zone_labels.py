"""Line labels for training the zone model.

Two sources, in order of trust:
1. gold facts from a corpus manifest: the quagga sets give where the newest message ends
   (``quagga_stats.newest_chars``) and which lines are body or signature (the snippets); every
   corpus gives body lines (``must_contain``) and lines that must go (``must_not_contain``);
2. silver labels from the rule-based extractor mailflow used before the zone model (the cut rules in
   ``mailflow.mail_in.replies.quotes`` and ``signatures``), for the lines no gold fact covers.
A message whose merged labels break the zone grammar is left out of training (and counted).
"""

from __future__ import annotations

import re

from mailflow.mail_in.replies import quotes as q
from mailflow.mail_in.replies.zones import Zone
from mailflow.mail_in.replies.zones.model import ALLOWED, START

Z = Zone


def collapse(text: str) -> str:
    return " ".join(text.split())


def newest_end(lines: list[str], newest_chars: int) -> int | None:
    """The first non-blank line after the newest message (quagga's ``newest_chars`` marks its end)."""
    for cut in range(len(lines) + 1):
        if len("\n".join(lines[:cut]).strip()) == newest_chars:
            for j in range(cut, len(lines)):
                if lines[j].strip():
                    return j
            return None
    return None


_HEADER_KEY = re.compile(r"^\s*(?:to|cc|bcc|subject|from|sent|date|objet|betreff|asunto|de|von|envoy[ée]|"
                         r"gesendet|enviado|à|an|para)\s*:", re.IGNORECASE)


def _header_extent(lines: list[str], b: int) -> int:
    """The last line of a quoted header block that starts at ``b``."""
    last = b
    seen = 0
    for j in range(b, len(lines)):
        if not lines[j].strip():
            continue
        seen += 1
        if seen > 10:
            break
        if _HEADER_KEY.match(lines[j]) or (j == b + 1 and lines[b].rstrip().endswith(("on", "-"))):
            last = j
    return last


def merge(lines: list[str], labels: dict[int, Zone], case: dict, body: str = "") -> dict[int, Zone] | None:
    """Gold facts from the manifest over the silver labels; None when they cannot be reconciled."""
    labels = dict(labels)
    nonblank = [i for i, x in enumerate(lines) if x.strip()]
    stats = case.get("quagga_stats")
    bound = len(lines)
    if stats is not None:
        b = newest_end(body.replace("\r\n", "\n").split("\n") if body else lines, stats["newest_chars"]) if stats.get("has_history") else None
        if b is not None:
            bound = b
            last = _header_extent(lines, b)
            for i in nonblank:
                if i >= b:
                    labels[i] = Z.HEADER if i <= last else Z.HISTORY
        for i in nonblank:
            if i < bound and labels.get(i) in (Z.HEADER, Z.HISTORY):
                labels[i] = Z.QUOTED if q.is_quoted(lines[i]) else Z.BODY
    marker = collapse(case.get("history_starts", ""))
    if marker:
        b = next((i for i in nonblank if marker in collapse(lines[i])), None)
        if b is not None:
            bound = b
            last = _header_extent(lines, b)
            for i in nonblank:
                if i >= b:
                    labels[i] = Z.HEADER if i <= last else Z.HISTORY
                elif labels.get(i) in (Z.HEADER, Z.HISTORY):
                    labels[i] = Z.QUOTED if q.is_quoted(lines[i]) else Z.BODY
    want = [collapse(x) for x in case.get("must_contain", [])]
    avoid = [collapse(x) for x in case.get("must_not_contain", [])]
    gold_sig: list[int] = []
    for i in nonblank:
        text = collapse(lines[i])
        if not text:
            continue
        if any(w and (w in text or text in w and len(text) > 20) for w in want):
            if labels.get(i) not in (Z.BODY, Z.GREETING, Z.QUOTED):
                labels[i] = Z.BODY
        elif i < bound and any(a and a in text for a in avoid) and labels.get(i) in (Z.BODY, Z.GREETING):
            if q.is_quoted(lines[i]):
                labels[i] = Z.QUOTED
            else:
                labels[i] = Z.SIGNATURE
                gold_sig.append(i)
    if gold_sig:
        first = min(gold_sig)
        k = first - 1
        while k >= 0 and lines[k].strip() and len(lines[k].strip()) <= 60 and labels.get(k) is Z.BODY \
                and not lines[k].rstrip().endswith((".", "?", "!", ":")):
            labels[k] = Z.SIGNATURE
            k -= 1
        for i in nonblank:
            if first < i < bound and labels.get(i) in (Z.BODY, Z.CLOSING, Z.GREETING):
                labels[i] = Z.SIGNATURE
    seq = canonical([labels.get(i, Z.BODY) for i in nonblank])
    return dict(zip(nonblank, seq, strict=False)) if valid(seq) else None


def canonical(seq: list[Zone]) -> list[Zone]:
    """One convention for every source: after a header, quotes that no new text follows are history,
    and nothing comes back from history."""
    seq = list(seq)
    last_new = max((k for k, z in enumerate(seq) if z in (Z.BODY, Z.GREETING)), default=-1)
    in_history = False
    for k, z in enumerate(seq):
        if in_history:
            seq[k] = Z.HISTORY
        elif z is Z.HISTORY:
            in_history = True
        elif z is Z.QUOTED and k > last_new and k > 0 and seq[k - 1] in (Z.HEADER, Z.HISTORY):
            seq[k] = Z.HISTORY
            in_history = True
    return seq


def valid(seq: list[Zone]) -> bool:
    prev: str = START
    for z in seq:
        if z not in ALLOWED[prev]:
            return False
        prev = z
    return True
