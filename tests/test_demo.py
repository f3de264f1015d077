"""`mailflow demo`: the whole cycle on embedded servers, written to a folder a person can open, with the staff
desk at work (a held message released by reply, a status command by mail, an export) and its state left to try."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from test_export import CHROMIUM, browse_library

from mailflow.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mailflow_demo.demo import run_demo

    out = tmp_path_factory.mktemp("demo") / "demo"
    printed: list[str] = []
    run_demo(out, progress=printed.append)
    return out, "\n".join(printed)


def test_demo_writes_every_message_and_an_index_in_under_a_minute(demo):
    """One command, no configuration: index.html links every .eml, in order, and the cycle completes."""
    out, printed = demo
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
    headings = [line for line in printed.splitlines() if line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
    assert headings[0].endswith("  invitation, focus planning")     # steps due together: one heading, then their mail
    lines = printed.splitlines()
    assert lines.index(headings[0]) < min(n for n, line in enumerate(lines) if "sent focus-planning" in line)


def test_the_demo_shows_the_desk_a_release_by_reply_and_a_status_by_mail(demo):
    """A member's second address is held, staff release it by replying to the alert, then ask "status" by mail."""
    out, printed = demo
    assert "sends an update from a second address" in printed
    assert '(staff) replies "release as gokafor@chilliwack-division.example.org" to the held-mail alert' in printed
    assert '(staff) replies "status" to the desk\'s answer' in printed
    answers = [email.message_from_bytes(m.read_bytes(), policy=email.policy.default)
               for m in sorted((out / "messages").glob("*-desk-answer-*.eml"))]
    assert len(answers) == 2
    assert "applied as from gokafor@chilliwack-division.example.org" in " ".join(
        answers[0].get_body(("plain",)).get_content().split())
    assert "> status Done. mailflow status at" in " ".join(answers[1].get_body(("plain",)).get_content().split())
    assert "Held mail waiting for staff: 0 (1 concluded)" in printed


def test_the_demo_leaves_its_config_and_state_for_the_desk_commands(demo, capsys):
    """It prints the --config to use; status, held, log and actions work on what it left."""
    out, printed = demo
    config = str(out / "cop.toml")
    assert f"--config {config}" in printed
    assert main(["status", "--config", config, "--meeting", "2027-01-12"]) == 0
    assert "agenda: revision 2, approved" in capsys.readouterr().out
    assert main(["held", "list", "--all", "--json", "--config", config]) == 0
    [held] = json.loads(capsys.readouterr().out)
    assert held["outcome"] == "released" and held["sender"].startswith("gokafor.home@")
    assert main(["log", "--member", "cop.coordinator@divisions.example.org", "--config", config]) == 0
    assert "staff-command  status" in capsys.readouterr().out
    assert main(["actions", "--config", config]) == 0
    assert "[1] Marie-Claire Tremblay: share the SDH referral map template" in capsys.readouterr().out
    assert (out / "library" / "index.html").is_file()


@pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (scripts/test installs it in CI)")
def test_export_all_on_the_demo_opens_in_chromium_with_every_link_working(demo, tmp_path, capsys):
    """`mailflow export --all` on the demo's folder: index.html in headless Chromium, every resource link followed."""
    out, _ = demo
    target = tmp_path / "export"
    assert main(["export", "--all", "--out", str(target), "--config", str(out / "cop.toml")]) == 0
    files = {p.name: p.read_bytes() for p in Path(target).glob("*/resources/*")}
    assert {"SDH-resource-map.pdf", "minutes-slides.pdf"} <= set(files)
    followed = browse_library(target)
    assert sorted(followed) == sorted(p.relative_to(target).as_posix() for p in target.glob("*/resources/*"))
    assert all(followed[path] == (target / path).read_bytes() for path in followed)
