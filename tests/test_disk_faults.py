"""`mailflow run` when its state folder cannot be written: a full disk, a nearly full one, a read-only one.

The state folder is a small tmpfs of its own (CI runs as root on Debian, where mounting one is
allowed; elsewhere these tests skip and say why). Invitations are queued and deferred by a 421,
then the disk fills (or turns read-only) and the SMTP server recovers: nothing whose claim could
not be written may be sent, the daemon backs off instead of retrying in a loop, staff get one
alert, and once the disk takes writes again every message goes out, at most twice, byte-identical.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from cyclestage import DovecotStage, write_community
from test_daemon import launch, wait_for

from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

SPEED = 600          # the 30-minute first retry comes three seconds after a deferral


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the state folder here ({done.stderr.strip() or 'not root'}); "
                    "CI runs as root and runs this test")


def fill(where: Path, leave: int) -> Path:
    """Fill the filesystem at ``where`` until ``leave`` bytes are free; return the filler file."""
    filler = where / "filler.bin"
    stats = os.statvfs(where)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as out:
        try:
            out.write(b"\0" * max(0, free - leave))
            out.flush()
            os.fsync(out.fileno())
        except OSError:
            pass
    return filler


@pytest.fixture
def small_state(tmp_path):
    state = tmp_path / "state"
    mount_tmpfs(state, "4m")
    yield state
    subprocess.run(["mount", "-o", "remount,rw", str(state)], capture_output=True)
    subprocess.run(["umount", "-l", str(state)], capture_output=True)


def sent_kinds(stage: DovecotStage) -> list[tuple[str, str, str, bytes]]:
    out = []
    for _, rcpts, raw in stage.sent():
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        out.append((rcpts[0], str(msg["X-Mailflow-Kind"]), str(msg["Message-ID"]), raw))
    return out


@pytest.mark.timeout(240)
@pytest.mark.parametrize("fault", ["full", "nearly-full", "read-only"])
def test_a_state_folder_that_cannot_be_written_sends_nothing_unrecorded_backs_off_and_alerts_once(
        dovecot, tmp_path, small_state, fault):
    """ENOSPC or EROFS on the claim write: no send without a durable claim, no tight retry loop, one alert; recovery by itself."""
    community = write_community(tmp_path, dovecot, state=small_state)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    config = load(community.toml)
    invite = meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION)
    env = {**stage.environ, "MAILFLOW_CLOCK": f"{(invite - timedelta(minutes=10)).isoformat()}@{SPEED}"}
    members = len(config.roster.active())
    stage.server.faults.greeting = ["421 4.3.2 Service shutting down"] * 10_000
    log = tmp_path / "daemon.log"
    daemon = launch(community.toml, env, log)
    filler = None
    try:
        assert wait_for(lambda: log.read_text().count("deferred <") >= members, 60), log.read_text()[-3000:]
        if fault == "read-only":
            done = subprocess.run(["mount", "-o", "remount,ro", str(small_state)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        else:
            filler = fill(small_state, 0 if fault == "full" else 4096)
        before = len(log.read_text().splitlines())
        stage.server.faults.greeting.clear()                     # the mail server is back; the disk is not
        time.sleep(15)                                           # several retry periods of the deferred mail
        during = sent_kinds(stage)
        trouble = log.read_text().splitlines()[before:]
        if fault == "read-only":
            subprocess.run(["mount", "-o", "remount,rw", str(small_state)], check=True)
        else:
            assert filler is not None
            filler.unlink()
        assert wait_for(lambda: len({m for r, k, m, _ in sent_kinds(stage) if k == "invitation"}) == members, 90), \
            log.read_text()[-3000:]
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
        stage.close()

    failed_passes = [line for line in trouble if "could not write the state folder" in line]
    assert 1 <= len(failed_passes) <= 8, "\n".join(trouble[-40:])          # backoff 1, 2, 4, 8 s: no loop
    assert not [line for line in trouble if "outbox pass failed" in line]
    store_alerts = [(r, k) for r, k, _, _ in during if k == "alert-store-failing"]
    assert sorted(r for r, _ in store_alerts) == sorted(community.staff)    # one alert per staff address
    if fault != "nearly-full":     # nearly full: a claim may still fit, and that message may go
        assert [k for _, k, _, _ in during if k != "alert-store-failing"] == []
    copies = Counter(m for _, k, m, _ in sent_kinds(stage) if k != "alert-store-failing")
    assert copies and max(copies.values()) <= 2, copies.most_common(3)
    by_id: dict[str, set[bytes]] = {}
    for _, _, message_id, raw in sent_kinds(stage):
        by_id.setdefault(message_id, set()).add(raw)
    assert all(len(versions) == 1 for versions in by_id.values())
    assert re.search(r"state folder takes writes again", log.read_text())
