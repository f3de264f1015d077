"""send_10k: a real 10,000-member call for updates through `mailflow run`'s outbox to aiosmtpd."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import checkout
import data
from daemonrun import Arrivals, environ
from harness_smtp import RecordingHandler, SmtpServer
from measures import Result, compile_bytecode

from mailflow.schedule.config import Step

REPO = Path(__file__).resolve().parent.parent


def _peak_rss(pid: int) -> int:
    """VmHWM of a running process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise LookupError("VmHWM")


def _children_peaks(pid: int, peaks: dict[int, int]) -> None:
    """Note the VmHWM of each process ``pid``'s threads started (the composing worker), by pid."""
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            for child in (task / "children").read_text().split():
                peaks[int(child)] = max(peaks.get(int(child), 0), _peak_rss(int(child)))
        except (OSError, LookupError):
            continue


def measure_send_10k(work: Path, dovecot, members: int = 10_000) -> Result:  # type: ignore[no-untyped-def]
    """From `mailflow run` started at the call's due time to the last call received, and the daemon's peak RSS.

    The invitation is composed and marked delivered beforehand (through the engine), so the daemon
    finds exactly one step due: the call for updates to every member."""
    server = SmtpServer(handler=RecordingHandler()).start()
    service = dovecot.new_user()
    try:
        community = data.write_community(work / "send10k", members=members, smtp_port=server.port,
                                         service=service, imap_port=dovecot.port)
        config = data.load_config(community.toml)
        meeting = data.meeting(config, "2027-01-12")
        parts, clock = data.open_engine(config, meeting.due_at(Step.INVITATION))
        began = time.perf_counter()
        parts.engine.tick(clock.now())
        setup_s = time.perf_counter() - began
        store = parts.states.store
        for partition in store.partitions("outbox/queue/"):
            with store.batch(partition) as db:
                db.table("messages").update({"state": "sent"})
        parts.states.close()
        due = meeting.due_at(Step.CALL_FOR_UPDATES)
        env = {**os.environ, **environ(dovecot.password), "MAILFLOW_CLOCK": f"{due.isoformat()}@1", **checkout.child_env()}
        compile_bytecode()
        log = (work / "send10k" / "daemon.log").open("wb")
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-P", "-m", "mailflow", "run", "--config", str(community.toml)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        peak = 0
        workers: dict[int, int] = {}
        calls_in = Arrivals(server, b"call-for-updates")
        try:
            while calls_in() < members:
                if process.poll() is not None:
                    raise RuntimeError(f"mailflow run exited with {process.returncode}")
                if time.perf_counter() - began > 900:
                    raise TimeoutError("10,000 calls not delivered within 15 minutes")
                peak = max(peak, _peak_rss(process.pid))
                _children_peaks(process.pid, workers)
                time.sleep(0.25)
            seconds = time.perf_counter() - began
            peak = max(peak, _peak_rss(process.pid))
        finally:
            process.terminate()
            process.wait(60)
            log.close()
        calls = Counter(r.rcpt_tos[0] for r in server.received if b"X-Mailflow-Kind: call-for-updates" in r.data)
    finally:
        server.stop()
    mb = peak / 1e6
    worker_mb = max(workers.values(), default=0) / 1e6
    total_mb = mb + worker_mb       # counted together, as if both peaked at once
    return Result("send_10k", seconds, "s", "<= 120 s and <= 300 MB peak RSS (daemon + composing worker)",
                  seconds <= 120 and total_mb <= 300, None, {
        "members": members, "calls_received": sum(calls.values()), "members_reached": len(calls),
        "duplicates": sum(n - 1 for n in calls.values()), "peak_rss_mb": round(mb, 1),
        "worker_peak_rss_mb": round(worker_mb, 1), "workers_seen": len(workers),
        "peak_rss_with_worker_mb": round(total_mb, 1),
        "msgs_s": round(members / seconds, 1), "setup_invitations_composed_s": round(setup_s, 1),
        "measured": "`mailflow run` started at the call's due time -> the last call received by aiosmtpd",
    })
