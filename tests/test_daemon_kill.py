"""`mailflow run` as a real process through a fast cycle, killed with SIGKILL again and again.

The daemon runs on a compressed clock (MAILFLOW_CLOCK, anchored to wall time so restarts share
one timeline) against Dovecot and aiosmtpd. The test plays the members: it answers what arrives
over SMTP, once per Message-ID. Every ~1.5 s it SIGKILLs the daemon, checks the state loads,
and starts it again. At the end: each message reached its recipient, copies of one Message-ID
are byte-identical and at most one extra per kill, and every reply was applied exactly once.
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from cyclestage import SECRET, DovecotStage, write_community

from mailflow.adapters.clock import parse_clock
from mailflow.adapters.state_codec import meeting_from_json
from mailflow.adapters.store import Store
from mailflow.core.state import StepStatus
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.rehearsal import SampleCommunity, _sent, sample_pdf

LONG = os.environ.get("MAILFLOW_LONG_SOAK") == "1"
KILLS = 80 if LONG else 25
SPEED = 20_000 if LONG else 40_000        # virtual seconds per real second


def start(toml: Path, clock: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "MAILFLOW_CLOCK": clock, "MAILFLOW_SECRET": SECRET}
    env.update(TEST_IMAP_PASSWORD=ENV["TEST_IMAP_PASSWORD"], TEST_SMTP_PASSWORD=ENV["TEST_SMTP_PASSWORD"])
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--config", str(toml)],
                                stdout=out, stderr=out, env=env)


ENV: dict[str, str] = {}


def started(process: subprocess.Popen, log: Path, runs: int, timeout: float = 60.0) -> None:
    """Wait until the log shows the ``runs``-th "mailflow running" (the daemon opened its state and is at
    work), so each kill lands in the cycle's work, not in Python's start-up on a loaded machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if log.read_text(errors="replace").count("mailflow running") >= runs:
            return
        time.sleep(0.02)
    pytest.fail(f"daemon start {runs} did not get to work:\n{log.read_text(errors='replace')[-3000:]}")


def reader_ends(log: Path, timeout: float = 10.0) -> None:
    """The killed daemon's reader process (its pid is in the log) exits too: it reads end-of-file from it."""
    pids = re.findall(r"replies are read by process (\d+)", log.read_text(errors="replace"))
    assert pids, "the daemon started no reader process"
    deadline = time.monotonic() + timeout
    while alive(int(pids[-1])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(int(pids[-1])), f"reader process {pids[-1]} outlived its daemon"


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def state_loads(state: Path) -> int:
    """Open the state read-only as `mailflow status` would; return how many meetings it holds.

    A daemon killed before it created its state folder (a slow start on a busy machine) left none."""
    if not state.exists():
        return 0
    with Store.open(state, exclusive=False) as store:
        meetings = store.partitions("meetings/")
        for partition in meetings:
            rows = store.db(partition).table("state").all()
            if rows:
                meeting_from_json(rows[0])
        return len(meetings)


@pytest.mark.timeout(600)
def test_killed_daemon_loses_nothing_and_sends_nothing_twice(dovecot, tmp_path):
    """>= 25 SIGKILLs during a fast cycle: every message once (+ at most one identical copy per kill)."""
    community = write_community(tmp_path, dovecot)
    config = load(community.toml)
    stage = DovecotStage(dovecot, community.service)
    ENV.update(stage.environ)
    # the daemon must reach this test's SMTP server: rewrite the port in the schedule file
    text = community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}")
    community.toml.write_text(text)
    meeting = meeting_by_key(config, "2027-01-12")
    start_at = meeting.due_at(Step.INVITATION) - timedelta(hours=1)
    spec = f"{start_at.isoformat()}@{SPEED}@{time.time() + 1.0}"
    clock = parse_clock(spec)
    end_at = meeting.due_at(Step.CHAIR_HANDOVER) + timedelta(hours=6)
    log = tmp_path / "daemon.log"
    members = SampleCommunity(config, sample_pdf())
    answered: set[tuple[str, str]] = set()
    delivered: list[bytes] = []
    rng = random.Random(2026)
    kills = 0
    process = start(community.toml, spec, log)
    started(process, log, 1)
    next_kill = time.monotonic() + rng.uniform(0.8, 1.8)
    handed_over = False         # the cycle's last message: the next chair's handover, sent with the minutes
    give_up = time.monotonic() + 420
    try:
        # Play the members until the cycle is through: the clock past the handover, every kill made, and the
        # handover seen. The last matters on a loaded machine, where a restart can take long enough of
        # compressed time that the minutes request goes out after the clock has passed end_at; the chair
        # still answers it, as a person would, and the handover follows the minutes.
        while clock.now() < end_at or kills < KILLS or not handed_over:
            if time.monotonic() > give_up:
                pytest.fail(f"no chair handover by {clock.now()} ({kills} kills):\n{log.read_text()[-3000:]}")
            for _mail_from, rcpts, raw in stage.sent():
                parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
                msg_id = parsed["Message-ID"]
                key = (rcpts[0].casefold(), msg_id)
                if key in answered:
                    continue
                answered.add(key)
                handed_over = handed_over or parsed["X-Mailflow-Kind"] == "chair-handover"
                for _, _, reply in members.respond(_sent(clock.now(), rcpts, raw), clock.now()):
                    stage.deliver(reply)
                    delivered.append(reply)
            if time.monotonic() >= next_kill and (kills < KILLS):
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                kills += 1
                reader_ends(log)
                state_loads(config.state_dir)           # the state loads after every kill
                process = start(community.toml, spec, log)
                started(process, log, kills + 1)
                next_kill = time.monotonic() + rng.uniform(0.6, 1.8)
            if process.poll() is not None:
                pytest.fail(f"daemon exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        time.sleep(4.0)                                    # let the last replies and sends settle
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
        stage.close()

    copies: dict[tuple[str, str], list[bytes]] = defaultdict(list)
    for _, rcpts, raw in stage.sent():
        assert len(rcpts) == 1
        msg_id = email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"]
        copies[(rcpts[0].casefold(), msg_id)].append(raw)
    extra = sum(len(c) - 1 for c in copies.values())
    assert all(len(set(c)) == 1 for c in copies.values()), "a resend differed from the original bytes"
    # A kill can catch at most one round of transactions between the server's 250 and their record:
    # each of those messages is sent once more (same bytes), so at most one extra copy per message per
    # kill, and at most `max_connections` extra copies per kill in all.
    assert all(len(c) - 1 <= kills for c in copies.values())
    assert extra <= kills * config.smtp.max_connections, f"{extra} duplicate copies for {kills} kills"

    kinds_by_member: dict[str, set[str]] = defaultdict(set)
    for (rcpt, _), c in copies.items():
        kind = email.message_from_bytes(c[0], policy=email.policy.compat32)["X-Mailflow-Kind"]
        kinds_by_member[rcpt].add(kind)
    with Store.open(config.state_dir, exclusive=False) as store:
        state = meeting_from_json(store.db(f"meetings/{meeting.key}").table("state").all()[0])
    with dovecot.imap(community.service) as client:                  # no reply lost or left behind
        folders = {name: client.folder_status(name, [b"MESSAGES"])[b"MESSAGES"]
                   for name in ("INBOX", "mailflow/processed", "mailflow/held")}
    assert folders == {"INBOX": 0, "mailflow/processed": len(delivered), "mailflow/held": 0}, folders
    for step, record in state.steps:                        # each step ran, or staff were told it was missed
        assert record.status in (StepStatus.DONE, StepStatus.MISSED), (step, record)
    for member in config.roster.active():
        got = kinds_by_member[member.key]
        assert {"invitation", "call-for-updates"} <= got, (member.email, got)
    twice = [(u.member_name, u.revision, u.text[:60]) for u in state.updates if u.revision != 1]
    assert not twice and state.history == (), (twice, [(u.member_name, u.text[:60]) for u in state.history])
    assert len(state.updates) >= 7
    assert kills >= KILLS
    print(f"\n{kills} kills, {len(copies)} messages, {extra} duplicate copies, {len(delivered)} replies")
