"""A step that raises in a running `mailflow run`: not done, tried again with backoff, shown by status.

Catalogue item F25 of RELIABILITY.md on real processes: the daemon (with its step runner made to
raise at our own seam, tests/step_fault_run.py) against Dovecot and aiosmtpd.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from catalogue_kit import live_community
from test_daemon import wait_for

from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

HERE = Path(__file__).resolve().parent
FAILED = re.compile(r"ERROR mailflow.app.runner: meeting 2027-01-12: its due steps failed")


@pytest.mark.timeout(120)
def test_a_step_that_raises_stays_undone_is_retried_with_backoff_and_status_shows_it(dovecot, tmp_path):
    """While running the due steps raises: nothing sent, retries spaced out, status says FAILING; once it works, each sent once."""
    fault = tmp_path / "fault"
    fault.touch()
    live = live_community(tmp_path, dovecot, step=Step.INVITATION, before=timedelta(seconds=30))
    live.extra_env["MAILFLOW_TEST_STEP_FAULT"] = str(fault)
    members = {m.email for m in live.config.roster.active()}
    live.start(HERE / "step_fault_run.py")
    try:
        due = meeting_by_key(live.config, "2027-01-12").due_at(Step.INVITATION)
        assert wait_for(lambda: live.now() > due + timedelta(minutes=1) and len(FAILED.findall(live.log_text())) >= 3,
                        40), live.log_text()[-3000:]
        at = live.now().isoformat()                         # status at the daemon's time
        shown = json.loads(live.cli("status", "--json", "--now", at).stdout)
        text = live.cli("status", "--now", at).stdout
        january = next(m for m in shown["meetings"] if m["date"] == "2027-01-12")
        assert live.sent("invitation") == []
        fault.unlink()                                      # the disk (or whatever it was) works again
        assert wait_for(lambda: {r for r, _ in live.sent("invitation")} == members, 40), live.log_text()[-3000:]
        assert wait_for(lambda: "steps" not in (live.status()["daemon"] or {}), 20)
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    steps = shown["daemon"]["steps"]
    assert "Input/output error (injected)" in steps["last_error"] and steps["failures"] >= 3
    assert "Steps: FAILING since" in text and "Input/output error" in text
    invitation = next(s for s in january["steps"] if s["step"] == "invitation")
    assert invitation["status"] in ("due", "waiting"), invitation            # not done, not missed
    assert sorted(r for r, _ in live.sent("invitation")) == sorted(members)  # once each
    assert len(FAILED.findall(live.log_text())) < 12    # 1, 2, 4 ... seconds apart: not a tight loop
