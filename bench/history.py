"""A community with years of history on disk, and what it costs: daemon restart, outbox wake, status.

The history is real where it matters: one meeting's whole cycle runs through the engine (every step,
a reply from each member, PDFs shared, every message marked delivered); the other meetings are
copies of it under their own keys, reply hashes, Message-IDs and file names.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import checkout
import data
from daemonrun import environ
from measures import Result, compile_bytecode

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app import status
from mailflow.app.daemon import Daemon
from mailflow.app.wiring import open_parts
from mailflow.schedule.calendar import occurrences
from mailflow.schedule.config import Config, Step

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class History:
    """A state folder with ``meetings`` past meetings, and the instant the daemon restarts at."""

    toml: Path
    config: Config
    now: datetime
    meetings: int
    files: int


def build(folder: Path, *, meetings: int, members: int, service: str, imap_port: int, smtp_port: int) -> History:
    community = data.write_community(folder, members=members, service=service, imap_port=imap_port,
                                     smtp_port=smtp_port)
    config = data.load_config(community.toml)
    schedule = occurrences(config, after=data.meeting(config, data.FIRST_MEETING).start - timedelta(days=1),
                           count=meetings + 1)
    template = schedule[0]
    _one_cycle(config, template, members)
    state = config.state_dir
    _clone(state, template.key, [m.key for m in schedule[1:meetings]])
    upcoming = schedule[meetings]
    files = sum(1 for p in state.rglob("*") if p.is_file())
    return History(community.toml, config, upcoming.due_at(Step.INVITATION) - timedelta(days=2), meetings, files)


def _one_cycle(config: Config, meeting, members: int) -> None:  # type: ignore[no-untyped-def]
    """Every step of ``meeting`` through the engine, a reply from each member, everything delivered."""
    parts, clock = data.open_engine(config, meeting.due_at(Step.INVITATION))
    for step in Step:
        clock.set(meeting.due_at(step))
        parts.engine.tick(clock.now())
        if step is Step.CALL_FOR_UPDATES:
            calls = data.sent_requests(parts, "call-for-updates", meeting.key)
            clock.set(meeting.due_at(step) + timedelta(hours=4))
            for raw in data.replies_for(config, calls, clock.now(), members, seed=21, pdf_share=0.4):
                parts.engine.accept(raw)
    store = parts.states.store
    for partition in store.partitions("outbox/queue/"):
        with store.batch(partition) as db:
            db.table("messages").update({"state": "sent"})
    parts.states.close()


def _clone(state: Path, key: str, keys: list[str]) -> None:
    """Copy the template meeting to ``keys``: its state, outbox partition, raw mail, records and files."""
    meeting_text = (state / "meetings" / f"{key}.json").read_text()
    queue = json.loads((state / "outbox" / "queue" / f"{key}.json").read_text())
    shas = [p.stem for p in (state / "raw").rglob("*.eml")]
    shared = [p for p in (state / "attachments").rglob("*") if p.is_file()] if (state / "attachments").exists() else []
    for new_key in keys:
        renamed = {sha: hashlib.sha256(f"{new_key}:{sha}".encode()).hexdigest() for sha in shas}
        text = meeting_text.replace(key, new_key)
        for old, new in renamed.items():
            text = text.replace(old, new)
            for kind, suffix in (("raw", ".eml"), ("inbox", ".rec")):
                _copy(state / kind / old[:2] / f"{old}{suffix}", state / kind / new[:2] / f"{new}{suffix}")
        for path in shared:
            new = hashlib.sha256(f"{new_key}:{path.stem}".encode()).hexdigest()
            text = text.replace(path.stem, new)
            _copy(path, state / "attachments" / new[:2] / f"{new}{path.suffix}")
        (state / "meetings" / f"{new_key}.json").write_text(text)
        tables = json.loads(json.dumps(queue).replace(key, new_key))
        for doc in tables.get("messages", {}).values():
            old_id = doc["message_id"].replace(new_key, key)
            source = state / "outbox" / "eml" / (hashlib.sha256(old_id.encode()).hexdigest() + ".eml")
            target = state / "outbox" / "eml" / (hashlib.sha256(doc["message_id"].encode()).hexdigest() + ".eml")
            if source.exists():
                target.write_bytes(source.read_bytes().replace(key.encode(), new_key.encode()))
        (state / "outbox" / "queue" / f"{new_key}.json").write_text(json.dumps(tables))


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def fill(state: Path, total: int) -> int:
    """Add small blobs (raw mail, inbox records, sent bytes) until the folder holds ``total`` files."""
    have = sum(1 for p in state.rglob("*") if p.is_file())
    rng = random.Random(40)
    kinds = (("raw", ".eml", 30_000), ("inbox", ".rec", 200), ("outbox/eml", ".eml", 12_000))
    for n in range(max(0, total - have)):
        folder, suffix, size = kinds[n % 3]
        name = hashlib.sha256(f"fill-{n}".encode()).hexdigest()
        target = state / folder / (name[:2] if folder != "outbox/eml" else "") / f"{name}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(rng.randbytes(min(size, 2_000)))
    return sum(1 for p in state.rglob("*") if p.is_file())


# --- restart ------------------------------------------------------------------------------------


def measure_restart(history: History, imap_password: str, runs: int) -> Result:
    """Wall time from `mailflow run` being started to its "mailflow ready" line (timers set, mailbox read)."""
    env = {**os.environ, **environ(imap_password), "MAILFLOW_CLOCK": f"{history.now.isoformat()}@1", **checkout.child_env()}
    compile_bytecode()
    times = []
    for run in range(runs + 1):
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-P", "-m", "mailflow", "run", "--config", str(history.toml)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
        assert process.stdout is not None
        for line in process.stdout:
            if "mailflow ready" in line:
                times.append(time.perf_counter() - began)
                break
        process.terminate()
        rest = process.communicate(timeout=30)[0]
        if len(times) < run + 1:
            raise RuntimeError(f"mailflow run never said it was ready:\n{rest[-3000:]}")
    times = times[1:]                  # the first run warms the page cache
    value = statistics.median(times)
    return Result("restart", value, "s", "<= 1 s", value <= 1.0, None, {
        "history": f"{history.meetings} monthly meetings x {len(history.config.roster.active())} members, "
                   "every step run, every member replied (40 % with a PDF), every message delivered",
        "files": history.files, "runs": runs, "min_s": round(min(times), 3), "max_s": round(max(times), 3),
        "ready_means": "`mailflow run` started -> step timers set and the IMAP intake's first pass done",
    })


# --- wake ---------------------------------------------------------------------------------------


def measure_wake(history: History, files: int, wakes: int) -> Result:
    """One outbox wake of the daemon (deliver what is due, queue its alerts, find the next due time)
    with ``files`` files in the state folder, as the daemon's outbox loop does it."""
    total = fill(history.config.state_dir, files)
    began = time.perf_counter()
    states = TinyDBStateStore.open(history.config.state_dir)
    open_s = time.perf_counter() - began
    clock = ManualClock(history.now)
    daemon = Daemon(history.config, clock)
    parts = open_parts(history.config, clock, data.SECRET, states=states, io=daemon.store_io)
    sender = SmtpSender(history.config.smtp, environ()["BENCH_SMTP_PASSWORD"],
                        envelope_from=history.config.community.address)

    async def wake_all() -> list[float]:
        took = []
        for _ in range(wakes + 1):
            now = clock.now()
            start = time.perf_counter()
            await parts.outbox.deliver_due(sender, now)
            await daemon.store_io(parts.engine.outbox_alerts, now)
            await daemon.store_io(parts.outbox.queue.next_due)
            took.append(time.perf_counter() - start)
        return took

    try:
        took = asyncio.run(wake_all())
        began = time.perf_counter()
        shown = status.collect(history.config, states, clock.now())
        status_s = time.perf_counter() - began
    finally:
        daemon.close()
        states.close()
    first, rest = took[0], sorted(took[1:])
    value = statistics.median(rest)
    return Result("wake", value * 1e3, "ms (median)", "<= 5 ms", value <= 0.005, None, {
        "files": total, "wakes": wakes, "first_wake_ms": round(first * 1e3, 2),
        "p95_ms": round(rest[round(0.95 * (len(rest) - 1))] * 1e3, 2), "max_ms": round(rest[-1] * 1e3, 2),
        "store_open_s": round(open_s, 3), "status_collect_ms": round(status_s * 1e3, 1),
        "status_outbox": shown["outbox"],
        "wake_is": "Outbox.deliver_due (nothing due) + the outbox's alerts + next_due, through the store thread",
    })
