"""Crash safety: a real outbox process killed with SIGKILL mid-delivery, then restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
from harness_smtp import ManualClock, SmtpServer, outgoing_message

import mailflow
from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import Outbox
from mailflow.core.delivery import State
from mailflow.ports import OutboxRecord

# The child delivers the outbox through the real SmtpSender. With "after-250" it wraps the sender at
# our own seam: once the server's 250 is in, it says so on stdout and stalls, so the parent's SIGKILL
# lands exactly between the 250 and the SENT record.
CHILD = """
import asyncio, sys, time
from datetime import datetime, timezone
from pathlib import Path
from mailflow.schedule.config import SmtpSettings, Tls
from mailflow.adapters.clock import ManualClock
from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import Outbox

state, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
settings = SmtpSettings("127.0.0.1", port, Tls.NONE, "", allow_plaintext=True, max_connections=1)
now = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)

class StallAfter250:
    def __init__(self, inner):
        self.inner = inner
        self.parallelism = 1
    async def send(self, message):
        reply = await self.inner.send(message)
        print("GOT 250", flush=True)
        time.sleep(60)
        return reply

async def main():
    store = Store.open(Path(state))
    sender = SmtpSender(settings, "", envelope_from="cop@example.test")
    seam = StallAfter250(sender) if mode == "after-250" else sender
    print("READY", flush=True)
    await Outbox(TinyDBOutboxQueue(store), ManualClock(now)).deliver_due(seam, now)

asyncio.run(main())
"""


def run_child(state: Path, server: SmtpServer, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(mailflow.__file__).parents[1])}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(state), str(server.port), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def restart_and_deliver(state: Path, server: SmtpServer) -> list[OutboxRecord]:
    """A new process's view: open the store, drain once, return every record."""

    async def run(outbox: Outbox) -> None:
        async with SmtpSender(server.settings(user=""), "", envelope_from="cop@example.test") as sender:
            await outbox.deliver_due(sender, datetime(2027, 1, 4, 9, 0, tzinfo=UTC))

    with Store.open(state) as store:
        outbox = Outbox(TinyDBOutboxQueue(store), ManualClock())
        asyncio.run(run(outbox))
        return list(outbox.records())


@pytest.mark.parametrize("mode", ["after-250", "before-250"])
def test_sigkill_mid_delivery_gives_at_most_one_identical_resend(tmp_path: Path, smtp_server: SmtpServer,
                                                                 mode: str) -> None:
    """Killed after the server got the message (before or after its 250): restart resends it at most once, byte-identical."""
    state = tmp_path / "state"
    message = outgoing_message("ann@example.test", 1)
    with Store.open(state) as store:
        Outbox(TinyDBOutboxQueue(store), ManualClock()).enqueue([message])
    arrived = threading.Event()
    smtp_server.faults.data_arrived = arrived
    if mode == "before-250":
        smtp_server.faults.release_data = threading.Event()   # the server holds its reply
    child = run_child(state, smtp_server, mode)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "READY\n"
        if mode == "after-250":
            assert child.stdout.readline() == "GOT 250\n"
        else:
            assert arrived.wait(30)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        child.kill()
        child.communicate()
    smtp_server.faults.release_data = None
    assert len(smtp_server.received) == 1

    [record] = restart_and_deliver(state, smtp_server)
    assert (record.message_id, record.state) == (message.message_id, State.SENT)
    copies = [r.data for r in smtp_server.received]
    assert len(copies) == 2 and set(copies) == {message.raw}
    assert {BytesHeaderParser().parsebytes(c)["Message-ID"] for c in copies} == {message.message_id}

    assert restart_and_deliver(state, smtp_server) == [record]   # a further restart sends nothing more
    assert len(smtp_server.received) == 2
