"""Reply understanding: turn the raw bytes of an incoming message into a typed ``Reply`` (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email.errors import MessageError
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mailflow import addresses
from mailflow.mail_in.replies import classify, largebodies
from mailflow.mail_in.replies.attachments import safe_extension, vet_attachment
from mailflow.mail_in.replies.calendar_reply import from_calendar, typed_words
from mailflow.mail_in.replies.charsets import decode_bytes, decode_header_value
from mailflow.mail_in.replies.htmltext import html_to_text
from mailflow.mail_in.replies.inline_answers import (
    inline_answers,
    items_answered,
    may_have_answers,
    question_answered,
    questions_answered,
    tagged_answers,
    unmarked_answers,
)
from mailflow.mail_in.replies.limits import Limits, check_raw
from mailflow.mail_in.replies.meaning import find_commands, read_intent
from mailflow.mail_in.replies.parts import collect
from mailflow.mail_in.replies.quotes import quoted_author
from mailflow.mail_in.replies.reply import (
    Attachment,
    AutoKind,
    Bounce,
    Command,
    CommandKind,
    Intent,
    IntentKind,
    Reply,
    ReplyKind,
    Rsvp,
    UnparseableMessage,
)
from mailflow.mail_in.replies.rsvp import from_words
from mailflow.mail_in.replies.sections import find_sections
from mailflow.mail_in.replies.zones import extract_new_text, without_trailing_sign_off

__all__ = [
    "Attachment", "AutoKind", "Bounce", "Command", "CommandKind", "Intent", "IntentKind", "Limits", "Reply", "ReplyKind", "Rsvp",
    "UnparseableMessage", "looks_like_message", "read_intent", "safe_extension", "understand", "understand_body",
    "vet_attachment",
]

DEFAULT_LIMITS = Limits()
_MSGID = re.compile(r"<[^<>\s]{1,900}>")
_FIELD_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_KNOWN_FIELDS = re.compile(
    rb"^(?:from|to|cc|subject|date|message-id|received|return-path|mime-version|content-type|"
    rb"delivered-to|reply-to|in-reply-to|references|x-[\w-]+):", re.IGNORECASE | re.MULTILINE,
)
_HTMLISH = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<div|<p[\s>]|<table|<meta)", re.IGNORECASE)
_STRAY_BYTE = re.compile(r"[\udc80-\udcff]")        # a byte the parser could not decode (surrogateescape)
_FOLD = re.compile(r"\r?\n[ \t]*")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_ADDRESS_FIELDS = ("to", "cc")
_ENVELOPE_FIELDS = ("delivered-to", "x-original-to", "envelope-to", "x-envelope-to")


def looks_like_message(raw: bytes) -> bool:
    """True when ``raw`` starts with an RFC 5322 header block (else it is a bare body)."""
    head = raw.lstrip(b"\r\n")[:65536]
    end = _HEADER_END.search(head)
    block = head[: end.start()] if end else head
    lines = block.splitlines()
    if not lines or not _FIELD_LINE.match(lines[0]) and not lines[0].startswith(b"From "):
        return False
    ok = all(_FIELD_LINE.match(line) or line[:1] in (b" ", b"\t") or line.startswith(b"From ")
             for line in lines[:200])
    return ok and bool(_KNOWN_FIELDS.search(block))


def understand(raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Reply:
    """Parse, classify and extract.

    Raises ``UnparseableMessage`` only for its declared reasons: a hostile-input cap is tripped, or
    the standard library's MIME parser cannot read the bytes. Any other exception is a bug in
    mailflow and propagates as itself, so tests and logs see it.
    """
    if not looks_like_message(raw):
        check_raw(raw, limits)
        text = decode_bytes(raw[: limits.max_text_chars * 4])
        return understand_body(text, html=bool(_HTMLISH.match(text)))
    check_raw(raw, limits)
    return _understand_message(_parse(raw), limits)


def read_body(raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The body text the zone model reads, and the sender's display name (for ``parse --explain``)."""
    if not looks_like_message(raw):
        check_raw(raw, limits)
        text = decode_bytes(raw[: limits.max_text_chars * 4])
        return (html_to_text(text) if _HTMLISH.match(text) else text), ""
    check_raw(raw, limits)
    message = _parse(raw)
    contents = collect(message, limits)
    return "\n".join(contents.texts), _sender(_Fields(message))[0]


def _parse(raw: bytes) -> Message:
    """``email.message_from_bytes`` (compat32) fed in chunks: the same tree, a fraction of the memory.

    message_from_bytes decodes the whole message to one str and wraps it in a StringIO (4 bytes
    a character), about 8x the message at its peak; feeding slices keeps only the parsed tree, and
    large base64 bodies are decoded straight from ``raw`` (see ``largebodies``).
    """
    try:
        return largebodies.parse(raw)
    except (ValueError, TypeError, IndexError, LookupError, AssertionError, MessageError) as exc:
        # the stdlib parser's own failures on malformed bytes (our code does not run in there)
        raise UnparseableMessage(f"the MIME parser failed ({type(exc).__name__}: {exc})"[:300]) from exc


def understand_body(text: str, *, html: bool = False) -> Reply:
    """Understand a headerless body (plain or HTML) as a reply from an unknown sender."""
    body = html_to_text(text) if html else text
    verdict = classify.bounce_verdict({}, "", [], body)
    new_text = extract_new_text(body)
    ooo = classify.out_of_office("", body)
    kind = classify.kind_of(verdict, False, False, ooo)
    automatic = classify.auto_kind(verdict, False, ooo) if kind is ReplyKind.AUTO_REPLY else None
    return _finish(Reply(kind=kind, text=new_text, bounce=verdict.failure, automatic=automatic))


class _Fields:
    """A message's header fields read in one pass: the first value of each name, decoded (``first``), and every
    value of a name as parsed, in their order. As parsed, not as ``Message.get_all`` gives them: compat32 turns a
    value sent as raw UTF-8 (RFC 6532) into a Header whose text has lost those bytes (U+FFFD); as parsed they
    are kept (surrogate escapes) and ``decode_header_value`` decodes them."""

    __slots__ = ("count", "first", "_values")

    def __init__(self, message: Message) -> None:
        items = list(message.raw_items())
        self.count = len(items)
        self.first: dict[str, str] = {}
        self._values: dict[str, list[Any]] = {}
        for name, value in items:
            key = name.strip().lower()
            if key not in self.first:
                self.first[key] = decode_header_value(value)
            self._values.setdefault(name.lower(), []).append(value)

    def raw(self, name: str) -> list[Any]:
        """Every value of the field ``name`` (lower case) as parsed (an empty list for none)."""
        return self._values.get(name, [])

    def all(self, name: str) -> list[str]:
        return [decode_header_value(v) for v in self._values.get(name, ())]


def _headers(message: Message) -> dict[str, str]:
    return _Fields(message).first


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _addresses(fields: _Fields, names: tuple[str, ...] = _ADDRESS_FIELDS) -> tuple[str, ...]:
    values = [v for name in names for v in fields.all(name)]
    found = [addr.strip() for _, addr in _address_list(", ".join(values)) if "@" in addr]
    return tuple(dict.fromkeys(a for a in map(addresses.bare, found) if a))


# The usual shape of an address field, a plain address with a plain name or none ("Name <addr>", "<addr>",
# "addr"), read without the standard library's character-by-character parser: it gives what that parser gives
# (tests/test_replies_address_fields.py holds the two equal over many generated fields). Any other shape
# (quotes, comments, groups, folding, a name with a special character) is the standard library's to read.
_PLAIN = addresses.ADDR_SPEC.pattern
_WORD = r'[^\s()<>@,:;"\[\]\\]+'                 # what the parser reads as one word of a name
_USUAL = re.compile(rf"[ \t]*(?:(?P<name>(?:{_WORD}[ \t]+)*{_WORD})?[ \t]*<(?P<routed>{_PLAIN})>|(?P<bare>{_PLAIN}))[ \t]*")


def _address_list(value: str) -> list[tuple[str, str]]:
    """``email.utils.getaddresses([value])``: (name, address) for each address of the field."""
    found: list[tuple[str, str]] = []
    for item in value.split(","):            # (no comma in the usual shape but between addresses)
        usual = _USUAL.fullmatch(item)
        if usual is None:
            return getaddresses([value]) if value else []
        name = usual.group("name")
        found.append((" ".join(name.split()) if name else "", usual.group("routed") or usual.group("bare")))
    return found


def _understand_message(message: Message, limits: Limits) -> Reply:
    fields = _Fields(message)
    headers = fields.first
    if fields.count > limits.max_headers:
        raise UnparseableMessage(f"{fields.count} header fields, over the {limits.max_headers} cap")
    contents = collect(message, limits)
    body = "\n".join(contents.texts)
    verdict = classify.bounce_verdict(headers, contents.report_type, contents.delivery_status, body)
    calendar = from_calendar(contents.calendars)
    by_header = classify.auto_submitted(headers)
    ticket = not by_header and (classify.ticket_receipt(headers.get("subject", ""), body)
                                or classify.recall_notice(headers.get("subject", ""), body))
    automatic = by_header or ticket
    ooo = classify.out_of_office(headers.get("subject", ""), body) or (
        by_header and not verdict.delay and not verdict.notice and classify.away_notice(body)
        and not classify.ticket_receipt(headers.get("subject", ""), body))
    name, addr = _sender(fields)
    new = extract_new_text(body, name, flowed=contents.flowed)
    if ooo and not by_header and not ticket and from_words(new) is Rsvp.ACCEPTED:
        # an absence typed by a person with a yes in it ("I am out of the office until Monday … but yes, I'll attend on
        # the 12th!"): no notice says yes to a meeting (one that declines meetings may be canned: it stays automatic,
        # and is never answered)
        ooo = False
    kind = classify.kind_of(verdict, bool(calendar and calendar.is_reply), automatic, ooo)
    answers = (inline_answers(contents.raw_html[0], body)
               if contents.raw_html and kind is ReplyKind.REPLY and may_have_answers(contents.raw_html[0]) else ())
    if not answers and kind is ReplyKind.REPLY and "[" in new:
        answers = tagged_answers(new, body)         # "one answer inline below (see [AS])": the lines it marks
    if not answers and kind is ReplyKind.REPLY:
        answers = unmarked_answers(new, body)       # "typed my answers in below": the unmarked lines inside the quote
    text = without_trailing_sign_off(_with_answers(new, answers), name) if answers and not contents.reaction \
        else new if not contents.reaction else contents.reaction    # (a Gmail emoji reaction is its emoji)
    if calendar is not None and kind is ReplyKind.CALENDAR_REPLY:
        text = typed_words(text, calendar)
    sealed = kind is ReplyKind.REPLY and classify.sealed(body, contents.encrypted)
    text = "" if sealed else text        # (a secure-mail service's wrapper holds no word of the sender's)
    button = calendar.rsvp if calendar and calendar.is_reply else None
    said = kind in _READ_KINDS       # (read here as ``_finish`` reads them: the Reply is made once, not replaced)
    return Reply(
        kind=kind,
        from_addr=addresses.bare(addr),
        from_name=name.strip(),
        subject=headers.get("subject", ""),
        message_id=_first_id(headers.get("message-id", "")),
        in_reply_to=_first_id(headers.get("in-reply-to", "")),
        references=tuple(_MSGID.findall(headers.get("references", ""))),
        to_addrs=_addresses(fields),
        envelope_to=_addresses(fields, _ENVELOPE_FIELDS),
        loop_markers=tuple(v.strip()[:200] for v in fields.all("x-loop")),
        date=_date(headers.get("date", "")),
        text=text,
        sections=find_sections(text) if said else (),
        attachments=tuple(att for att, _ in contents.attachments),
        rsvp=(button or from_words(text)) if said else button,
        commands=find_commands(text, name.strip()) if said else (),
        bounce=verdict.failure,
        calendar_uid=calendar.uid if calendar else None,
        auto_submitted=automatic,
        authentication_results=tuple(fields.all("authentication-results")),
        answers_in_quote=bool(answers),
        items_answered=items_answered(text, body) if kind is ReplyKind.REPLY and text else (),
        question_answered=question_answered(text, body) if kind is ReplyKind.REPLY and text else "",
        questions_answered=questions_answered(text, body) if kind is ReplyKind.REPLY and text else (),
        sealed=sealed,
        quoted_from=quoted_author(body.split("\n")) if kind is ReplyKind.REPLY else "",
        automatic=classify.auto_kind(verdict, automatic, ooo) if kind is ReplyKind.AUTO_REPLY else None,
    )


def _with_answers(text: str, answers: tuple[str, ...]) -> str:
    """The new text followed by the answers typed inside the quoted original, in their order."""
    if not answers:
        return text
    return "\n\n".join(part for part in (text, *answers) if part)


def _sender(fields: _Fields) -> tuple[str, str]:
    """Split From before decoding RFC 2047 words, so an encoded name cannot forge the address. A message
    with several From fields, or several addresses in its one From field, names no sender (it is held): which
    of them wrote it is the forger's choice. (The standard library's parseaddr says so of several addresses
    only since its CVE-2023-27043 fix: the rule is ours, whichever Python runs it.)"""
    values = fields.raw("from")
    raw = str(values[0] or "") if len(values) == 1 else ""
    if not raw.isascii() and _STRAY_BYTE.search(raw):
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
    found = _address_list(_FOLD.sub(" ", raw))
    named = [pair for pair in found if "@" in pair[1]]   # a stray comma adds an empty one
    name, addr = found[0] if len(found) == 1 else named[0] if len(named) == 1 else ("", "")
    if len(found) > 1 and len(named) == 1 and all(not n and " " not in a for n, a in found if (n, a) not in named):
        # an unquoted comma in the display name ("Gagnon, Michel (Dr.) <mgagnon@...>"): the pieces without an '@'
        # are the name's, not other senders
        name = ", ".join([a for n, a in found if (n, a) not in named] + [name])
    return decode_header_value(name), addr


def _first_id(value: str) -> str:
    match = _MSGID.search(value)
    return match.group(0) if match else value.strip()[:998]


_READ_KINDS = (ReplyKind.REPLY, ReplyKind.CALENDAR_REPLY)      # the kinds whose words are read


def _finish(reply: Reply) -> Reply:
    """Add what the new text says: sections, RSVP words and commands (replies only)."""
    if reply.kind not in _READ_KINDS:
        return reply
    return replace(
        reply,
        sections=find_sections(reply.text),
        rsvp=reply.rsvp or from_words(reply.text),
        commands=find_commands(reply.text, reply.from_name),
    )

