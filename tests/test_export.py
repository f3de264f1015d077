"""`mailflow export`: per meeting agenda, packet, updates, minutes, actions and files; an index that opens in
Chromium (Debian's, driven by Playwright) with every resource link working and a search that filters."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.wiring import open_parts
from mailflow.cli import main
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step
from mailflow_demo.personas import Persona, read

SECRET = "export-test-secret-0123456789"
CHROMIUM = Path("/usr/bin/chromium")
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
Chandra Iyer,chandra@example.org,PMH Facilitator,East Division,2025-01-01,active
"""
FILES = {
    ("2027-01-12", "ann@example.org"): ("Referral map.pdf", "application/pdf", b"%PDF-1.4\n% Ann's map\n%%EOF\n"),
    ("2027-01-12", "bob@example.org"): ("Referral map.pdf", "application/pdf", b"%PDF-1.4\n% Bob's other map\n%%EOF\n"),
    ("2027-02-09", "chandra@example.org"): ("consent: wording?.txt", "text/plain", b"Consent wording that passed review.\n"),
}


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """Two meetings with shared files (two with the same name), minutes with an action, exported with --all."""
    (tmp_path / "members.csv").write_text(ROSTER)
    toml = tmp_path / "cop.toml"
    toml.write_text(TOML)
    monkeypatch.setenv("MAILFLOW_SECRET", SECRET)
    config = load(toml)
    with TinyDBStateStore.open(config.state_dir) as states:
        for key in ("2027-01-12", "2027-02-09"):
            meeting = meeting_by_key(config, key)
            clock = ManualClock(meeting.due_at(Step.CALL_FOR_UPDATES))
            parts = open_parts(config, clock, SECRET.encode(), states=states)
            parts.engine.tick(clock.now())
            calls = {r.recipient: read(parts.outbox.raw(r)) for r in parts.outbox.records()
                     if r.kind == "call-for-updates" and r.meeting_key == key}
            for (meeting_key, who), attachment in FILES.items():
                if meeting_key == key:
                    name = config.roster.get(who).name
                    text = (f"Success: {name} shares a file with everyone this month." if who != "bob@example.org"
                            else '=HYPERLINK("http://evil.example/x","Bob shares a file with everyone")')
                    parts.engine.accept(Persona(name, who, "gmail").reply(calls[who], text, clock.now(),
                                                                          attachments=(attachment,)))
            clock.set(meeting.due_at(Step.MINUTES_REQUEST))
            parts.engine.tick(clock.now())
            if key == "2027-01-12":
                request = next(read(parts.outbox.raw(r)) for r in parts.outbox.records()
                               if r.kind == "minutes-request" and r.meeting_key == key and "jordan" in r.recipient)
                parts.engine.accept(Persona("Jordan Lee", "jordan@divisions.example.org", "outlook").reply(
                    request, "We met and talked about referral maps for most of the hour, with good questions.\n\n"
                             "Action: Bob — merge the two maps\n", clock.now()))
    out = tmp_path / "export"
    assert main(["export", "--all", "--out", str(out), "--config", str(toml), "--now", "2027-03-01T09:00"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("exported 2 meeting(s)")
    return out, config


def test_each_meeting_has_its_agenda_packet_updates_minutes_actions_and_files(archive):
    """The January folder: agenda and packet in both forms, the CSVs staff open in Excel, the files by name."""
    out, config = archive
    jan = out / "2027-01-12"
    for name in ("agenda.txt", "agenda.html", "packet.txt", "packet.html", "minutes.txt", "minutes.html",
                 "updates.csv", "actions.csv"):
        assert (jan / name).is_file(), name
    assert "Ann Archer shares a file" in (jan / "packet.txt").read_text()
    assert "<html" in (jan / "agenda.html").read_text().lower()
    updates = list(csv.reader(io.StringIO((jan / "updates.csv").read_text(encoding="utf-8-sig"))))
    assert updates[0] == ["member", "division", "text", "date"]
    assert [row[:2] for row in updates[1:]] == [["Ann Archer", "North Division"], ["Bob Baker", "South Division"]]
    assert updates[2][2].startswith("'=HYPERLINK(")          # a member's text is never a formula in Excel
    actions = list(csv.reader(io.StringIO((jan / "actions.csv").read_text(encoding="utf-8-sig"))))
    assert actions[1][:5] == ["1", "Bob", "merge the two maps", "2027-01-13", "open"]
    assert sorted(p.name for p in (jan / "resources").iterdir()) == ["Referral map (2).pdf", "Referral map.pdf"]
    assert (jan / "resources" / "Referral map.pdf").read_bytes() == FILES["2027-01-12", "ann@example.org"][2]
    assert [p.name for p in (out / "2027-02-09" / "resources").iterdir()] == ["consent_ wording_.txt"]
    assert not (out / "2027-02-09" / "minutes.txt").exists()       # no minutes yet: none written


def test_one_meeting_alone_and_a_meeting_the_state_never_saw(archive, capsys, tmp_path):
    """--meeting writes that meeting's folder (the index still lists the whole library); an unknown date says which exist."""
    out, config = archive
    one = tmp_path / "one"
    assert main(["export", "--meeting", "2027-02-09", "--out", str(one), "--config", str(config.path)]) == 0
    assert sorted(p.name for p in one.iterdir()) == ["2027-02-09", "index.html"]
    assert "Referral map (2).pdf" in (one / "index.html").read_text()
    capsys.readouterr()
    assert main(["export", "--meeting", "2027-05-11", "--out", str(one), "--config", str(config.path)]) == 1
    assert "meetings: 2027-01-12, 2027-02-09" in capsys.readouterr().err


def browse_library(folder: Path) -> dict[str, bytes]:
    """Serve ``folder`` on loopback, open its index.html in headless Chromium, click every resource link and
    return what each one served (its path in the folder -> the bytes), checking each answered 200."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    followed: dict[str, bytes] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            page = browser.new_page()
            page.goto(base + "index.html")
            for index in range(page.locator("#library tbody tr").count()):
                page.goto(base + "index.html")
                link = page.locator("#library tbody tr").nth(index).locator("a")
                with page.expect_response(lambda r: "/resources/" in r.url) as answered:
                    link.click()
                response = answered.value
                assert response.status == 200, response.url
                page.wait_for_load_state()
                assert page.url == response.url               # the browser went there (a PDF opens in its viewer)
                # the viewer stands in for a PDF's body, so the bytes are fetched again through the same context
                path = unquote(response.url.removeprefix(base))
                followed[path] = page.request.get(response.url).body()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return followed


@pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (scripts/test installs it in CI)")
def test_the_library_opens_in_chromium_searches_and_every_link_downloads_its_file(archive):
    """Headless Chromium: newest first, typing a member's name filters the rows, and each link serves its exact bytes."""
    from playwright.sync_api import sync_playwright

    out, _ = archive
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu",
                                                                                      "--disable-background-networking"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            rows = page.locator("#library tbody tr")
            assert rows.count() == 3
            assert rows.nth(0).locator("td").nth(0).inner_text() == "2027-02-09"     # newest first
            assert page.locator("#count").inner_text() == "3 of 3 files"
            page.fill("#search", "bob")
            assert page.locator("#library tbody tr:visible").count() == 1
            assert page.locator("#count").inner_text() == "1 of 3 files"
            page.fill("#search", "referral map")
            assert page.locator("#library tbody tr:visible").count() == 2
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    followed = browse_library(out)
    expected = {"2027-01-12/resources/Referral map.pdf": FILES["2027-01-12", "ann@example.org"][2],
                "2027-01-12/resources/Referral map (2).pdf": FILES["2027-01-12", "bob@example.org"][2],
                "2027-02-09/resources/consent_ wording_.txt": FILES["2027-02-09", "chandra@example.org"][2]}
    assert followed == expected


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass
