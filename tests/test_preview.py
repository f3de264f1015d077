"""`mailflow preview` renders exactly the bytes the daemon would send for the same step and member."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace

import pytest
from cyclekit import JAN, MEMBERS, at, config

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.adapters.store import Store
from mailflow.app.preview import preview
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.schedule.config import Step

SECRET = "preview-test-secret-0123456789"


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    return replace(config(), state_dir=tmp_path / "state")


def test_preview_invitation_equals_the_bytes_the_engine_queues(cfg, tmp_path):
    """Same meeting, member and instant: preview and the real step produce identical bytes."""
    when = at(Step.INVITATION)
    shown = preview(cfg, "invitation", when, meeting_key=JAN.key, member_email=MEMBERS[1].email)
    assert shown.notes == ()
    with Store.open(tmp_path / "real") as store:
        parts = open_parts(cfg, ManualClock(when), SECRET.encode(), states=TinyDBStateStore(store))
        parts.engine.tick(when)
        queued = {r.recipient: parts.outbox.raw(r) for r in parts.outbox.records() if r.kind == "invitation"
                  and r.meeting_key == JAN.key}
    assert shown.raw == queued[MEMBERS[1].email]


def test_every_kind_previews_for_the_next_meeting(cfg, tmp_path, capsys):
    """Each KIND renders to one member; summary kinds say when they show sample content."""
    for kind in ("invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft",
                 "agenda-packet", "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover",
                 "welcome"):
        out = tmp_path / f"{kind}.eml"
        code = main(["preview", kind, "--now", at(Step.INVITATION).isoformat(), "--eml", str(out),
                     "--html", str(tmp_path / f"{kind}.html")], )
        assert code == 0, kind
        msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
        assert msg["X-Mailflow-Kind"] == kind
        assert len(msg["To"].addresses) == 1
        assert (tmp_path / f"{kind}.html").read_text().startswith("<!")
    assert "realistic sample content is shown" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _config_file(cfg, monkeypatch, tmp_path):
    """The CLI loads the schedule file; point it at a file equivalent to the test config."""
    import mailflow.cli.base as cli

    monkeypatch.setattr(cli, "load_config", lambda args: cfg)
