"""Composing one outgoing message: rendered parts, calendar, attachments and safe headers."""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email import policy, quoprimime
from email.header import Header
from email.headerregistry import Address, BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

from mailflow import addresses
from mailflow.characters import replace_unsafe
from mailflow.core.decision import Recipient
from mailflow.core.kinds import MessageKind, Request
from mailflow.core.message import OutgoingMessage
from mailflow.core.tokens import message_id, reply_address, reply_token
from mailflow.errors import MailflowError
from mailflow.mail_out import heads
from mailflow.mail_out.conversation import ancestry
from mailflow.ports import Rendered, Renderer
from mailflow.schedule.config import Community

LINE_LIMIT = 78
POLICY = policy.SMTP.clone(max_line_length=LINE_LIMIT)
SUBJECT_LIMIT = 200
NAME_LIMIT = 100
FILENAME_LIMIT = 120
_HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
            "References", "List-Id", "List-Unsubscribe", "Auto-Submitted",
            "X-Auto-Response-Suppress", "X-Loop", "X-Mailflow-Kind")


class UnsafeMessage(MailflowError):
    """An address is not a plain addr-spec, or the composed bytes do not parse back as built."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"refusing to compose: {problem}")


@dataclass(frozen=True)
class Composer:
    """What composing needs besides the message itself; the secret never leaves here."""

    community: Community
    secret: bytes
    renderer: Renderer


def header_text(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """User-derived text made safe for one header line.

    Controls, format characters and line separators become spaces, whitespace runs collapse,
    and ``=?`` is broken up so a name or topic can never read as an RFC 2047 encoded-word.
    """
    cleaned = replace_unsafe(text)
    cleaned = " ".join(cleaned.split()).replace("=?", "= ?").replace("?=", "? =")
    return cleaned[:limit].rstrip()


def safe_filename(name: str) -> str:
    """An attachment name with no path, quotes or controls; never empty."""
    cleaned = header_text(name, FILENAME_LIMIT)
    cleaned = re.sub(r'[\\/"<>:|*?]', "_", cleaned).strip(" .")
    return cleaned or "attachment"


def mailbox(name: str, email: str) -> Address:
    """``Name <addr>`` with the name cleaned and the address checked to be a plain addr-spec."""
    if not addresses.is_plain(email):
        raise UnsafeMessage(f"not a plain email address: {email!r}")
    local, domain = addresses.split(email)
    return Address(display_name=header_text(name, NAME_LIMIT), username=local, domain=domain)


@lru_cache(maxsize=1024)      # a step writes the same subject (and From, List-Id) for every member
def encoded_text(text: str, header: str) -> str:
    """RFC 2047 done once, by email.header, folded within 78 columns.

    The value is stored raw, so the stdlib never re-folds it: Python 3.11's refolding can
    split an encoded-word next to ``?`` and ``=`` and mangle the text (found by fuzzing).
    """
    if text.isascii():
        plain = Header(text, "us-ascii", maxlinelen=76, header_name=header).encode()
        if _fits(header, plain):
            return plain
    return Header(text, "utf-8", maxlinelen=76, header_name=header).encode()


def _fits(header: str, value: str) -> bool:
    """Every line within 78 columns, so the generator leaves the value alone."""
    lines = value.split("\n")
    return len(header) + 2 + len(lines[0]) <= 78 and all(len(line) <= 78 for line in lines[1:])


@lru_cache(maxsize=1024)
def encoded_mailbox(name: str, email: str, header: str) -> str:
    """``"Name" <addr>`` (or an encoded-word name), validated and folded by us."""
    address = mailbox(name, email)
    display = address.display_name
    if not display:
        return address.addr_spec
    quoted = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
    phrase = quoted if display.isascii() and _fits(header, quoted) else Header(
        display, "utf-8", maxlinelen=76, header_name=header).encode()
    one_line = f"{phrase} <{address.addr_spec}>"
    if "\n" not in one_line and _fits(header, one_line):
        return one_line
    return f"{phrase}\n <{address.addr_spec}>"


def list_id(community: Community) -> str:
    """RFC 2919 identifier: the configured one, else derived from the service address."""
    if community.list_id:
        return header_text(community.list_id).replace(" ", "")
    local, _, domain = community.address.rpartition("@")
    return f"{re.sub(r'[^A-Za-z0-9-]', '-', local)}.{domain}".lower()


def _domain(community: Community) -> str:
    return community.address.rpartition("@")[2].lower()


_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,200}@[!-;=?-~]{1,200}>")     # msg-id of printable ASCII, no <>


def _thread(composer: Composer, kind: MessageKind, recipient: Recipient, meeting_key: str, revision: int,
            answers: str) -> list[str]:
    """References, root first: this conversation's messages down to the parent (see conversation.py)."""
    domain = _domain(composer.community)
    chain = [message_id(composer.secret, meeting_key, k, recipient.email, r, domain)
             for k, r in ancestry(kind, revision)] if meeting_key else []
    answered = answers.strip()
    if _MESSAGE_ID.fullmatch(answered) and answered not in chain:   # the person's own mail: theirs, so checked
        chain.append(answered)
    return chain


@lru_cache(maxsize=64)
def _date_header(now: datetime, zone: tzinfo) -> str:
    return format_datetime(now.astimezone(zone))


def _headers(composer: Composer, kind: MessageKind, recipient: Recipient, subject: str, *,
             meeting_key: str, reply_to: str, revision: int, now: datetime, answers: str = "") -> dict[str, str]:
    community, domain = composer.community, _domain(composer.community)
    own_id = message_id(composer.secret, meeting_key, kind, recipient.email, revision, domain)
    headers = {
        "From": encoded_mailbox(community.name, community.address, "From"),
        "To": encoded_mailbox(recipient.name, recipient.email, "To"),
        "Reply-To": encoded_mailbox(community.name, reply_to, "Reply-To"),
        "Subject": encoded_text(header_text(subject), "Subject"),
        "Date": _date_header(now, community.timezone),
        "Message-ID": own_id,
    }
    chain = _thread(composer, kind, recipient, meeting_key, revision, answers)
    if chain:
        headers["In-Reply-To"] = chain[-1]
        headers["References"] = "\n ".join(chain)      # folded: one msg-id per line
    headers["List-Id"] = encoded_mailbox(community.name, "x@x.example", "List-Id").replace(
        "<x@x.example>", f"<{list_id(community)}>")
    headers["List-Unsubscribe"] = f"<mailto:{community.address}?subject=unsubscribe>"
    headers["Auto-Submitted"] = "auto-generated"
    headers["X-Auto-Response-Suppress"] = "All"
    headers["X-Loop"] = community.address.lower()   # procmail/Mailman's loop marker: ours, recognised on the way in
    headers["X-Mailflow-Kind"] = kind.value   # our own constant: lets staff filter, and rehearsals know what arrived
    return headers


# MIME parts are built from the header values and payloads the stdlib's content manager
# would give them (email.contentmanager: set_text_content, set_bytes_content) and written out
# as the stdlib's BytesGenerator writes them (tests hold the two byte-equal), without parsing
# each header back into an object and folding it again, which was most of the cost of composing.
_BASE64_CHUNK = LINE_LIMIT // 4 * 3
_NEWLINES = re.compile(r"\r\n|\r|\n")
# The shapes encoded_mailbox writes, each exactly one mailbox: a quoted name or RFC 2047 words, then
# <addr-spec>. A To of this shape needs no full parse to be known to hold one address; any other is
# parsed as policy.default reads it.
_ENCODED_WORD = r"=\?utf-8\?[qQbB]\?[A-Za-z0-9=_.!*+/-]*\?="
_ONE_MAILBOX = re.compile(
    rf'(?:"(?:[^"\\\r\n]|\\.)*"|{_ENCODED_WORD}(?:[ \t]+{_ENCODED_WORD})*)?[ \t]*<{addresses.ADDR_SPEC.pattern}>')


@dataclass(frozen=True)
class _Part:
    """One MIME part: its headers in order (values as set: text, or a stdlib header object) and a body
    (already transfer-encoded text) or its sub-parts, separated by ``boundary``."""

    headers: tuple[tuple[str, str | BaseHeader], ...]
    body: str | tuple[_Part, ...]
    boundary: str = ""


def _flatten(part: _Part) -> str:
    """``part`` as BytesGenerator(policy=POLICY) writes it: headers folded by the policy, a blank line,
    the body with CRLF line ends, or each sub-part between boundary lines."""
    out = [_folded(name, value) if isinstance(value, str) else POLICY.fold(name, value)
           for name, value in part.headers]
    out.append("\r\n")
    if isinstance(part.body, str):
        body = part.body    # our encoders end lines with "\n" alone: then each is simply replaced
        out.append(body.replace("\n", "\r\n") if "\r" not in body else "\r\n".join(_NEWLINES.split(body)))
    else:
        marker = f"--{part.boundary}"
        out += [marker, "\r\n", f"\r\n{marker}\r\n".join(_flatten(child) for child in part.body),
                f"\r\n{marker}--\r\n"]
    return "".join(out)


@lru_cache(maxsize=1024)      # a step's messages share most header values (From, List-Id, part headers)
def _folded(name: str, value: str) -> str:
    """``POLICY.fold`` of a text value: a function of the name and value alone (the policy is a constant)."""
    return POLICY.fold(name, value)


def _boundary(own_id: str, index: int) -> str:
    """Deterministic boundaries (same input, same bytes), numbered as the parts are walked.

    The boundary carries the Message-ID's HMAC, which no quoted-printable or base64 body
    can contain (``=_`` never occurs in either encoding).
    """
    return f"=_mf_{own_id.strip('<>').partition('@')[0][:20]}_{index}"


def _base64(data: bytes) -> str:
    return "".join(binascii.b2a_base64(data[start:start + _BASE64_CHUNK]).decode("ascii")
                   for start in range(0, len(data), _BASE64_CHUNK))


def _encoded_text(text: str, cte: str) -> str:
    """``text`` as UTF-8 in ``cte`` (quoted-printable, 7bit or base64), lines as the stdlib ends them."""
    lines = text.encode("utf-8").splitlines()
    if cte == "base64":
        return _base64(b"\r\n".join(lines) + b"\r\n")
    if cte == "7bit":
        return (b"\n".join(lines) + b"\n").decode("ascii")
    return "".join(_qp_line(line) for line in lines or [b""])


# The bytes quoted-printable writes as they are (printable ASCII but "=", and space and tab)
_QP_PLAIN = bytes(c for c in range(256) if not quoprimime.body_check(c))


def _qp_line(line: bytes) -> str:
    """:func:`_quoted_printable_line`, the usual line first: one that fits in LINE_LIMIT, of bytes written as they
    are, not ending in a blank, is itself (body_encode finds nothing to escape, break or protect in it)."""
    if len(line) <= LINE_LIMIT and not line.translate(None, _QP_PLAIN) and not line.endswith((b" ", b"\t")):
        return line.decode("ascii") + "\n"
    return _quoted_printable_line(line)


@lru_cache(maxsize=4096)      # a step's messages share most of their lines (only a name, an address differ)
def _quoted_printable_line(line: bytes) -> str:
    """One line (no line end in it) as ``quoprimime.body_encode`` writes it within a body, "\n" ended.

    Sound to do a line at a time: body_encode escapes every character but \r and \n that could end a
    line, then encodes each line on its own (soft breaks, trailing space) and joins them with "\n".
    """
    return quoprimime.body_encode(line.decode("latin-1") + "\n", LINE_LIMIT)


def _part(mime: Sequence[tuple[str, str]], payload: str | Sequence[_Part],
          raw: Mapping[str, str] | None = None, boundary: str = "") -> _Part:
    """A part with ``raw`` headers as they are, then the ``mime`` headers, then ``payload``."""
    headers = [*(raw or {}).items(), *mime]
    return _Part(tuple(headers), payload if isinstance(payload, str) else tuple(payload), boundary)


def _text_part(subtype: str, text: str) -> _Part:
    return _part([("Content-Type", f'text/{subtype}; charset="utf-8"'),
                  ("Content-Transfer-Encoding", "quoted-printable")],
                 _encoded_text(text, "quoted-printable"))


def _calendar_parts(calendar: bytes, method: str) -> tuple[_Part, _Part]:
    """Inline text/calendar (what Outlook and Gmail act on) plus invite.ics, as Gmail sends it."""
    if method not in ("REQUEST", "CANCEL") or f"\r\nMETHOD:{method}\r\n".encode() not in calendar:
        raise UnsafeMessage(f"calendar method {method!r} does not match the calendar's METHOD")
    text = calendar.decode("utf-8")
    cte = "7bit" if text.isascii() else "base64"
    # set_content(params=...) re-adds Content-Type after the encoding: that order, kept
    inline = _part([("Content-Transfer-Encoding", cte),
                    ("Content-Type", f'text/calendar; charset="utf-8"; method="{method}"')],
                   _encoded_text(text, cte))
    attached = _part([("Content-Type", "application/ics"),
                      ("Content-Transfer-Encoding", "base64"),
                      ("Content-Disposition", 'attachment; filename="invite.ics"')],
                     _base64(calendar))
    return inline, attached


def _attachment(filename: str, content_type: str, data: bytes) -> _Part:
    """A file part made by the stdlib's content manager: its name is user-derived text."""
    maintype, _, subtype = content_type.partition("/")
    if not maintype or not subtype:
        maintype, subtype = "application", "octet-stream"
    part = EmailMessage(policy=POLICY)
    part.set_content(data, maintype=maintype, subtype=subtype, filename=safe_filename(filename))
    del part["MIME-Version"]
    payload = part.get_payload()
    assert isinstance(payload, str)
    return _Part(tuple(part.raw_items()), payload)


def _message(headers: Mapping[str, str], rendered: Rendered, calendar: bytes | None,
             calendar_method: str | None,
             attachments: Sequence[tuple[str, str, bytes]]) -> _Part:
    """alternative{plain, html[, calendar]}, inside mixed{..., invite.ics, files} when there are any."""
    own_id = headers["Message-ID"]
    alternative = [_text_part("plain", rendered.text), _text_part("html", rendered.html)]
    files: list[_Part] = []
    if calendar is not None:
        inline, attached = _calendar_parts(calendar, calendar_method or "")
        alternative.append(inline)
        files.append(attached)
    files.extend(_attachment(*attachment) for attachment in attachments)
    if files:
        inner = _boundary(own_id, 1)
        body = _part([("Content-Type", f'multipart/alternative; boundary="{inner}"')], alternative, boundary=inner)
        top, parts = "mixed", [body, *files]
    else:
        top, parts = "alternative", alternative
    outer = _boundary(own_id, 0)
    return _part([("MIME-Version", "1.0"), ("Content-Type", f'multipart/{top}; boundary="{outer}"')], parts,
                 raw=headers, boundary=outer)


def _check(raw: bytes, headers: Mapping[str, str]) -> None:
    """Parse the bytes back: exactly the headers we set, once each, and one To address."""
    # The top-level headers are all it checks, and a parser reads them only up to the first
    # empty line (CRLF CRLF here, or earlier in any line ending), so the body is left out.
    # Names split the same under every policy; only To is then read as policy.default reads it.
    parsed = heads.parsed_fields(heads.header_block(raw))
    names = sorted(name.lower() for name, _ in parsed)
    expected = sorted([*(name.lower() for name in headers), "mime-version", "content-type"])
    if names != expected:
        raise UnsafeMessage(f"headers parse back as {names}, not {expected}")
    to = "".join(_NEWLINES.split(str(heads.first(parsed, "To")))).strip()
    if not _ONE_MAILBOX.fullmatch(to) and len(policy.default.header_factory("To", to).addresses) != 1:
        raise UnsafeMessage("To does not parse back as exactly one address")


def compose(
    composer: Composer,
    kind: MessageKind,
    recipient: Recipient,
    context: Mapping[str, object],
    *,
    meeting_key: str,
    revision: int,
    now: datetime,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    answers: str = "",
    request: Request | None = None,
) -> OutgoingMessage:
    """The exact bytes of ``kind`` for one recipient, with a reply token for the request it makes.

    ``context`` holds ``meeting`` and the kind's own values; composing adds community,
    recipient, reply_address and now. ``attachments`` are (filename, content type, bytes). ``request``: what a
    reply means, when not what ``kind`` asks (``Send.request``).
    """
    community = composer.community
    token = reply_token(composer.secret, meeting_key, request or kind.request, recipient.email)
    reply_to = reply_address(community.address, token, community.reply_style)
    rendered = composer.renderer.render(kind, {
        **context, "community": community, "recipient": recipient,
        "reply_address": reply_to, "now": now,
    })
    headers = _headers(composer, kind, recipient, rendered.subject, meeting_key=meeting_key,
                       reply_to=reply_to, revision=revision, now=now, answers=answers)
    # header values are already encoded and folded (see encoded_text), so they are set raw
    message = _message(headers, rendered, calendar, calendar_method, attachments)
    raw = _flatten(message).encode("ascii", "surrogateescape")
    _check(raw, headers)
    return OutgoingMessage(message_id=headers["Message-ID"], recipient=recipient.email,
                           kind=kind, meeting_key=meeting_key, raw=raw, mail_from=reply_to)
