"""Hostile-input caps: message size, header count, MIME part count and nesting depth."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.mail_in.replies.reply import UnparseableMessage


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 26_214_400
    max_headers: int = 500
    max_parts: int = 200
    max_depth: int = 12
    max_text_chars: int = 100_000       # decoded body text read (a hundred one-minute updates): bounds time and memory


_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def check_raw(raw: bytes, limits: Limits) -> None:
    """Refuse a message before parsing when its size or structure cannot be legitimate."""
    if len(raw) > limits.max_bytes:
        raise UnparseableMessage(f"message is {len(raw)} bytes, over the {limits.max_bytes}-byte cap")
    # Every "boundary=" holds the word: counting it (ASCII case folded, as the pattern is) bounds the
    # count from above at a fifth of the pattern's cost, so the pattern runs only near the cap.
    if raw.lower().count(b"boundary") > limits.max_parts:
        boundaries = len(_BOUNDARY.findall(raw))
        if boundaries > limits.max_parts:
            raise UnparseableMessage(f"{boundaries} multipart boundaries, over the {limits.max_parts}-part cap")
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw
    fields = sum(1 for line in head.splitlines() if line[:1] not in (b" ", b"\t", b""))
    if fields > limits.max_headers:
        raise UnparseableMessage(f"{fields} header fields, over the {limits.max_headers}-field cap")


def check_parts(count: int, depth: int, limits: Limits) -> None:
    """Refuse a parsed tree that is too wide or too deep."""
    if count > limits.max_parts:
        raise UnparseableMessage(f"{count} MIME parts, over the {limits.max_parts}-part cap")
    if depth > limits.max_depth:
        raise UnparseableMessage(f"MIME nesting depth {depth}, over the {limits.max_depth}-level cap")
