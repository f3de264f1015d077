"""`mailflow demo`: the whole cycle on embedded servers, written to a folder a person can open."""

from __future__ import annotations

import email
import email.policy
from collections import Counter

from mailflow.cli import main


def test_demo_writes_every_message_and_an_index_in_under_a_minute(tmp_path, capsys):
    """One command, no configuration: index.html links every .eml, in order, and the cycle completes."""
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    messages = sorted((out / "messages").glob("*.eml"))
    index = (out / "index.html").read_text(encoding="utf-8")
    kinds = Counter(str(email.message_from_bytes(m.read_bytes(), policy=email.policy.default)["X-Mailflow-Kind"])
                    for m in messages)
    assert {"invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
            "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover"} <= set(kinds)
    assert kinds["agenda-draft"] >= 2 * 3              # two revisions, to the chair and two staff
    for m in messages:
        assert f'href="messages/{m.name}"' in index
    assert "<script" not in index.replace("<iframe", "")
    assert "accepts in Outlook (iMIP REPLY)" in printed and "is out of the office" in printed
    assert "agenda: revision 2, approved; minutes: received" in printed
