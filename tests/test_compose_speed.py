"""Faster composing writes the very bytes the stdlib content manager and icalendar would write."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import icalendar
import pytest
from hostile import HOSTILE, hostile_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.core.decision import Recipient
from mailflow.core.kinds import MessageKind
from mailflow.mail_out import samples
from mailflow.mail_out.compose import POLICY, Composer, compose, safe_filename
from mailflow.mail_out.invitations import _calendar, invitation_ics
from mailflow.mail_out.render import Renderer

NOW = datetime(2026, 12, 22, 17, 0, tzinfo=UTC)
SECRET = b"s" * 32
COMMUNITY = samples.sample_community()
MEETING = samples.sample_meeting(COMMUNITY)
RENDERER = Renderer(COMMUNITY.timezone)
COMPOSER = Composer(COMMUNITY, SECRET, RENDERER)
FILES = [("report.pdf", "application/pdf", bytes(range(256)) * 4),
         (HOSTILE + "../notes.txt", "text/plain", "héllo\n".encode()),
         ("odd", "no-slash", b"x")]


def stdlib_bytes(kind: str, recipient: Recipient, context: dict[str, object], raw: bytes,
                 mail_from: str, calendar: bytes | None, method: str | None,
                 attachments: list[tuple[str, str, bytes]]) -> bytes:
    """The message built the plain way: set_content, add_alternative, add_attachment, set_boundary."""
    rendered = RENDERER.render(kind, {**context, "community": COMMUNITY, "recipient": recipient,
                                      "reply_address": mail_from, "now": NOW})
    top = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    message = EmailMessage(policy=POLICY)
    for name, value in top.items():
        if name not in ("MIME-Version", "Content-Type"):
            message.set_raw(name, value)
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    if calendar is not None:
        text = calendar.decode("utf-8")
        message.add_alternative(text, subtype="calendar", params={"method": method},
                                cte="7bit" if text.isascii() else "base64")
        message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=safe_filename(filename))
    stamp = top["Message-ID"].strip("<>").partition("@")[0][:20]
    for index, part in enumerate(message.walk()):
        if part is not message:
            del part["MIME-Version"]
        if part.is_multipart():
            part.set_boundary(f"=_mf_{stamp}_{index}")
    return message.as_bytes()


@pytest.mark.parametrize("kind", [MessageKind.INVITATION, MessageKind.AGENDA_PACKET, MessageKind.MINUTES_DIGEST, MessageKind.ALERT_HELD_MAIL])
@pytest.mark.parametrize("files", [0, 3])
@pytest.mark.parametrize("hostile", [False, True])
def test_messages_are_the_bytes_the_stdlib_writes(kind: str, files: int, hostile: bool) -> None:
    """Plain, html and attached files come out byte for byte as the stdlib content manager writes them."""
    recipient = Recipient("Zoë \"Q\" O'Brien", "zoe@example.org")
    context = (hostile_context if hostile else samples.sample_context)(kind, COMMUNITY, MEETING, NOW)
    message = compose(COMPOSER, kind, recipient, context, meeting_key=MEETING.key,
                      revision=1, now=NOW, attachments=FILES[:files])
    assert message.raw == stdlib_bytes(kind, recipient, context, message.raw, message.mail_from,
                                       None, None, FILES[:files])


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
@pytest.mark.parametrize("name", ["Amrit Gill", "Zoë 李 " + "long name " * 12])
@pytest.mark.parametrize("files", [0, 1])
def test_invitations_are_the_bytes_the_stdlib_writes(method: str, name: str, files: int) -> None:
    """An invitation or cancellation (ASCII or UTF-8 calendar) matches the stdlib-built message."""
    recipient = Recipient(name, "member@example.org")
    kind = MessageKind.INVITATION if method == "REQUEST" else MessageKind.MEETING_CANCELLED
    calendar = invitation_ics(COMMUNITY, MEETING, recipient.email, recipient.name, 2, method, NOW)
    context = samples.sample_context(kind, COMMUNITY, MEETING, NOW)
    message = compose(COMPOSER, kind, recipient, context, meeting_key=MEETING.key,
                      revision=2, now=NOW, calendar=calendar, calendar_method=method,
                      attachments=FILES[:files])
    assert message.raw == stdlib_bytes(kind, recipient, context, message.raw, message.mail_from,
                                       calendar, method, FILES[:files])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(max_size=120), local=st.from_regex(r"[a-z0-9.]{1,40}", fullmatch=True),
       sequence=st.integers(0, 5), method=st.sampled_from(["REQUEST", "CANCEL"]))
def test_each_attendee_gets_the_calendar_icalendar_writes_whole(name: str, local: str, sequence: int,
                                                                method: str) -> None:
    """Reusing the shared part of the calendar never changes a byte of any attendee's calendar."""
    email = f"{local}@example.org"
    whole = _calendar(COMMUNITY, MEETING, email, name, sequence, method, NOW).to_ical()  # type: ignore[arg-type]
    assert invitation_ics(COMMUNITY, MEETING, email, name, sequence, method, NOW) == whole  # type: ignore[arg-type]


def test_calendars_for_two_attendees_name_only_their_own_attendee() -> None:
    """Two members' calendars share the meeting but each names just its own attendee."""
    first = icalendar.Calendar.from_ical(
        invitation_ics(COMMUNITY, MEETING, "a@example.org", "Ann", 0, "REQUEST", NOW))
    second = icalendar.Calendar.from_ical(
        invitation_ics(COMMUNITY, MEETING, "b@example.org", "Bob", 0, "REQUEST", NOW))
    events = [next(iter(cal.walk("VEVENT"))) for cal in (first, second)]
    assert [str(event["ATTENDEE"]) for event in events] == ["mailto:a@example.org", "mailto:b@example.org"]
    assert [event["ATTENDEE"].params["CN"] for event in events] == ["Ann", "Bob"]
    assert events[0]["UID"] == events[1]["UID"]
    assert [len(cal.walk("VTIMEZONE")) for cal in (first, second)] == [1, 1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=160),
       local=st.from_regex(r"[a-z0-9.+^\\]{1,60}", fullmatch=True), sequence=st.integers(0, 5))
def test_plain_names_and_long_addresses_fold_as_icalendar_folds_them(name: str, local: str, sequence: int) -> None:
    """ASCII attendee lines (the ones folded without icalendar's help) are byte for byte what icalendar writes,
    at every length, with and without the characters it keeps from ending a folded piece."""
    email = f"{local}@example.org"
    whole = _calendar(COMMUNITY, MEETING, email, name, sequence, "REQUEST", NOW, f"cop+{local}@example.test").to_ical()
    assert invitation_ics(COMMUNITY, MEETING, email, name, sequence, "REQUEST", NOW, f"cop+{local}@example.test") == whole
