"""Composing one outgoing message: rendered parts, calendar, attachments and safe headers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime

from mailflow.config import Community
from mailflow.errors import MailflowError
from mailflow.message import OutgoingMessage
from mailflow.render import Renderer
from mailflow.tokens import message_id, reply_address, reply_token, thread_root

POLICY = policy.SMTP.clone(max_line_length=78)
SUBJECT_LIMIT = 200
NAME_LIMIT = 100
FILENAME_LIMIT = 120
# Categories never allowed in a header: controls (CR, LF, NUL, NEL...), format characters
# (bidi overrides, zero-width), line and paragraph separators, surrogates, private, unassigned.
_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
            "References", "List-Id", "List-Unsubscribe", "Auto-Submitted",
            "X-Auto-Response-Suppress", "X-Mailflow-Kind")


class UnsafeMessage(MailflowError):
    """An address is not a plain addr-spec, or the composed bytes do not parse back as built."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"refusing to compose: {problem}")


@dataclass(frozen=True)
class Recipient:
    """The one person a message goes to."""

    name: str
    email: str


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
    cleaned = "".join(" " if unicodedata.category(ch) in _UNSAFE else ch for ch in text)
    cleaned = " ".join(cleaned.split()).replace("=?", "= ?").replace("?=", "? =")
    return cleaned[:limit].rstrip()


def safe_filename(name: str) -> str:
    """An attachment name with no path, quotes or controls; never empty."""
    cleaned = header_text(name, FILENAME_LIMIT)
    cleaned = re.sub(r'[\\/"<>:|*?]', "_", cleaned).strip(" .")
    return cleaned or "attachment"


def mailbox(name: str, email: str) -> Address:
    """``Name <addr>`` with the name cleaned and the address checked to be a plain addr-spec."""
    if not _ADDR_SPEC.fullmatch(email):
        raise UnsafeMessage(f"not a plain email address: {email!r}")
    local, _, domain = email.rpartition("@")
    return Address(display_name=header_text(name, NAME_LIMIT), username=local, domain=domain)


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


def _headers(composer: Composer, kind: str, recipient: Recipient, subject: str, *,
             meeting_key: str, reply_to: str, revision: int, now: datetime) -> dict[str, str]:
    community, domain = composer.community, _domain(composer.community)
    own_id = message_id(composer.secret, meeting_key, kind, recipient.email, revision, domain)
    headers = {
        "From": encoded_mailbox(community.name, community.address, "From"),
        "To": encoded_mailbox(recipient.name, recipient.email, "To"),
        "Reply-To": encoded_mailbox(community.name, reply_to, "Reply-To"),
        "Subject": encoded_text(header_text(subject), "Subject"),
        "Date": format_datetime(now.astimezone(community.timezone)),
        "Message-ID": own_id,
    }
    if meeting_key:
        root = thread_root(composer.secret, meeting_key, recipient.email, domain)
        if root != own_id:
            headers["In-Reply-To"] = root
            headers["References"] = root
    headers["List-Id"] = encoded_mailbox(community.name, "x@x.example", "List-Id").replace(
        "<x@x.example>", f"<{list_id(community)}>")
    headers["List-Unsubscribe"] = f"<mailto:{community.address}?subject=unsubscribe>"
    headers["Auto-Submitted"] = "auto-generated"
    headers["X-Auto-Response-Suppress"] = "All"
    headers["X-Mailflow-Kind"] = kind      # our own constant: lets staff filter, and rehearsals know what arrived
    return headers


def _add_calendar(message: EmailMessage, calendar: bytes, method: str) -> None:
    """Inline text/calendar (what Outlook and Gmail act on) plus invite.ics, as Gmail sends it."""
    if method not in ("REQUEST", "CANCEL") or f"\r\nMETHOD:{method}\r\n".encode() not in calendar:
        raise UnsafeMessage(f"calendar method {method!r} does not match the calendar's METHOD")
    text = calendar.decode("utf-8")
    cte = "7bit" if text.isascii() else "base64"
    message.add_alternative(text, subtype="calendar", params={"method": method}, cte=cte)
    message.add_attachment(calendar, maintype="application", subtype="ics",
                           filename="invite.ics")


def _settle(message: EmailMessage, own_id: str) -> None:
    """Deterministic boundaries (same input, same bytes) and no MIME-Version inside parts.

    The boundary carries the Message-ID's HMAC, which no quoted-printable or base64 body
    can contain (``=_`` never occurs in either encoding).
    """
    stamp = own_id.strip("<>").partition("@")[0][:20]
    for index, part in enumerate(message.walk()):
        if part is not message:
            del part["MIME-Version"]
        if part.is_multipart():
            part.set_boundary(f"=_mf_{stamp}_{index}")


def _check(raw: bytes, headers: Mapping[str, str]) -> None:
    """Parse the bytes back: exactly the headers we set, once each, and one To address."""
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(raw)   # the top-level headers are all it checks
    names = sorted(name.lower() for name in parsed)
    expected = sorted([*(name.lower() for name in headers), "mime-version", "content-type"])
    if names != expected:
        raise UnsafeMessage(f"headers parse back as {names}, not {expected}")
    if len(parsed["To"].addresses) != 1:
        raise UnsafeMessage("To does not parse back as exactly one address")


def compose(
    composer: Composer,
    kind: str,
    recipient: Recipient,
    context: Mapping[str, object],
    *,
    meeting_key: str,
    request: str,
    revision: int,
    now: datetime,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutgoingMessage:
    """The exact bytes of ``kind`` for one recipient, with a reply token for ``request``.

    ``context`` holds ``meeting`` and the kind's own values; composing adds community,
    recipient, reply_address and now. ``attachments`` are (filename, content type, bytes).
    """
    community = composer.community
    token = reply_token(composer.secret, meeting_key, request, recipient.email)
    reply_to = reply_address(community.address, token, community.reply_style)
    rendered = composer.renderer.render(kind, {
        **context, "community": community, "recipient": recipient,
        "reply_address": reply_to, "now": now,
    })
    headers = _headers(composer, kind, recipient, rendered.subject, meeting_key=meeting_key,
                       reply_to=reply_to, revision=revision, now=now)
    message = EmailMessage(policy=POLICY)
    for name, value in headers.items():
        message.set_raw(name, value)   # already encoded and folded: see encoded_text
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    if calendar is not None:
        _add_calendar(message, calendar, calendar_method or "")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(data, maintype=maintype, subtype=subtype,
                               filename=safe_filename(filename))
    _settle(message, headers["Message-ID"])
    raw = message.as_bytes()
    _check(raw, headers)
    return OutgoingMessage(message_id=headers["Message-ID"], recipient=recipient.email,
                           kind=kind, meeting_key=meeting_key, raw=raw, mail_from=reply_to)
