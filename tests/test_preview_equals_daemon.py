"""A preview is the message the daemon queues: for every kind, the same bytes for the same state and instant."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, config

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.preview import KINDS, preview
from mailflow.app.wiring import open_parts
from mailflow.core.kinds import MessageKind
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Override, Roster, Step
from mailflow_demo.personas import Persona, read

SECRET = "equality-test-secret-0123456789"
AMARA, BEN, CHLOE, DEV, ELI, _ = MEMBERS
# Made from an event the state does not keep (which file was refused, how large a message was, how
# long the mailbox was down, what a server answered, who left the roster, a provider's sign-in error, the
# bounces that suspended a member, a chair replaced, a file asked for, a staff command): the preview shows a
# sample event, and says so.
EVENT_ONLY = {MessageKind.ALERT_OUTBOX_PAUSED, MessageKind.ALERT_STORE_FAILING,
              MessageKind.NOTICE_ATTACHMENT_REFUSED, MessageKind.NOTICE_MESSAGE_TOO_LARGE,
              MessageKind.ALERT_INTAKE_STALLED, MessageKind.ALERT_DELIVERY_FAILED,
              MessageKind.INVITATION_WITHDRAWN, MessageKind.ALERT_SIGN_IN_FAILED,
              MessageKind.ALERT_MEMBER_SUSPENDED, MessageKind.ALERT_CHAIR_CHANGED, MessageKind.NOTICE_RESOURCE,
              MessageKind.DESK_ANSWER, MessageKind.NOTICE_RECORDED, MessageKind.NOTICE_QUESTION,
              MessageKind.NOTICE_UNDONE, MessageKind.NOTICE_UNSUBSCRIBED, MessageKind.ALERT_MEMBER_UNSUBSCRIBED,
              MessageKind.ALERT_REPLY_UNCLEAR, MessageKind.ALERT_MEMBER_QUESTION}


class Run:
    """The engine on a real store, and after each action, every new message compared with its preview."""

    def __init__(self, cfg, start, before: Run | None = None):
        self.cfg = cfg
        self.clock = ManualClock(start)
        self.states = TinyDBStateStore.open(cfg.state_dir)
        self.parts = open_parts(cfg, self.clock, SECRET.encode(), states=self.states)
        self.seen: set[str] = before.seen if before else set()
        self.matched: dict[str, int] = defaultdict(int)
        self.arrivals: set[str] = set()
        self.compare()

    def close(self):
        self.states.close()

    def tick(self, when):
        self.clock.set(when)
        self.parts.engine.tick(when)
        self.compare()

    def accept(self, raw: bytes):
        self.parts.engine.accept(raw)
        self.compare()

    def raw(self, kind: str, to: str, meeting: str = JAN.key) -> bytes:
        return next(self.parts.outbox.raw(r) for r in self.parts.outbox.records()
                    if r.kind == kind and r.recipient == to and r.meeting_key == meeting)

    def compare(self):
        """Each new (kind, recipient, meeting): its preview equals one of the messages just queued."""
        fresh = defaultdict(list)
        for record in self.parts.outbox.records():
            if record.message_id not in self.seen:
                self.seen.add(record.message_id)
                fresh[(record.kind, record.recipient, record.meeting_key)].append(self.parts.outbox.raw(record))
        for (kind, to, meeting), queued in fresh.items():
            if kind in EVENT_ONLY or (kind == "invitation" and to in self.arrivals):
                continue          # an arrival's own invitation: when it went is not kept (see the welcome test)
            shown = preview(self.cfg, kind, self.clock.now(), meeting_key=meeting or None, to=to)
            assert shown.raw in queued, (kind, to, meeting, shown.notes)
            self.matched[kind] += 1


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    return replace(config(), state_dir=tmp_path / "state")


def reply(run: Run, who, kind: str, text: str, **options) -> bytes:
    got = read(run.raw(kind, who.email))
    return Persona(who.name, who.email, "gmail", f"Best,\n{who.name.split()[0]}").reply(got, text, run.clock.now(),
                                                                                        **options)


def test_a_whole_cycle_previews_to_the_bytes_it_sends(cfg):
    """Invitation to handover with replies, a late update, a bounce, held mail and a silent chair: every
    message the daemon queues is what `mailflow preview` shows for it at that moment."""
    jan = meeting_by_key(cfg, JAN.key)
    chair = jan.chair
    run = Run(cfg, at(Step.INVITATION) - timedelta(days=1))
    try:
        run.tick(at(Step.INVITATION))
        run.accept(reply(run, chair, "focus-planning", "Focus: Food security screening\nPresenter: Dr. Maya Chen"))
        run.tick(at(Step.CALL_FOR_UPDATES))
        run.accept(reply(run, BEN, "call-for-updates", "Success: our food-security referral pilot is live."))
        run.accept(reply(run, CHLOE, "call-for-updates", " ".join(["Our housing project grew this month."] * 40)))
        stranger = Persona("Mallory", "mallory@evil.example", "gmail").reply(
            read(run.raw("call-for-updates", BEN.email)), "I am Ben, honest.", run.clock.now())
        run.accept(stranger)                                            # held, staff alerted
        record = next(r for r in run.parts.outbox.records() if r.kind == "call-for-updates" and r.recipient == DEV.email)
        run.accept((f"From: MAILER-DAEMON@mx.example.net\r\nTo: {record.mail_from}\r\n"
                    "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn@mx.example.net>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
                    "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
                    "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
                    f"Final-Recipient: rfc822; {DEV.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n").encode())
        run.tick(at(Step.REMINDER))
        run.tick(at(Step.AGENDA_DRAFT))
        run.tick(at(Step.AGENDA_PACKET))                                # the chair never approved: alert
        run.clock.set(at(Step.AGENDA_PACKET, plus=timedelta(days=1)))
        run.accept(reply(run, ELI, "agenda-packet", "Late, sorry: our clinic signed an agreement with the food bank."))
        for step in (Step.DAY_OF_REMINDER, Step.MINUTES_REQUEST):
            run.tick(at(step))
        minutes = read(run.raw("minutes-request", STAFF))
        run.accept(Persona("Staff", STAFF, "outlook").reply(
            minutes, "We met; eleven members came and the focus talk was on food security screening.\n\n"
                     "Recording: https://video.example.org/rec/1\nAction: Ben: share the referral form", run.clock.now()))
        run.tick(at(Step.CHAIR_HANDOVER))
    finally:
        run.close()
    expected = {"invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
                "agenda-addendum", "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover",
                "alert-digest"}   # alerts reach staff in digests
    assert expected <= set(run.matched), expected - set(run.matched)


def test_a_moved_then_cancelled_meeting_previews_its_update_and_its_cancellation(cfg, tmp_path):
    """The updated invitation after a move, and the cancellation after it, are what preview shows."""
    run = Run(cfg, at(Step.INVITATION) - timedelta(days=1))
    try:
        run.tick(at(Step.INVITATION))
        moved = replace(cfg, meetings=replace(cfg.meetings, overrides=(
            Override(JAN.start.date(), start=JAN.start + timedelta(days=1)),)))
        run.close()
        run = Run(moved, at(Step.INVITATION) + timedelta(days=1), run)
        run.tick(at(Step.INVITATION) + timedelta(days=1))
        assert run.matched["invitation"] == len([m for m in MEMBERS if m.active])
        cancelled = replace(cfg, meetings=replace(cfg.meetings, overrides=(
            Override(JAN.start.date(), cancelled=True),)))
        run.close()
        run = Run(cancelled, at(Step.INVITATION) + timedelta(days=2), run)
        run.tick(at(Step.INVITATION) + timedelta(days=2))
        assert run.matched["meeting-cancelled"] == len([m for m in MEMBERS if m.active])
        text = run.raw("meeting-cancelled", BEN.email).decode()
        assert "DTSTART;TZID=America/Vancouver:20270113T120000" in text      # where calendars hold it
    finally:
        run.close()


def test_missed_steps_and_a_welcome_preview_to_the_bytes_they_send(cfg):
    """After an outage each missed step's alert, and a newcomer's welcome, equal their previews."""
    run = Run(cfg, at(Step.INVITATION) - timedelta(days=1))
    try:
        run.tick(at(Step.INVITATION) - timedelta(days=1))               # installed: the founding roster
        run.tick(at(Step.AGENDA_DRAFT, plus=timedelta(hours=1)))       # then down until after the draft
        assert run.matched["alert-digest"] >= 1                          # listing each missed step
        newcomer = replace(MEMBERS[1], name="Noor Haddad", email="noor@example.org")
        grown = replace(cfg, roster=Roster(cfg.roster.path, (*cfg.roster.members, newcomer)))
        run.close()
        run = Run(grown, at(Step.AGENDA_DRAFT, plus=timedelta(hours=2)), run)
        run.arrivals.add(newcomer.email)
        run.tick(at(Step.AGENDA_DRAFT, plus=timedelta(hours=2)))
        assert run.matched["welcome"] == 1
    finally:
        run.close()


@pytest.mark.parametrize("kind", sorted(EVENT_ONLY))
def test_kinds_made_from_an_event_preview_a_sample_event_and_say_so(cfg, kind):
    """A refused attachment, a too-large message, a mailbox outage... are not in the state: the preview
    renders the daemon's own message for a sample event, and says it is one."""
    shown = preview(cfg, kind, at(Step.CALL_FOR_UPDATES))
    assert any("sample" in note for note in shown.notes)


def test_every_kind_is_covered_by_one_of_these_tests():
    """Kinds added later must be added here (and get a source in app/preview.py)."""
    covered = {"invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
               "agenda-addendum", "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover",
               "alert-held-mail", "alert-chair-silent",
               "meeting-cancelled", "alert-step-missed", "welcome", "alert-digest"} | set(EVENT_ONLY)
    assert {kind.value for kind in KINDS} == covered
