"""The cut rules mailflow used before the zone model, replayed line by line as *evidence*.

Each non-blank line gets the zone the old rules would have given it (history cut, '>' quote blocks,
signature delimiter / phone footer / disclaimer, contact block, trailing sign-off). The zone model
reads this as one feature among many (``rule:<zone>``); the training labels start from it too.
"""

from __future__ import annotations

from typing import NamedTuple

from mailflow.mail_in.replies import quotes as q
from mailflow.mail_in.replies import signatures as s
from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.zones.lexicon import GREETING, SIGN_OFF, SIGN_OFF_START
from mailflow.mail_in.replies.zones.model import Zone

Z = Zone


def _has_new_text(lines: list[str]) -> bool:
    return any(x.strip() and not q.is_quoted(x) and x.strip() != QUOTE_MARK for x in lines)


class HistoryStart(NamedTuple):
    """Where ``quotes.history_start`` finds history in the lines (None: nowhere), when a caller has it."""

    at: int | None


def rule_zones(lines: list[str], history: HistoryStart | None = None) -> dict[int, Zone]:
    """Zones the old rules give each non-blank line (their cuts, replayed with line numbers); ``history``:
    ``quotes.history_start(lines)`` when the caller has worked it out."""
    labels: dict[int, Zone] = {}
    cur = list(range(len(lines)))
    for step in range(3):
        sub = [lines[i] for i in cur] if step else lines
        cut = history.at if step == 0 and history is not None else q.history_start(sub)
        if cut is None:
            break
        end = q.header_block_end(sub, cut)
        if _has_new_text(sub[:cut]):
            labels.update(dict.fromkeys(cur[cut:], Z.HISTORY))
            labels.update(dict.fromkeys(cur[cut:end], Z.HEADER))
            cur = cur[:cut]
            break
        labels.update(dict.fromkeys(cur[:cut], Z.QUOTED))
        labels.update(dict.fromkeys(cur[cut:end], Z.HEADER))
        cur = cur[end:]
    sub = lines if len(cur) == len(lines) else [lines[i] for i in cur]     # (all of them: the same list)
    sig = s.signature_start(sub)
    if sig is not None:
        disclaimer = False
        asked = -1          # the start of the last paragraph asked (it held neither): its lines ask it again
        for k in range(sig, len(sub)):
            line = sub[k]
            if q.is_quoted(line):
                labels[cur[k]] = Z.QUOTED
            elif q.quote_header_span(sub, k) is not None:
                labels[cur[k]] = Z.HEADER
            else:
                if not disclaimer and (start := s._paragraph_start(sub, k)) != asked:
                    disclaimer = s.is_notice(s._paragraph(sub, start))
                    asked = start
                labels[cur[k]] = Z.DISCLAIMER if disclaimer else Z.SIGNATURE
        cur = cur[:sig]
        sub = sub[:sig]
    # quote blocks introduced by an attribution, and trailing quotes
    kept = q.drop_quote_blocks(sub)
    kept_idx: list[int] = []
    k = 0
    for pos, line in enumerate(sub):
        if k < len(kept) and line == kept[k]:
            kept_idx.append(cur[pos])
            k += 1
        else:
            labels[cur[pos]] = Z.QUOTED if q.is_quoted(line) else Z.HEADER
    cur = kept_idx
    sub = [lines[i] for i in cur]
    for rule in (s.contact_block_start, s.trailing_sign_off):
        cut = rule(sub)
        if cut is not None:
            labels.update(dict.fromkeys(cur[cut:], Z.SIGNATURE))
            if SIGN_OFF.match(sub[cut]) or SIGN_OFF_START.match(sub[cut]):
                labels[cur[cut]] = Z.CLOSING
            cur = cur[:cut]
            sub = sub[:cut]
    greeted = False
    for i in cur:
        line = lines[i]
        stripped = line.strip()
        if q.is_quoted(line):
            labels[i] = Z.QUOTED
        elif not greeted and stripped and len(stripped) < 60 and GREETING.match(stripped):
            labels[i] = Z.GREETING
        else:
            labels[i] = Z.BODY
        if stripped:
            greeted = True
    return {i: z for i, z in labels.items() if lines[i].strip()}
