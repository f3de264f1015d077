"""Roster changes and bounce scoring through the real daemon, Dovecot and aiosmtpd: counted per mailbox."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alertkit import expanded
from cyclestage import NAMES, DovecotStage, write_community

from mailflow.adapters.clock import ManualClock
from mailflow.app.daemon import Daemon
from mailflow.app.wiring import Parts, build_daemon
from mailflow.cli import main
from mailflow.core.delivery import State
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

pytestmark = pytest.mark.timeout(240)


def mailbox(dovecot, user: str) -> list[email.message.EmailMessage]:
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
    return expanded([email.message_from_bytes(fetched[u][b"BODY[]"], policy=email.policy.default)
                     for u in sorted(fetched)])


def raw_of(dovecot, user: str, kind: str) -> bytes:
    """The bytes of the first message of ``kind`` in ``user``'s INBOX (what their mail client would answer)."""
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(client.search("ALL"), [b"BODY.PEEK[]"])
    for uid in sorted(fetched):
        raw = fetched[uid][b"BODY[]"]
        if email.message_from_bytes(raw)["X-Mailflow-Kind"] == kind:
            return raw
    raise AssertionError(f"no {kind} in {user}'s mailbox")


def text_of(msg) -> str:
    """The plain text of ``msg``, its lines joined (the text part is wrapped at 72 columns)."""
    return " ".join(msg.get_body(("plain",)).get_content().split())


def calendar_of(msg) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return part.get_content()


@dataclass
class Live:
    """The daemon on a manual clock, with the community's mailboxes on Dovecot."""

    dovecot: object
    folder: Path
    toml: Path
    stage: DovecotStage
    clock: ManualClock
    daemon: Daemon
    parts: Parts
    addresses: list[str]            # every mailbox to count: members, staff, the minutes recipient

    def counts(self) -> dict[str, Counter]:
        return {a: Counter(str(m["X-Mailflow-Kind"]) for m in mailbox(self.dovecot, a)) for a in self.addresses}

    async def at(self, moment: datetime) -> None:
        self.clock.set(moment)
        self.daemon.wake()
        await self.settle()

    async def settle(self, timeout: float = 60.0) -> None:
        """Until the outbox has nothing waiting or unacknowledged and SMTP has been still a moment."""
        loop = asyncio.get_running_loop()
        deadline, last, still = loop.time() + timeout, -1, loop.time()
        while loop.time() < deadline:
            counts = await self.daemon.store_io(self.parts.outbox.counts)
            alerts = await self.daemon.store_io(self.parts.outbox.alerts)
            sent = len(self.stage.sent())
            if sent != last:
                last, still = sent, loop.time()
            if counts[State.QUEUED] + counts[State.SENDING] == 0 and not alerts and loop.time() - still > 0.5:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the daemon did not settle")

    def set_status(self, address: str, status: str) -> None:
        path = self.folder / "members.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        lines = [_with_status(line, status) if f",{address}," in line else line for line in lines]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def add_member(self, name: str, address: str, joined: str) -> None:
        with (self.folder / "members.csv").open("a", encoding="utf-8") as roster:
            roster.write(f"{name},{address},PMH Facilitator,Cowichan Valley Division,{joined},active,\n")


def _with_status(line: str, status: str) -> str:
    cells = line.rsplit(",", 2)          # ...,joined,STATUS,timezone
    return f"{cells[0]},{status},{cells[2]}"


def begin(dovecot, folder: Path, extra: str = "") -> tuple[Live, object]:
    community = write_community(folder, dovecot, extra=extra)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    config = load(community.toml)
    january = meeting_by_key(config, "2027-01-12")
    clock = ManualClock(january.due_at(Step.INVITATION) - timedelta(minutes=1))
    daemon, parts = build_daemon(config, clock, reload_path=community.toml, environ=stage.environ,
                                 reconcile_seconds=3600.0, stall_after=timedelta(days=365))
    everyone = [*community.members, *community.staff, community.leader]
    return Live(dovecot, folder, community.toml, stage, clock, daemon, parts, everyone), community


async def running(live: Live, scenario) -> None:
    task = asyncio.create_task(live.daemon.run())
    try:
        await live.settle()
        await scenario()
    finally:
        live.daemon.stop()
        await task
        live.daemon.close()
        live.parts.states.close()
        live.stage.close()


def grew(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, dict[str, int]]:
    """What arrived in each mailbox between two counts (mailboxes that got nothing are left out)."""
    diff = {}
    for address, kinds in after.items():
        new = {kind: n - before.get(address, Counter())[kind] for kind, n in kinds.items()
               if n != before.get(address, Counter())[kind]}
        if new:
            diff[address] = new
    return diff


def test_a_departure_an_arrival_a_chair_leaving_and_a_return_each_mail_only_whom_they_concern(dovecot, tmp_path):
    """Mid-cycle: a member leaves (one CANCEL, nothing else); the chair leaves and a member arrives (CANCEL,
    the update naming the next chair to everyone, focus planning to them, staff told, welcome and invitation
    to the newcomer); the first member returns (the invitation, no welcome)."""
    live, community = begin(dovecot, tmp_path)
    members = community.members
    helen, jordan, priya = members[5], members[2], members[3]        # January's chair is members[2]
    zoe = dovecot.new_user()
    live.addresses.append(zoe)
    january = meeting_by_key(load(live.toml), "2027-01-12")
    invited = january.due_at(Step.INVITATION)
    seen: dict[str, dict[str, dict[str, int]]] = {}

    async def scenario() -> None:
        await live.at(invited)
        start = live.counts()
        assert start[jordan]["focus-planning"] == 1 and start[helen]["invitation"] == 1

        live.set_status(helen, "departed")
        live.daemon.reload()
        await live.at(invited + timedelta(hours=2))
        one = live.counts()
        seen["departure"] = grew(start, one)

        live.set_status(jordan, "departed")
        live.add_member("Zoe Newcombe", zoe, invited.date().isoformat())
        live.daemon.reload()
        await live.at(invited + timedelta(hours=4))
        two = live.counts()
        seen["chair"] = grew(one, two)

        live.set_status(helen, "active")
        live.daemon.reload()
        await live.at(invited + timedelta(hours=6))
        seen["return"] = grew(two, live.counts())

    asyncio.run(running(live, scenario))

    assert seen["departure"] == {helen: {"invitation-withdrawn": 1}}
    withdrawn = [m for m in mailbox(dovecot, helen) if m["X-Mailflow-Kind"] == "invitation-withdrawn"][0]
    ics = calendar_of(withdrawn)
    assert "METHOD:CANCEL" in ics and "SEQUENCE:1" in ics and "2027-01-12" in ics.replace("20270112", "2027-01-12")

    stayed = [m for m in members[:-1] if m not in (helen, jordan)]
    expected = {jordan: {"invitation-withdrawn": 1}, zoe: {"welcome": 1, "invitation": 1},
                **{m: {"invitation": 1} for m in stayed}, **{s: {"alert-chair-changed": 1} for s in community.staff}}
    expected[priya] = {"invitation": 1, "focus-planning": 1}
    assert seen["chair"] == expected
    update = [m for m in mailbox(dovecot, members[0]) if m["X-Mailflow-Kind"] == "invitation"][-1]
    assert "SEQUENCE:2" in calendar_of(update) and "Chair: " + NAMES[3][0] in calendar_of(update)
    alert = [m for m in mailbox(dovecot, community.staff[0]) if m["X-Mailflow-Kind"] == "alert-chair-changed"][0]
    text = " ".join(alert.get_body(("plain",)).get_content().split())
    assert f"new chair: {NAMES[3][0]}" in text and f"{NAMES[2][0]} has left the roster" in text

    assert seen["return"] == {helen: {"invitation": 1}}
    assert "SEQUENCE:3" in calendar_of([m for m in mailbox(dovecot, helen) if m["X-Mailflow-Kind"] == "invitation"][-1])

    code = main(["plan", "--config", str(live.toml), "--now", invited.isoformat(), "--count", "2", "--json"])
    assert code == 0


def test_bounce_scoring_suspends_at_the_threshold_tells_staff_once_is_re_enabled_and_expires(dovecot, tmp_path,
                                                                                          capsys):
    """A member refused at RCPT on three days is suspended (staff told once with the evidence, no more mail);
    `mailflow member enable` beside the running daemon brings the invitation back; a lone bounce expires."""
    live, community = begin(dovecot, tmp_path)
    members = community.members
    grace, sally = members[6], members[8]
    faults = live.stage.server.faults
    faults.rcpt[grace] = f"550 5.1.1 <{grace}>: Recipient address rejected: User unknown"
    faults.rcpt[sally] = [f"550 5.1.1 <{sally}>: mailbox disabled"]          # refused once only
    january = meeting_by_key(load(live.toml), "2027-01-12")
    status: dict[str, dict] = {}

    def read_status(name: str) -> None:
        capsys.readouterr()
        assert main(["status", "--config", str(live.toml), "--json", "--now", live.clock.now().isoformat()]) == 0
        status[name] = json.loads(capsys.readouterr().out)["bounces"]

    async def scenario() -> None:
        for step in (Step.INVITATION, Step.CALL_FOR_UPDATES, Step.REMINDER):
            await live.at(january.due_at(step))
            await live.at(january.due_at(step) + timedelta(hours=3))     # the same day again: not counted twice
        read_status("suspended")
        await live.at(january.due_at(Step.AGENDA_PACKET))
        del faults.rcpt[grace]
        capsys.readouterr()
        assert main(["member", "enable", grace, "--config", str(live.toml)]) == 0
        status["enable"] = {"said": capsys.readouterr().out}
        await live.at(january.due_at(Step.AGENDA_PACKET) + timedelta(minutes=5))
        read_status("enabled")
        status["enabled"]["rcpt"] = live.stage.server.handler.rcpt_commands.count(grace)
        status["enabled"]["mail"] = Counter(str(m["X-Mailflow-Kind"]) for m in mailbox(dovecot, grace))
        await live.at(january.due_at(Step.INVITATION) + timedelta(days=92))
        read_status("expired")

    asyncio.run(running(live, scenario))

    assert status["enabled"]["rcpt"] == 4        # invitation, call, reminder refused; after enabling: invitation
    suspended = status["suspended"]["suspended"]
    assert [(s["email"], s["score"], len(s["evidence"])) for s in suspended] == [(grace, 3, 3)]
    assert all("Recipient address rejected" in e["detail"] for e in suspended[0]["evidence"])
    assert [(s["email"], s["score"]) for s in status["suspended"]["scores"]] == [(sally, 1)]
    for staff in community.staff:
        alerts = [m for m in mailbox(dovecot, staff) if m["X-Mailflow-Kind"] == "alert-member-suspended"]
        assert len(alerts) == 1
        text = " ".join(alerts[0].get_body(("plain",)).get_content().split())
        assert "bounced on 3 days" in text and text.count("Recipient address rejected") == 3
        assert f"mailflow member enable {grace}" in text
        assert not [m for m in mailbox(dovecot, staff) if m["X-Mailflow-Kind"] == "alert-delivery-failed"]
    assert "re-enables" in status["enable"]["said"]
    assert status["enabled"]["mail"] == Counter({"invitation": 1})     # sent once she was re-enabled
    assert status["enabled"]["suspended"] == []
    assert status["expired"] == {"threshold": 3, "suspended": [], "scores": []}


def test_a_member_who_leaves_before_the_packet_takes_their_update_out_of_the_agenda(dovecot, tmp_path, capsys):
    """Two members send updates; one leaves the roster before the agenda draft: the draft and the packet carry
    only the other's update (and count one), while the meeting's state keeps both and status names who left."""
    live, community = begin(dovecot, tmp_path)
    members = community.members
    tom, helen, reader, chair = members[4], members[5], members[0], members[2]
    january = meeting_by_key(load(live.toml), "2027-01-12")
    call = january.due_at(Step.CALL_FOR_UPDATES)
    seen: dict[str, object] = {}
    words = {tom: "Success: the Thompson snowshoe clinic opened its doors.",
             helen: "Challenge: the South Island ferry schedule keeps moving our huddles."}

    async def scenario() -> None:
        await live.at(january.due_at(Step.INVITATION))
        await live.at(call)
        for member, name in ((tom, "Tom Whitehorse"), (helen, "Dr. Helen Cho")):
            got = read(raw_of(dovecot, member, "call-for-updates"))
            live.stage.deliver(Persona(name, member, "gmail").reply(got, words[member], live.clock.now()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while len((await live.daemon.store_io(live.parts.states.meeting, january.key)).updates) < 2:
            assert loop.time() < deadline, "the updates were not recorded"
            await asyncio.sleep(0.1)
        await live.settle()
        live.set_status(tom, "departed")
        live.daemon.reload()
        await live.at(call + timedelta(hours=1))
        await live.at(january.due_at(Step.AGENDA_DRAFT))
        await live.at(january.due_at(Step.AGENDA_PACKET))
        seen["kept"] = [u.member_email for u in (await live.daemon.store_io(live.parts.states.meeting,
                                                                             january.key)).updates]
        capsys.readouterr()
        assert main(["status", "--config", str(live.toml), "--meeting", january.key, "--json",
                     "--now", live.clock.now().isoformat()]) == 0
        seen["status"] = json.loads(capsys.readouterr().out)["meetings"][0]

    asyncio.run(running(live, scenario))

    draft = text_of([m for m in mailbox(dovecot, chair) if m["X-Mailflow-Kind"] == "agenda-draft"][-1])
    packet = text_of([m for m in mailbox(dovecot, reader) if m["X-Mailflow-Kind"] == "agenda-packet"][-1])
    for text in (draft, packet):
        assert "ferry schedule keeps moving" in text and "Roundtable (1 update," in text
        assert "snowshoe" not in text and "Tom Whitehorse" not in text
    assert not [m for m in mailbox(dovecot, tom) if m["X-Mailflow-Kind"] in ("agenda-draft", "agenda-packet")]
    assert sorted(seen["kept"]) == sorted((tom, helen))              # kept in the state, for staff
    assert seen["status"]["replied"] == ["Dr. Helen Cho", "Tom Whitehorse"]
    assert seen["status"]["replied_left"] == ["Tom Whitehorse"]
