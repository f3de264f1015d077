"""`mailflow run` as an operator meets it: one instance, signals, reload, logs, the stall alarm."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cyclestage import SECRET, DovecotStage, write_community
from harness_smtp import SMTP_PASSWORD

from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step


def launch(toml: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen:
    with log.open("ab") as out:          # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--config", str(toml), *extra],
                                stdout=out, stderr=out, env={**os.environ, **env})


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def running(dovecot, tmp_path):
    """A community whose daemon talks to Dovecot and a recording aiosmtpd, on a slightly fast clock."""
    community = write_community(tmp_path, dovecot)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    config = load(community.toml)
    invite = meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION)
    env = {**stage.environ, "MAILFLOW_CLOCK": f"{(invite - timedelta(minutes=5)).isoformat()}@60"}
    yield community, stage, env
    stage.close()


def test_second_instance_exits_already_running_and_sigterm_drains(running, tmp_path):
    """A second daemon on the same state refuses with "already running" (exit 3); the first is healthy; SIGTERM stops it cleanly."""
    community, stage, env = running
    log = tmp_path / "a.log"
    first = launch(community.toml, env, log)
    try:
        assert wait_for(lambda: "mailflow running" in log.read_text()), log.read_text()
        second = subprocess.run([sys.executable, "-m", "mailflow", "run", "--config", str(community.toml)],
                                capture_output=True, text=True, env={**os.environ, **env}, timeout=30)
        assert second.returncode == 3
        assert "already running" in second.stderr
        healthy = subprocess.run([sys.executable, "-m", "mailflow", "health", "--config", str(community.toml)],
                                 capture_output=True, text=True, timeout=30)
        assert healthy.returncode == 0 and healthy.stdout.startswith(f"ok: the daemon (pid {first.pid}) ticked")
        started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        assert first.wait(20) == 0
        assert time.monotonic() - started < 20
        assert "mailflow stopped" in log.read_text()
    finally:
        if first.poll() is None:
            first.kill()


def test_invitations_go_out_on_time_and_logs_are_json_without_secrets(running, tmp_path):
    """At the invitation's due time every member gets one; JSON log lines never show a password."""
    community, stage, env = running
    log = tmp_path / "b.log"
    daemon = launch(community.toml, env, log, "--log-format", "json")
    try:
        members = load(community.toml).roster.active()
        assert wait_for(lambda: len({r.rcpt_tos[0] for r in stage.server.received
                                     if b"X-Mailflow-Kind: invitation" in r.data}) == len(members), 30)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(20) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and {"time", "level", "logger", "message"} <= set(lines[0])
    text = log.read_text()
    for secret in (SECRET, SMTP_PASSWORD, env["TEST_IMAP_PASSWORD"]):
        assert secret not in text


def test_sighup_with_a_broken_file_keeps_the_running_configuration(running, tmp_path):
    """A bad schedule file on SIGHUP is refused with a logged error; a good one is then loaded."""
    community, stage, env = running
    log = tmp_path / "c.log"
    daemon = launch(community.toml, env, log)
    good = community.toml.read_text()
    try:
        assert wait_for(lambda: "mailflow running" in log.read_text())
        community.toml.write_text(good.replace("duration_minutes = 60", "duration_minuets = 60"))
        daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "reload refused" in log.read_text()), log.read_text()
        assert "duration_minuets" in log.read_text()
        assert daemon.poll() is None
        community.toml.write_text(good)
        daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "configuration reloaded" in log.read_text()), log.read_text()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(20) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()


def test_stall_alarm_tells_staff_once_when_imap_keeps_failing(running, tmp_path):
    """IMAP unreachable for longer than the stall limit: each staff address gets one alert, not one per retry."""
    community, stage, env = running
    text = community.toml.read_text().replace(f"port = {stage.imap.port}", "port = 9")   # nothing listens there
    community.toml.write_text(text)
    log = tmp_path / "d.log"
    env = {**env, "MAILFLOW_CLOCK": env["MAILFLOW_CLOCK"].replace("@60", "@3000")}   # 15 min pass in 0.3 s
    daemon = launch(community.toml, env, log)
    try:
        def alerts():
            found = []
            for r in stage.server.received:
                msg = email.message_from_bytes(r.data, policy=email.policy.default)
                if msg["X-Mailflow-Kind"] == "alert-digest" and "Replies not read for" in msg["Subject"]:
                    found.append(r.rcpt_tos[0])
            return found
        assert wait_for(lambda: len(alerts()) >= 2, 30), log.read_text()[-2000:]
        time.sleep(8)                                   # several more failed retries and stall checks
        assert sorted(alerts()) == sorted(s.email for s in load(community.toml).community.staff)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(20) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
