"""The reader process: replies understood on the other core, the same as in the daemon's process, dying with it."""

from __future__ import annotations

import array
import base64
import fcntl
import logging
import os
import signal
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mailflow.adapters.reader_process import IN_PROCESS_FROM_BYTES, STOP_SECONDS, ReaderProcess
from mailflow.app.inbox import Inbox
from mailflow.core.kinds import Request
from mailflow.core.tokens import reply_token
from mailflow.mail_in.replies import UnparseableMessage, read_intent, understand

REPO = Path(__file__).resolve().parent.parent


def reply(n: int, body: str, *, html: bool = False, attachment: bytes = b"") -> bytes:
    """A member's reply to a call for updates (plain or HTML, with a PDF when ``attachment``)."""
    token = reply_token(b"secret", "2027-01-12", Request.UPDATE.value, f"m{n}@members.example.org")
    head = (f"From: Member {n} <m{n}@members.example.org>\r\nTo: CoP <cop+{token}@example.org>\r\n"
            f"Subject: Re: Call for updates\r\nMessage-ID: <r{n}@members.example.org>\r\n"
            f"In-Reply-To: <call{n}@example.org>\r\nDate: Tue, 05 Jan 2027 10:0{n % 10}:00 -0800\r\n"
            "MIME-Version: 1.0\r\n")
    quoted = "\r\n\r\nOn Mon, 4 Jan 2027, CoP wrote:\r\n> Please reply with your update.\r\n"
    text = body + quoted
    part = (f"Content-Type: text/html; charset=utf-8\r\n\r\n<p>{body}</p><blockquote>Please reply</blockquote>\r\n"
            if html else f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}")
    if not attachment:
        return (head + part).encode()
    encoded = base64.encodebytes(attachment).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + part + "\r\n--b1\r\n"
            'Content-Type: application/pdf; name="report.pdf"\r\nContent-Disposition: attachment; '
            'filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + encoded + "--b1--\r\n").encode()


UNPARSEABLE = b"From: a@example.org\r\n" + b"X-A: 1\r\n" * 600 + b"\r\nbody"
BATCH = [
    reply(1, "Yes, I'll be there. Our clinic started the housing referral pilot last week."),
    reply(2, "No update this month, sorry.", html=True),
    UNPARSEABLE,
    reply(3, "Update: the navigator role is funded until March.", attachment=b"%PDF-1.4\n" + b"x" * 3000),
    reply(4, "unsubscribe"),
]


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    process = ReaderProcess(Inbox.read)
    yield process
    process.close()


def same_as_here(raws: list[bytes], got: list[tuple[object, object]], *, by_child: bool = True) -> None:
    assert len(got) == len(raws)
    for raw, (reading, intents) in zip(raws, got, strict=True):
        here = Inbox.read(raw)
        if isinstance(here, Exception):
            assert type(reading) is type(here) and str(reading) == str(here)
            continue
        assert reading == here
        assert repr(reading) == repr(here)
        assert intents == ({Request.UPDATE: read_intent(here, Request.UPDATE)} if by_child else {})


def test_a_batch_read_by_the_process_is_read_as_the_daemon_would_with_its_token_s_intents(reader) -> None:  # type: ignore[no-untyped-def]
    """Each message comes back equal to understand() here, its intents for the request its token names equal to
    read_intent() here (the daemon works out any other itself), unparseable too."""
    reader.start()
    got = list(reader.read_many(BATCH))
    same_as_here(BATCH, got)
    assert isinstance(got[2][0], UnparseableMessage) and got[2][0].reason == "601 header fields, over the 500-field cap"
    assert got[0][1] and reader.pid is not None                 # read by the child: its intents came with it
    again = list(reader.read_many(BATCH[:2]))                      # the same child, a second batch
    same_as_here(BATCH[:2], again)


def test_a_batch_left_half_read_does_not_shift_the_next_one(reader) -> None:  # type: ignore[no-untyped-def]
    """A batch abandoned midway (its transaction failed): the next batch gets its own readings, not the rest."""
    first = reader.read_many(BATCH)
    next(first)
    del first
    later = [reply(7, "Our survey results are in."), reply(8, "I'll pass this month.")]
    same_as_here(later, list(reader.read_many(later)))


def waiting_bytes(stream: object) -> int:
    """How many bytes wait in a pipe to be read (FIONREAD)."""
    held = array.array("i", [0])
    fcntl.ioctl(stream.fileno(), termios.FIONREAD, held)  # type: ignore[attr-defined]
    return held[0]


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_the_reader_runs_ahead_of_a_slow_store_thread(reader) -> None:  # type: ignore[no-untyped-def]
    """A batch's readings wait for the store thread in the pipe, however slowly it takes them: the child reads on
    (a default pipe holds 64 KiB, six or so readings, and the child would stop there and wait for the store)."""
    replies = [reply(n, f"Update {n}: " + "the housing navigator pilot reached more families. " * 30)
               for n in range(60)]
    results = reader.read_many(replies)
    deadline = time.monotonic() + 30
    while waiting_bytes(reader._child.stdout) <= 64 * 1024 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert waiting_bytes(reader._child.stdout) > 64 * 1024
    same_as_here(replies, list(results))


def test_a_reader_closed_with_a_big_batch_unread_stops_at_once(reader) -> None:  # type: ignore[no-untyped-def]
    """Closing while a batch too big for the pipes is fed and nobody reads its results (the daemon stopping after
    the batch's transaction failed): the child is killed after STOP_SECONDS, and close returns; it waited forever
    (closing the child's input waited for the feed, which waited for the child, which waited for a reader)."""
    replies = [reply(n, f"Update {n}: " + "the housing navigator pilot reached more families. " * 200)
               for n in range(400)]
    reader.read_many(replies)
    pid = reader.pid
    time.sleep(1.0)
    closing = threading.Thread(target=reader.close, daemon=True)
    started = time.monotonic()
    closing.start()
    closing.join(timeout=STOP_SECONDS + 10)
    assert not closing.is_alive(), "close() hung"
    assert time.monotonic() - started < STOP_SECONDS + 5
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_large_messages_are_read_in_the_callers_thread(reader) -> None:  # type: ignore[no-untyped-def]
    """A message over the threshold never goes through the pipe (its reply would cost its size again in memory)."""
    big = reply(5, "The full report.", attachment=b"%PDF-1.4\n" + os.urandom(IN_PROCESS_FROM_BYTES))
    got = list(reader.read_many([big, BATCH[0]]))
    assert got[0] == (understand(big), {}) and got[1][1]


def test_a_reader_process_that_dies_is_an_error_in_the_log_and_nothing_is_lost(reader, caplog) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the child: the batch is still read in full (here), the log says so with the exit status."""
    reader.start()
    pid = reader.pid
    os.kill(pid, signal.SIGKILL)
    with caplog.at_level(logging.ERROR, logger="mailflow.adapters.reader_process"):
        got = list(reader.read_many(BATCH))
    same_as_here(BATCH, got, by_child=False)                     # read here, after the child died
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and f"({pid}) stopped with exit status -9" in errors[0], errors
    assert reader.pid is None                                    # not restarted at once (a crash loop)


def test_a_message_the_reader_crashed_on_is_read_again_here_for_its_traceback(tmp_path: Path) -> None:
    """The child says it crashed (a fake child at our seam): the daemon's process reads it, and its answer is used."""
    fake = tmp_path / "crashing_reader.py"
    fake.write_text(textwrap.dedent("""
        import pickle, sys
        while True:
            header = sys.stdin.buffer.read(8)
            if len(header) < 8:
                break
            sys.stdin.buffer.read(int.from_bytes(header, "big"))
            data = pickle.dumps(("crashed", "RecursionError", None))
            sys.stdout.buffer.write(len(data).to_bytes(8, "big") + data)
            sys.stdout.buffer.flush()
    """))
    here: list[bytes] = []

    def read_here(raw: bytes) -> object:
        here.append(raw)
        return Inbox.read(raw)

    process = ReaderProcess(read_here, command=[sys.executable, str(fake)])   # type: ignore[arg-type]
    try:
        got = list(process.read_many(BATCH[:2]))
    finally:
        process.close()
    assert here == BATCH[:2] and [r for r, _ in got] == [understand(raw) for raw in BATCH[:2]]


def test_a_reader_that_sends_anything_but_values_is_stopped_and_the_batch_read_here(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    """A child answering with a pickle that would call a function (a reader taken over by a message) is refused:
    nothing is called, the log names it, the batch is read here."""
    called = tmp_path / "called"
    fake = tmp_path / "hostile_reader.py"
    fake.write_text(textwrap.dedent(f"""
        import os, pickle, sys
        class Call:
            def __reduce__(self):
                return (os.mkdir, ({str(called)!r},))
        while True:
            header = sys.stdin.buffer.read(8)
            if len(header) < 8:
                break
            sys.stdin.buffer.read(int.from_bytes(header, "big"))
            data = pickle.dumps(("reply", Call(), {{}}))
            sys.stdout.buffer.write(len(data).to_bytes(8, "big") + data)
            sys.stdout.buffer.flush()
    """))
    process = ReaderProcess(Inbox.read, command=[sys.executable, str(fake)])
    try:
        with caplog.at_level(logging.ERROR, logger="mailflow.adapters.reader_process"):
            got = list(process.read_many(BATCH[:2]))
    finally:
        process.close()
    assert not called.exists()
    same_as_here(BATCH[:2], got, by_child=False)
    assert any("posix.mkdir is not a value a reader sends" in r.getMessage() for r in caplog.records), caplog.text


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return "gone"
    return next(line.split()[1] for line in status.splitlines() if line.startswith("State:"))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize("busy", [True, False], ids=["reading", "idle"])
def test_the_reader_process_dies_with_a_daemon_killed_by_sigkill(tmp_path: Path, busy: bool) -> None:
    """A real parent process with a reader, SIGKILLed while its child reads a stream of batches or waits for one:
    the child exits too."""
    parent = tmp_path / "parent.py"
    parent.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO / "tests")!r})
        from test_reader_process import BATCH
        from mailflow.adapters.reader_process import ReaderProcess
        from mailflow.app.inbox import Inbox
        reader = ReaderProcess(Inbox.read)
        reader.start()
        list(reader.read_many(BATCH))
        print(reader.pid, flush=True)
        while True:
            if {busy!r}:
                reader.read_many(BATCH * 20)      # batches handed over, never collected: the child stays busy
            time.sleep(0.05)
    """))
    process = subprocess.Popen([sys.executable, str(parent)], stdout=subprocess.PIPE, cwd=REPO)
    try:
        assert process.stdout is not None
        child = int(process.stdout.readline())
        time.sleep(0.3)
        assert _state(child) not in ("gone", "Z")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 10
        while _state(child) not in ("gone", "Z") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _state(child) in ("gone", "Z"), f"the reader process {child} outlived its parent"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
