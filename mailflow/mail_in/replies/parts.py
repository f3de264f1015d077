"""Walking a parsed MIME tree: the body text, attachments, calendar parts and delivery reports."""

from __future__ import annotations

import binascii
import html
import json
import mimetypes
import quopri
import re
import struct
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from tnefparse import TNEF

from mailflow.mail_in.replies.attachments import make_attachment
from mailflow.mail_in.replies.charsets import decode_bytes, decode_header_value
from mailflow.mail_in.replies.htmltext import html_to_text, struck
from mailflow.mail_in.replies.largebodies import Part
from mailflow.mail_in.replies.limits import Limits, check_parts
from mailflow.mail_in.replies.reply import Attachment

_CID = re.compile(r"cid:([^\"'\s>)]+)", re.IGNORECASE)


@dataclass
class Contents:
    """What the walk found, in document order."""

    texts: list[str] = field(default_factory=list)
    html: bool = False
    flowed: bool = False              # the body text is format=flowed (RFC 3676): its wrapped lines end in a space
    raw_html: list[str] = field(default_factory=list)
    attachments: list[tuple[Attachment, str]] = field(default_factory=list)  # (value, content-id)
    calendars: list[str] = field(default_factory=list)
    delivery_status: list[str] = field(default_factory=list)
    report_type: str = ""
    reaction: str = ""                # a Gmail emoji reaction's emoji: the whole of what the sender sent
    encrypted: bool = False           # an S/MIME or PGP encrypted part: the body cannot be read
    parts: int = 0
    depth: int = 0


def _payload(part: Message) -> bytes:
    if isinstance(part, Part) and part.decoded is not None:     # decoded at parse time
        return part.decoded
    fast = _plain_base64(part)
    if fast is not None:
        return fast
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    raw = _as_parsed(part)
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _plain_base64(part: Message) -> bytes | None:
    """A well-formed base64 leaf decoded straight from the parsed text, or None to use the stdlib.

    compat32's get_payload(decode=True) copies the text three times (encode, splitlines, join)
    before decoding: a 25 MB attachment costs over 100 MB at its peak. Whatever this refuses
    (non-ASCII, bad padding) goes the stdlib's way, so malformed parts decode exactly as before.
    """
    payload = _as_parsed(part)
    if not isinstance(payload, str) or str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return None
    try:
        return binascii.a2b_base64(payload)
    except (binascii.Error, ValueError):
        return None


def _as_parsed(part: Message) -> object:
    """The payload as the parser left it: a list of parts, or the body text.

    ``Message.get_payload()`` re-decodes text that holds stray bytes with the part's declared charset,
    and a hostile charset name (one with a NUL) makes that raise ValueError; the text as parsed is what
    we decode ourselves (``decode_bytes``), so it is read here without that step.
    """
    if isinstance(part, Part):
        return part.parsed_payload
    return part.get_payload()


# compat32 gives an email.header.Header, not the str its type says, for a header value with raw 8-bit bytes; the
# compiled reader (setup.py) checks a declared str where one is stored or passed, so a header value is read through
# str() of the call itself, or as an object (_fields_of)
def _disposition(part: Message) -> str:
    return str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()


def _fields_of(block: Message) -> list[tuple[str, object]]:
    """The block's fields in order, each value as the parser left it (a str, or a Header)."""
    fields: Any = block.items()
    return list(fields)


def _text_of(part: Message, chars: int | None = None) -> str:
    """The part's text; with ``chars``, only as much of a plain or quoted-printable body as can hold
    that many characters is decoded (a 20 MB body costs what its first ``chars`` do)."""
    head = _encoded_head(part, chars) if chars is not None else None
    return decode_bytes(head if head is not None else _payload(part), part.get_content_charset())


def _encoded_head(part: Message, chars: int) -> bytes | None:
    """The decoded bytes of the start of a text body (None: decode it whole, the usual way)."""
    if isinstance(part, Part) and part.decoded is not None:
        return None
    payload = _as_parsed(part)
    if not isinstance(payload, str):
        return None
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    budget = chars * 4                                  # at most four UTF-8 bytes a character
    if cte in ("", "7bit", "8bit", "binary"):
        return payload[:budget].encode("utf-8", "surrogateescape") if len(payload) > budget else None
    if cte == "quoted-printable" and len(payload) > budget * 3:   # "=XX" is three characters a byte
        cut = payload[:budget * 3]
        cut = cut[:cut.rfind("\n") + 1] or cut          # whole lines: no escape cut in half
        return quopri.decodestring(cut.encode("utf-8", "surrogateescape"))
    return None


def _count(part: Message, depth: int, found: Contents, limits: Limits) -> None:
    found.parts += 1
    found.depth = max(found.depth, depth)
    check_parts(found.parts, found.depth, limits)
    payload = _as_parsed(part)
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                _count(sub, depth + 1, found, limits)


def _best_alternative(children: list[Message]) -> tuple[Message | None, str | None]:
    """The alternative to read, and its whole text when it had to be read to choose it (a text/plain)."""
    for wanted in ("text/plain", "multipart/", "text/html"):
        for child in children:
            ctype = child.get_content_type()
            if (ctype == wanted or ctype.startswith(wanted)) and _disposition(child) != "attachment":
                text = _text_of(child) if ctype == "text/plain" else None
                if text is not None and not text.strip():
                    continue
                return child, text
    return None, None


def _leaf(part: Message, ctype: str, body: bool, found: Contents, limits: Limits, whole: str | None = None) -> None:
    """``whole``: the part's whole text, when it was read already."""
    disposition = _disposition(part)
    filename = part.get_filename()
    if ctype == "text/calendar" or (filename and filename.lower().endswith((".ics", ".vcs"))):
        found.calendars.append(_text_of(part)[: limits.max_text_chars])
        return
    # A multipart whose boundary the parser could not find arrives as one text blob.
    is_text = ctype in ("text/plain", "text/html") or ctype.startswith("multipart/")
    if is_text and disposition != "attachment" and (not filename or disposition == "inline"):
        if not body or (ctype == "text/html" and found.texts and not found.html):
            if ctype == "text/html":
                found.raw_html.append(_text_of(part, limits.max_text_chars)[: limits.max_text_chars])
            return
        # _text_of with a limit reads the whole text unless the body is too long to (no head to cut)
        read = whole if whole is not None and _encoded_head(part, limits.max_text_chars) is None \
            else _text_of(part, limits.max_text_chars)
        text = read[: limits.max_text_chars]
        if ctype.startswith("multipart/"):
            text = _strip_mime_noise(text)
        elif ctype == "text/plain" and not found.texts and "flowed" in str(part.get("content-type", "")).lower():
            found.flowed = str(part.get_param("format") or "").lower() == "flowed"
        if ctype == "text/html":
            found.raw_html.append(text)
            found.html = True
            text = html_to_text(text)
        found.texts.append(text)
        return
    if ctype in _ENCRYPTED or (ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime")
                               and str(part.get_param("smime-type") or "enveloped-data").lower() == "enveloped-data"):
        found.encrypted = True          # (a signature, application/pkcs7-signature, leaves the message readable)
    if ctype == _REACTION:
        # Gmail's emoji reaction: {"emoji": "🎉", "version": 1}, beside a plain part of the emoji and "NAME reacted via
        # Gmail<link>" (Gmail's words, not the sender's)
        found.reaction = _reaction(_text_of(part, 4096))
        return
    if ctype == "message/delivery-status" or ctype == "text/delivery-status":
        found.delivery_status.append(_text_of(part))
        return
    if ctype == "application/ms-tnef" or (filename or "").strip().lower() == "winmail.dat":
        if _tnef(_payload(part), body, found, limits):
            return
    cid = decode_header_value(str(part.get("Content-ID", ""))).strip("<> ")      # (str(): see _disposition)
    inline = ctype.startswith("image/") and bool(cid) and disposition != "attachment"
    found.attachments.append((make_attachment(filename, ctype, _payload(part), inline), cid))


_REACTION = "text/vnd.google.email-reaction+json"
_ENCRYPTED = frozenset({"application/pgp-encrypted"})


def _reaction(text: str) -> str:
    """The emoji of a Gmail reaction part ("" when it holds none: then the message reads as any other)."""
    try:
        value = json.loads(text)
    except ValueError:
        return ""
    emoji = value.get("emoji") if isinstance(value, dict) else None
    return emoji.strip()[:16] if isinstance(emoji, str) else ""


def _tnef(data: bytes, body: bool, found: Contents, limits: Limits) -> bool:
    """Outlook's winmail.dat: its files become attachments and its body is read; False if unreadable.

    An unreadable TNEF blob (wrong signature, truncated) stays an ordinary attachment.
    """
    try:
        tnef = TNEF(data, do_checksum=False)
        files = [(a.long_filename() or a.name, a.data) for a in tnef.attachments if a.data]
        text, html = tnef.body, tnef.htmlbody
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError, struct.error):
        return False
    if body and not found.texts:
        if text:
            found.texts.append((decode_bytes(text) if isinstance(text, bytes) else text)[: limits.max_text_chars])
        elif html:
            markup = decode_bytes(html) if isinstance(html, bytes) else html
            found.raw_html.append(markup[: limits.max_text_chars])
            found.html = True
            found.texts.append(html_to_text(markup[: limits.max_text_chars]))
    for name, payload in files:
        name = name if isinstance(name, str) else decode_bytes(name)
        ctype = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        found.attachments.append((make_attachment(name, ctype, payload, False), ""))
    return True


def _visit(part: Message, body: bool, found: Contents, limits: Limits, whole: str | None = None) -> None:
    ctype = part.get_content_type()
    payload = _as_parsed(part)
    if ctype == "message/delivery-status" and isinstance(payload, list):
        found.delivery_status.append("\n\n".join(
            "\n".join(f"{k}: {decode_header_value(v)}" for k, v in _fields_of(block))
            for block in payload if isinstance(block, Message)))
        return
    if ctype in ("message/rfc822", "message/rfc822-headers", "text/rfc822-headers"):
        if _disposition(part) == "attachment" and part.get_filename():
            data = part.as_bytes() if isinstance(payload, list) else _payload(part)
            found.attachments.append((make_attachment(part.get_filename(), ctype, data, False), ""))
        return
    if isinstance(payload, list):
        children = [p for p in payload if isinstance(p, Message)]
        found.encrypted = found.encrypted or ctype == "multipart/encrypted"
        if ctype == "multipart/report":
            found.report_type = str(part.get_param("report-type") or "").lower()
        chosen, text = _best_alternative(children) if ctype == "multipart/alternative" else (None, None)
        for child in children:
            _visit(child, body and (chosen is None or child is chosen), found, limits, text if child is chosen else None)
        return
    _leaf(part, ctype, body, found, limits, whole)


def collect(message: Message, limits: Limits) -> Contents:
    """Walk the tree once, enforcing the part and depth caps."""
    found = Contents()
    _count(message, 0, found, limits)
    _visit(message, True, found, limits)
    if len(found.texts) == 1 and len(found.raw_html) == 1 and not found.html:     # plain text read, HTML beside it
        html_text = found.raw_html[0]
        if struck(html_text):
            # words struck through in the HTML, which the plain-text alternative keeps unmarked ("I'll be there for the
            # first half only for the whole hour"): the HTML says what the writer means
            found.texts = [html_to_text(html_text)]
            found.html = True
        else:
            if "*" in found.texts[0]:
                # Gmail writes the HTML's bold in its plain text between asterisks ("*Success:* our tax clinic ..."):
                # the marks are no words of the writer's where the HTML holds those words in bold
                found.texts = [_without_bold_marks(found.texts[0], html_text)]
            if "\n[" in found.texts[0]:
                # Outlook writes an image as its alt text in brackets on a line of its own ("[Logo WRSS Division]"):
                # written as Gmail writes one ("[image: Logo WRSS Division]"), it is the placeholder it is
                found.texts = [_images_named(found.texts[0], html_text)]
    with_ids = any(cid for _, cid in found.attachments)          # else no HTML need be scanned for cid: links
    referenced = {m.lower() for html in found.raw_html for m in _CID.findall(html)} if with_ids else set()
    found.attachments = [
        (_inline(att) if cid and cid.lower() in referenced else att, cid)
        for att, cid in found.attachments
    ]
    return found


_BOLD = re.compile(r"<(b|strong)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_STARRED = re.compile(r"\*([^*\n]{1,200}?)\*")


def _without_bold_marks(text: str, raw_html: str) -> str:
    """``text`` without the asterisks around a span the HTML alternative holds in bold."""
    bold = {" ".join(html.unescape(_TAG.sub("", inner)).split()) for _, inner in _BOLD.findall(raw_html)}
    if not bold:
        return text
    return _STARRED.sub(lambda m: m.group(1) if " ".join(m.group(1).split()) in bold else m.group(0), text)


_ALT = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
_BRACKETED_LINE = re.compile(r"^\[([^\[\]\n]{1,120})\][ \t]*$", re.MULTILINE)


def _images_named(text: str, raw_html: str) -> str:
    """``text`` with each line that is only an image's alt text in brackets written as an image placeholder."""
    alts = {" ".join(html.unescape(a or b).split()) for a, b in _ALT.findall(raw_html)} - {""}
    if not alts:
        return text
    return _BRACKETED_LINE.sub(lambda m: f"[image: {m.group(1)}]" if " ".join(m.group(1).split()) in alts
                               else m.group(0), text)


def _inline(att: Attachment) -> Attachment:
    return Attachment(att.filename, att.content_type, att.size, att.sha256, att.data, inline=True)


_MIME_NOISE = re.compile(r"^(?:--\S+|content-[\w-]+:.*|\s*boundary=.*)$", re.IGNORECASE | re.MULTILINE)


def _strip_mime_noise(text: str) -> str:
    return _MIME_NOISE.sub("", text)
