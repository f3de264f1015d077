"""A text-only mail client (mu view) shows the whole content of every message kind."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest
from cyclekit import JAN, at, config

from mailflow.app.preview import KINDS, preview
from mailflow.schedule.config import Step

pytestmark = pytest.mark.skipif(shutil.which("mu") is None, reason="mu (Debian maildir-utils) is not installed")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_mu_view_shows_the_greeting_the_body_and_the_footer(kind, tmp_path, monkeypatch):
    """What a terminal reader sees: the recipient's name, the meeting, and the footer, nothing cut."""
    monkeypatch.setenv("MAILFLOW_SECRET", "text-client-test-secret-0123456789")
    cfg = replace(config(), state_dir=tmp_path / "state")
    made = preview(cfg, kind, at(Step.INVITATION), meeting_key=JAN.key)
    eml = tmp_path / f"{kind}.eml"
    eml.write_bytes(made.raw)
    shown = subprocess.run(["mu", "view", str(eml)], capture_output=True, text=True, timeout=30,
                           env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "Subject:" in text and "Hello" in text
    last = ("(staff@example.org)." if kind.is_alert or kind == "desk-answer"       # the last words of the footer
            else "It was sent to you alone (amara@example.org)." if kind == "notice-unsubscribed"  # they left
            else "To leave the group, write to cop@example.org")
    assert last in text
    if kind not in NOT_ABOUT_THE_DATE:
        assert "12 January 2027" in text, text[:400]


# Mail that is not about the meeting's date: the welcome, the handover (about the meeting it hands over
# to), the digest (the meeting named by its day), and notices and alerts about one event.
NOT_ABOUT_THE_DATE = {"welcome", "chair-handover", "minutes-digest", "notice-attachment-refused",
                      "notice-message-too-large", "alert-delivery-failed", "alert-held-mail", "alert-intake-stalled",
                      "alert-sign-in-failed", "alert-member-suspended", "notice-resource", "desk-answer",
                      "notice-unsubscribed", "alert-member-unsubscribed", "alert-outbox-paused", "alert-store-failing",
                      "alert-digest"}
