"""scripts/reader_training.py, the training run of the reader's profile-guided build (setup.py): it reads each
written reply as the reader process does, a probe case from its message on, and refuses a folder with none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "reader_training.py"

MESSAGE = ("From: Priya Natarajan <priya@example.org>\nTo: cop+x@example.org\nSubject: Re: Invitation\n"
           "Message-ID: <t1@example.org>\nContent-Type: text/plain; charset=utf-8\n\nYes, I'll be there.\n")


def run(*folders: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, folders)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


def test_written_replies_are_read_a_probe_case_from_its_message_on(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "001-yes.txt").write_text(
        "# probe case: yes\nrequest: invitation\nintent: rsvp=accepted\n=== message ===\n" + MESSAGE)
    (tmp_path / "cases" / "reply.eml").write_text(MESSAGE)
    (tmp_path / "cases" / "notes.md").write_text("not a reply")
    done = run(tmp_path / "cases")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "reader_training.py: 2 replies read"


def test_a_probe_case_is_read_as_its_message() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from reader_training import message_of
    finally:
        sys.path.remove(str(SCRIPT.parent))
    case = ("# probe case: yes\nintent: rsvp=accepted\n=== message ===\n" + MESSAGE).encode()
    assert message_of(case) == MESSAGE.encode()
    assert message_of(MESSAGE.encode()) == MESSAGE.encode()       # any other file: whole


def test_a_folder_with_no_reply_fails_the_build_step(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert done.returncode == 1 and "no replies under" in done.stderr
