"""Composing messages: MIME structure, the headers we promise, and header-injection fuzzing."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.core.decision import Recipient
from mailflow.core.kinds import MessageKind
from mailflow.core.tokens import message_id, token_from_address, verify_token
from mailflow.mail_out import samples
from mailflow.mail_out.compose import Composer, UnsafeMessage, compose, header_text
from mailflow.mail_out.invitations import invitation_ics
from mailflow.mail_out.render import KINDS, Renderer

NOW = datetime(2026, 12, 22, 17, 0, tzinfo=UTC)
SECRET = b"s" * 32
COMMUNITY = samples.sample_community()
MEETING = samples.sample_meeting(COMMUNITY)
COMPOSER = Composer(COMMUNITY, SECRET, Renderer(COMMUNITY.timezone))
MEMBER = Recipient("Amrit Gill", "amrit.gill@example.org")
HEADERS = ["auto-submitted", "content-type", "date", "from", "in-reply-to", "list-id",
           "list-unsubscribe", "message-id", "mime-version", "references", "reply-to",
           "subject", "to", "x-auto-response-suppress", "x-loop", "x-mailflow-kind"]


def build(name: str, recipient: Recipient = MEMBER, *, context=None, revision: int = 1, **options):
    kind = MessageKind(name)
    values = context or samples.sample_context(kind, COMMUNITY, MEETING, NOW)
    options.setdefault("meeting_key", MEETING.key)
    return compose(COMPOSER, kind, recipient, values, revision=revision, now=NOW,
                   **options)


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def structure(part, depth: int = 0) -> list[str]:
    out = ["  " * depth + part.get_content_type()]
    if part.is_multipart():
        for child in part.iter_parts():
            out += structure(child, depth + 1)
    return out


def invitation(method: str = "REQUEST"):
    calendar = invitation_ics(COMMUNITY, MEETING, MEMBER.email, MEMBER.name, 0, method, NOW)
    return build("invitation", calendar=calendar, calendar_method=method, revision=0)   # the first one


def test_invitation_has_the_structure_calendar_clients_act_on():
    """mixed{alternative{plain, html, calendar; method=REQUEST}, invite.ics}, CRLF throughout."""
    message = invitation()
    assert b"\r\n" in message.raw and b"\n" not in message.raw.replace(b"\r\n", b"")
    parsed = parse(message.raw)
    assert structure(parsed) == ["multipart/mixed", "  multipart/alternative", "    text/plain",
                                 "    text/html", "    text/calendar", "  application/ics"]
    calendar = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST" and calendar.get_content_charset() == "utf-8"
    attachment = next(iter(parsed.iter_attachments()))
    assert attachment.get_filename() == "invite.ics"
    assert calendar.get_content().encode() == attachment.get_content()


def test_calendar_method_must_match_the_calendar():
    """A CANCEL body cannot go out labelled as a REQUEST."""
    calendar = invitation_ics(COMMUNITY, MEETING, MEMBER.email, MEMBER.name, 1, "CANCEL", NOW)
    with pytest.raises(UnsafeMessage, match="does not match"):
        build("meeting-cancelled", calendar=calendar, calendar_method="REQUEST")


def test_plain_mail_is_alternative_and_attachments_make_it_mixed():
    """Text + HTML alternatives; attachments (with cleaned names) wrap them in mixed."""
    assert structure(parse(build("reminder").raw)) == [
        "multipart/alternative", "  text/plain", "  text/html"]
    packet = build("agenda-packet", attachments=[
        ("../../Pilot \"summary\".pdf", "application/pdf", b"%PDF-1.7 test"),
        ("notes.txt", "text/plain", b"plain notes\n")])
    parsed = parse(packet.raw)
    assert structure(parsed)[:2] == ["multipart/mixed", "  multipart/alternative"]
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names == ["_.._Pilot _summary_.pdf", "notes.txt"]


def test_headers_are_exactly_the_promised_ones():
    """From, one To, Reply-To token, stable Message-ID, threading, list and auto headers."""
    message = build("call-for-updates")
    parsed = parse(message.raw)
    assert sorted(name.lower() for name in parsed) == HEADERS
    assert parsed["From"] == f"{COMMUNITY.name} <cop@example.org>"
    assert parsed["To"] == "Amrit Gill <amrit.gill@example.org>"
    reply_to = parsed["Reply-To"].addresses[0].addr_spec
    token = token_from_address(reply_to, COMMUNITY.address, COMMUNITY.reply_style)
    assert verify_token(SECRET, token, MEMBER.email).meeting_key == MEETING.key
    assert parsed["Message-ID"] == message.message_id == message_id(
        SECRET, MEETING.key, "call-for-updates", MEMBER.email, 1, "example.org")
    root = message_id(SECRET, MEETING.key, "invitation", MEMBER.email, 0, "example.org")
    assert parsed["In-Reply-To"] == parsed["References"] == root      # the call answers the invitation
    assert parsed["List-Id"] == f'"{COMMUNITY.name}" <cop.example.org>'
    assert parsed["List-Unsubscribe"] == "<mailto:cop@example.org?subject=unsubscribe>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed["Date"] == "Tue, 22 Dec 2026 09:00:00 -0800"
    assert message.recipient == MEMBER.email and message.kind == "call-for-updates"
    assert message.mail_from == reply_to          # bounces come back carrying the token


def test_the_first_invitation_starts_the_thread():
    """The invitation is the thread root, so it refers to nothing."""
    parsed = parse(invitation().raw)
    assert parsed["In-Reply-To"] is None and parsed["References"] is None


def test_same_input_gives_the_same_bytes():
    """Composing twice gives identical bytes: a resend is byte-identical."""
    assert invitation().raw == invitation().raw


_MIME = {"mime-version", "content-type", "content-transfer-encoding", "content-disposition"}


def _as_message(part):
    """The oracle: the same MIME tree as an EmailMessage, its MIME headers parsed into the header
    objects the stdlib stores (as compose once built it), for the stdlib's BytesGenerator to write."""
    from email.message import EmailMessage

    from mailflow.mail_out.compose import POLICY

    message = EmailMessage(policy=POLICY)
    for name, value in part.headers:
        parsed = name.lower() in _MIME and isinstance(value, str)
        message.set_raw(name, POLICY.header_factory(name, value) if parsed else value)
    message.set_payload(part.body if isinstance(part.body, str) else [_as_message(c) for c in part.body])
    return message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_messages_are_written_byte_for_byte_as_the_stdlib_writes_them(kind, monkeypatch):
    """Every kind (with a calendar, with files whose names need encoding) comes out exactly as the
    stdlib's generator writes the same MIME tree."""
    from mailflow.mail_out import compose as module

    built = []
    original = module._message

    def keep(*args, **kwargs):
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(module, "_message", keep)
    calendar = invitation_ics(COMMUNITY, MEETING, MEMBER.email, MEMBER.name, 0, "REQUEST", NOW)
    files = [("Zoë's “plan” — résumé with a rather long name for folding, version 2.pdf", "application/pdf",
              b"%PDF-1.7 " + bytes(range(256)) * 40), ("notes.txt", "text/plain", "café\n".encode())]
    for options in ({}, {"calendar": calendar, "calendar_method": "REQUEST"}, {"attachments": files}):
        raw = build(kind, Recipient("Zoë “Z” Ångström-Côté", MEMBER.email), **options).raw
        assert raw == _as_message(built[-1]).as_bytes()


def test_addresses_that_are_not_plain_are_refused():
    """A roster address carrying a second address or a line break is refused, never sent."""
    for bad in ("a@example.org, b@example.org", "a@example.org\r\nBcc: b@example.org",
                "<a@example.org>", "a b@example.org"):
        with pytest.raises(UnsafeMessage, match="not a plain email address"):
            build("reminder", Recipient("A", bad))


DANGEROUS = st.sampled_from(["\r", "\n", "\r\n", "\x00", "\u2028", "\u2029", "\x85", "\x0b",
                             "\x1b", "\u202e", "=?utf-8?q?", "?=", "=?utf-8?b?QmNjOiB4QHkuY29t?=",
                             "Bcc: all@example.net", "To: x@example.net", ",", ";", "<", ">",
                             '"', ":", "@", " "])
HOSTILE_TEXT = st.lists(st.one_of(DANGEROUS, st.text(max_size=8)), max_size=12).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE_TEXT, filename=HOSTILE_TEXT)
def test_no_user_text_can_add_a_header(name, filename):
    """Names and filenames full of CR, LF, NUL, U+2028 and encoded-words never add a header."""
    values = samples.sample_context(MessageKind.NOTICE_ATTACHMENT_REFUSED, COMMUNITY, MEETING, NOW)
    values["filename"] = filename
    raw = build("notice-attachment-refused", Recipient(name, MEMBER.email), context=values).raw
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert b"\n" not in head.replace(b"\r\n", b"") and b"\r" not in head.replace(b"\r\n", b"")
    parsed = parse(raw)
    assert sorted(name.lower() for name in parsed) == HEADERS
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].addr_spec == MEMBER.email
    # Python's address parser adds a space between adjacent encoded-words of a phrase
    # (RFC 2047 says to drop it), so the name is compared without spaces.
    display = parsed["To"].addresses[0].display_name
    assert display.replace(" ", "") == header_text(name, 100).replace(" ", "")
    assert parsed["Subject"] == header_text(f"Attachment not accepted: {filename}")
    assert not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029]", str(parsed["Subject"]))


def test_header_text_removes_what_could_break_a_header():
    """Controls, separators and bidi overrides become spaces; encoded-words are broken up."""
    assert header_text("Ann\r\nBcc: x@example.net") == "Ann Bcc: x@example.net"
    assert header_text("a\x00b\u2028c\u202ed") == "a b c d"
    assert header_text("=?utf-8?b?QQ==?=") == "= ?utf-8?b?QQ== ? ="
    assert "=?" not in header_text("==??==?=?") and "?=" not in header_text("==??==?=?")


@pytest.mark.skipif(shutil.which("spamassassin") is None, reason="needs Debian spamassassin")
def test_every_kind_scores_below_one_with_spamassassin(tmp_path):
    """SpamAssassin's shipped rules, offline, score every kind below 1.0."""
    mbox = bytearray()
    for kind in KINDS:
        calendar = method = None
        if kind in ("invitation", "meeting-cancelled"):
            method = "REQUEST" if kind == "invitation" else "CANCEL"
            calendar = invitation_ics(COMMUNITY, MEETING, MEMBER.email, MEMBER.name, 1, method,
                                      NOW)
        raw = build(kind, calendar=calendar, calendar_method=method).raw
        mbox += b"From mailflow@example.org Tue Dec 22 17:00:00 2026\n"
        mbox += raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ") + b"\n"
    result = subprocess.run(["spamassassin", "-L", "-t", "--mbox"], input=bytes(mbox),
                            capture_output=True, check=True, timeout=110)
    scores = re.findall(rb"^X-Spam-Status: \w+, score=(-?[\d.]+)", result.stdout, re.MULTILINE)
    assert len(scores) == len(KINDS)
    assert max(float(score) for score in scores) < 1.0, scores


def thread_of(name: str, revision: int = 1, **options) -> tuple[str | None, list[str]]:
    parsed = parse(build(name, revision=revision, **options).raw)
    references = str(parsed["References"] or "").split()
    return (str(parsed["In-Reply-To"]) if parsed["In-Reply-To"] else None), references


def own_id(kind: str, revision: int, meeting: str = MEETING.key) -> str:
    return message_id(SECRET, meeting, kind, MEMBER.email, revision, "example.org")


def test_each_message_answers_the_one_it_follows_not_all_the_invitation():
    """Threads a person would draw: reminder under the call, packet under the call, addendum under the
    packet, a revised draft under the draft before it, the digest under the invitation."""
    invitation_id, call = own_id("invitation", 0), own_id("call-for-updates", 0)
    assert thread_of("reminder", 0) == (call, [invitation_id, call])
    assert thread_of("agenda-packet", 0) == (call, [invitation_id, call])
    assert thread_of("agenda-addendum", 1) == (own_id("agenda-packet", 0),
                                               [invitation_id, call, own_id("agenda-packet", 0)])
    focus = own_id("focus-planning", 0)
    assert thread_of("agenda-draft", 1) == (focus, [invitation_id, focus])
    assert thread_of("agenda-draft", 3) == (own_id("agenda-draft", 2),
                                            [invitation_id, focus, own_id("agenda-draft", 1), own_id("agenda-draft", 2)])
    assert thread_of("minutes-digest", 1) == (invitation_id, [invitation_id])
    assert thread_of("minutes-digest", 2) == (own_id("minutes-digest", 1), [invitation_id, own_id("minutes-digest", 1)])
    assert thread_of("day-of-reminder", 0) == (invitation_id, [invitation_id])


def test_a_receipt_answers_the_members_own_message():
    """The receipt of an update is a reply to the member's message (In-Reply-To), under the call."""
    theirs = "<CAF=abc123@mail.gmail.com>"
    in_reply_to, references = thread_of("notice-recorded", 2, answers=theirs)
    assert in_reply_to == theirs
    assert references == [own_id("invitation", 0), own_id("call-for-updates", 0), theirs]


def test_a_hostile_message_id_is_not_copied_into_our_headers():
    """A Message-ID with spaces, quotes or line breaks is dropped: the receipt threads under the call."""
    for hostile in ("<a b@x>", "<a@x>\r\nBcc: all@example.net", "no-brackets@x", "<a@x><b@y>"):
        in_reply_to, references = thread_of("notice-recorded", 2, answers=hostile)
        assert in_reply_to == own_id("call-for-updates", 0), hostile
        assert "Bcc" not in " ".join(references)


def test_alerts_and_welcome_start_their_own_conversation():
    """Mail to staff about trouble and the welcome refer to nothing."""
    staff = Recipient("Staff", "staff@example.org")
    for name in ("alert-step-missed", "welcome"):
        parsed = parse(build(name, staff).raw)
        assert parsed["In-Reply-To"] is None and parsed["References"] is None, name
