"""Mail already in the outbox, through the real daemon, Dovecot and aiosmtpd: what becomes of it when its
recipient leaves, is suspended or unsubscribes before it goes; and the words of the outbox-paused alert."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections import Counter
from datetime import timedelta

import pytest
from alertkit import items_of
from test_members_mail import begin, mailbox, raw_of, running

from mailflow.cli import main
from mailflow.core.delivery import State
from mailflow.ports import AuditEvent
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

pytestmark = pytest.mark.timeout(240)

BUSY = "451 4.2.1 Mailbox busy, try again later"


def dsn(to: str, member: str) -> bytes:
    """A delivery status notification for ``member``, returned to our tokened envelope sender ``to``."""
    return (f"From: MAILER-DAEMON@mx.example.net\r\nTo: {to}\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-queued@mx.example.net>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
            f"Final-Recipient: rfc822; {member}\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n").encode()


def test_mail_queued_for_a_member_who_leaves_is_suspended_or_unsubscribes_is_withdrawn_not_sent(
        dovecot, tmp_path, capsys):
    """Three members' calls for updates wait in the outbox (their servers say 451); meanwhile one leaves the
    roster, one is suspended by a bounce and one unsubscribes by mail. When the outbox tries again, those three
    calls are withdrawn with the reason (status, audit log), never sent; the CANCEL to the one who left, the
    confirmation to the one who unsubscribed and staff's alerts, queued behind the same 451, all go."""
    live, community = begin(dovecot, tmp_path, extra="\n[bounce]\nthreshold = 1\n")
    members, staff = community.members, community.staff
    leaving, bouncing, quitting = members[7], members[8], members[9]
    january = meeting_by_key(load(live.toml), "2027-01-12")
    call = january.due_at(Step.CALL_FOR_UPDATES)
    faults = live.stage.server.faults
    seen: dict[str, object] = {}

    def call_record(member: str):
        return next(r for r in live.parts.outbox.records() if r.kind == "call-for-updates" and r.recipient == member)

    async def scenario() -> None:
        await live.at(january.due_at(Step.INVITATION))
        for address in (leaving, bouncing, quitting, staff[0]):
            faults.rcpt[address] = BUSY
        await live.at(call)
        seen["waiting"] = {m: (await live.daemon.store_io(call_record, m)).state for m in (leaving, bouncing, quitting)}

        live.set_status(leaving, "departed")
        live.daemon.reload()
        invitation = await live.daemon.store_io(
            lambda: next(r for r in live.parts.outbox.records() if r.kind == "invitation" and r.recipient == bouncing))
        live.stage.deliver(dsn(invitation.mail_from, bouncing))
        got = read(raw_of(dovecot, quitting, "invitation"))
        live.stage.deliver(Persona("Dr. Michel Gagnon", quitting, "gmail").reply(
            got, "Please unsubscribe me from this list.", live.clock.now()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:
            community_state = await live.daemon.store_io(live.parts.states.community)
            if bouncing in community_state.suspended and quitting in community_state.leaving:
                break
            await asyncio.sleep(0.1)
        await live.at(call + timedelta(minutes=5))     # the departure is taken in; its CANCEL waits behind the 451

        faults.rcpt.clear()
        await live.at(call + timedelta(hours=3))       # every deferred message is due again
        await live.at(call + timedelta(hours=6))
        seen["mail"] = {a: Counter(str(m["X-Mailflow-Kind"]) for m in mailbox(dovecot, a))
                        for a in (leaving, bouncing, quitting, *staff, members[0])}
        seen["records"] = {m: await live.daemon.store_io(call_record, m) for m in (leaving, bouncing, quitting)}
        seen["audit"] = await live.daemon.store_io(lambda: [e for e in live.parts.states.audit_entries()
                                                            if e.event is AuditEvent.WITHDRAWN])
        capsys.readouterr()
        assert main(["status", "--config", str(live.toml), "--json", "--now", live.clock.now().isoformat()]) == 0
        seen["status"] = json.loads(capsys.readouterr().out)["outbox"]

    asyncio.run(running(live, scenario))

    assert seen["waiting"] == dict.fromkeys((leaving, bouncing, quitting), State.DEFERRED)
    mail = seen["mail"]
    assert mail[leaving] == Counter({"invitation": 1, "invitation-withdrawn": 1})
    assert mail[bouncing] == Counter({"invitation": 1})
    assert mail[quitting] == Counter({"invitation": 1, "notice-unsubscribed": 1})
    assert mail[members[0]]["call-for-updates"] == 1
    for person in staff:          # staff's alert digests (the one to staff[0] waited behind the 451 too)
        kinds = {kind for m in _inbox(dovecot, person) for kind, _, _ in items_of(m)}
        assert {"alert-member-suspended", "alert-member-unsubscribed"} <= kinds, (person, kinds)
    records = seen["records"]
    assert {m: (r.state, r.last_error) for m, r in records.items()} == {
        leaving: (State.WITHDRAWN, "not sent: departed"),
        bouncing: (State.WITHDRAWN, "not sent: delivery suspended (bounces)"),
        quitting: (State.WITHDRAWN, "not sent: unsubscribed")}
    assert all(r.attempts == 1 for r in records.values())     # the 451, and no attempt after it
    assert sorted(e.member for e in seen["audit"]) == sorted((leaving, bouncing, quitting))
    assert all("call-for-updates" in e.summary and "not sent" in e.summary for e in seen["audit"])
    assert seen["status"]["withdrawn"] == 3
    sent_to = [r for _, rcpts, raw in live.stage.sent() if b"X-Mailflow-Kind: call-for-updates" in raw
               for r in rcpts]
    assert not {leaving, bouncing, quitting} & set(sent_to)


def _inbox(dovecot, user: str) -> list[email.message.EmailMessage]:
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(client.search("ALL"), [b"BODY.PEEK[]"])
    return [email.message_from_bytes(fetched[u][b"BODY[]"], policy=email.policy.default) for u in sorted(fetched)]


def test_the_outbox_paused_alert_says_our_account_is_refused_and_names_no_recipient(dovecot, tmp_path):
    """SMTP refuses our login at the invitation step: once it accepts again, each staff member's digest says the
    outgoing mail server refused the service's own account, with the server's answer, in text and HTML; it is
    not worded as a delivery failure to some recipient ("Mail to  could not be delivered")."""
    live, community = begin(dovecot, tmp_path)
    january = meeting_by_key(load(live.toml), "2027-01-12")
    invitation = january.due_at(Step.INVITATION)
    faults = live.stage.server.faults

    async def scenario() -> None:
        faults.auth_fails = True
        live.clock.set(invitation)
        live.daemon.wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while (await live.daemon.store_io(live.parts.outbox.paused_until)) is None or \
                await live.daemon.store_io(live.parts.outbox.alerts):
            assert loop.time() < deadline, "the outbox did not pause"
            await asyncio.sleep(0.05)
        assert live.stage.sent() == []
        faults.auth_fails = False
        await live.at(invitation + timedelta(hours=2))      # the pause is over: everything goes

    asyncio.run(running(live, scenario))

    for person in community.staff:
        [digest] = [m for m in _inbox(dovecot, person) if m["X-Mailflow-Kind"] == "alert-digest"]
        [(kind, subject, text)] = items_of(digest)
        html = digest.get_body(("html",)).get_content()
        words = " ".join(text.split())
        assert kind == "alert-outbox-paused" and subject == "Outgoing mail paused: the mail server refuses our account"
        assert "the outgoing mail server refuses the service's own account" in words
        assert "535 5.7.8 Authentication credentials invalid" in words
        for rendered in (" ".join(digest.get_body(("plain",)).get_content().split()), " ".join(html.split())):
            assert "Mail to" not in rendered and "could not be delivered" not in rendered
            assert "Delivery failed" not in rendered
        assert "refuses the service" in html and "535 5.7.8" in html
