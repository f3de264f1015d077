"""The sender's new text: the body without quoted history, signature, disclaimer or phone footer."""

from __future__ import annotations

import re

from mailflow.mail_in.replies.htmltext import QUOTE_MARK
from mailflow.mail_in.replies.quotes import drop_quote_blocks, header_block_end, history_start, is_quoted
from mailflow.mail_in.replies.signatures import contact_block_start, signature_start, trailing_sign_off

_BLANKS = re.compile(r"\n{3,}")


def _normalise(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return [line.rstrip() for line in text.split("\n")]


def _has_new_text(lines: list[str]) -> bool:
    return any(line.strip() and not is_quoted(line) and line.strip() != QUOTE_MARK for line in lines)


def extract_new_text(text: str) -> str:
    """Apply the history, signature, quote-block and sign-off rules in that order."""
    lines = _normalise(text)
    for _ in range(3):
        cut = history_start(lines)
        if cut is None:
            break
        if _has_new_text(lines[:cut]):
            lines = lines[:cut]
            break
        # History at the very top (a forward, a bottom-post): drop its header block, keep reading.
        lines = lines[header_block_end(lines, cut):]
    lines = _fold_lazy_quotes(lines)
    sig = signature_start(lines)
    if sig is not None:
        lines = lines[:sig]
    lines = drop_quote_blocks(lines)
    for rule in (contact_block_start, trailing_sign_off):
        cut = rule(lines)
        if cut is not None:
            lines = lines[:cut]
    return tidy("\n".join(lines))


def tidy(text: str) -> str:
    """Trim trailing spaces and runs of blank lines."""
    text = "\n".join(line.rstrip() for line in text.split("\n") if line.strip() != QUOTE_MARK)
    return _BLANKS.sub("\n\n", text).strip()


def _fold_lazy_quotes(lines: list[str]) -> list[str]:
    """A quoted line wrapped without its '>' (between two quoted lines) is still quoted."""
    out = list(lines)
    for i in range(1, len(lines) - 1):
        previous = lines[i - 1].rstrip()
        if (lines[i].strip() and not is_quoted(lines[i]) and is_quoted(previous)
                and len(previous) >= 60
                and (not previous.endswith((".", "?", "!", ":")) or lines[i].lstrip()[:1].islower())
                and is_quoted(lines[i + 1])):
            out[i] = "> " + lines[i]
    return out
