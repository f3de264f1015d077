"""Measures through the real daemon in this process: send (a step composed and delivered) and loop lag."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import data
from harness_smtp import SMTP_PASSWORD, SMTP_USER, RecordingHandler, SmtpServer
from measures import Result

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.daemon import Daemon
from mailflow.app.outbox import Outbox
from mailflow.app.wiring import Parts, build_daemon
from mailflow.core.message import OutgoingMessage
from mailflow.ports import ComposeJob, ComposeWorker
from mailflow.schedule.config import Config, Step
from mailflow_demo.personas import read

LAG_INTERVAL = 0.005     # the probe sleeps this long and notes how late it wakes


def environ(imap_password: str = "unused") -> dict[str, str]:
    return {"BENCH_SMTP_PASSWORD": SMTP_PASSWORD, "BENCH_IMAP_PASSWORD": imap_password,
            "MAILFLOW_SECRET": data.SECRET.decode()}


@dataclass
class LagProbe:
    """How late the event loop runs a task that asked to wake after LAG_INTERVAL (what every
    SMTP reply, IMAP notice and signal waits behind)."""

    samples: list[float] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            began = loop.time()
            await asyncio.sleep(LAG_INTERVAL)
            self.samples.append(max(0.0, loop.time() - began - LAG_INTERVAL))

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Timed:
    """Seconds spent in each engine call the daemon makes on its store thread (wrapped in place)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def wrap(self, engine: object, name: str) -> None:
        inner = getattr(engine, name)

        def timed(*args: object) -> object:
            began = time.perf_counter()
            try:
                return inner(*args)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began

        setattr(engine, name, timed)


async def run_until(daemon: Daemon, done: Callable[[], bool], timeout: float,
                    probe: LagProbe | None = None) -> float:
    """Run the daemon until ``done()``; return the seconds from its start. The daemon is stopped after."""
    stop_probe = asyncio.Event()
    probe_task = asyncio.create_task(probe.run(stop_probe)) if probe else None
    began = time.perf_counter()
    task = asyncio.create_task(daemon.run())
    try:
        while not done():
            if task.done():
                task.result()
                raise RuntimeError("the daemon stopped before the work was done")
            if time.perf_counter() - began > timeout:
                raise TimeoutError(f"not done within {timeout:.0f} s")
            await asyncio.sleep(0.005)
        return time.perf_counter() - began
    finally:
        stop_probe.set()
        daemon.stop()
        await task
        if probe_task is not None:
            await probe_task


def daemon_for(config: Config, clock: ManualClock, imap_password: str | None) -> tuple[Daemon, Parts]:
    return build_daemon(config, clock, with_intake=imap_password is not None, environ=environ(imap_password or ""))


async def raw_floor(port: int, messages: list[tuple[str, bytes]], connections: int, sender: str) -> float:
    """aiosmtplib sendmail of the same persisted bytes, split over ``connections`` connections (AUTH as ours)."""
    import aiosmtplib

    async def one(share: list[tuple[str, bytes]]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, username=SMTP_USER, password=SMTP_PASSWORD,
                                 start_tls=False)
        await client.connect()
        for rcpt, raw in share:
            await client.sendmail(sender, [rcpt], raw)
        await client.quit()

    shares = [messages[i::connections] for i in range(connections)]
    start = time.perf_counter()
    await asyncio.gather(*(one(s) for s in shares if s))
    return time.perf_counter() - start


class Arrivals:
    """How many messages of one kind aiosmtpd has received, counted as they come (each message looked at
    once: polling must not rescan every message, it shares the process and its GIL with the server)."""

    def __init__(self, server: SmtpServer, kind: bytes) -> None:
        self.server, self.marker = server, b"X-Mailflow-Kind: " + kind
        self.looked = 0
        self.count = 0

    def __call__(self) -> int:
        received = self.server.received
        new = received[self.looked:len(received)]
        self.looked += len(new)
        self.count += sum(1 for r in new if self.marker in r.data)
        return self.count


# --- send ---------------------------------------------------------------------------------------


def measure_send(work: Path, members: int) -> Result:
    """Invitations/s through the daemon: its first tick composes N (render, iCalendar, outbox), its
    outbox delivers them to aiosmtpd; timed from the daemon's start to the last message received."""
    server = SmtpServer(handler=RecordingHandler()).start()
    try:
        community = data.write_community(work / "send", members=members, smtp_port=server.port)
        config = data.load_config(community.toml)
        due = data.meeting(config, "2027-01-12").due_at(Step.INVITATION)
        clock = ManualClock(due)
        daemon, parts = daemon_for(config, clock, None)
        timed = Timed()
        timed.wrap(parts.engine, "tick")
        in_worker = count_worker_jobs(parts)
        try:
            invitations = Arrivals(server, b"invitation")
            seconds = asyncio.run(run_until(daemon, lambda: invitations() >= members, 600))
        finally:
            daemon.close()
        records = [r for r in parts.outbox.records() if r.state == "sent"]
        persisted = [OutgoingMessage(r.message_id, r.recipient, r.kind, r.meeting_key, parts.outbox.raw(r), r.mail_from)
                     for r in records]
        messages = [(m.recipient, m.raw) for m in persisted]
        parts.states.close()
        connections = config.smtp.max_connections
        server.handler.received.clear()
        floor_s = asyncio.run(raw_floor(server.port, messages, connections, community.service))
        server.handler.received.clear()
        outbox_s = asyncio.run(outbox_only(work / "send-outbox", config, persisted))
    finally:
        server.stop()
    sent = len(messages)
    value, floor = sent / seconds, sent / floor_s
    outbox_rate = sent / outbox_s
    compose_s = timed.seconds.get("tick", 0.0)
    met = value / floor >= 0.5 and value >= 100
    return Result("send", value, "msgs/s", "ratio >= 0.5; >= 100 msgs/s", met, floor, {
        "floor_is": f"aiosmtplib sendmail of the same bytes over {connections} connections (AUTH)",
        "members": members, "sent": sent, "connections": connections, "seconds": round(seconds, 3),
        "compose_s": round(compose_s, 3), "deliver_after_compose_s": round(seconds - compose_s, 3),
        "compose_only_msgs_s": round(sent / compose_s, 1) if compose_s else None,
        "composed_in_worker": in_worker[0],
        "median_bytes": statistics.median(len(raw) for _, raw in messages),
        "outbox_only": {"msgs_s": round(outbox_rate, 1), "ratio": round(outbox_rate / floor, 3),
                        "is": "the same bytes enqueued into a fresh outbox, then one deliver_due through SmtpSender "
                              "(persist, claim, send, record each outcome), in this thread, against the same floor"},
        "through": "the daemon (store thread + event loop), as `mailflow run` runs",
    })


def count_worker_jobs(parts: Parts) -> list[int]:
    """How many messages the step hands to the composing worker (the rest is composed on the store thread)."""
    counted = [0]
    start = parts.engine.outgoing.workers
    assert start is not None

    def counting(config: Config, secret: bytes) -> ComposeWorker:
        worker = start(config, secret)
        submit = worker.submit

        def counted_submit(jobs: Sequence[ComposeJob]) -> Future[list[OutgoingMessage]]:
            counted[0] += len(jobs)
            return submit(jobs)

        worker.submit = counted_submit  # type: ignore[method-assign]
        return worker

    parts.engine.outgoing.workers = counting
    return counted


async def outbox_only(folder: Path, config: Config, messages: list[OutgoingMessage]) -> float:
    """Seconds to enqueue ``messages`` into a fresh outbox and deliver them all through SmtpSender."""
    with Store.open(folder / "state") as store:
        outbox = Outbox(TinyDBOutboxQueue(store), ManualClock(datetime(2027, 1, 4, tzinfo=UTC)))
        start = time.perf_counter()
        outbox.enqueue(messages)
        async with SmtpSender(config.smtp, SMTP_PASSWORD, envelope_from=config.community.address) as sender:
            report = await outbox.deliver_due(sender, outbox.clock.now())
        seconds = time.perf_counter() - start
    if len(report.sent) != len(messages):
        raise RuntimeError(f"the outbox sent {len(report.sent)} of {len(messages)}")
    return seconds


# --- loop lag -----------------------------------------------------------------------------------


def measure_loop_lag(work: Path, dovecot, members: int, replies: int) -> Result:  # type: ignore[no-untyped-def]
    """p99 event-loop lag while the daemon composes and sends a ``members``-member invitation and
    ``replies`` members answer it (LMTP into the service's Dovecot mailbox, read by the intake)."""
    from mailbox import lmtp_deliver

    server = SmtpServer(handler=RecordingHandler()).start()
    service = dovecot.new_user()
    try:
        community = data.write_community(work / "lag", members=members, smtp_port=server.port, service=service,
                                         imap_port=dovecot.port)
        config = data.load_config(community.toml)
        due = data.meeting(config, "2027-01-12").due_at(Step.INVITATION)
        clock = ManualClock(due)
        daemon, parts = daemon_for(config, clock, dovecot.password)
        answering = Answerer(config, server, dovecot, service, replies, due + timedelta(hours=1), lmtp_deliver)
        probe = LagProbe()
        invitations = Arrivals(server, b"invitation")
        try:
            thread = threading.Thread(target=answering.run, name="answerer", daemon=True)
            thread.start()
            seconds = asyncio.run(run_until(
                daemon, lambda: (invitations() >= members
                                 and parts.engine.messages_seen >= replies), 600, probe))
            answering.stop.set()
            thread.join(10)
        finally:
            daemon.close()
        parts.states.close()
    finally:
        server.stop()
    p99 = probe.percentile(0.99)
    return Result("loop_lag", p99 * 1e3, "ms (p99)", "p99 <= 50 ms", p99 <= 0.050, None, {
        "p50_ms": round(probe.percentile(0.5) * 1e3, 2), "p95_ms": round(probe.percentile(0.95) * 1e3, 2),
        "max_ms": round(max(probe.samples, default=0.0) * 1e3, 2), "samples": len(probe.samples),
        "probe": f"a task sleeping {LAG_INTERVAL * 1e3:.0f} ms, lateness noted",
        "members": members, "replies_applied": parts.engine.messages_seen, "seconds": round(seconds, 2),
    })


class Answerer:
    """Plays the first ``count`` members: answers their invitation once it arrives over SMTP."""

    def __init__(self, config: Config, server: SmtpServer, dovecot, service: str, count: int,  # type: ignore[no-untyped-def]
                 now, deliver) -> None:  # type: ignore[no-untyped-def]
        self.config, self.server, self.dovecot, self.service = config, server, dovecot, service
        self.members = [data.member_address(n) for n in range(1, count + 1)]
        self.now, self.deliver = now, deliver
        self.stop = threading.Event()

    def run(self) -> None:
        import random

        rng = random.Random(5)
        waiting = set(self.members)
        while waiting and not self.stop.is_set():
            for received in list(self.server.received):
                rcpt = received.rcpt_tos[0]
                if rcpt in waiting and b"X-Mailflow-Kind: invitation" in received.data:
                    waiting.discard(rcpt)
                    index = self.members.index(rcpt)
                    raw = data.reply_to(read(received.data), data.persona_for(self.config, rcpt, index), rng,
                                        self.now, 50_000 + index)
                    self.deliver(self.dovecot, self.service, [raw])
            time.sleep(0.02)
