"""The staff desk by mail, end to end on Dovecot + aiosmtpd: held mail released by a reply to its alert,
staff commands answered, and forged commands held and never answered."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from cyclestage import DovecotStage, write_community

from mailflow.adapters.clock import ManualClock
from mailflow.app.wiring import build_daemon
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read
from mailflow_demo.rehearsal import _quiet

AUTHSERV = "mx.test-cop.example"


def kinds_to(stage: DovecotStage, kind: str, to: str | None = None) -> list[email.message.EmailMessage]:
    found = []
    for _mail_from, rcpts, raw in stage.sent():
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if msg["X-Mailflow-Kind"] == kind and (to is None or to in rcpts):
            found.append(msg)
    return found


def text(msg) -> str:
    return " ".join(msg.get_body(("plain",)).get_content().split())


def fresh(sender: str, to: str, body: str, *, headers: dict[str, str] | None = None) -> bytes:
    """A new message (not a reply) as a mail client sends it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = "status"
    msg["Date"] = format_datetime(__import__("datetime").datetime.now(__import__("datetime").UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body + "\n")
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture(scope="module")
def desk_run(dovecot, tmp_path_factory):
    """One daemon on Dovecot + aiosmtpd through a call for updates and a series of staff mails."""
    folder = tmp_path_factory.mktemp("desk")
    community = write_community(folder, dovecot)
    toml = community.toml.read_text().replace('list_id = "test-cop.example.test"',
                                              f'list_id = "test-cop.example.test"\nauthserv_id = "{AUTHSERV}"')
    community.toml.write_text(toml)
    config = load(community.toml)
    stage = DovecotStage(dovecot, community.service)
    other_address = dovecot.new_user()          # a member's second address: not on the roster
    outsider = dovecot.new_user()
    staff1, staff2 = community.staff
    member = config.roster.active()[1]
    log: dict[str, object] = {}

    async def scenario() -> None:
        meeting = meeting_by_key(config, "2027-01-12")
        cfg = replace(config, imap=stage.imap, smtp=stage.smtp)
        clock = ManualClock(meeting.due_at(Step.CALL_FOR_UPDATES) - timedelta(minutes=1))
        daemon, parts = build_daemon(cfg, clock, environ=stage.environ, reconcile_seconds=3600.0,
                                     stall_after=timedelta(days=365))
        runner = asyncio.create_task(daemon.run())
        delivered = 0

        async def deliver(raw: bytes) -> None:
            nonlocal delivered
            stage.deliver(raw)
            delivered += 1
            clock.set(clock.now() + timedelta(minutes=5))
            await _quiet(daemon, parts, stage, delivered, 0.3)

        try:
            await _quiet(daemon, parts, stage, delivered, 0.3)
            clock.set(meeting.due_at(Step.CALL_FOR_UPDATES))
            daemon.wake()
            await _quiet(daemon, parts, stage, delivered, 0.3)
            call = next(raw for _f, rcpts, raw in stage.sent() if member.email in rcpts
                        and b"X-Mailflow-Kind: call-for-updates" in raw)
            # 1. the member answers from their other address: held, staff alerted, the sender told nothing
            await deliver(Persona(member.name, other_address, "gmail").reply(
                read(call), "Success: our clinic's food-security screening is live in three practices.", clock.now()))
            alert = kinds_to(stage, "alert-digest", staff1)[0]
            log["alert"] = alert
            # 2. staff reply "release as MEMBER" to the alert
            await deliver(Persona("Staff One", staff1, "outlook").reply(
                read(alert.as_bytes()), f"release as {member.email}", clock.now()))
            log["answer_release"] = kinds_to(stage, "desk-answer", staff1)[-1]
            # 3. staff reply "status" to the desk's answer
            await deliver(Persona("Staff One", staff1, "outlook").reply(
                read(log["answer_release"].as_bytes()), "status\nheld", clock.now()))
            log["answer_status"] = kinds_to(stage, "desk-answer", staff1)[-1]
            # 4. a command nobody knows, from the other staff member, in reply to their alert
            alert2 = kinds_to(stage, "alert-digest", staff2)[0]
            await deliver(Persona("Staff Two", staff2, "gmail").reply(read(alert2.as_bytes()), "please fix it", clock.now()))
            log["answer_unknown"] = kinds_to(stage, "desk-answer", staff2)[-1]
            answers_before = len(kinds_to(stage, "desk-answer"))
            # 5. forged: a staff address with no token and no DMARC pass; a foreign authserv-id's pass;
            #    a DMARC fail from ours; another staff member's alert quoted (its thread is not theirs)
            await deliver(fresh(staff1, community.service, "status"))
            await deliver(fresh(staff1, community.service, "discard all", headers={
                "Authentication-Results": f"mx.evil.example; dmarc=pass header.from={staff1.rpartition('@')[2]}"}))
            await deliver(fresh(staff1, community.service, "status", headers={
                "Authentication-Results": f"{AUTHSERV}; dmarc=fail header.from={staff1.rpartition('@')[2]}"}))
            await deliver(Persona("Staff One", staff1, "gmail").reply(read(alert2.as_bytes()), "held", clock.now()))
            log["forged_answers"] = len(kinds_to(stage, "desk-answer")) - answers_before
            # 6. a new message from staff with our server's DMARC pass: answered
            await deliver(fresh(staff2, community.service, "help", headers={
                "Authentication-Results": f"{AUTHSERV}; spf=pass; dkim=pass; dmarc=pass header.from="
                                          f"{staff2.rpartition('@')[2]}"}))
            log["answer_dmarc"] = kinds_to(stage, "desk-answer", staff2)[-1]
            # 7. a stranger writes; staff answer its alert with "discard"; the stranger is never answered
            await deliver(fresh(outsider, community.service, "Hello, how do I join?"))
            clock.set(clock.now() + timedelta(hours=1))     # staff heard from us this hour: the next digest
            daemon.wake()
            await _quiet(daemon, parts, stage, delivered, 0.3)
            alert3 = [m for m in kinds_to(stage, "alert-digest", staff2) if outsider in text(m)][0]
            # the digest lists every message held this hour: name the stranger's by its id
            held_id = re.search(rf"From: +{re.escape(outsider)}.*?Held as: +(\w+)", text(alert3)).group(1)
            await deliver(Persona("Staff Two", staff2, "gmail").reply(read(alert3.as_bytes()), f"discard {held_id}",
                                                                      clock.now()))
            log["answer_discard"] = kinds_to(stage, "desk-answer", staff2)[-1]
            log["outsider_answered"] = [raw for _f, rcpts, raw in stage.sent() if outsider in rcpts]
            log["state"] = await daemon.store_io(parts.states.meeting, meeting.key)
            log["held"] = await daemon.store_io(parts.states.held)
            log["audit"] = await daemon.store_io(lambda: list(parts.states.audit_entries()))
        finally:
            daemon.stop()
            await runner
            daemon.close()
            parts.states.close()

    try:
        asyncio.run(scenario())
    finally:
        stage.close()
    return community, config, stage, member, other_address, log


def test_a_reply_release_as_member_applies_the_held_update_with_its_receipt(desk_run):
    """Staff answer the held-mail alert with "release as EMAIL": the update is the member's, the member gets the receipt."""
    community, config, stage, member, other, log = desk_run
    assert "Held as:" in text(log["alert"]) and other in text(log["alert"])
    [update] = log["state"].updates
    assert update.member_email == member.email and "food-security screening is live" in update.text
    receipts = kinds_to(stage, "notice-recorded", member.email)
    assert len(receipts) == 1 and kinds_to(stage, "notice-recorded", other) == []
    answer = text(log["answer_release"])
    assert f"release as {member.email}" in answer and f"applied as from {member.email} to the 2027-01-12 meeting" in answer
    shown = re.search(r"\(" + re.escape(other) + r", '([^']*)'\)", answer)
    assert shown and shown[1].endswith("…"), answer          # a long subject is cut at a word, and says so
    released = [h for h in log["held"] if h.sender == other]
    assert released[-1].subject.startswith(shown[1][:-1] + " ")
    assert released and released[-1].outcome.value == "released" and released[-1].resolved_by == community.staff[0]


def test_status_by_mail_is_answered_with_the_status(desk_run):
    """"status" and "held" in a reply to the desk's answer: one answer with both results."""
    *_, log = desk_run
    answer = text(log["answer_status"])
    assert answer.startswith("Hello ") and "> status Done. mailflow status at" in answer
    assert "Meeting 2027-01-12" in answer and "> held Done." in answer


def test_a_command_not_understood_is_answered_with_the_list(desk_run):
    """A reply the desk cannot read gets the list of commands."""
    *_, log = desk_run
    answer = text(log["answer_unknown"])
    assert "not a command I know: 'please fix it'" in answer
    assert "release ID as EMAIL" in answer and "close action N" in answer
    plain = log["answer_unknown"].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "\n  replace update from EMAIL:\n      replace it with the text" in plain and "::" not in plain


def test_forged_staff_commands_are_held_and_never_answered(desk_run):
    """No token, a foreign authserv-id, a DMARC fail, another's thread: held with the reason, no answer."""
    community, *_, log = desk_run
    assert log["forged_answers"] == 0
    reasons = [h.reason for h in log["held"] if h.sender == community.staff[0]]
    assert len(reasons) == 4, reasons
    assert sum("without a staff reply token or a DMARC pass from mx.test-cop.example" in r for r in reasons) == 3
    assert sum(r.startswith("sender authentication failed (mx.test-cop.example") for r in reasons) == 1


def test_a_dmarc_pass_from_our_server_stands_in_for_the_token(desk_run):
    """A new message (no token) from a staff address with our server's dmarc=pass is answered."""
    *_, log = desk_run
    assert "> help Done. Commands" in text(log["answer_dmarc"])


def test_a_reply_discard_to_a_strangers_alert_drops_it_and_the_stranger_hears_nothing(desk_run):
    """"discard" in reply to the alert concludes the stranger's message; nothing is ever sent to the stranger."""
    *_, log = desk_run
    assert re.search(r"> discard \w+ Done\.", text(log["answer_discard"]))
    assert "discarded: nothing applied, nobody answered" in text(log["answer_discard"])
    assert log["outsider_answered"] == []


def test_the_audit_log_records_the_hold_the_release_the_commands_and_the_mail_sent(desk_run):
    """Every hold, release, staff command (with who and how) and message sent is in the audit log."""
    community, config, stage, member, other, log = desk_run
    events = [(e.event.value, e.by, e.via) for e in log["audit"]]
    assert ("released", community.staff[0], "mail") in events
    assert ("staff-command", community.staff[0], "mail") in events
    assert any(e.event.value == "held" and e.member == other for e in log["audit"])
    applied = [e for e in log["audit"] if e.event.value == "reply-applied" and e.member == member.email]
    assert applied and applied[0].data["request"] == "update" and applied[0].data["via"] == "released"
    sent = {e.member for e in log["audit"] if e.event.value == "sent"}
    assert member.email in sent and community.staff[0] in sent
