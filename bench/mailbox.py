"""The Dovecot measures: ingest (LMTP delivery -> applied and moved) and IDLE latency, with their floors."""

from __future__ import annotations

import smtplib
import statistics
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import data
from harness_dovecot import Dovecot
from measures import Result, stdlib_parse

from mailflow.adapters.intake import ImapIntake
from mailflow.adapters.reader_process import ReaderProcess
from mailflow.app.intake_link import IntakeLink
from mailflow.app.storethread import StoreThread
from mailflow.ports import Disposition
from mailflow.schedule.config import Step


class Timed:
    """The intake's sink and cursor as the daemon gives them (its IntakeLink: a reader process, the engine on a
    store thread), stamping when each message is applied and filed."""

    def __init__(self, link: IntakeLink) -> None:
        self.link = link
        self.applied: list[tuple[float, Disposition]] = []
        self.filed: list[float] = []          # the cursor moves only after the IMAP MOVE
        self.changed = threading.Condition()

    def accept(self, raw: bytes) -> Disposition:
        disposition = self.link.accept(raw)
        with self.changed:
            self.applied.append((time.perf_counter(), disposition))
            self.changed.notify_all()
        return disposition

    def accept_many(self, raws: list[bytes]) -> list[Disposition]:
        dispositions = self.link.accept_many(raws)
        with self.changed:
            now = time.perf_counter()
            self.applied.extend((now, d) for d in dispositions)
            self.changed.notify_all()
        return dispositions

    def oversize(self, headers: bytes, size: int) -> None:
        self.link.oversize(headers, size)

    def load(self) -> tuple[int, int] | None:
        return self.link.load()

    def save(self, uidvalidity: int, uid: int) -> None:
        """The cursor moves once a batch is recorded and moved: every message applied so far is filed."""
        self.link.save(uidvalidity, uid)
        with self.changed:
            now = time.perf_counter()
            self.filed.extend(now for _ in range(len(self.applied) - len(self.filed)))
            self.changed.notify_all()

    def wait_filed(self, count: int, timeout: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.filed) >= count, timeout):
                raise TimeoutError(f"only {len(self.filed)} of {count} messages filed in {timeout:.0f} s")


def lmtp_deliver(dovecot: Dovecot, rcpt: str, messages: list[bytes]) -> float:
    """Deliver over one LMTP connection (as an MTA would); returns the seconds it took."""
    start = time.perf_counter()
    with smtplib.LMTP(str(dovecot.lmtp_socket)) as lmtp:
        for raw in messages:
            refused = lmtp.sendmail("member@members.example.org", [rcpt], raw)
            assert not refused, refused
    return time.perf_counter() - start


def fetch_and_parse(dovecot: Dovecot, user: str, batch: int = 100) -> tuple[float, int]:
    """The floor: imapclient login, SELECT + FETCH BODY.PEEK[] in batches, the stdlib compat32 parse."""
    start = time.perf_counter()
    count = 0
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        for i in range(0, len(uids), batch):
            for item in client.fetch(uids[i:i + batch], [b"BODY.PEEK[]"]).values():
                stdlib_parse(item[b"BODY[]"])
                count += 1
    return time.perf_counter() - start, count


def idle_fetch_and_parse(dovecot: Dovecot, user: str, messages: list[bytes], batch: int = 100) -> float:
    """A bare IDLE client over the same stream (for information): imapclient waits in IDLE while the bytes are
    delivered over LMTP; whenever the server says EXISTS it fetches what is new, BODY.PEEK[] in batches, and
    parses it with the stdlib, until all are parsed. Returns the seconds from the first delivery to the last
    parse: it waits for the server's push as the intake does (Dovecot delays it by 0.5 s)."""
    with dovecot.imap(user) as client:
        client.select_folder("INBOX", readonly=True)
        start = time.perf_counter()
        delivery = threading.Thread(target=lmtp_deliver, args=(dovecot, user, messages))
        delivery.start()
        parsed, last = 0, 0
        while parsed < len(messages):
            new = [uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last]
            if not new:
                client.idle()
                deadline = time.monotonic() + 30
                while not any(len(r) > 1 and r[1] == b"EXISTS" for r in client.idle_check(timeout=1)):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"only {parsed} of {len(messages)} messages came")
                client.idle_done()
                continue
            for i in range(0, len(new), batch):
                for item in client.fetch(new[i:i + batch], [b"BODY.PEEK[]"]).values():
                    stdlib_parse(item[b"BODY[]"])
                    parsed += 1
            last = new[-1]
        seconds = time.perf_counter() - start
        delivery.join()
    return seconds


class Running:
    """A community whose service mailbox is on Dovecot, its engine, and the real intake IDLEing in a thread, wired as
    the daemon wires them (mailflow.app.wiring.build_daemon): the engine on a store thread, a reader process."""

    def __init__(self, work: Path, dovecot: Dovecot, members: int) -> None:
        self.dovecot = dovecot
        self.service = dovecot.new_user()
        community = data.write_community(work / "mailbox", members=members, service=self.service,
                                         imap_port=dovecot.port)
        self.config = data.load_config(community.toml)
        meeting = data.meeting(self.config, "2027-01-12")
        self.parts, self.clock = data.open_engine(self.config, meeting.due_at(Step.INVITATION))
        self.calls = data.calls_for_updates(self.config, meeting, self.parts, self.clock)
        self.now = meeting.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=2)
        self.clock.set(self.now)
        self.store_thread = StoreThread()
        self.reader = ReaderProcess(self.parts.engine.read)
        self.timed = Timed(IntakeLink(self.store_thread, lambda: self.parts.engine, lambda: None, self.reader))
        self.stop = threading.Event()
        self.intake = ImapIntake(self.config.imap, dovecot.password, self.timed, self.timed)
        self.thread = threading.Thread(target=self.intake.run, args=(self.stop,), name="intake", daemon=True)

    def replies(self, count: int, seed: int, serial_base: int) -> list[bytes]:
        return data.replies_for(self.config, self.calls, self.now, count, seed, serial_base=serial_base)

    def start(self) -> None:
        self.reader.start()
        self.thread.start()
        deadline = time.monotonic() + 20
        while self.intake.health.last_success is None:      # connected, caught up, about to IDLE
            if time.monotonic() > deadline:
                raise TimeoutError("the intake did not connect")
            time.sleep(0.01)
        time.sleep(0.2)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.store_thread.shutdown(wait=True)
        self.reader.close()
        self.parts.states.close()


def measure_ingest(running: Running, streamed: list[bytes], waiting: list[bytes]) -> Result:
    """Replies/s from the first LMTP delivery until the last reply is applied and moved (intake IDLEing),
    against LMTP delivery + FETCH in batches + the stdlib parse; and one catch-up pass over mail already
    waiting, against FETCH in batches + the same parse of that mail."""
    before = len(running.timed.filed)
    start = time.perf_counter()
    deliver_s = lmtp_deliver(running.dovecot, running.service, streamed)
    running.timed.wait_filed(before + len(streamed), timeout=600)
    elapsed = running.timed.filed[-1] - start
    dispositions = [d for _, d in running.timed.applied[-len(streamed):]]
    value = len(streamed) / elapsed
    floor_user = running.dovecot.new_user()
    floor_deliver_s = lmtp_deliver(running.dovecot, floor_user, streamed)
    fetch_s, fetched = fetch_and_parse(running.dovecot, floor_user)
    floor = fetched / (floor_deliver_s + fetch_s)
    processed = sum(d is Disposition.PROCESSED for d in dispositions)
    idle_s = idle_fetch_and_parse(running.dovecot, running.dovecot.new_user(), streamed)
    catch_up = measure_catch_up(running, waiting)
    return Result("ingest", value, "msgs/s", "ratio >= 0.5", value / floor >= 0.5, floor, {
        "floor_is": "LMTP delivery of the same bytes + imapclient FETCH BODY.PEEK[] in batches of 100 + "
                    "stdlib compat32 parse + walk + decode",
        "messages": len(streamed), "processed": processed, "seconds": round(elapsed, 2),
        "lmtp_delivery_s": round(deliver_s, 2), "floor_lmtp_delivery_s": round(floor_deliver_s, 2),
        "floor_fetch_parse_s": round(fetch_s, 2),
        "floor_fetch_parse_only_msgs_s": round(fetched / fetch_s, 1),
        "idle_client_msgs_s": round(len(streamed) / idle_s, 1),
        "ratio_vs_idle_client": round(value * idle_s / len(streamed), 3),
        "idle_client_is": "for information: a bare imapclient IDLE client on the same stream (waits for the "
                          "server's push as the intake does, then FETCH in batches of 100 + stdlib parse)",
        "catch_up": catch_up,
    })


class NewMailbox:
    """The cursor of a pass over a mailbox never read before: it starts at the first message, and saves as the
    daemon does (through the store). Not the service mailbox's cursor: Dovecot takes a mailbox's UIDVALIDITY from
    the clock in seconds, so a mailbox made in the same second as the service mailbox would look read already."""

    def __init__(self, timed: Timed) -> None:
        self.timed = timed

    def load(self) -> tuple[int, int] | None:
        return None

    def save(self, uidvalidity: int, uid: int) -> None:
        self.timed.save(uidvalidity, uid)


def measure_catch_up(running: Running, replies: list[bytes]) -> dict[str, object]:
    """One catch-up pass (a fresh intake: connect, fetch, record, file) over replies already in a mailbox,
    against connect + FETCH in batches + stdlib parse of the same mailbox (read-only, done first)."""
    user = running.dovecot.new_user()
    lmtp_deliver(running.dovecot, user, replies)
    fetch_s, fetched = fetch_and_parse(running.dovecot, user)
    settings = replace(running.config.imap, user=user)
    before = len(running.timed.filed)
    intake = ImapIntake(settings, running.dovecot.password, running.timed, NewMailbox(running.timed))
    start = time.perf_counter()
    handled = intake.poll_once()
    seconds = time.perf_counter() - start
    intake.close()
    assert handled == len(replies) and len(running.timed.filed) > before, (handled, len(running.timed.filed) - before)
    value, floor = handled / seconds, fetched / fetch_s
    return {"msgs_s": round(value, 1), "floor_msgs_s": round(floor, 1), "ratio": round(value / floor, 3),
            "messages": handled, "seconds": round(seconds, 2), "floor_seconds": round(fetch_s, 2),
            "floor_is": "imapclient connect + FETCH BODY.PEEK[] in batches of 100 + stdlib compat32 parse"}


def measure_latency(running: Running, replies: list[bytes], gap: float = 0.3) -> Result:
    """Delivery (LMTP 250) -> applied by the engine, one message at a time, with the intake in IDLE."""
    latencies = []
    for raw in replies:
        filed = len(running.timed.filed)
        applied = len(running.timed.applied)
        lmtp_deliver(running.dovecot, running.service, [raw])
        delivered = time.perf_counter()
        running.timed.wait_filed(filed + 1, timeout=30)
        latencies.append(running.timed.applied[applied][0] - delivered)
        time.sleep(gap)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Result("latency", p50, "s (p50)", "p50 <= 0.7 s", p50 <= 0.7, None, {
        "p50_s": round(p50, 3), "p95_s": round(p95, 3), "min_s": round(ordered[0], 3),
        "max_s": round(ordered[-1], 3), "deliveries": len(latencies),
        "note": "Dovecot delays IDLE pushes by 0.5 s (NOTIFY_DELAY_MSECS)",
    })


def start_dovecot() -> Dovecot:
    server = Dovecot()
    server.start()
    return server

