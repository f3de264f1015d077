"""A calendar reply needs the same proof as any reply: a reply token, or our server's DMARC/DKIM pass.

On Dovecot + aiosmtpd with the daemon running: each member's invitation names a tokened ORGANIZER,
so Outlook's and Google's Accept/Decline (which answer the organizer without threading) are
attributed; a forged METHOD:REPLY from a member's address to the plain service address with the
meeting's UID (which every invitation shows) is held and changes no RSVP.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import replace
from datetime import timedelta

import pytest
from cyclestage import DovecotStage, write_community

from mailflow.adapters.clock import ManualClock
from mailflow.app.wiring import build_daemon
from mailflow.core.intent import Rsvp
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read
from mailflow_demo.rehearsal import _quiet

AUTHSERV = "mx.test-cop.example"


def forged_reply(member: str, to: str, uid: str, partstat: str, auth: str = "") -> bytes:
    """A bare iMIP REPLY as an attacker writes it: the member's From, the meeting's UID, no token, no thread."""
    ics = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REPLY", "BEGIN:VEVENT",
                       f"ATTENDEE;PARTSTAT={partstat}:mailto:{member}", f"ORGANIZER:mailto:{to}",
                       f"UID:{uid}", "SEQUENCE:0", "DTSTAMP:20261222T100000Z", "END:VEVENT", "END:VCALENDAR", ""])
    headers = f"Authentication-Results: {auth}\r\n" if auth else ""
    return (f"{headers}From: {member}\r\nTo: {to}\r\nSubject: Declined: meeting\r\n"
            f"Message-ID: <forged-{partstat}-{len(auth)}@attacker.example>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: text/calendar; method=REPLY; charset="utf-8"\r\n\r\n{ics}').encode()


@pytest.fixture(scope="module")
def calendar_run(dovecot, tmp_path_factory):
    folder = tmp_path_factory.mktemp("calendar")
    community = write_community(folder, dovecot)
    community.toml.write_text(community.toml.read_text().replace(
        'list_id = "test-cop.example.test"', f'list_id = "test-cop.example.test"\nauthserv_id = "{AUTHSERV}"'))
    config = load(community.toml)
    stage = DovecotStage(dovecot, community.service)
    members = list(config.roster.active())
    seen: dict[str, object] = {}

    async def scenario() -> None:
        meeting = meeting_by_key(config, "2027-01-12")
        cfg = replace(config, imap=stage.imap, smtp=stage.smtp)
        clock = ManualClock(meeting.due_at(Step.INVITATION))
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
            invitations = {rcpts[0]: raw for _f, rcpts, raw in stage.sent() if b"X-Mailflow-Kind: invitation" in raw}
            got = read(invitations[members[0].email])
            seen["organizer"] = got.ics_organizer
            uid = got.ics_uid or ""
            domain = members[1].email.rpartition("@")[2]
            # 1. Outlook's Accept, to the ORGANIZER of that member's copy: attributed by its token
            await deliver(Persona(members[0].name, members[0].email, "outlook").calendar_reply(got, "ACCEPTED",
                                                                                            clock.now()))
            # 2. forged: plain service address, no token, no thread
            await deliver(forged_reply(members[1].email, community.service, uid, "DECLINED"))
            # 3. forged with a dkim=pass for another domain, and a foreign server's dmarc=pass
            await deliver(forged_reply(members[2].email, community.service, uid, "DECLINED",
                                       f"{AUTHSERV}; dkim=pass header.d=attacker.example; dmarc=none"))
            await deliver(forged_reply(members[3].email, community.service, uid, "DECLINED",
                                       f"mx.evil.example; dmarc=pass header.from={domain}"))
            # 4. our server vouches for the sender's domain (DMARC pass): a bare calendar reply counts
            await deliver(forged_reply(members[4].email, community.service, uid, "TENTATIVE",
                                       f"{AUTHSERV}; spf=pass; dkim=pass header.d={domain}; dmarc=pass "
                                       f"header.from={domain}"))
            # 5. a forger who quotes another member's tokened ORGANIZER: the token is not theirs
            await deliver(forged_reply(members[5].email, got.ics_organizer.removeprefix("mailto:"), uid, "DECLINED"))
            seen["state"] = await daemon.store_io(parts.states.meeting, meeting.key)
            seen["held"] = await daemon.store_io(parts.states.held)
        finally:
            daemon.stop()
            await runner
            daemon.close()
            parts.states.close()

    try:
        asyncio.run(scenario())
    finally:
        stage.close()
    return community, members, seen, stage


def test_each_members_invitation_names_a_tokened_organizer(calendar_run):
    """The ORGANIZER of each member's copy is the service address with that member's reply token."""
    community, members, seen, stage = calendar_run
    local, domain = community.service.split("@")
    organizers = set()
    for _f, _rcpts, raw in stage.sent():
        if b"X-Mailflow-Kind: invitation" in raw:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            reply_to = msg["Reply-To"].addresses[0].addr_spec
            organizer = read(raw).ics_organizer.removeprefix("mailto:")
            assert organizer == reply_to and organizer.startswith(local + "+") and organizer.endswith("@" + domain)
            organizers.add(organizer)
    assert len(organizers) == len(members)


def test_a_forged_calendar_reply_is_held_and_changes_no_rsvp(calendar_run):
    """Forged METHOD:REPLY (no token; another domain's DKIM; a foreign DMARC; another's token): held, no RSVP."""
    community, members, seen, stage = calendar_run
    rsvps = dict(seen["state"].rsvps)
    assert rsvps.get(members[0].key) is Rsvp.ACCEPTED               # the real Accept button
    assert rsvps.get(members[4].key) is Rsvp.TENTATIVE              # our server's DMARC pass
    for forged in (members[1], members[2], members[3], members[5]):
        assert forged.key not in rsvps
    held = {h.sender for h in seen["held"]}
    assert {members[1].email, members[2].email, members[3].email, members[5].email} <= held
