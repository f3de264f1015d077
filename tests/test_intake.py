"""IMAP intake against a real Dovecot: filing, IDLE, crashes, cuts, restarts, UIDVALIDITY, TLS."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from mailflow.adapters.intake import ImapIntake, LoginRejected
from mailflow.core.backoff import Backoff
from mailflow.errors import ConfigError
from mailflow.ports import Disposition
from mailflow.schedule.config import AuthMethod, ImapSettings, Tls

FAST = Backoff(initial=0.05, factor=2.0, cap=0.4)
REPO = Path(__file__).resolve().parent.parent


# --- our own seams: a file-backed sink and cursor --------------------------------------------


class FileSink:
    """Records each distinct message once (by sha256) in a JSON-lines file, fsynced before returning.

    The disposition comes from an ``X-Test-Outcome`` header (default processed). ``crash_after_record``
    SIGKILLs this process right after the record is durable: the crash the intake must survive.
    """

    def __init__(self, path: Path, *, crash_after_record: bool = False) -> None:
        self.path = path
        self.crash_after_record = crash_after_record
        self.calls = 0
        self.batches: list[int] = []     # sizes of the accept_many calls

    def records(self) -> list[dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines()]

    def applied(self) -> list[dict[str, object]]:
        return [r for r in self.records() if r["event"] == "applied"]

    def accept(self, raw: bytes) -> Disposition:
        self.calls += 1
        digest = hashlib.sha256(raw).hexdigest()
        for record in self.applied():
            if record["sha256"] == digest:
                self._write({"event": "duplicate", "sha256": digest})
                return Disposition(str(record["disposition"]))
        disposition = _outcome(raw)
        self._write({"event": "applied", "sha256": digest, "disposition": disposition.value,
                     "subject": _header(raw, b"Subject"), "size": len(raw), "at": time.monotonic()})
        if self.crash_after_record:
            os.kill(os.getpid(), signal.SIGKILL)
        return disposition

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        self.batches.append(len(raws))
        return [self.accept(raw) for raw in raws]

    def oversize(self, headers: bytes, size: int) -> None:
        self._write({"event": "oversize", "subject": _header(headers, b"Subject"), "size": size,
                     "headers_only": b"\r\n\r\n" not in headers.rstrip(b"\r\n")})

    def _write(self, record: dict[str, object]) -> None:
        with open(self.path, "a") as file:
            file.write(json.dumps(record) + "\n")
            file.flush()
            os.fsync(file.fileno())


class FileCursor:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> tuple[int, int] | None:
        if not self.path.exists():
            return None
        validity, uid = json.loads(self.path.read_text())
        return int(validity), int(uid)

    def save(self, uidvalidity: int, uid: int) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([uidvalidity, uid]))
        os.replace(tmp, self.path)


def _header(raw: bytes, name: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


def _outcome(raw: bytes) -> Disposition:
    return Disposition(_header(raw, b"X-Test-Outcome") or "processed")


def message(subject: str, outcome: str = "processed", body: str = "Hello from a member.\r\n") -> bytes:
    return (f"From: Member <member@example.org>\r\nTo: cop@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '-')}@example.org>\r\nX-Test-Outcome: {outcome}\r\n"
            f"\r\n{body}").encode()


# --- helpers -----------------------------------------------------------------------------------


def settings_for(dovecot, user: str, port: int | None = None, **changes: object) -> ImapSettings:  # type: ignore[no-untyped-def]
    base = ImapSettings(host="127.0.0.1", port=port or dovecot.port, tls=Tls.NONE, user=user,
                        allow_plaintext=True, timeout_seconds=2.0)
    return replace(base, **changes)  # type: ignore[arg-type]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> float:
    """Poll every 10 ms; returns the seconds it took, fails with ``what`` after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - start


@contextmanager
def running(intake: ImapIntake) -> Iterator[threading.Thread]:
    """Run the intake in a thread; on exit set stop and require that run() returns within 1.5 s."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            intake.run(stop)
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="intake-under-test")
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=1.5)
        assert not thread.is_alive(), "run() did not return within 1.5 s of stop"
    if errors:
        raise errors[0]


def folder_uids(dovecot, user: str, folder: str) -> list[int]:  # type: ignore[no-untyped-def]
    with dovecot.imap(user) as client:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        return list(client.search("ALL"))


def _lasting(flags: dict[int, tuple[bytes, ...]]) -> dict[int, set[bytes]]:
    """Flags without \\Recent, which belongs to whichever session saw the message first."""
    return {uid: set(f) - {b"\\Recent"} for uid, f in flags.items()}


def count_in(dovecot, user: str, folder: str) -> int:  # type: ignore[no-untyped-def]
    return len(folder_uids(dovecot, user, folder))


@pytest.fixture
def box(dovecot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh mailbox plus a file sink and cursor for it."""
    class Box:
        user = dovecot.new_user()
        sink = FileSink(tmp_path / "sink.jsonl")
        cursor = FileCursor(tmp_path / "cursor.json")

        def intake(self, port: int | None = None, **changes: object) -> ImapIntake:
            return ImapIntake(settings_for(dovecot, self.user, port, **changes), dovecot.password,
                              self.sink, self.cursor, backoff=FAST)

    return Box()


# --- filing ------------------------------------------------------------------------------------


def test_delivered_mail_is_processed_and_moved(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """A delivered message reaches the sink byte for byte and ends up in the processed folder."""
    dovecot.deliver(box.user, message("minutes please"))
    assert box.intake().poll_once() == 1
    [record] = box.sink.applied()
    assert record["subject"] == "minutes please" and record["disposition"] == "processed"
    assert count_in(dovecot, box.user, "INBOX") == 0
    with dovecot.imap(box.user) as client:
        client.select_folder("mailflow/processed")
        [(uid, data)] = client.fetch(client.search("ALL"), ["BODY.PEEK[]", "FLAGS"]).items()
    assert hashlib.sha256(data[b"BODY[]"]).hexdigest() == record["sha256"]
    assert data[b"BODY[]"].endswith(message("minutes please").split(b"\r\n\r\n", 1)[1])


def test_held_mail_goes_to_the_held_folder(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """HELD mail is moved to the held folder, not the processed one."""
    dovecot.deliver(box.user, message("who am I", outcome="held"))
    box.intake().poll_once()
    assert count_in(dovecot, box.user, "mailflow/held") == 1
    assert count_in(dovecot, box.user, "mailflow/processed") == 0
    assert count_in(dovecot, box.user, "INBOX") == 0


def test_unrelated_mail_is_left_untouched_and_not_offered_again(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """IGNORED mail stays in INBOX, unseen and unflagged; the cursor stops it being offered twice."""
    dovecot.deliver(box.user, message("newsletter", outcome="ignored"))
    with dovecot.imap(box.user) as client:
        client.select_folder("INBOX")
        before = client.get_flags(client.search("ALL"))
    assert box.intake().poll_once() == 1
    assert box.intake().poll_once() == 0            # a restarted intake resumes after the cursor
    with dovecot.imap(box.user) as client:
        client.select_folder("INBOX")
        after = client.get_flags(client.search("ALL"))
    assert _lasting(after) == _lasting(before) == {1: set()}
    assert box.sink.calls == 1


def test_oversize_mail_is_not_downloaded_and_reported_once(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """Over max_message_bytes: only the header is fetched, sink.oversize is called once, mail stays."""
    dovecot.deliver(box.user, message("big attachment", body="x" * 5000 + "\r\n"))
    dovecot.deliver(box.user, message("small reply"))
    first = box.intake(max_message_bytes=4000)
    assert first.poll_once() == 2
    first.close()
    assert box.intake(max_message_bytes=4000).poll_once() == 0
    oversize = [r for r in box.sink.records() if r["event"] == "oversize"]
    assert [(r["subject"], r["headers_only"]) for r in oversize] == [("big attachment", True)]
    assert int(oversize[0]["size"]) > 5000  # type: ignore[call-overload]
    assert [r["subject"] for r in box.sink.applied()] == ["small reply"]
    with dovecot.imap(box.user) as client:
        client.select_folder("INBOX")
        flags = client.get_flags(client.search("ALL"))
    assert list(_lasting(flags).values()) == [set()]   # not \\Seen


def test_oversize_mail_after_a_batch_is_not_downloaded_ahead(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """A message over max_message_bytes right after others: it is not downloaded while they are recorded (the
    next batch downloads ahead only when it may be downloaded at all); the mail after it is read as itself."""
    dovecot.deliver(box.user, message("before the big one"))
    dovecot.deliver(box.user, message("big attachment", body="x" * 5000 + "\r\n"))
    dovecot.deliver(box.user, message("after the big one"))
    assert box.intake(port=tcp_proxy.port, max_message_bytes=4000).poll_once() == 3
    assert bytes(tcp_proxy.client_log).count(b"BODY.PEEK[]") == 2          # the two small ones, each alone
    assert [r["subject"] for r in box.sink.applied()] == ["before the big one", "after the big one"]
    assert [r["subject"] for r in box.sink.records() if r["event"] == "oversize"] == ["big attachment"]
    assert count_in(dovecot, box.user, "INBOX") == 1


def test_without_move_it_copies_flags_and_expunges_only_that_uid(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """No MOVE capability: COPY + \\Deleted + UID EXPUNGE; another client's \\Deleted mail survives."""
    dovecot.deliver(box.user, message("someone else's trash", outcome="ignored"))
    with dovecot.imap(box.user) as client:
        client.select_folder("INBOX")
        client.add_flags(client.search("ALL"), [b"\\Deleted"])
    dovecot.deliver(box.user, message("real reply"))
    tcp_proxy.rewrite = (b" MOVE", b"")
    box.intake(port=tcp_proxy.port).poll_once()
    assert b"UID MOVE" not in tcp_proxy.client_log and b"UID EXPUNGE" in tcp_proxy.client_log
    assert count_in(dovecot, box.user, "mailflow/processed") == 1
    with dovecot.imap(box.user) as client:
        client.select_folder("INBOX")
        left = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    assert [(b"\\Deleted" in d[b"FLAGS"], b"trash" in d[b"BODY[HEADER.FIELDS (SUBJECT)]"])
            for d in left.values()] == [(True, True)]


def test_a_catch_up_pass_records_its_mail_in_one_call_then_files_it_per_folder(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """Mail waiting in INBOX: one FETCH, one sink call for all of it, one MOVE per destination folder."""
    outcomes = ["processed", "held", "ignored", "processed", "held", "processed"]
    for n, outcome in enumerate(outcomes):
        dovecot.deliver(box.user, message(f"waiting {n}", outcome=outcome))
    assert box.intake(port=tcp_proxy.port).poll_once() == 6
    assert box.sink.batches == [6] and box.sink.calls == 6
    assert tcp_proxy.client_log.count(b"BODY.PEEK[]") == 1
    assert tcp_proxy.client_log.count(b"UID MOVE") == 2
    assert count_in(dovecot, box.user, "mailflow/processed") == 3
    assert count_in(dovecot, box.user, "mailflow/held") == 2
    assert count_in(dovecot, box.user, "INBOX") == 1
    assert box.cursor.load() is not None and box.cursor.load()[1] == 6  # type: ignore[index]


class RefusingBatches(FileSink):
    """A sink that cannot record several messages at once (our seam): the intake goes one by one."""

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        raise OSError("no room for a batch")


def test_a_batch_the_sink_cannot_record_is_recorded_and_filed_one_by_one(dovecot, box, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """If recording a batch fails, each message is recorded and filed on its own; none is lost or doubled."""
    box.sink = RefusingBatches(tmp_path / "refusing.jsonl")
    for n in range(3):
        dovecot.deliver(box.user, message(f"one by one {n}"))
    assert box.intake().poll_once() == 3
    assert [r["subject"] for r in box.sink.applied()] == [f"one by one {n}" for n in range(3)]
    assert box.sink.calls == 3
    assert count_in(dovecot, box.user, "mailflow/processed") == 3


def deliver_many(dovecot, user: str, raws: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    """Deliver over one LMTP connection, as an MTA with a queue would."""
    with smtplib.LMTP(str(dovecot.lmtp_socket)) as lmtp:
        for raw in raws:
            assert not lmtp.sendmail("sender@example.org", [user], raw)


def test_the_next_batch_downloads_while_one_is_recorded(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """A pass over more than one batch: the second batch's FETCH goes out before the first batch's MOVE (it
    downloads while the sink records the first), and every message is recorded once, in order, and filed."""
    deliver_many(dovecot, box.user, [message(f"backlog {n}") for n in range(103)])
    assert box.intake(port=tcp_proxy.port).poll_once() == 103
    log = bytes(tcp_proxy.client_log)
    fetches = [i for i in range(len(log)) if log.startswith(b"BODY.PEEK[]", i)]
    assert len(fetches) == 2 and fetches[1] < log.index(b"UID MOVE")
    assert box.sink.batches == [100, 3]
    assert [r["subject"] for r in box.sink.applied()] == [f"backlog {n}" for n in range(103)]
    assert count_in(dovecot, box.user, "mailflow/processed") == 103 and count_in(dovecot, box.user, "INBOX") == 0


def test_a_connection_cut_while_the_next_batch_downloads_loses_and_doubles_nothing(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """The connection dies while the second batch downloads (the first is recorded, not yet moved): after
    reconnecting the first batch is recognised, the second recorded, all filed, each applied once."""
    raws = [message(f"cut ahead {n}", body=("marker-of-the-second-batch\r\n" if n == 100 else "Hello.\r\n"))
            for n in range(103)]
    deliver_many(dovecot, box.user, raws)
    tcp_proxy.cut_on_server(b"marker-of-the-second-batch")
    intake = box.intake(port=tcp_proxy.port)
    with running(intake):
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 103, 15, "all filed")
    assert tcp_proxy.cuts == 1 and tcp_proxy.connections >= 2
    assert sorted(str(r["subject"]) for r in box.sink.applied()) == sorted(f"cut ahead {n}" for n in range(103))
    assert [r["event"] for r in box.sink.records()].count("duplicate") == 100
    assert count_in(dovecot, box.user, "INBOX") == 0


def test_batches_keep_uid_order_bound_bytes_and_put_oversize_mail_alone() -> None:
    """Groups follow UID order, stop at the count and byte limits, and an oversize message is alone."""
    from mailflow.adapters.imap import MessageSummary
    from mailflow.adapters.intake_plan import batches

    sizes = [10, 10, 500, 10, 10, 10, 10, 90, 10]
    summaries = [MessageSummary(uid, size, "-") for uid, size in enumerate(sizes, start=1)]
    groups = batches(summaries, max_message_bytes=100, messages=3, size=100)
    assert [[s.uid for s in g] for g in groups] == [[1, 2], [3], [4, 5, 6], [7, 8], [9]]


# --- IDLE --------------------------------------------------------------------------------------


def test_idle_push_is_picked_up(dovecot, box, record_property) -> None:  # type: ignore[no-untyped-def]
    """While running, each delivery is filed within 2.5 s (Dovecot pushes after 500 ms)."""
    latencies = []
    with running(box.intake()):
        time.sleep(0.3)   # let it connect and reach IDLE
        for n in range(5):
            start = time.monotonic()
            dovecot.deliver(box.user, message(f"push {n}"))
            wait_until(lambda n=n: len(box.sink.applied()) == n + 1, 2.5, f"push {n} to be applied")
            latencies.append(float(box.sink.applied()[-1]["at"]) - start)  # type: ignore[arg-type]
            wait_until(lambda n=n: count_in(dovecot, box.user, "mailflow/processed") == n + 1, 2, "move")
            time.sleep(0.05)
    record_property("idle_latency_p50_ms", round(statistics.median(latencies) * 1000))
    record_property("idle_latency_max_ms", round(max(latencies) * 1000))
    assert statistics.median(latencies) < 1.0   # pushed (500 ms floor), not found by a recheck


def test_idle_is_renewed_within_the_interval(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """With idle_renew_seconds=1 the intake sends DONE and re-enters IDLE at least once a second."""
    with running(box.intake(port=tcp_proxy.port, idle_renew_seconds=1)):
        time.sleep(2.6)
    assert tcp_proxy.client_log.count(b"\r\nDONE\r\n") >= 2
    assert tcp_proxy.client_log.count(b" IDLE\r\n") >= 3


def test_a_server_without_idle_is_polled(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """No IDLE capability: the intake never sends IDLE and still files mail by polling."""
    tcp_proxy.rewrite = (b" IDLE", b"")
    with running(box.intake(port=tcp_proxy.port, idle_renew_seconds=1)):
        time.sleep(0.3)
        dovecot.deliver(box.user, message("polled"))
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 3, "the move")
    assert b" IDLE\r\n" not in tcp_proxy.client_log


# --- failures ----------------------------------------------------------------------------------


def test_connection_killed_mid_fetch_applies_exactly_once(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """The connection dies halfway through the message body: after reconnecting it is applied once."""
    dovecot.deliver(box.user, message("cut me", body="line of text\r\n" * 400))
    tcp_proxy.cut_on_server(b"BODY[] {")
    intake = box.intake(port=tcp_proxy.port)
    with running(intake):
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 5, "the move")
    assert tcp_proxy.cuts == 1 and tcp_proxy.connections >= 2
    assert [r["subject"] for r in box.sink.applied()] == ["cut me"]
    assert box.sink.calls == 1          # the half-read body never reached the sink
    assert intake.health.consecutive_failures == 0 and intake.health.last_success is not None


def test_connection_killed_before_the_move_applies_exactly_once(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """Recorded, then the connection dies as MOVE is sent: re-offered, deduplicated, then moved."""
    dovecot.deliver(box.user, message("record then cut"))
    tcp_proxy.cut_on_client(b"UID MOVE")
    with running(box.intake(port=tcp_proxy.port)):
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 5, "the move")
    assert len(box.sink.applied()) == 1 and box.sink.calls == 2
    assert count_in(dovecot, box.user, "INBOX") == 0


def test_a_crash_after_the_record_does_not_apply_twice(dovecot, box, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A real process SIGKILLs itself after recording; the restarted intake files it, applied once."""
    dovecot.deliver(box.user, message("crash between record and move"))
    crashed = _child(dovecot, box, crash=True)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert count_in(dovecot, box.user, "INBOX") == 1 and box.cursor.load() is None
    finished = _child(dovecot, box, crash=False)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "handled 1"
    assert [r["event"] for r in box.sink.records()] == ["applied", "duplicate"]
    assert count_in(dovecot, box.user, "INBOX") == 0
    assert count_in(dovecot, box.user, "mailflow/processed") == 1


def test_a_crash_inside_a_batch_files_all_of_it_and_applies_each_once(dovecot, box, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The process dies after recording the first of three messages taken together: the restarted
    intake records the other two, recognises the first, and files all three."""
    for n in range(3):
        dovecot.deliver(box.user, message(f"batch crash {n}"))
    crashed = _child(dovecot, box, crash=True)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert count_in(dovecot, box.user, "INBOX") == 3 and box.cursor.load() is None
    finished = _child(dovecot, box, crash=False)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "handled 3"
    assert sorted(str(r["subject"]) for r in box.sink.applied()) == [f"batch crash {n}" for n in range(3)]
    assert [r["event"] for r in box.sink.records()].count("duplicate") == 1
    assert count_in(dovecot, box.user, "mailflow/processed") == 3 and count_in(dovecot, box.user, "INBOX") == 0


def _child(dovecot, box, *, crash: bool) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    spec = {"port": dovecot.port, "user": box.user, "sink": str(box.sink.path),
            "cursor": str(box.cursor.path), "crash": crash}
    env = {**os.environ, "PYTHONPATH": str(REPO), "TEST_IMAP_SECRET": dovecot.password}
    return subprocess.run([sys.executable, __file__, json.dumps(spec)], capture_output=True,
                          text=True, timeout=30, env=env, cwd=REPO)


def _child_main(spec_json: str) -> None:
    """Entry point of the crash test's subprocess: one catch-up pass, then report."""
    from mailflow.adapters.credentials import resolve_secret
    spec = json.loads(spec_json)
    settings = ImapSettings(host="127.0.0.1", port=spec["port"], tls=Tls.NONE, user=spec["user"],
                            allow_plaintext=True, timeout_seconds=2.0, secret_env="TEST_IMAP_SECRET")
    sink = FileSink(Path(spec["sink"]), crash_after_record=spec["crash"])
    intake = ImapIntake(settings, resolve_secret(settings), sink, FileCursor(Path(spec["cursor"])))
    print(f"handled {intake.poll_once()}")
    intake.close()


def test_dovecot_restart_during_idle_then_mail_that_arrived_meanwhile(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """Dovecot goes down while we IDLE, mail lands in the Maildir meanwhile, it is filed after restart."""
    intake = box.intake()
    with running(intake):
        time.sleep(0.3)
        try:
            dovecot.stop()   # SIGTERM: clients get BYE (an orphaned imap child would keep IDLE alive)
            _drop_into_maildir(dovecot, box.user, message("arrived while down"))
            wait_until(lambda: intake.health.consecutive_failures >= 1, 3, "the intake to notice")
        finally:
            dovecot.start()
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 5, "the move")
        assert [r["subject"] for r in box.sink.applied()] == ["arrived while down"]
        wait_until(lambda: intake.health.consecutive_failures == 0, 2, "health to recover")


def _drop_into_maildir(dovecot, user: str, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    """What a local delivery agent does: write the file into Maildir/new (Dovecot is down)."""
    local, domain = user.split("@")
    maildir = dovecot.sandbox / "mail" / domain / local / "Maildir"
    owner = (maildir / "new").stat()
    path = maildir / "new" / f"{time.time_ns()}.test.{os.getpid()}"
    path.write_bytes(raw)
    os.chown(path, owner.st_uid, owner.st_gid)


def test_uidvalidity_change_rescans_without_applying_twice(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """The folder is recreated (new UIDVALIDITY, UIDs from 1): all is rescanned, nothing twice."""
    with dovecot.imap(box.user) as client:
        client.create_folder("Queue")
        client.append("Queue", message("old unrelated", outcome="ignored"))
        client.append("Queue", message("old reply"))
    intake = box.intake(folder="Queue")
    assert intake.poll_once() == 2
    old_validity, old_uid = box.cursor.load() or (0, 0)
    intake.close()
    with dovecot.imap(box.user) as client:
        client.delete_folder("Queue")
        client.create_folder("Queue")
        client.append("Queue", message("new reply"))                       # UID 1 again
        client.append("Queue", message("old unrelated", outcome="ignored"))  # same bytes as before
    assert box.intake(folder="Queue").poll_once() == 2
    new_validity, new_uid = box.cursor.load() or (0, 0)
    assert new_validity != old_validity and new_uid == 2 <= old_uid
    subjects = sorted(str(r["subject"]) for r in box.sink.applied())
    assert subjects == ["new reply", "old reply", "old unrelated"]
    assert [r["event"] for r in box.sink.records()].count("duplicate") == 1
    assert count_in(dovecot, box.user, "mailflow/processed") == 2


def test_watchdog_drops_a_connection_that_trickles(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """A server sending one byte per 50 ms never trips the socket timeout; the watchdog still cuts it."""
    dovecot.deliver(box.user, message("slow", body="y" * 3000 + "\r\n"))
    tcp_proxy.trickle_on_server(b"BODY[] {", 0.05)
    intake = box.intake(port=tcp_proxy.port, timeout_seconds=0.5)
    started = time.monotonic()
    with running(intake):
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 6, "the move")
    assert time.monotonic() - started < 4
    assert len(box.sink.applied()) == 1 and box.sink.calls == 1 and tcp_proxy.connections >= 2


def test_a_silent_dead_connection_is_replaced(dovecot, box, tcp_proxy) -> None:  # type: ignore[no-untyped-def]
    """The peer vanishes without FIN during IDLE: at renewal DONE times out, a new connection files mail."""
    intake = box.intake(port=tcp_proxy.port, timeout_seconds=0.5, idle_renew_seconds=1)
    with running(intake):
        time.sleep(0.3)
        tcp_proxy.freeze_all()
        dovecot.deliver(box.user, message("after the freeze"))
        wait_until(lambda: count_in(dovecot, box.user, "mailflow/processed") == 1, 5, "the move")
    assert tcp_proxy.connections >= 2 and len(box.sink.applied()) == 1


def test_backoff_grows_with_jitter_and_health_reports_it(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """Nothing listening: delays double from the initial value up to the cap, jittered by random()."""
    closed_port = _closed_port()
    delays: list[float] = []
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 6:
            stop.set()

    intake = ImapIntake(settings_for(dovecot, box.user, closed_port), dovecot.password, box.sink,
                        box.cursor, sleep=sleep, random=lambda: 0.5, backoff=Backoff(1, 2, 10))
    intake.run(stop)
    assert delays == [0.75, 1.5, 3.0, 6.0, 7.5, 7.5]
    assert intake.health.consecutive_failures == 6 and intake.health.last_success is None
    assert "Connection refused" in (intake.health.last_error or "")
    assert dovecot.password not in (intake.health.last_error or "")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- transport and login -----------------------------------------------------------------------


@pytest.mark.parametrize("tls", [Tls.IMPLICIT, Tls.STARTTLS])
def test_tls_with_a_private_ca(dovecot, box, tls: Tls) -> None:  # type: ignore[no-untyped-def]
    """Implicit TLS and STARTTLS both work when ca_file names the server's self-signed certificate."""
    dovecot.deliver(box.user, message(f"over {tls.value}"))
    port = dovecot.tls_port if tls is Tls.IMPLICIT else dovecot.port
    intake = box.intake(port=port, tls=tls, allow_plaintext=False, ca_file=dovecot.cert)
    assert intake.poll_once() == 1
    intake.close()


def test_tls_without_the_ca_is_refused_and_reported(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """Without ca_file the self-signed certificate fails verification; nothing is read."""
    dovecot.deliver(box.user, message("not over bad TLS"))
    intake = box.intake(port=dovecot.tls_port, tls=Tls.IMPLICIT, allow_plaintext=False)
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        intake.poll_once()
    assert "CERTIFICATE_VERIFY_FAILED" in (intake.health.last_error or "")
    assert box.sink.calls == 0


def test_plain_text_needs_allow_plaintext(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """tls = none without allow_plaintext is a configuration error before any connection."""
    with pytest.raises(ConfigError, match="allow_plaintext = true"):
        box.intake(allow_plaintext=False)


def test_xoauth2_login(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """auth = xoauth2 logs in with AUTHENTICATE XOAUTH2 and the token as the secret."""
    dovecot.deliver(box.user, message("via oauth"))
    intake = box.intake(auth=AuthMethod.XOAUTH2)
    assert intake.poll_once() == 1
    intake.close()


def test_wrong_password_stops_run_with_a_clear_error(dovecot, box) -> None:  # type: ignore[no-untyped-def]
    """A refused login is not retried: run() raises LoginRejected naming the env var, not the secret."""
    settings = settings_for(dovecot, box.user, timeout_seconds=10)   # Dovecot delays failures 2 s
    intake = ImapIntake(settings, "not-the-password", box.sink, box.cursor)
    with pytest.raises(LoginRejected) as caught:
        intake.run(threading.Event())
    assert "MAILFLOW_PASSWORD" in str(caught.value) and "not-the-password" not in str(caught.value)
    assert intake.health.consecutive_failures == 1


if __name__ == "__main__":
    _child_main(sys.argv[1])
