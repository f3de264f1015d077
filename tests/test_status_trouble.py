"""`mailflow status` shows trouble: the intake's health, deliveries being retried or given up on with their
reason and next try, held mail waiting (with its id), cancelled meetings as cancelled, nothing before installation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.heartbeat import beat
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.daemon import Daemon
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.core.message import OutgoingMessage
from mailflow.errors import TemporaryDeliveryError
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

SECRET = "status-test-secret-0123456789"
TOML = """\
roster = "members.csv"

[[staff]]
name = "Jordan Lee"
address = "jordan@divisions.example.org"

[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2026-09-08
start = "12:00"
video_link = "https://video.example.org/j/1"

[[meetings.override]]
date = 2027-02-09
cancelled = true

[chair]
rotation = ["ann@example.org", "bob@example.org"]

[imap]
host = "imap.example.org"
user = "cop@example.org"

[smtp]
host = "smtp.example.org"
user = "cop@example.org"
"""
ROSTER = """name,email,role,division,joined,status
Ann Archer,ann@example.org,Physician Lead,North Division,2025-01-01,active
Bob Baker,bob@example.org,Executive Director,South Division,2025-01-01,active
"""


class Greylisting:
    """An SMTP server that answers 451 to everyone: our own seam (MailSender), faked."""

    parallelism = 1

    async def send(self, message: OutgoingMessage) -> str:
        raise TemporaryDeliveryError(f"451 4.7.1 {message.recipient}: greylisted, try again later")


@pytest.fixture
def community(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Installed in December 2026 (the November meeting is before it); January's call deferred; one held."""
    (tmp_path / "members.csv").write_text(ROSTER)
    toml = tmp_path / "cop.toml"
    toml.write_text(TOML)
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    config = load(toml)
    jan = meeting_by_key(config, "2027-01-12")
    clock = ManualClock(jan.due_at(Step.INVITATION) - timedelta(hours=1))
    with TinyDBStateStore.open(config.state_dir) as states:
        parts = open_parts(config, clock, SECRET.encode(), states=states)
        parts.engine.tick(clock.now())
        clock.set(jan.due_at(Step.CALL_FOR_UPDATES))
        parts.engine.tick(clock.now())
        call = next(read(parts.outbox.raw(r)) for r in parts.outbox.records() if r.kind == "call-for-updates")
        parts.engine.accept(Persona("Stranger", "stranger@elsewhere.example", "gmail").reply(
            call, "Can I join your group?", clock.now()))
        asyncio.run(parts.outbox.deliver_due(Greylisting(), clock.now()))
    beat(config.state_dir, clock.now(), {"intake": {
        "last_ok": (clock.now() - timedelta(minutes=20)).isoformat(), "failing": 4,
        "last_error": "IMAP connection to imap.example.org:993 timed out",
        "error_at": (clock.now() - timedelta(minutes=19)).isoformat()}})
    return toml, clock.now()


def test_status_shows_deferred_deliveries_with_recipient_reason_and_next_try(community, capsys):
    """Each message waiting for a retry is listed: who, what, why, and when it is tried again."""
    toml, now = community
    assert main(["status", "--config", str(toml), "--now", now.isoformat(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    deferred = [d for d in data["deliveries"] if d["kind"] == "call-for-updates"]
    assert {d["recipient"] for d in deferred} == {"ann@example.org", "bob@example.org"}
    assert all(d["state"] == "deferred" and "451 4.7.1" in d["reason"] and d["next_try"] for d in deferred)
    assert main(["status", "--config", str(toml), "--now", now.isoformat()]) == 0
    text = capsys.readouterr().out
    assert "Deliveries in trouble:" in text
    assert "deferred call-for-updates to ann@example.org (1 attempts, next try 2026-12-29" in text


def test_status_shows_the_intake_health_from_the_heartbeat(community, capsys):
    """The IMAP intake's last good contact and last error, in the community's zone."""
    toml, now = community
    assert main(["status", "--config", str(toml), "--now", now.isoformat()]) == 0
    text = capsys.readouterr().out
    assert ("IMAP intake: last successful contact 2026-12-29 11:40 PST; FAILING (4 attempts in a row); "
            "last error 2026-12-29 11:41 PST: IMAP connection to imap.example.org:993 timed out") in text


def test_status_lists_held_mail_waiting_with_its_id(community, capsys):
    """The stranger's mail is listed with the id staff type to release or discard it."""
    toml, now = community
    assert main(["status", "--config", str(toml), "--now", now.isoformat(), "--json"]) == 0
    [held] = json.loads(capsys.readouterr().out)["held"]
    assert held["sender"] == "stranger@elsewhere.example" and len(held["id"]) == 12


def test_cancelled_meetings_steps_are_cancelled_and_earlier_meetings_left_out(community, capsys):
    """February is cancelled: its steps say so; November (before installation) is not shown at all."""
    toml, now = community
    assert main(["status", "--config", str(toml), "--now", (now + timedelta(days=20)).isoformat(), "--json"]) == 0
    meetings = {m["date"]: m for m in json.loads(capsys.readouterr().out)["meetings"]}
    assert "2026-11-10" not in meetings and "2026-12-08" not in meetings
    assert {s["status"] for s in meetings["2027-02-09"]["steps"]} == {"cancelled"}


def test_the_daemon_reports_its_intake_as_it_sees_it():
    """The daemon's report (written with each heartbeat) follows the intake: last good contact, then the error."""
    from mailflow.adapters.intake import IntakeHealth

    class Intake:          # the intake as the daemon reads it: only its health
        health = IntakeHealth(consecutive_failures=2)

    clock = ManualClock(datetime(2027, 1, 5, 18, tzinfo=UTC))
    daemon = Daemon(load(Path(__file__).resolve().parent.parent / "config" / "cop.example.toml"), clock)
    daemon.intake = Intake()
    daemon.health.note_intake(IntakeHealth(last_success=1.0), clock.now())
    clock.set(clock.now() + timedelta(minutes=3))
    daemon.health.note_intake(IntakeHealth(last_success=1.0, consecutive_failures=2, last_error="login timed out"), clock.now())
    assert daemon.report()["intake"] == {"last_ok": "2027-01-05T18:00:00+00:00", "last_error": "login timed out",
                                         "error_at": "2027-01-05T18:03:00+00:00", "failing": 2}
    daemon.close()
