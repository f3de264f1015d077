"""Throughput: the outbox (persist, claim, send, record) against raw aiosmtplib on the same connections."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiosmtplib
from harness_smtp import ManualClock, SmtpServer, outgoing_message

from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import Outbox
from mailflow.core.message import OutgoingMessage

MESSAGES = 400
CONNECTIONS = 4


async def raw_send(server: SmtpServer, messages: list[OutgoingMessage]) -> float:
    """The floor: aiosmtplib sendmail of the same bytes, split over CONNECTIONS connections."""

    async def one_connection(share: list[OutgoingMessage]) -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=False) as client:
            for message in share:
                await client.sendmail("cop@example.test", [message.recipient], message.raw)

    started = time.perf_counter()
    await asyncio.gather(*(one_connection(messages[i::CONNECTIONS]) for i in range(CONNECTIONS)))
    return time.perf_counter() - started


def test_outbox_keeps_a_useful_share_of_raw_smtp_throughput(smtp_server: SmtpServer, tmp_path: Path,
                                                            capsys: object) -> None:
    """Through the outbox, every message is persisted and recorded twice, yet throughput stays within 8x of raw SMTP."""
    outgoing = [outgoing_message(f"m{i}@example.test", i) for i in range(MESSAGES)]
    raw_seconds = asyncio.run(raw_send(smtp_server, outgoing))

    with Store.open(tmp_path / "state") as store:
        clock = ManualClock()
        outbox = Outbox(TinyDBOutboxQueue(store), clock)
        started = time.perf_counter()
        outbox.enqueue(outgoing)
        enqueue_seconds = time.perf_counter() - started

        async def drain() -> int:
            settings = smtp_server.settings(user="", max_connections=CONNECTIONS)
            async with SmtpSender(settings, "", envelope_from="cop@example.test") as sender:
                return len((await outbox.deliver_due(sender, clock.now())).sent)

        started = time.perf_counter()
        assert asyncio.run(drain()) == MESSAGES
        drain_seconds = time.perf_counter() - started

    assert len(smtp_server.received) == 2 * MESSAGES
    raw_rate, drain_rate = MESSAGES / raw_seconds, MESSAGES / drain_seconds
    total_rate = MESSAGES / (enqueue_seconds + drain_seconds)
    with capsys.disabled():  # type: ignore[attr-defined]
        print(f"\n{MESSAGES} msgs, {CONNECTIONS} connections: raw aiosmtplib {raw_rate:.0f}/s; "
              f"outbox drain {drain_rate:.0f}/s; enqueue+drain {total_rate:.0f}/s "
              f"(enqueue {MESSAGES / enqueue_seconds:.0f}/s)")
    assert total_rate > raw_rate / 8
