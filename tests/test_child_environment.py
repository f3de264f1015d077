"""The daemon's child processes (the reader, the composing worker) are given how to run Python, not the
daemon's secrets: the passwords the schedule file's *_env keys name live in the daemon's environment."""

from __future__ import annotations

import time
from pathlib import Path

from cyclekit import config

from mailflow.adapters.compose_process import ProcessComposeWorker
from mailflow.adapters.reader_process import ReaderProcess
from mailflow.app.inbox import Inbox

SECRET_VALUE = "hunter2-not-for-children"


def environment_of(pid: int) -> dict[str, str]:
    """A live process's environment as the kernel holds it (Linux /proc)."""
    deadline = time.monotonic() + 10
    while True:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
        if raw or time.monotonic() > deadline:      # empty for a moment while the child execs
            break
        time.sleep(0.05)
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode(errors="replace") for key, value in pairs}


def test_the_reader_child_gets_no_secret_from_the_daemons_environment(monkeypatch):
    """A password in the daemon's environment is not in the reader child's; PATH is, and PYTHONPATH heads with
    the folder of the daemon's own mailflow package."""
    monkeypatch.setenv("MAILFLOW_IMAP_PASSWORD", SECRET_VALUE)
    reader = ReaderProcess(Inbox.read)
    reader.start()
    try:
        assert reader.pid is not None
        seen = environment_of(reader.pid)
    finally:
        reader.close()
    assert "MAILFLOW_IMAP_PASSWORD" not in seen
    assert SECRET_VALUE not in "".join(seen.values())
    assert "PATH" in seen
    assert seen["PYTHONPATH"].split(":")[0] == str(Path(__file__).resolve().parent.parent)


def test_the_composing_worker_gets_no_secret_from_the_daemons_environment(monkeypatch):
    """The composing worker is handed the one secret it needs (the reply-token key) over its pipe; a password in
    the daemon's environment is not in its environment."""
    monkeypatch.setenv("MAILFLOW_SMTP_PASSWORD", SECRET_VALUE)
    with ProcessComposeWorker(config(), b"token-key-0123456789abcdef") as worker:
        assert worker.pid is not None
        seen = environment_of(worker.pid)
    assert "MAILFLOW_SMTP_PASSWORD" not in seen
    assert SECRET_VALUE not in "".join(seen.values())
    assert "PATH" in seen
