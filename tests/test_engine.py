"""The engine with a real store, outbox and composer (no network): steps, replies, holds."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import timedelta

import pytest
from cyclekit import JAN, MEMBERS, STAFF, at, config

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.adapters.store import Store
from mailflow.app.wiring import open_parts
from mailflow.core.delivery import State
from mailflow.ports import Disposition
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

SECRET = b"engine-test-secret-0123456789"
AMARA, BEN, CHLOE, DEV, ELI, FAY = MEMBERS


@pytest.fixture
def parts(tmp_path):
    clock = ManualClock(at(Step.INVITATION, JAN, -timedelta(days=1)))
    store = Store.open(tmp_path / "state")
    built = open_parts(config(), clock, SECRET, states=TinyDBStateStore(store))
    built.engine.tick(clock.now())          # first look: records the founding roster
    yield built, clock
    store.close()


def sent_to(parts_, kind: str, meeting_key: str = JAN.key) -> dict[str, bytes]:
    out = {}
    for record in parts_.outbox.records():
        if record.kind == kind and record.meeting_key in (meeting_key, ""):
            out[record.recipient] = parts_.outbox.raw(record)
    return out


def alerted(parts_, kind: str, now) -> dict[str, list[str]]:
    """Staff address -> subjects of the ``kind`` items their queued alert digest lists."""
    parts_.engine.outbox_alerts(now)
    items = [i for i in parts_.states.alerts.items() if i.kind == kind]
    out: dict[str, list[str]] = {}
    for record in parts_.outbox.records():
        if record.kind == "alert-digest":
            text = read(parts_.outbox.raw(record)).text
            listed = [i.subject.split("] ", 1)[-1] for i in items if i.subject.split("] ", 1)[-1] in text]
            if listed:
                out[record.recipient] = listed
    return out


def test_tick_queues_each_step_once_with_stable_identities(parts):
    """Running the invitation step twice queues one invitation per active member."""
    p, clock = parts
    clock.set(at(Step.INVITATION))
    p.engine.tick(clock.now())
    p.engine.tick(clock.now() + timedelta(minutes=1))
    invitations = sent_to(p, "invitation")
    assert set(invitations) == {m.email for m in MEMBERS if m.active}
    msg = email.message_from_bytes(invitations[AMARA.email], policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == AMARA.email
    assert "text/calendar" in {part.get_content_type() for part in msg.walk()}
    queued = [r.kind for r in p.outbox.records() if r.meeting_key == JAN.key and r.state is State.QUEUED]
    assert sorted(queued) == ["focus-planning"] + ["invitation"] * len(invitations)


def test_member_reply_is_applied_once_and_acknowledged(parts):
    """A Gmail-style update becomes the member's update; the same bytes again change nothing."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    raw = Persona(BEN.name, BEN.email, "gmail", "Best,\nBen").reply(
        call, "Success: our food-security referral pilot is live in two clinics.", clock.now())
    assert p.engine.accept(raw) is Disposition.PROCESSED
    assert p.engine.accept(raw) is Disposition.PROCESSED
    state = p.states.meeting(JAN.key)
    assert [u.text for u in state.updates] == ["Success: our food-security referral pilot is live in two clinics."]
    assert list(sent_to(p, "notice-recorded")) == [BEN.email]


def test_reply_from_someone_else_with_a_members_token_is_held_with_its_bytes(parts):
    """A valid token used from another address is held, staff alerted, nothing applied."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    raw = Persona("Mallory", "mallory@evil.example", "gmail").reply(call, "I am Ben, honest.", clock.now())
    assert p.engine.accept(raw) is Disposition.HELD
    held = p.states.held()
    assert held[0].reason.startswith("sender mallory@evil.example is not on the roster")
    assert p.states.file(held[0].raw) == raw
    assert p.states.meeting(JAN.key).updates == ()
    assert list(alerted(p, "alert-held-mail", clock.now())) == [STAFF]


def test_unrelated_mail_is_ignored(parts):
    """Mail not addressed to the service (and not a reply to us) is left alone."""
    p, _ = parts
    raw = (b"From: a@example.net\r\nTo: someone@example.net\r\nSubject: lunch\r\n"
           b"Message-ID: <x@example.net>\r\n\r\nLunch at noon?\r\n")
    assert p.engine.accept(raw) is Disposition.IGNORED


def test_clock_jumping_back_and_forward_runs_each_step_once(parts):
    """Back three days, then forward past three steps: nothing twice, nothing skipped."""
    p, clock = parts
    clock.set(at(Step.INVITATION))
    p.engine.tick(clock.now())
    p.engine.tick(at(Step.INVITATION, plus=-timedelta(days=3)))      # the clock went back
    p.engine.tick(at(Step.REMINDER, plus=timedelta(hours=1)))         # then far forward
    p.engine.tick(at(Step.INVITATION, plus=timedelta(days=1)))       # and back again
    kinds = [r.kind for r in p.outbox.records() if r.meeting_key == JAN.key]
    active = sum(1 for m in MEMBERS if m.active)
    assert kinds.count("invitation") == active
    assert kinds.count("call-for-updates") == active
    assert kinds.count("reminder") == active              # nobody answered
    assert kinds.count("focus-planning") == 1


def test_steps_across_the_autumn_dst_change_fire_once_at_local_wall_time(tmp_path):
    """Ticking hourly through 1 November 2026 (PDT -> PST): each step once, at its local clock time."""
    from cyclekit import ZONE

    from mailflow.schedule.calendar import meeting_by_key

    cfg = config()
    nov = meeting_by_key(cfg, "2026-11-10")
    clock = ManualClock(nov.due_at(Step.INVITATION) - timedelta(hours=2))
    with Store.open(tmp_path / "state") as store:
        p = open_parts(cfg, clock, SECRET, states=TinyDBStateStore(store))
        now = clock.now()
        while now < nov.due_at(Step.MINUTES_REQUEST) + timedelta(hours=1):
            clock.set(now)
            p.engine.tick(now)
            now += timedelta(hours=1)
        kinds = [r.kind for r in p.outbox.records() if r.meeting_key == nov.key]
    active = sum(1 for m in MEMBERS if m.active)
    assert kinds.count("invitation") == active and kinds.count("day-of-reminder") == active
    invitation_local = nov.due_at(Step.INVITATION).astimezone(ZONE)
    assert (invitation_local.hour, invitation_local.tzname()) == (12, "PDT")
    assert (nov.start.hour, nov.start.tzname()) == (12, "PST")


def test_the_same_reply_delivered_twice_with_other_headers_is_applied_once(parts):
    """A resent copy (new Received: lines, same Message-ID) changes nothing and sends nothing."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    raw = Persona(BEN.name, BEN.email, "gmail").reply(call, "Success: our clinic pilot is live.", clock.now())
    assert p.engine.accept(raw) is Disposition.PROCESSED
    before = len(list(p.outbox.records()))
    copy = b"Received: from relay2.example.net by mx.example.org; Tue, 29 Dec 2026 20:01:00 +0000\r\n" + raw
    assert p.engine.accept(copy) is Disposition.PROCESSED
    assert len(list(p.outbox.records())) == before
    assert [u.revision for u in p.states.meeting(JAN.key).updates] == [1]


def test_a_bounce_tied_to_nothing_we_sent_is_held_and_drops_nobody(parts):
    """A DSN that only names a member (no token, no Message-ID of ours) may be forged: held."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    dsn = (
        "From: MAILER-DAEMON@evil.example\r\nTo: cop@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@evil.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n\r\n"
        f"Final-Recipient: rfc822; {BEN.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
    ).encode()
    assert p.engine.accept(dsn) is Disposition.HELD
    assert p.states.meeting(JAN.key).bounced == frozenset()


def test_a_bounce_to_our_tokened_envelope_sender_marks_the_member_bounced(parts):
    """A real DSN comes back to the VERP address of the message it failed for: the member is bounced and scored."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    record = next(r for r in p.outbox.records() if r.kind == "call-for-updates" and r.recipient == BEN.email)
    dsn = (
        f"From: MAILER-DAEMON@mx.example.net\r\nTo: {record.mail_from}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn2@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {BEN.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
    ).encode()
    assert p.engine.accept(dsn) is Disposition.PROCESSED
    assert p.states.meeting(JAN.key).bounced == frozenset({BEN.key})
    score = p.states.community().bounce_of(BEN.key)
    assert score is not None and (score.score, score.suspended_at) == (1, None)
    assert "5.1.1" in score.evidence[0].detail
    assert alerted(p, "alert-delivery-failed", clock.now()) == {}     # staff hear at the threshold, with the evidence


def test_after_a_long_outage_every_step_nobody_ran_is_reported_missed(parts):
    """Seven weeks down: the January meeting's unrun steps are reported missed, not forgotten."""
    p, clock = parts
    clock.set(at(Step.INVITATION))
    p.engine.tick(clock.now())
    p.engine.tick(JAN.start + timedelta(days=31))
    state = p.states.meeting(JAN.key)
    missed = {step for step, r in state.steps if r.status.value == "missed"}
    assert {Step.CALL_FOR_UPDATES, Step.AGENDA_PACKET, Step.MINUTES_REQUEST} <= missed
    items = [i for i in p.states.alerts.items() if i.kind == "alert-step-missed" and i.meeting_key == JAN.key]
    assert len(items) == len(missed)
    [digest] = alerted(p, "alert-step-missed", JAN.start + timedelta(days=31)).values()
    assert len([line for line in digest if "12 January 2027" in line]) == len(missed)   # one message lists them all


def test_a_weekly_rule_still_runs_the_upcoming_meetings_steps(tmp_path):
    """Meetings are chosen by time, not by count: a weekly community gets its invitations."""
    from mailflow.schedule.config import MeetingRule

    weekly = replace(config(), meetings=MeetingRule("FREQ=WEEKLY;BYDAY=TU", JAN.start.date() - timedelta(days=70),
                                                    JAN.start.timetz().replace(tzinfo=None),
                                                    timedelta(minutes=60), "https://video.example.org/cop"))
    with Store.open(tmp_path / "state") as store:
        parts_ = open_parts(weekly, ManualClock(at(Step.INVITATION)), SECRET, states=TinyDBStateStore(store))
        parts_.engine.tick(at(Step.INVITATION) - timedelta(days=1))
        parts_.engine.tick(at(Step.INVITATION))
        invited = {r.meeting_key for r in parts_.outbox.records() if r.kind == "invitation"}
    assert JAN.key in invited


def test_a_catch_up_pass_is_recorded_in_one_transaction_or_not_at_all(parts, tmp_path):
    """Replies accepted together are all recorded, or, when the store fails part-way, none of them is;
    accepting them again afterwards applies each exactly once."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    calls = sent_to(p, "call-for-updates")
    raws = [Persona(m.name, m.email, "gmail", f"Best,\n{m.name}").reply(read(calls[m.email]), f"Update from {m.name}.",
                                                                       clock.now()) for m in (BEN, CHLOE, DEV)]
    root = p.states.root
    def files() -> dict[str, bytes]:
        return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*")
                if path.is_file() and not path.name.startswith(".") and path.name != "mailflow.lock"}

    before = files()
    record_inbox = p.states.record_inbox
    failing = {"calls": 0}

    def fail_on_the_third(sha256, record):   # our own seam: the disk refuses the third record
        failing["calls"] += 1
        if failing["calls"] == 3:
            from mailflow.errors import StoreError
            raise StoreError("disk full (test)")
        record_inbox(sha256, record)

    p.states.record_inbox = fail_on_the_third
    with pytest.raises(Exception, match="disk full"):
        p.engine.accept_many(raws)
    assert files() == before
    assert p.states.meeting(JAN.key).updates == ()
    assert list(sent_to(p, "notice-recorded")) == []

    p.states.record_inbox = record_inbox
    assert p.engine.accept_many(raws) == [Disposition.PROCESSED] * 3
    assert p.engine.accept_many(raws + raws[:1]) == [Disposition.PROCESSED] * 4
    state = p.states.meeting(JAN.key)
    assert sorted(u.text for u in state.updates) == [f"Update from {m.name}." for m in (BEN, CHLOE, DEV)]
    assert sorted(sent_to(p, "notice-recorded")) == sorted(m.email for m in (BEN, CHLOE, DEV))


def test_the_same_reply_sent_again_with_a_new_message_id_is_applied_once(parts):
    """The same words to the same address answering the same message, under a new Message-ID: one update, one receipt."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    first = Persona(BEN.name, BEN.email, "gmail", "Best,\nBen").reply(
        call, "Success: the referral pilot is live in two clinics.", clock.now())
    again = first.replace(b"Message-ID: <", b"Message-ID: <again-", 1)
    assert again != first
    assert p.engine.accept(first) is Disposition.PROCESSED
    assert p.engine.accept(again) is Disposition.PROCESSED
    state = p.states.meeting(JAN.key)
    assert [u.revision for u in state.updates] == [1] and state.history == ()
    assert list(sent_to(p, "notice-recorded")) == [BEN.email]
    receipts = [r for r in p.outbox.records() if r.kind == "notice-recorded"]
    assert len(receipts) == 1


def test_a_ticket_style_auto_reply_without_automatic_headers_is_not_an_update(parts):
    """A help desk's "[Ticket #48213] we have received your message" to the call's token changes nothing."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    ticket = Persona(BEN.name, BEN.email, "outlook", "").reply(
        call, "Thank you for contacting us. This is an automated response: we have received your message "
              "and a member of our team will respond shortly. Ticket number: 48213.", clock.now())
    ticket = ticket.replace(b"Subject: ", b"Subject: [Ticket #48213] ", 1)
    p.engine.accept(ticket)
    state = p.states.meeting(JAN.key)
    assert state.updates == ()
    assert list(sent_to(p, "notice-recorded")) == []


def test_a_late_reply_on_a_closed_meetings_token_is_held_for_staff(parts):
    """An update answering January's call, arriving after January's cycle is over: held, staff told, not recorded."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    clock.set(JAN.end + timedelta(days=8))
    late = Persona(BEN.name, BEN.email, "gmail", "Best,\nBen").reply(
        call, "Success: the referral pilot is live in two clinics.", clock.now())
    assert p.engine.accept(late) is Disposition.HELD
    assert p.states.meeting(JAN.key).updates == ()
    [held] = [h for h in p.states.held() if h.sender == BEN.email]
    assert "late" in held.reason and JAN.key in held.reason
    assert any(BEN.email in subjects[0] for subjects in alerted(p, "alert-held-mail", clock.now()).values())


def test_an_alert_digest_keeps_each_paragraph_whole_in_html_and_wraps_its_text(parts):
    """The digest's HTML has the item's sentences as flowing paragraphs (no forced break mid-sentence);
    its plain text is wrapped like every other message."""
    p, clock = parts
    clock.set(at(Step.CALL_FOR_UPDATES))
    p.engine.tick(clock.now())
    call = read(sent_to(p, "call-for-updates")[BEN.email])
    raw = Persona("Mallory", "mallory@evil.example", "gmail").reply(call, "I am Ben, honest.", clock.now())
    assert p.engine.accept(raw) is Disposition.HELD
    p.engine.outbox_alerts(clock.now())
    [digest] = [r for r in p.outbox.records() if r.kind == "alert-digest"]
    message = email.message_from_bytes(p.outbox.raw(digest), policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert "It is held for you, and the sender was not told." in " ".join(html.split())
    paragraph = next(block for block in html.split("<p") if "It is held for you" in block)
    assert "<br" not in paragraph.split("</p>")[0]
    text = message.get_body(("plain",)).get_content()
    assert max(len(line) for line in text.splitlines()) <= 78
