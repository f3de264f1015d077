"""The staff desk on the command line: held list/show/release/discard, resend, update, actions, log."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import timedelta
from pathlib import Path

import pytest

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

SECRET = "desk-cli-test-secret-0123456789"
TOML = """\
roster = "members.csv"

[[staff]]
name = "Jordan Lee"
address = "jordan@divisions.example.org"
role = "CoP coordinator"

[community]
name = "Test CoP"
address = "cop@example.org"
timezone = "America/Vancouver"

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2026-11-10
start = "12:00"
video_link = "https://video.example.org/j/1"

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
STAFF = "jordan@divisions.example.org"


@pytest.fixture
def community(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A community whose call for updates went out, with one update from Ann and one message held."""
    (tmp_path / "members.csv").write_text(ROSTER)
    toml = tmp_path / "cop.toml"
    toml.write_text(TOML)
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    config = load(toml)
    meeting = meeting_by_key(config, "2027-01-12")
    clock = ManualClock(meeting.due_at(Step.INVITATION) - timedelta(days=1))
    with TinyDBStateStore.open(config.state_dir) as states:
        parts = open_parts(config, clock, SECRET.encode(), states=states)
        parts.engine.tick(clock.now())
        clock.set(meeting.due_at(Step.CALL_FOR_UPDATES))
        parts.engine.tick(clock.now())
        calls = {r.recipient: read(parts.outbox.raw(r)) for r in parts.outbox.records() if r.kind == "call-for-updates"}
        parts.engine.accept(Persona("Ann Archer", "ann@example.org", "gmail").reply(
            calls["ann@example.org"], "Success: patient Jane Doe (DOB 1960-01-01) got housing.", clock.now()))
        held = Persona("Bob Baker", "bob.baker@home.example.net", "outlook").reply(
            calls["bob@example.org"], "Challenge: we cannot find a social worker for the PCN.", clock.now())
        parts.engine.accept(held)
    return toml, config, meeting, clock.now()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_held_list_show_and_release_as_the_member(community, capsys):
    """The second address's update is listed, shown with what was understood, then released as Bob's."""
    toml, config, meeting, now = community
    at = (now + timedelta(hours=1)).isoformat()
    code, out, _ = run(capsys, "held", "list", "--json", "--config", str(toml))
    [item] = json.loads(out)
    assert code == 0 and item["sender"] == "bob.baker@home.example.net" and item["outcome"] is None
    assert item["reason"] == "sender bob.baker@home.example.net is not on the roster or staff"
    assert Path(item["raw"]).is_file()
    code, out, _ = run(capsys, "held", "show", item["id"][:8], "--config", str(toml))
    assert code == 0 and f"raw:      {item['raw']}" in out
    assert "  | Challenge: we cannot find a social worker for the PCN." in out and "kind: reply" in out
    code, out, err = run(capsys, "held", "release", item["id"], "--as", "bob@example.org", "--config", str(toml),
                         "--now", at)
    assert code == 0, err
    assert "applied as from bob@example.org to the 2027-01-12 meeting (update)" in out
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        update = states.meeting(meeting.key).update_of("bob@example.org")
        receipts = [r for r in states.outbox.records() if r.kind == "notice-recorded"]
    assert update is not None and update.text.startswith("Challenge: we cannot find a social worker")
    assert sorted(r.recipient for r in receipts) == ["ann@example.org", "bob@example.org"]
    code, out, _ = run(capsys, "held", "--config", str(toml))
    assert out.strip() == "No held messages are waiting."
    code, _, err = run(capsys, "held", "release", item["id"], "--config", str(toml))
    assert code == 1 and "was already released by" in err


def test_held_discard_and_an_unknown_id(community, capsys):
    """Discard concludes a held message; an id that names nothing is refused with what to do."""
    toml, *_ = community
    code, out, _ = run(capsys, "held", "list", "--json", "--config", str(toml))
    held_id = json.loads(out)[0]["id"]
    assert run(capsys, "held", "discard", "abc", "--config", str(toml))[2].startswith("'abc' is too short")
    code, out, _ = run(capsys, "held", "discard", held_id, "--config", str(toml))
    assert code == 0 and "discarded: nothing applied, nobody answered" in out
    code, out, _ = run(capsys, "held", "list", "--all", "--json", "--config", str(toml))
    assert json.loads(out)[0]["outcome"] == "discarded" and json.loads(out)[0]["resolved_by"].endswith("(command line)")


def test_update_remove_and_replace_take_patient_details_out(community, capsys):
    """Staff replace an update that names a patient, then remove it; its history goes with it."""
    toml, config, meeting, _ = community
    code, out, err = run(capsys, "update", "replace", "ann@example.org", "--text", "Success: a patient got housing.",
                         "--config", str(toml))
    assert code == 0, err
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        state = states.meeting(meeting.key)
    assert state.update_of("ann@example.org").text == "Success: a patient got housing."
    assert "Jane Doe" not in json.dumps([u.text for u in (*state.updates, *state.history)])
    code, out, _ = run(capsys, "update", "remove", "ann@example.org", "--config", str(toml))
    assert code == 0 and "removed from the 2027-01-12 meeting" in out
    code, _, err = run(capsys, "update", "remove", "ann@example.org", "--config", str(toml))
    assert code == 1 and "no meeting holds an update from ann@example.org" in err


def test_resend_queues_the_same_message_with_a_new_message_id(community, capsys):
    """`mailflow resend call-for-updates EMAIL`: the same bytes, a new Message-ID, queued once more."""
    toml, config, *_ = community
    code, out, err = run(capsys, "resend", "call-for-updates", "bob@example.org", "--config", str(toml))
    assert code == 0, err
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        calls = [r for r in states.outbox.records() if r.kind == "call-for-updates" and r.recipient == "bob@example.org"]
        first, again = (email.message_from_bytes(states.outbox.raw(r), policy=email.policy.default) for r in calls)
    assert first["Message-ID"] != again["Message-ID"] and again["Message-ID"] in out
    assert first.get_body(("plain",)).get_content() == again.get_body(("plain",)).get_content()
    assert first["Reply-To"] == again["Reply-To"]
    code, _, err = run(capsys, "resend", "minutes-digest", "bob@example.org", "--config", str(toml))
    assert code == 1 and "no minutes-digest was ever sent to bob@example.org" in err


def test_the_log_shows_what_happened_by_meeting_and_member(community, capsys):
    """`mailflow log`: the applied update, the hold and the staff command, filtered by member and meeting."""
    toml, *_ = community
    run(capsys, "actions", "close", "1", "--config", str(toml))
    code, out, _ = run(capsys, "log", "--member", "ann@example.org", "--config", str(toml))
    assert code == 0 and "reply-applied  update from ann@example.org" in out
    code, out, _ = run(capsys, "log", "--json", "--config", str(toml))
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in events] == ["reply-applied", "held", "staff-command"]
    assert events[2]["summary"] == "close action 1: there is no action 1" and events[2]["via"] == "cli"
    code, out, _ = run(capsys, "log", "--meeting", "2027-01-12", "--json", "--config", str(toml))
    assert [json.loads(line)["event"] for line in out.splitlines()] == ["reply-applied"]


def test_beside_a_running_daemon_a_command_is_left_for_it_and_carried_out_at_its_next_wake_up(community, capsys):
    """While `mailflow run` holds the state folder, `held discard` leaves a request; the daemon's next tick runs it."""
    toml, config, meeting, now = community
    code, out, _ = run(capsys, "held", "list", "--json", "--config", str(toml))
    held_id = json.loads(out)[0]["id"]
    with TinyDBStateStore.open(config.state_dir) as states:          # the daemon's lock
        code, out, err = run(capsys, "held", "discard", held_id, "--config", str(toml))
        assert code == 0, err
        assert "the running daemon carries this out at its next wake-up" in out
        code, out, err = run(capsys, "update", "replace", "ann@example.org", "--text", "Two\nlines.",
                             "--config", str(toml))
        assert code == 0, err
        assert run(capsys, "held", "list", "--config", str(toml))[0] == 0      # reading is fine meanwhile
        assert [h.outcome for h in states.held()] == [None]
        parts = open_parts(config, ManualClock(now), SECRET.encode(), states=states)
        parts.engine.tick(now + timedelta(minutes=1))                       # the daemon wakes up
        assert [h.outcome.value for h in states.held()] == ["discarded"]
        assert states.meeting(meeting.key).update_of("ann@example.org").text == "Two\nlines."
        assert states.staff_requests() == []
        commands = [e for e in states.audit_entries() if e.event.value == "staff-command"]
    assert [(e.via, e.by.endswith("(command line)")) for e in commands] == [("cli", True), ("cli", True)]
