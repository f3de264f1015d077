"""A fast path beside the stdlib's compat32 feed parser: the very tree it builds, for the mail it recognises.

``email.feedparser`` reads a message line by line (~500 lines in a 30 KB reply), checking every line
against a stack of boundary patterns; that is most of the cost of parsing a reply. Here the same
decisions are taken on the whole text with ``str.find`` and a few regular expressions: the header
block is split into fields as ``policy.compat32.header_source_parse`` does, a leaf's body is one
slice, a multipart body is cut at the lines the feedparser's boundary pattern matches, a message/*
part holds the message after its headers, a message/delivery-status part its blocks of fields.

Soundness: every construct below is one the feedparser handles without a defect, and the tree is
built from the same pieces of the same text (``bytes.decode("ascii", "surrogateescape")``, as
``BytesFeedParser.feed`` does). Anything else -- a header line that is neither ``name: value`` nor a
continuation, a bare CR where it would end a header line or start a delimiter line, a multipart
without a boundary or with a transfer encoding the parser flags, a missing start or close delimiter,
two delimiter lines in a row, a status block holding a multipart or a message, nesting deeper than
``MAX_DEPTH`` -- makes ``parse`` return None, and the caller runs the feedparser on the same bytes.
A bare CR elsewhere only splits a body line in two, and a body is the same slice either way.

Why a part can be cut at the first line that matches its parent's pattern: the feedparser ends a
part at the first line that matches the pattern of *any* multipart it is nested in. The parent's
body was already cut before the first line matching any outer pattern, so inside it only the
parent's own pattern can match; by induction each level only looks for its own delimiter lines.
A multipart's epilogue is read to the end of its own part without looking for its own delimiter,
as the feedparser reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.errors import MessageError
from email.message import Message

MAX_DEPTH = 20                  # multiparts nested deeper than this go to the feedparser
# One field as the feedparser collects it: `name:` (RFC 5322 ftext) then continuation lines, each line
# ending in CRLF or LF, or at the end of the text (a bare CR, a line end for the feedparser, fails the
# match; a part inside a multipart ends after a LF, so \Z is only ever the end of the message). The
# value is compat32's header_source_parse: the first line after the colon without its leading blanks,
# the continuation lines as they are, the last line end stripped (rstrip("\r\n")).
_FIELD = re.compile(r"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*(?:\r?\n|\Z)(?:[ \t][^\r\n]*(?:\r?\n|\Z))*)")
_UNIXFROM = re.compile(r"From [^\r\n]*\r?\n")
_EMPTY_LINES = ("\n", "\r\n")
_MULTIPART_ENCODINGS = ("7bit", "8bit", "binary")
# What the stdlib's header helpers (get_boundary, get_content_type) raise on hostile values: the
# feedparser calls the same helpers, so it meets the same error and answers for itself.
_HELPER_ERRORS = (ValueError, TypeError, IndexError, LookupError, MessageError)


class _Decline(Exception):
    """A construct the fast path does not positively recognise: the feedparser takes the message."""


@dataclass(frozen=True)
class _Delimiter:
    """A line matching a multipart's boundary pattern: text[start:end], ``close`` for ``--boundary--``."""

    start: int
    end: int
    close: bool


def parse(data: bytes, factory: Callable[..., Message]) -> Message | None:
    """The tree ``BytesFeedParser(factory, policy=compat32)`` builds from ``data``, or None to use it."""
    text = data.decode("ascii", "surrogateescape")
    try:
        return _Reader(text, factory).message(0, len(text), None, nested=False, depth=0)
    except (_Decline, *_HELPER_ERRORS):
        return None


class _Reader:
    """Builds the parts of one message's text."""

    def __init__(self, text: str, factory: Callable[..., Message]) -> None:
        self.text = text
        self.factory = factory

    def message(self, start: int, end: int, parent_type: str | None, *, nested: bool, depth: int) -> Message:
        """The part text[start:end]; a ``nested`` one loses the line end before its parent's next delimiter."""
        if depth > MAX_DEPTH:
            raise _Decline
        message = self.factory(policy=policy.compat32)
        if parent_type == "multipart/digest":
            message.set_default_type("message/rfc822")
        body = self._headers(message, start, end)
        content_type = message.get_content_type()
        maintype = content_type.partition("/")[0]       # get_content_maintype()
        if content_type == "message/delivery-status":
            message.set_payload(self._status_blocks(body, end))
        elif maintype == "message":
            # the enclosed message runs to the end of this part; the line end before the parent's
            # next delimiter is taken from the enclosed message (the feedparser's last message)
            message.set_payload([self.message(body, end, content_type, nested=nested, depth=depth + 1)])
        elif maintype == "multipart":
            self._multipart(message, content_type, body, end, nested=nested, depth=depth)
        else:
            text = self.text[body:end]
            message.set_payload(_without_line_end(text) if nested else text)
        return message

    def _headers(self, message: Message, start: int, end: int) -> int:
        """Set the fields of the header block at ``start``; where the body starts (after the empty line, if any)."""
        position = self._fields(message, start, end)
        if position == end:         # the part ends with its header block: an empty body, as in the feedparser
            return end
        return position + (1 if self.text[position] == "\n" else 2)

    def _fields(self, message: Message, start: int, end: int) -> int:
        """Set the fields (and the envelope line) of the lines at ``start``; where they stop: an empty line or ``end``."""
        text = self.text
        position = start
        envelope = _UNIXFROM.match(text, start, end)
        if envelope is not None:
            message.set_unixfrom(_without_line_end(envelope[0]))
            position = envelope.end()
        while position < end and not text.startswith(_EMPTY_LINES, position, end):
            field = _FIELD.match(text, position, end)
            if field is None:
                raise _Decline
            message.set_raw(field[1], field[2].rstrip("\r\n"))
            position = field.end()
        return position

    def _status_blocks(self, start: int, end: int) -> list[Message | str]:
        """A message/delivery-status body: blocks of fields between empty lines, each a part with an empty body.

        As the feedparser reads it: a block ends at an empty line or the end of the part; one empty line
        after a block is skipped, a second one starts an empty block.
        """
        blocks: list[Message | str] = []
        position = start
        while True:
            block = self.factory(policy=policy.compat32)
            position = self._fields(block, position, end)
            if block.get_content_maintype() in ("message", "multipart"):
                raise _Decline
            block.set_payload("")
            blocks.append(block)
            if position < end:
                position += 1 if self.text[position] == "\n" else 2
            if position == end:
                return blocks

    def _multipart(self, message: Message, content_type: str, start: int, end: int, *,
                   nested: bool, depth: int) -> None:
        """Preamble, parts and epilogue of a multipart body text[start:end], cut at its delimiter lines."""
        boundary = message.get_boundary()
        if boundary is None or "\n" in boundary or "\r" in boundary:
            raise _Decline
        if str(message.get("content-transfer-encoding", "8bit")).lower() not in _MULTIPART_ENCODINGS:
            raise _Decline
        delimiters = _Delimiters(self.text, boundary, end)
        line = delimiters.after(start)
        if line is None or line.close:
            raise _Decline
        if line.start > start:
            message.preamble = _without_line_end(self.text[start:line.start])
        parts: list[Message] = []
        while not line.close:
            following = delimiters.after(line.end)
            if following is None or following.start == line.end:   # no close, or delimiters in a row
                raise _Decline
            parts.append(self.message(line.end, following.start, content_type, nested=True, depth=depth + 1))
            line = following
        message.set_payload(parts)
        epilogue: str | None = self.text[line.end:end]
        if nested:                  # the line end before the parent's delimiter belongs to it
            epilogue = _without_line_end(epilogue) if epilogue else None
        message.epilogue = epilogue


class _Delimiters:
    """The lines of text[..:end] that the feedparser would take as delimiters of ``boundary``."""

    def __init__(self, text: str, boundary: str, end: int) -> None:
        self.text = text
        self.separator = "--" + boundary
        self.end = end

    def after(self, position: int) -> _Delimiter | None:
        """The first delimiter line at or after the line start ``position``, or None.

        Every occurrence of the separator is looked at, not only those after a LF: one after a bare
        CR starts a line for the feedparser (declined), one inside a line is text.
        """
        text, separator, end = self.text, self.separator, self.end
        at = text.find(separator, position, end)
        while at >= 0:
            before = text[at - 1] if at > position else "\n"
            if before == "\r":
                raise _Decline
            if before == "\n":
                newline = text.find("\n", at, end)
                line_end = end if newline < 0 else newline + 1
                close = _delimiter_kind(text[at + len(separator):line_end])
                if close is not None:
                    return _Delimiter(at, line_end, close)
            at = text.find(separator, at + 1, end)
        return None


def _delimiter_kind(rest: str) -> bool | None:
    """After the separator, the feedparser's ``(?P<end>--)?[ \t]*(\r\n|\r|\n)?$``: True for a close
    delimiter, False for one between parts, None for a line that is not a delimiter.

    ``$`` also matches before a final LF; a bare CR anywhere in the line is declined.
    """
    line = _without_line_end(rest)
    if "\r" in line:
        raise _Decline
    if line.startswith("--") and not line[2:].strip(" \t"):
        return True
    if not line.strip(" \t"):
        return False
    return None


def _without_line_end(text: str) -> str:
    """``text`` without one final CRLF or LF (the feedparser's NLCRE_eol where no bare CR is left)."""
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text
