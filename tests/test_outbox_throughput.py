"""A large drain through the outbox (persist, claim, send, record) over parallel connections.

How fast it goes is measured in bench/ (`send`, and its `outbox_only` part, against aiosmtplib
`sendmail` of the same bytes); here, what a large drain must do whatever its speed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from harness_smtp import ManualClock, SmtpServer, outgoing_message

from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import Outbox
from mailflow.core.delivery import State

MESSAGES = 400
CONNECTIONS = 4
MEETINGS = ("2027-01-12", "2027-02-09", "2027-03-09")


def test_a_large_drain_delivers_every_message_once_as_persisted_and_records_it(smtp_server: SmtpServer,
                                                                               tmp_path: Path) -> None:
    """400 messages of three meetings over 4 connections: each reaches its recipient once, byte for byte as
    persisted, every record ends SENT, outcomes are written in rounds (not one write per message), and a
    second drain sends nothing."""
    outgoing = [outgoing_message(f"m{i}@example.test", i, meeting_key=MEETINGS[i % len(MEETINGS)])
                for i in range(MESSAGES)]
    with Store.open(tmp_path / "state") as store:
        clock = ManualClock()
        outbox = Outbox(TinyDBOutboxQueue(store), clock)
        assert len(outbox.enqueue(outgoing)) == MESSAGES
        writes_before = store.writes

        async def drain() -> tuple[int, int]:
            settings = smtp_server.settings(user="", max_connections=CONNECTIONS)
            async with SmtpSender(settings, "", envelope_from="cop@example.test") as sender:
                first = await outbox.deliver_due(sender, clock.now())
                again = await outbox.deliver_due(sender, clock.now())
            return len(first.sent), again.attempted

        sent, resent = asyncio.run(drain())
        drain_writes = store.writes - writes_before
        states = Counter(record.state for record in outbox.records())

    assert sent == MESSAGES and resent == 0
    assert states == {State.SENT: MESSAGES}
    by_recipient = Counter(r.rcpt_tos for r in smtp_server.received)
    assert by_recipient == Counter((m.recipient,) for m in outgoing)          # each once, one recipient each
    assert sorted(r.data for r in smtp_server.received) == sorted(m.raw for m in outgoing)
    assert 1 < smtp_server.handler.max_active <= CONNECTIONS
    assert drain_writes <= MESSAGES // 2      # claims in chunks, outcomes in rounds: not a write per message
