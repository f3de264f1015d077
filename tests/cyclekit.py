"""Plain values for tests of the pure cycle: a small community, its meetings and replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from mailflow.core.answers import ReplyEvent
from mailflow.core.decision import Recipient, Situation
from mailflow.core.intent import AutoKind, Command, CommandKind, Intent, IntentKind, ReplyKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.core.state import CommunityState
from mailflow.mail_in.replies import Attachment, read_intent, understand_body
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import (
    AttachmentPolicy,
    ChairPolicy,
    Community,
    Config,
    ImapSettings,
    MeetingRule,
    Member,
    MemberStatus,
    Roster,
    RoundtablePolicy,
    SilentChair,
    SmtpSettings,
    Step,
    Timeline,
    Tls,
)

ZONE = ZoneInfo("America/Vancouver")

MEMBERS = (
    Member("Amara Okafor", "amara@example.org", "Physician Lead", "Fraser Northwest", date(2024, 1, 10)),
    Member("Ben Tremblay", "ben@example.org", "Executive Director", "Kootenay Boundary", date(2024, 1, 10)),
    Member("Chloé Gagnon", "chloe@example.org", "PMH Facilitator", "Vancouver", date(2024, 3, 2)),
    Member("Dev Sharma", "dev@example.org", "PMH Facilitator", "Surrey-North Delta", date(2024, 3, 2)),
    Member("Eli Wong", "eli@example.org", "Physician Lead", "Richmond", date(2026, 12, 20)),
    Member("Fay Left", "fay@example.org", "Executive Director", "Comox Valley", date(2023, 5, 1),
           MemberStatus.DEPARTED),
)
STAFF = "staff@example.org"


def config(on_silence: SilentChair = SilentChair.SEND, members=MEMBERS) -> Config:
    return Config(
        path=Path("cop.toml"),
        community=Community("Test CoP", "cop@example.org", ZONE, (STAFF,), ("lead@example.org",),
                            "test-cop.example.org"),
        meetings=MeetingRule("FREQ=MONTHLY;BYDAY=2TU", date(2026, 1, 13), time(12), timedelta(minutes=60),
                             "https://video.example.org/cop"),
        timeline=Timeline(),
        chair=ChairPolicy(tuple(m.email for m in members if m.active), on_silence),
        roundtable=RoundtablePolicy(),
        attachments=AttachmentPolicy(),
        imap=ImapSettings("127.0.0.1", 143, Tls.NONE, "cop@example.org"),
        smtp=SmtpSettings("127.0.0.1", 25, Tls.NONE, "cop@example.org"),
        state_dir=Path("state"),
        templates_dir=None,
        roster=Roster(Path("members.csv"), members),
    )


def meeting(day: date, chair: Member | None = MEMBERS[0], cancelled: bool = False,
            minutes: int = 60) -> Meeting:
    start = datetime.combine(day, time(12), ZONE)
    due = tuple((step, (start + Timeline().offset(step)).astimezone(UTC)) for step in Step)
    return Meeting(day.isoformat(), start, start + timedelta(minutes=minutes), chair,
                   "https://video.example.org/cop", cancelled=cancelled, due=due)


JAN = meeting(date(2027, 1, 12))
DEC = meeting(date(2026, 12, 8), chair=MEMBERS[3])
FEB = meeting(date(2027, 2, 9), chair=MEMBERS[1])


def situation(cfg: Config | None = None, m: Meeting = JAN, installed: datetime | None = None) -> Situation:
    community = CommunityState(installed_at=installed or datetime(2026, 11, 1, tzinfo=UTC))
    return Situation(cfg or config(), m, community, previous=DEC, following=FEB)


def reply(member: Member | None, text: str = "", *, request: str = "update", kind: str = "reply",
          intents: tuple | None = None, rsvp: str | None = None, sha: str = "a" * 64,
          received: datetime | None = None, email: str | None = None, is_staff: bool = False,
          resources: tuple = (), refused: tuple = (), automatic: str | None = None,
          files: tuple[str, ...] = ()) -> ReplyEvent:
    """A reply event whose intents are read from ``text`` as mailflow reads a reply to ``request`` (or given as
    (kind, value, who) tuples); ``rsvp`` is a calendar client's answer; ``files`` are "send FILENAME" asks."""
    who = Recipient(member.name, member.email) if member else Recipient("Staff", email or STAFF)
    if intents is None:
        read = understand_body(text)
        read = replace(read, attachments=tuple(_attachment(r) for r in resources))
        if kind == "calendar_reply" and rsvp:      # the button, and the note typed beside it
            read = replace(read, kind=ReplyKind.CALENDAR_REPLY, rsvp=Rsvp(rsvp))
            meant = read_intent(read, Request(request))
            rsvp = None
        else:
            meant = read_intent(read, Request(request)) if kind == "reply" else ()
    else:
        meant = tuple(Intent(IntentKind(k), v, w) for k, v, w in intents)
    if rsvp:
        meant = (*meant, Intent(IntentKind.RSVP, rsvp))
    asked = tuple(Command(CommandKind.SEND_FILE, name) for name in files)
    return ReplyEvent(sha, who, member, is_staff, Request(request), ReplyKind(kind), text, meant, resources, refused,
                      received or datetime(2026, 12, 30, 18, tzinfo=UTC),
                      AutoKind(automatic) if automatic else AutoKind.OUT_OF_OFFICE if kind == "auto_reply" else None,
                      asked)


def _attachment(resource) -> Attachment:
    return Attachment(resource.filename, resource.content_type, resource.size, resource.sha256)


def at(step: Step, m: Meeting = JAN, plus: timedelta = timedelta(0)) -> datetime:
    return m.due_at(step) + plus
