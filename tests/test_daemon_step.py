"""While a 1,000-member step is composed and stored, the daemon keeps delivering and reading mail."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from harness_smtp import SMTP_PASSWORD, RecordingHandler, SmtpServer
from largecommunity import write_large_community

from mailflow.adapters.clock import ManualClock
from mailflow.app.wiring import build_daemon
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

MEMBERS = 1_000
SECRET = "step-test-secret-0123456789abcdef"


def community(folder: Path, service: str, imap_port: int, smtp_port: int) -> Path:
    """A 1,000-member community whose service mailbox is on the test Dovecot."""
    return write_large_community(folder, members=MEMBERS, name="Large Community of Practice", secret_prefix="STEP",
                                 service=service, imap_port=imap_port, smtp_port=smtp_port)


class Stamping(RecordingHandler):
    """Records each message with the moment the server took it."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.at.append(time.monotonic())
        return await super().handle_DATA(server, session, envelope)


class Timeline:
    """When the step ran on the store thread, and when the intake read the waiting message."""

    def __init__(self) -> None:
        self.step: list[float] = []
        self.read: list[float] = []
        self.lock = threading.Lock()

    def wrap(self, engine: object, name: str, stamps: list[float], *, around: bool) -> None:
        inner = getattr(engine, name)

        def stamped(*args: object) -> object:
            with self.lock:
                stamps.append(time.monotonic())
            try:
                return inner(*args)
            finally:
                if around:
                    with self.lock:
                        stamps.append(time.monotonic())

        setattr(engine, name, stamped)


@pytest.mark.timeout(300)
def test_mail_is_delivered_and_read_while_a_large_step_is_stored(dovecot, tmp_path: Path) -> None:
    """During the invitation to 1,000 members, invitations already stored go out and a member's
    waiting reply is read; every member gets exactly one invitation and the reply is recorded."""
    handler = Stamping()
    server = SmtpServer(handler=handler).start()
    service = dovecot.new_user()
    dovecot.deliver(service, b"From: Member 7 <m0007@members.example.org>\r\nTo: " + service.encode()
                    + b"\r\nSubject: question about the next meeting\r\nMessage-ID: <q7@members.example.org>\r\n"
                    b"\r\nWill there be a recording?\r\n")
    try:
        config = load(community(tmp_path, service, dovecot.port, server.port))
        due = meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION)
        environ = {"STEP_IMAP_PASSWORD": dovecot.password, "STEP_SMTP_PASSWORD": SMTP_PASSWORD,
                   "MAILFLOW_SECRET": SECRET}
        daemon, parts = build_daemon(config, ManualClock(due + timedelta(minutes=1)), environ=environ)
        timeline = Timeline()
        timeline.wrap(parts.engine, "tick", timeline.step, around=True)
        timeline.wrap(parts.engine, "read", timeline.read, around=False)

        def invitations() -> Counter[str]:
            return Counter(r.rcpt_tos[0] for r in server.received if b"X-Mailflow-Kind: invitation" in r.data)

        async def run() -> None:
            task = asyncio.create_task(daemon.run())
            while len(invitations()) < MEMBERS or parts.engine.messages_seen < 1:
                assert not task.done(), "the daemon stopped"
                await asyncio.sleep(0.05)
            daemon.stop()
            await task

        try:
            asyncio.run(asyncio.wait_for(run(), 240))
        finally:
            daemon.close()
            parts.states.close()
    finally:
        server.stop()
    step_start, step_end = timeline.step[0], timeline.step[1]
    assert any(step_start < at < step_end for at in handler.at), "nothing was delivered while the step was stored"
    assert any(step_start < at < step_end for at in timeline.read), "the waiting reply was not read during the step"
    assert set(invitations().values()) == {1} and len(invitations()) == MEMBERS
    assert parts.engine.messages_seen == 1
