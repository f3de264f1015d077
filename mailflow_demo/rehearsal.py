"""A rehearsal: the real daemon runs one whole meeting cycle against real mail servers, fast.

The clock is a manual one: the rehearsal moves it to each step's due instant and wakes the
daemon, waits until the daemon is quiet (outbox drained, every delivered reply recorded), then
lets the simulated community answer what it received. ``mailflow demo`` and the whole-cycle
tests both run this; only the mail servers differ (embedded ones, or Dovecot + aiosmtpd).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import groupby
from typing import Protocol

from mailflow.adapters.clock import ManualClock
from mailflow.app.daemon import Daemon
from mailflow.app.wiring import Parts, build_daemon
from mailflow.core.delivery import State
from mailflow.mail_out.samples import pdf_page
from mailflow.schedule.calendar import Meeting, occurrences
from mailflow.schedule.config import Config, ImapSettings, SmtpSettings, Step
from mailflow_demo.personas import Persona, read

log = logging.getLogger(__name__)


class Stage(Protocol):
    """The mail servers a rehearsal runs against."""

    imap: ImapSettings
    smtp: SmtpSettings
    environ: dict[str, str]        # the secrets the daemon reads (passwords, HMAC key)

    def sent(self) -> list[tuple[str, tuple[str, ...], bytes]]:
        """Every message the SMTP server accepted, in order: (mail from, recipients, bytes)."""

    def deliver(self, raw: bytes) -> None:
        """Put a message into the service's mailbox (as the members' mail servers would)."""


@dataclass(frozen=True)
class Sent:
    """One message the daemon sent, as the rehearsal saw it arrive."""

    at: datetime                 # rehearsal clock
    to: str
    kind: str
    subject: str
    raw: bytes


@dataclass
class Transcript:
    meeting: Meeting
    sent: list[Sent] = field(default_factory=list)
    replies: list[tuple[datetime, str, str, bytes]] = field(default_factory=list)   # (at, who, what, bytes)


Progress = Callable[[str], None]


def pick_meeting(config: Config, today: datetime) -> Meeting:
    """The first meeting held (not cancelled) whose invitation is still to come."""
    for meeting in occurrences(config, after=today, count=24):
        if not meeting.cancelled and meeting.due_at(Step.INVITATION) > today:
            return meeting
    raise LookupError("no upcoming meeting in the schedule")


async def rehearse(config: Config, stage: Stage, community: SampleCommunity, meeting: Meeting,
                   progress: Progress = lambda line: None, settle_seconds: float = 0.25) -> Transcript:
    """Run ``meeting``'s whole cycle through the real daemon; return what was sent and answered."""
    config = replace(config, imap=stage.imap, smtp=stage.smtp)
    start = meeting.due_at(Step.INVITATION) - timedelta(minutes=1)
    clock = ManualClock(start)
    daemon, parts = build_daemon(config, clock, environ=stage.environ, reconcile_seconds=3600.0,
                                 stall_after=timedelta(days=365))
    transcript = Transcript(meeting)
    runner = asyncio.create_task(daemon.run(), name="daemon")
    seen = 0
    delivered = 0
    try:
        await _quiet(daemon, parts, stage, delivered, settle_seconds)
        # Steps due at the same instant run in the same wake (the invitation and the focus planning): one heading.
        for instant, group in groupby(sorted(meeting.due, key=lambda pair: pair[1]), key=lambda pair: pair[1]):
            clock.set(instant)
            daemon.wake()
            steps = ", ".join(step.value.replace("-", " ") for step, _ in group)
            progress(f"{_local(instant, config)}  {steps}")
            while True:
                await _quiet(daemon, parts, stage, delivered, settle_seconds)
                fresh = stage.sent()[seen:]
                seen += len(fresh)
                if not fresh:
                    break
                for _mail_from, rcpts, raw in fresh:
                    got = _sent(clock.now(), rcpts, raw)
                    transcript.sent.append(got)
                    other = _meeting_of(got.raw)
                    about = f"  (meeting {other})" if other and other != meeting.key else ""
                    progress(f"    sent {got.kind:<26} to {got.to}{about}")
                    for who, what, reply in community.respond(got, clock.now()):
                        stage.deliver(reply)
                        delivered += 1
                        transcript.replies.append((clock.now(), who, what, reply))
                        progress(f"      ↳ {who} {what}")
                if runner.done():
                    break
            if runner.done():
                break
    finally:
        daemon.stop()
        await runner
        daemon.close()
        parts.states.close()
    return transcript


async def _quiet(daemon: Daemon, parts: Parts, stage: Stage, delivered: int, settle: float,
                 timeout: float = 30.0) -> None:
    """Until every delivered reply is recorded, the outbox has nothing due, and SMTP is still."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = -1
    stable_since = loop.time()
    while loop.time() < deadline:
        counts = await daemon.store_io(parts.outbox.counts)   # the store has one user: its thread
        busy = counts[State.QUEUED] + counts[State.SENDING]
        n = len(stage.sent())
        if n != last:
            last, stable_since = n, loop.time()
        if parts.engine.messages_seen >= delivered and busy == 0 and loop.time() - stable_since >= settle:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"the daemon did not settle in {timeout:.0f} s (outbox {dict(counts)}, "
                       f"{parts.engine.messages_seen}/{delivered} replies recorded)")


def _sent(now: datetime, rcpts: tuple[str, ...], raw: bytes) -> Sent:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return Sent(now, ",".join(rcpts), str(msg.get("X-Mailflow-Kind", "")), str(msg.get("Subject", "")), raw)


def _meeting_of(raw: bytes) -> str | None:
    from mailflow.core.tokens import meeting_of_message_id

    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return meeting_of_message_id(str(msg.get("Message-ID", "")))


def _local(instant: datetime, config: Config) -> str:
    return instant.astimezone(config.community.timezone).strftime("%a %d %b %Y %H:%M %Z")


# --- the simulated community ---------------------------------------------------------------------

STYLES = ("gmail", "outlook", "iphone", "outlook_fr", "gmail", "outlook", "thunderbird", "gmail",
          "outlook_nosep", "apple", "gmail", "outlook")

SIGNATURES = {
    "gmail": "Best,\n{first}",
    "outlook": "Thanks,\n{name}\n{role}, {division}\nT 604-555-0142",
    "iphone": "Sent from my iPhone",
    "outlook_fr": "Cordialement,\n{name}\n{role}",
    "thunderbird": "-- \n{name}\n{division}\n" + "{land}\n\n{disclaimer}",
    "outlook_nosep": "{first}",
    "apple": "{first}\n\nSent from my iPad",
}

UPDATES = [
    "Challenge: our clinics want to screen for food insecurity but have nowhere to refer patients after 5 pm.\n"
    "Success: the Saturday pharmacy partnership is now running in two communities.\n"
    "How members can help: has anyone set up an after-hours referral line with a community agency?",
    "We finished mapping SDH resources for the PCN; the attached map covers housing, food and income supports. "
    "Happy to walk anyone through how we built it.",
    "Quick one from the road: our first social prescribing clinic ran last week, 14 patients seen.",
    "Défi : recruter un travailleur social pour le PCN rural.\nSuccès : le formulaire de dépistage SDH est "
    "maintenant intégré au DME dans trois cliniques.",
    "Our division launched the transportation voucher pilot; early numbers show fewer missed appointments.",
    "We are struggling with consent language for sharing screening results with community partners. "
    "If anyone has a template that passed their privacy review, I would love to see it.",
    "Success: the income-tax clinic we ran with the library helped 63 patients file and claim benefits.",
    "Challenge: our new PCN clinic cannot find a social worker for the two days a week we are funded for.\n"
    "How members can help: does anyone share a social worker across clinics, and how is it contracted?",
    "We piloted the SDH screening question set with our MOAs; completion went from 20% to 70% once it was "
    "added to the intake tablet.",
    "Our division co-hosted a tenant-rights clinic with the legal aid society; 40 people came.",
]

LONG_UPDATE = (
    "This month we spent most of our time on the housing stability project, and I want to give the group a "
    "fuller picture because several of you asked. We started by reviewing the charts of patients flagged as "
    "precariously housed in the last year, then met with the two shelters and the municipal housing office "
    "to agree on a shared intake form. The form is now in use in four clinics. The hardest part has been "
    "follow-up: once a referral leaves the clinic we rarely hear back, so we are piloting a weekly call with "
    "the housing navigator. Physicians like it, but it takes about an hour a week of MOA time, which we have "
    "not budgeted. We are also seeing more seniors facing renovictions than we expected, and the legal clinic "
    "has a waiting list of six weeks. If any division has funded navigator time through the PCN, or found a "
    "faster route to tenant legal advice, I would be grateful to hear how you did it before our board meets."
)


class SampleCommunity:
    """Who answers what, as a real community might: the script behind the demo and the cycle tests."""

    def __init__(self, config: Config, pdf: bytes, *, desk: bool = False) -> None:
        """``desk``: also play the staff desk (the demo): one member answers from a second address, which
        is held; staff release it by replying to the alert, then ask for the status by mail."""
        self.config = config
        self.pdf = pdf
        self.desk = desk
        self.desk_answers = 0
        members = list(config.roster.active())
        self.personas: dict[str, tuple[Persona, int]] = {}
        for index, member in enumerate(members):
            style = STYLES[index % len(STYLES)]
            first = member.name.removeprefix("Dr. ").split()[0]
            signature = SIGNATURES[style].format(first=first, name=member.name, role=member.role,
                                                 division=member.division, land=LAND_ACK_TEXT,
                                                 disclaimer=DISCLAIMER_TEXT)
            self.personas[member.key] = (Persona(member.name, member.email, style, signature), index)
        staff = config.community.staff[0]
        self.staff = Persona(staff.name, staff.email, "outlook", f"{staff.name}\n{staff.role}")
        self.away_from_desk = members[6] if desk and len(members) > 6 else None   # writes from a second address
        self.drafts_seen = 0
        self.late_sent = False

    def respond(self, got: Sent, now: datetime) -> list[tuple[str, str, bytes]]:
        """The replies ``got`` provokes: (who, what they did, the bytes their client sends)."""
        if got.to.casefold() == self.staff.email.casefold():
            return self._staff(got, now)
        found = self.personas.get(got.to.casefold())
        if found is None:
            return []
        persona, index = found
        received = read(got.raw)
        handler = getattr(self, f"_on_{got.kind.replace('-', '_')}", None)
        return handler(persona, index, received, now) if handler else []

    # members

    def _on_invitation(self, p: Persona, i: int, got, now):
        if i == 7:
            return [(p.name, "accepts in Outlook (iMIP REPLY)", p.calendar_reply(got, "ACCEPTED", now))]
        if i == 6:
            return [(p.name, "declines in Google Calendar (iMIP REPLY)", p.calendar_reply(got, "DECLINED", now))]
        return []

    def _on_focus_planning(self, p: Persona, i: int, got, now):
        text = ("Thanks! Here is my plan.\n\nFocus: Screening for food insecurity in primary care\n"
                "Presenter: Dr. Maya Chen, UBC Department of Family Practice (external)")
        return [(p.name, "(chair) proposes the focus topic and presenter", p.reply(got, text, now))]

    def _on_call_for_updates(self, p: Persona, i: int, got, now):
        if i == 4:
            return [(p.name, "is out of the office (automatic reply)", p.out_of_office(got, now))]
        if i == 5:
            return [(p.name, "skips this month",
                     p.reply(got, "Skip this month please — nothing new to report, see you in February.", now))]
        if i == 8:
            return [(p.name, "sends a long update (over one minute)", p.reply(got, LONG_UPDATE, now))]
        if i in (9, 10):
            return []        # 9 answers late (after the packet); 10 answers the reminder
        text = UPDATES[i % len(UPDATES)]
        if self.away_from_desk is not None and p.email == self.away_from_desk.email:
            home = replace(p, email=_home_address(p))
            return [(p.name, f"sends an update from a second address ({home.email}): held for staff",
                     home.reply(got, text, now))]
        attachments = (("SDH-resource-map.pdf", "application/pdf", self.pdf),) if i == 1 else ()
        what = f"sends an update ({p.style}{', with a PDF' if attachments else ''})"
        return [(p.name, what, p.reply(got, text, now, html=p.style == "gmail", attachments=attachments))]

    def _on_reminder(self, p: Persona, i: int, got, now):
        if i == 10:
            text = ("Sorry for the delay! Success: our PCN hired a community health worker who speaks Punjabi "
                    "and Hindi; patients are already asking for her by name.")
            return [(p.name, "answers the reminder", p.reply(got, text, now))]
        return []

    def _on_agenda_draft(self, p: Persona, i: int, got, now):
        self.drafts_seen += 1
        if self.drafts_seen == 1:
            text = "Looks close. One change, please:\n\nAdd: Sharing the regional SDH referral map (Marie-Claire, 5 min)"
            return [(p.name, "(chair) asks for one change", p.reply(got, text, now))]
        return [(p.name, "(chair) approves the revised draft", p.reply(got, "Approved — thank you!", now))]

    def _on_agenda_packet(self, p: Persona, i: int, got, now):
        if i == 9 and not self.late_sent:          # the packet, not the addendum that follows it
            self.late_sent = True
            text = ("Late, sorry: our division signed an agreement with the food bank for direct referrals "
                    "from clinics. Happy to share the MOU.")
            return [(p.name, "sends a late update (after the packet)", p.reply(got, text, now))]
        return []

    # staff

    def _staff(self, got: Sent, now: datetime):
        if got.kind == "alert-digest" and b"alert-held-mail" in got.raw and self.away_from_desk is not None:
            email = self.away_from_desk.email
            return [(self.staff.name, f"(staff) replies \"release as {email}\" to the held-mail alert",
                     self.staff.reply(read(got.raw), f"release as {email}", now))]
        if got.kind == "desk-answer":
            self.desk_answers += 1
            if self.desk_answers == 1:
                return [(self.staff.name, "(staff) replies \"status\" to the desk's answer",
                         self.staff.reply(read(got.raw), "status", now))]
            return []
        if got.kind != "minutes-request":
            return []
        members = list(self.personas.values())
        who_a, who_b = members[1][0].name, members[3][0].name
        text = (
            "Minutes of the meeting are below.\n\n"
            "Dr. Maya Chen presented on screening for food insecurity; discussion focused on after-hours "
            "referral options and consent language.\n\n"
            "Recording: https://video.example.org/rec/2027-01-cop\n"
            f"Action: {who_a} — share the SDH referral map template with all divisions\n"
            f"Action: {who_b} — circulate the consent language that passed privacy review\n"
        )
        received = read(got.raw)
        return [("Staff", "send the minutes with the recording link and two actions",
                 self.staff.reply(received, text, now, attachments=(("minutes-slides.pdf", "application/pdf",
                                                                       SLIDES_PDF),)))]


def _home_address(p: Persona) -> str:
    """A member's personal address, as people who write from their phone's account have."""
    return p.email.partition("@")[0] + ".home@mail.example.net"


SLIDES_PDF_STREAM = b"BT /F1 18 Tf 72 720 Td (Screening for food insecurity: slides) Tj ET"

LAND_ACK_TEXT = ("I respectfully acknowledge that I live and work on the traditional, ancestral and unceded "
                 "territories of the K'ómoks First Nation.")
DISCLAIMER_TEXT = ("CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended only "
                   "for the named recipient. If you received it in error, please notify the sender and delete it.")


def sample_pdf(stream: bytes = b"BT /F1 18 Tf 72 720 Td (Regional SDH referral map) Tj ET") -> bytes:
    """A small, valid one-page PDF (a member's shared resource) whose page draws ``stream``."""
    return pdf_page(stream)


SLIDES_PDF = sample_pdf(SLIDES_PDF_STREAM)     # the minutes' attachment: a file of its own, not the map again
