"""Large base64 bodies: set aside from the MIME parser and decoded straight from the raw bytes."""

from __future__ import annotations

import binascii
import email.parser
import io
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from functools import lru_cache

from mailflow.mail_in.replies import mime

LARGE_BODY = 1 << 20            # runs of base64 lines from this size on are kept out of the parser
_FEED_CHUNK = 1 << 16
_DECODE_CHUNK = 1 << 20
_B64_CHARS = rb"A-Za-z0-9+/"
# An empty line in the parser's sense (lines end in \r\n, \r or \n): it can end a header block.
_EMPTY_LINES = (b"\n\n", b"\n\r", b"\r\r")
_EMPTY_LINE = re.compile(rb"\n[\r\n]|\r\r")
_CLEAN_TEXT = re.compile(r"[A-Za-z0-9+/\r\n]*")


class Part(Message):
    """A parsed part; ``decoded`` holds a large base64 body decoded at parse time (its text is "")."""

    decoded: bytes | None = None

    def get_payload(self, i=None, decode=False):  # the stdlib's signature
        """The stdlib's, except that a body decoded at parse time is returned as those bytes."""
        if decode and self.decoded is not None:
            return self.decoded
        return super().get_payload(i, decode)

    def get_param(self, param, failobj=None, header="content-type", unquote=True):  # the stdlib's signature
        """The stdlib's, remembered for the field's value: reading a part's charset, filename and format each parsed
        its field again, and most parts carry one of a few fields ('text/plain; charset="utf-8"')."""
        value = self.get(header)
        if not isinstance(value, str):      # absent, or a Header (raw 8-bit bytes): the stdlib reads it
            return super().get_param(param, failobj, header, unquote)
        found = _param_in(header.lower(), value, param.lower(), unquote)
        return failobj if found is _ABSENT else found

    @property
    def parsed_payload(self) -> object:
        """The payload as the parser left it (get_payload() re-decodes text with stray bytes)."""
        return self._payload  # type: ignore[attr-defined]  # untyped in typeshed


_ABSENT = object()


@lru_cache(maxsize=256)
def _param_in(header: str, value: str, param: str, unquote: bool) -> object:
    """``param`` of a field ``header: value`` as ``Message.get_param`` reads it (``_ABSENT``: it has none), a function
    of those four alone (the stdlib reads the first such field; ``Part.get_param`` passes its value)."""
    holder = Message()
    holder[header] = value
    return holder.get_param(param, _ABSENT, header, unquote)


@dataclass(frozen=True)
class Run:
    """Whole non-empty lines of base64 letters, raw[start:end], without the last line's end."""

    start: int
    end: int


@dataclass(frozen=True)
class SetAside:
    """The runs taken out of a message and the token that stands for them in the parsed tree."""

    raw: bytes
    runs: tuple[Run, ...]
    token: str

    def marker(self, index: int) -> bytes:
        return f"{self.token}{index:08d}".encode("ascii")


def parse(raw: bytes, threshold: int = LARGE_BODY) -> Message:
    """``email.message_from_bytes`` (compat32), with large base64 runs set aside.

    The tree comes from ``mime.parse`` (the feedparser's tree, built from whole slices) or, for a
    message it does not recognise, from the stdlib's feed parser fed in chunks. The feedparser holds a
    big body as a list of line strings and then joins it (about 3x the body); here each large run
    reaches either parser as one marker line. Afterwards a base64 leaf made of
    runs is decoded straight from ``raw`` (into ``Part.decoded``) and every other
    marker is put back, so the tree reads exactly as if the parser had seen the whole message.
    """
    aside = set_aside(raw, threshold)
    message = mime.parse(_fed(aside), Part)
    if message is None:
        message = _feedparser(aside)
    if aside.runs and isinstance(message, Part):
        _settle(message, aside, decode=True)
    return message


def _fed(aside: SetAside) -> bytes:
    """The bytes the parser reads: the message with each large run replaced by its marker."""
    if not aside.runs:
        return aside.raw
    pieces: list[bytes] = []
    position = 0
    for index, run in enumerate(aside.runs):
        pieces.append(aside.raw[position:run.start])
        pieces.append(aside.marker(index))
        position = run.end
    pieces.append(aside.raw[position:])
    return b"".join(pieces)


def _feedparser(aside: SetAside) -> Message:
    """The stdlib's feed parser over the same bytes, fed in slices (the whole message is never copied)."""
    raw = aside.raw
    parser = email.parser.BytesFeedParser(Part, policy=policy.compat32)
    position = 0
    for index, run in enumerate(aside.runs):
        _feed(parser, raw, position, run.start)
        parser.feed(aside.marker(index))
        position = run.end
    _feed(parser, raw, position, len(raw))
    return parser.close()


def _feed(parser: email.parser.BytesFeedParser, raw: bytes, start: int, end: int) -> None:
    view = memoryview(raw)
    for chunk in range(start, end, _FEED_CHUNK):
        parser.feed(view[chunk:min(chunk + _FEED_CHUNK, end)].tobytes())


def set_aside(raw: bytes, threshold: int = LARGE_BODY) -> SetAside:
    """The large runs of ``raw`` (none in a message smaller than ``threshold``)."""
    runs: list[Run] = []
    if len(raw) >= threshold:
        for found in _span(threshold).finditer(raw):
            runs.extend(r for r in _runs_in(raw, found.start(), found.end(), threshold)
                        if r.end - r.start >= threshold)
    return SetAside(raw, tuple(runs), _token(raw) if runs else "")


@lru_cache(maxsize=4)
def _span(threshold: int) -> re.Pattern[bytes]:
    """A stretch of base64 letters and line ends, matched only where one starts (a linear scan)."""
    letters = _B64_CHARS + rb"\r\n"
    return re.compile(rb"(?<![" + letters + rb"])[" + letters + rb"]{%d,}" % threshold)


def _runs_in(raw: bytes, start: int, end: int, threshold: int) -> list[Run]:
    """The runs of a span of base64 letters and line ends: its pieces between empty lines.

    Jumps a threshold at a time, so a span of many short lines costs a few ``rfind`` calls.
    """
    runs: list[Run] = []
    piece = start
    while end - piece >= threshold:
        window = piece + threshold
        last = max(raw.rfind(empty, piece, window) for empty in _EMPTY_LINES)
        if last >= 0:                   # too short before its next empty line: start after it
            piece = last + 1
            continue
        found = _EMPTY_LINE.search(raw, window - 1, end)
        stop = found.start() + 1 if found else end
        runs.extend(_run(raw, piece, stop))
        piece = stop
    return runs


def _run(raw: bytes, start: int, end: int) -> list[Run]:
    """The whole non-empty lines inside raw[start:end], or nothing."""
    at_line_start = start > 0 and raw[start - 1] in b"\r\n" and raw[start] not in b"\r\n"
    if not at_line_start:
        first_end = min((p for p in (raw.find(b"\r", start, end), raw.find(b"\n", start, end)) if p >= 0),
                        default=end)
        start = first_end
        while start < end and raw[start] in b"\r\n":
            start += 1
    last_end = max(raw.rfind(b"\r", start, end), raw.rfind(b"\n", start, end))
    if last_end < 0:
        return []
    while last_end > start and raw[last_end - 1] in b"\r\n":
        last_end -= 1
    if last_end <= start or _EMPTY_LINE.search(raw, start, last_end):
        return []
    return [Run(start, last_end)]


def _token(raw: bytes) -> str:
    """A marker prefix that occurs nowhere in ``raw``, so every occurrence in the tree is ours."""
    serial = 0
    while f"MailflowSetAside{serial}X".encode("ascii") in raw:
        serial += 1
    return f"MailflowSetAside{serial}X"


def _settle(part: Part, aside: SetAside, decode: bool) -> None:
    """Decode the base64 leaves made of runs; put the runs back as text everywhere else.

    Only leaves reached through multipart containers are decoded: under a message/* part the
    tree may be written out again (an attached message), so its text must stay as it was.
    """
    for name in ("preamble", "epilogue"):
        text = getattr(part, name, None)
        if isinstance(text, str) and aside.token in text:
            setattr(part, name, _restore(text, aside))
    payload = part.parsed_payload
    if isinstance(payload, list):
        inner = decode and part.get_content_maintype() == "multipart"
        for sub in payload:
            if isinstance(sub, Part):
                _settle(sub, aside, inner)
        return
    if not isinstance(payload, str) or aside.token not in payload:
        return
    data = _decoded(payload, aside) if decode and _is_base64(part) else None
    if data is None:
        part.set_payload(_restore(payload, aside))
    else:
        part.decoded = data
        part.set_payload("")


def _is_base64(part: Message) -> bool:
    return str(part.get("content-transfer-encoding", "")).lower() == "base64"


def _pieces(text: str, aside: SetAside) -> tuple[list[str], list[Run]]:
    """The text between markers and the run each marker stands for."""
    pieces: list[str] = []
    runs: list[Run] = []
    position = 0
    width = len(aside.token) + 8
    while (found := text.find(aside.token, position)) >= 0:
        pieces.append(text[position:found])
        runs.append(aside.runs[int(text[found + len(aside.token):found + width])])
        position = found + width
    pieces.append(text[position:])
    return pieces, runs


def _restore(text: str, aside: SetAside) -> str:
    """The text as the parser would have produced it from the whole message."""
    pieces, runs = _pieces(text, aside)
    out = [pieces[0]]
    for run, piece in zip(runs, pieces[1:], strict=False):
        out.append(aside.raw[run.start:run.end].decode("ascii"))
        out.append(piece)
    return "".join(out)


def _decoded(text: str, aside: SetAside) -> bytes | None:
    """``binascii.a2b_base64`` of the restored text, computed run by run; None where it would fail.

    Runs hold only base64 letters and line ends, so decoding whole groups of four letters at a
    time gives the same bytes; the text after the last run (padding, stray characters) is decoded
    together with the letters left over, exactly as the whole text would be.
    """
    pieces, runs = _pieces(text, aside)
    if not all(_CLEAN_TEXT.fullmatch(piece) for piece in pieces[:-1]):
        return None
    out = io.BytesIO()
    carry = b""
    try:
        for piece, run in zip(pieces, runs, strict=False):
            carry = _decode_whole_groups(out, carry + piece.encode("ascii").translate(None, b"\r\n"))
            for chunk in range(run.start, run.end, _DECODE_CHUNK):
                letters = aside.raw[chunk:min(chunk + _DECODE_CHUNK, run.end)].translate(None, b"\r\n")
                carry = _decode_whole_groups(out, carry + letters)
        out.write(binascii.a2b_base64(carry + pieces[-1].encode("ascii")))
    except (binascii.Error, ValueError):
        return None
    return out.getvalue()


def _decode_whole_groups(out: io.BytesIO, letters: bytes) -> bytes:
    """Decode the whole groups of four base64 letters into ``out``; return the letters left over."""
    whole = len(letters) - len(letters) % 4
    out.write(binascii.a2b_base64(letters[:whole]))
    return letters[whole:]
