"""The outbox against a real aiosmtpd on loopback: persisted bytes, faults, retries, pause, alerts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
from harness_smtp import SMTP_PASSWORD, ManualClock, SmtpServer, outgoing_message

from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.smtp import SmtpSender
from mailflow.adapters.store import Store
from mailflow.app.outbox import DeliveryReport, Outbox
from mailflow.core.delivery import AlertReason, DeliveryPolicy, State
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.schedule.config import Tls

SERVICE = "cop@example.test"
POLICY = DeliveryPolicy(give_up_after=timedelta(hours=6), first_retry=timedelta(minutes=2),
                        max_retry=timedelta(minutes=30), pause_for=timedelta(hours=1))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state") as opened:
        yield opened


@pytest.fixture
def outbox(store: Store, clock: ManualClock) -> Outbox:
    import random

    return Outbox(TinyDBOutboxQueue(store), clock, policy=POLICY, rng=random.Random(7))


@pytest.fixture
def server(smtp_starttls_server: SmtpServer) -> SmtpServer:
    return smtp_starttls_server


def deliver(outbox: Outbox, server: SmtpServer, now: datetime, **settings: object) -> DeliveryReport:
    """One drain through a fresh SmtpSender (STARTTLS + AUTH) to ``server``."""

    async def run() -> DeliveryReport:
        async with SmtpSender(server.settings(**settings), SMTP_PASSWORD, envelope_from=SERVICE) as sender:
            return await outbox.deliver_due(sender, now)

    return asyncio.run(run())


def members(n: int) -> list[OutgoingMessage]:
    return [outgoing_message(f"member{i}@example.test", i) for i in range(n)]


def state_of(outbox: Outbox, message: OutgoingMessage) -> State:
    record = outbox.get(message.message_id, message.meeting_key)
    assert record is not None
    return record.state


def test_server_receives_exactly_the_persisted_bytes_one_rcpt_each(outbox: Outbox, server: SmtpServer,
                                                                      clock: ManualClock) -> None:
    """Each message reaches the server byte for byte as persisted, envelope from the service, one RCPT."""
    messages = members(3)
    assert outbox.enqueue(messages) == [m.message_id for m in messages]
    report = deliver(outbox, server, clock.now())
    assert sorted(report.sent) == sorted(m.message_id for m in messages)
    by_rcpt = {r.rcpt_tos: r for r in server.received}
    for message in messages:
        received = by_rcpt[(message.recipient,)]
        record = outbox.get(message.message_id, message.meeting_key)
        assert record is not None and record.state is State.SENT and record.sent_at == clock.now()
        assert received.data == outbox.raw(record) == message.raw
        assert received.mail_from == SERVICE
    assert sorted(server.handler.rcpt_commands) == sorted(m.recipient for m in messages)


def test_enqueue_is_idempotent_and_sent_mail_is_never_resent(outbox: Outbox, server: SmtpServer,
                                                             clock: ManualClock) -> None:
    """Re-enqueueing a known Message-ID changes nothing, even with other bytes, and SENT stays sent."""
    message = members(1)[0]
    outbox.enqueue([message])
    deliver(outbox, server, clock.now())
    altered = OutgoingMessage(message.message_id, message.recipient, message.kind, message.meeting_key,
                              message.raw.replace(b"Meeting 0", b"Meeting X"))
    assert outbox.enqueue([altered, message]) == []
    report = deliver(outbox, server, clock.advance(timedelta(days=1)))
    assert report.attempted == 0 and len(server.received) == 1
    record = outbox.get(message.message_id, message.meeting_key)
    assert record is not None and outbox.raw(record) == message.raw


def test_enqueue_refuses_bytes_whose_message_id_differs(outbox: Outbox) -> None:
    """The persisted bytes must carry the record's Message-ID, so a resend keeps the same identity."""
    message = members(1)[0]
    wrong = OutgoingMessage("<other@x>", message.recipient, message.kind, message.meeting_key, message.raw)
    with pytest.raises(ValueError, match="carry Message-ID"):
        outbox.enqueue([wrong])


def test_421_at_greeting_defers_then_sends_on_retry(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A 421 greeting defers the message with backoff; the retry after the delay delivers it."""
    message = members(1)[0]
    outbox.enqueue([message])
    server.faults.greeting.append("421 4.3.2 Too busy, try later")
    report = deliver(outbox, server, clock.now())
    assert report.deferred == (message.message_id,) and not server.received
    record = outbox.get(message.message_id, message.meeting_key)
    assert record is not None and "421 4.3.2 Too busy" in record.last_error
    assert record.next_attempt is not None and record.next_attempt > clock.now()
    assert deliver(outbox, server, clock.now()).attempted == 0          # not due yet
    clock.set(record.next_attempt)
    assert deliver(outbox, server, clock.now()).sent == (message.message_id,)
    assert [r.data for r in server.received] == [message.raw]


def test_451_for_one_recipient_defers_only_that_one(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A 451 at RCPT for one member defers that message; the others are sent on the same run."""
    messages = members(4)
    outbox.enqueue(messages)
    server.faults.rcpt[messages[2].recipient] = ["451 4.7.1 Greylisted, try again later"]
    report = deliver(outbox, server, clock.now(), max_connections=2)
    assert report.deferred == (messages[2].message_id,)
    assert sorted(report.sent) == sorted(m.message_id for i, m in enumerate(messages) if i != 2)
    assert state_of(outbox, messages[2]) is State.DEFERRED
    clock.advance(timedelta(minutes=5))
    assert deliver(outbox, server, clock.now()).sent == (messages[2].message_id,)
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(m.recipient for m in messages)


def test_550_fails_for_good_with_exactly_one_alert(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A 5xx for a recipient marks it FAILED, records why, alerts once and is never retried."""
    good, bad = members(2)
    outbox.enqueue([good, bad])
    server.faults.rcpt[bad.recipient] = "550 5.1.1 <member1@example.test>: no such user"
    report = deliver(outbox, server, clock.now())
    assert report.failed == (bad.message_id,) and report.sent == (good.message_id,)
    [alert] = report.alerts
    assert (alert.reason, alert.message_id, alert.recipient) == (AlertReason.REJECTED, bad.message_id, bad.recipient)
    assert "550 5.1.1" in alert.detail
    assert outbox.alerts() == [alert]
    record = outbox.get(bad.message_id, bad.meeting_key)
    assert record is not None and record.state is State.FAILED and "no such user" in record.last_error
    later = deliver(outbox, server, clock.advance(timedelta(days=1)))
    assert later.attempted == 0 and later.alerts == ()
    assert server.handler.rcpt_commands.count(bad.recipient) == 1
    outbox.acknowledge(alert.alert_id)
    assert outbox.alerts() == []


def test_535_pauses_the_queue_with_one_alert_and_fails_nobody(outbox: Outbox, server: SmtpServer,
                                                               clock: ManualClock) -> None:
    """Refused credentials pause the whole queue: one alert, no recipient failed, sent after resume."""
    messages = members(5)
    outbox.enqueue(messages)
    server.faults.auth_fails = True
    report = deliver(outbox, server, clock.now(), max_connections=3)
    assert report.sent == report.failed == () and not server.received
    assert [a.reason for a in report.alerts] == [AlertReason.SENDER_REJECTED]
    assert "535" in report.alerts[0].detail
    assert report.paused_until == clock.now() + POLICY.pause_for
    assert {state_of(outbox, m) for m in messages} <= {State.PAUSED, State.QUEUED}
    assert deliver(outbox, server, clock.advance(timedelta(minutes=10))).attempted == 0   # still paused
    clock.advance(POLICY.pause_for)
    again = deliver(outbox, server, clock.now())                      # still refused: same episode, no new alert
    assert again.alerts == () and again.failed == ()
    server.faults.auth_fails = False
    outbox.resume()                                                  # e.g. the config was reloaded
    done = deliver(outbox, server, clock.now())
    assert sorted(done.sent) == sorted(m.message_id for m in messages) and done.alerts == ()
    assert len(outbox.alerts()) == 1


def test_5xx_on_mail_from_pauses_the_queue(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A 5xx to MAIL FROM is our account's problem: the queue pauses and the member is not failed."""
    message = members(1)[0]
    outbox.enqueue([message])
    server.faults.mail_from = "553 5.7.1 Sender address rejected: not owned by user"
    report = deliver(outbox, server, clock.now())
    assert report.failed == () and [a.reason for a in report.alerts] == [AlertReason.SENDER_REJECTED]
    assert state_of(outbox, message) is State.PAUSED


def test_connection_dropped_after_data_resends_once_identically(outbox: Outbox, server: SmtpServer,
                                                                 clock: ManualClock) -> None:
    """No reply after DATA: deferred, then resent once with the same bytes and Message-ID."""
    message = members(1)[0]
    outbox.enqueue([message])
    server.faults.drop_after_data = 1
    assert deliver(outbox, server, clock.now()).deferred == (message.message_id,)
    assert deliver(outbox, server, clock.advance(timedelta(minutes=3))).sent == (message.message_id,)
    assert deliver(outbox, server, clock.advance(timedelta(days=1))).attempted == 0
    copies = [r.data for r in server.received]
    assert 1 <= len(copies) <= 2 and set(copies) == {message.raw}
    ids = {BytesHeaderParser().parsebytes(c)["Message-ID"] for c in copies}
    assert ids == {message.message_id}


def test_gives_up_after_the_configured_time(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A recipient that keeps answering 4xx is FAILED once give_up_after has passed, with one alert."""
    message = members(1)[0]
    outbox.enqueue([message])
    server.faults.rcpt[message.recipient] = "452 4.2.2 Mailbox full"
    start = clock.now()
    tries = 0
    while state_of(outbox, message) is not State.FAILED:
        record = outbox.get(message.message_id, message.meeting_key)
        assert record is not None and record.next_attempt is not None
        clock.set(max(clock.now(), record.next_attempt))
        report = deliver(outbox, server, clock.now())
        tries += 1
        assert tries < 30
    assert clock.now() - start == POLICY.give_up_after          # the last try is exactly at the give-up time
    assert [a.reason for a in report.alerts] == [AlertReason.GAVE_UP]
    assert server.handler.rcpt_commands.count(message.recipient) == tries


def test_deadline_bounds_a_stalling_server(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """A server that stalls after DATA is abandoned at the per-message deadline, not the socket timeout."""
    message = members(1)[0]
    outbox.enqueue([message])
    server.faults.data_delay_seconds = 4.0
    loop_time = asyncio.new_event_loop()
    started = loop_time.time()
    report = deliver(outbox, server, clock.now(), message_deadline_seconds=0.5, timeout_seconds=30.0)
    elapsed = loop_time.time() - started
    loop_time.close()
    assert report.deferred == (message.message_id,)
    assert elapsed < 2.5
    record = outbox.get(message.message_id, message.meeting_key)
    assert record is not None and "0.5 s deadline" in record.last_error


def test_parallel_connections_stay_within_the_bound(outbox: Outbox, server: SmtpServer, clock: ManualClock) -> None:
    """With max_connections = 3 the server never sees more than 3 connections at once, and they are reused."""
    messages = members(24)
    outbox.enqueue(messages)
    server.faults.data_delay_seconds = 0.02   # keep transactions overlapping
    report = deliver(outbox, server, clock.now(), max_connections=3)
    assert len(report.sent) == 24
    assert 2 <= server.handler.max_active <= 3
    assert server.handler.connections <= 3


def test_failing_alert_mail_is_logged_not_alerted(outbox: Outbox, server: SmtpServer, clock: ManualClock,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """An alert to staff that bounces raises no further alert; the failure is logged."""
    alert_mail = outgoing_message("staff@example.test", 1, kind=MessageKind.ALERT_DELIVERY_FAILED, meeting_key="")
    outbox.enqueue([alert_mail])
    server.faults.rcpt[alert_mail.recipient] = "550 5.1.1 no such user"
    with caplog.at_level(logging.ERROR, logger="mailflow.app.outbox"):
        report = deliver(outbox, server, clock.now())
    assert report.failed == (alert_mail.message_id,) and report.alerts == () and outbox.alerts() == []
    assert f"alert mail {alert_mail.message_id} failed" in caplog.text


def test_sending_left_by_a_crash_goes_back_to_queued(store: Store, clock: ManualClock, server: SmtpServer) -> None:
    """recover() turns SENDING records into QUEUED ones; the next drain sends them."""
    first = Outbox(TinyDBOutboxQueue(store), clock, policy=POLICY)
    message = members(1)[0]
    first.enqueue([message])
    # the state a SIGKILL leaves (tested for real in test_outbox_crash.py): claimed, never settled
    store.db("outbox/queue/2027-01-12").table("messages").update({"state": "sending"})
    assert state_of(first, message) is State.SENDING
    again = Outbox(TinyDBOutboxQueue(store), clock, policy=POLICY)
    assert again.recover() == 1 and state_of(again, message) is State.QUEUED
    assert deliver(again, server, clock.now()).sent == (message.message_id,)


def test_records_are_partitioned_by_meeting(outbox: Outbox, store: Store) -> None:
    """Each meeting's records live in their own partition; mail without a meeting goes to 'general'."""
    outbox.enqueue([outgoing_message("a@example.test", 1, meeting_key="2027-01-12"),
                    outgoing_message("b@example.test", 2, meeting_key="2027-02-09"),
                    outgoing_message("c@example.test", 3, meeting_key="", kind=MessageKind.WELCOME)])
    assert store.partitions("outbox/queue/") == [
        "outbox/queue/2027-01-12", "outbox/queue/2027-02-09", "outbox/queue/general"]
    assert outbox.counts()[State.QUEUED] == 3


def test_password_never_reaches_logs_or_errors(outbox: Outbox, server: SmtpServer, clock: ManualClock,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Neither a refused login nor debug logging shows the SMTP password."""
    outbox.enqueue(members(2))
    server.faults.auth_fails = True
    with caplog.at_level(logging.DEBUG):
        report = deliver(outbox, server, clock.now())
    texts = [caplog.text, *(a.detail for a in report.alerts), *(r.last_error for r in outbox.records())]
    assert report.alerts and all(SMTP_PASSWORD not in text for text in texts)
    assert SMTP_PASSWORD not in repr(SmtpSender(server.settings(), SMTP_PASSWORD))


def test_implicit_tls_server_delivers(smtp_server_factory: Callable[..., SmtpServer], outbox: Outbox,
                                      clock: ManualClock) -> None:
    """Implicit TLS (SMTPS) with AUTH delivers the persisted bytes."""
    server = smtp_server_factory(Tls.IMPLICIT)
    message = members(1)[0]
    outbox.enqueue([message])
    assert deliver(outbox, server, clock.now()).sent == (message.message_id,)
    assert [r.data for r in server.received] == [message.raw] and server.handler.auth_attempts == 1


class OutcomesUnwritable(TinyDBOutboxQueue):
    """Our queue, with its outcome write failing while ``full`` (the disk filled between claim and outcome)."""

    full = True

    def settle(self, settled):  # type: ignore[no-untyped-def]
        if self.full:
            raise OSError(28, "No space left on device")
        return super().settle(settled)


def test_a_message_whose_outcome_could_not_be_written_is_not_sent_again(store: Store, clock: ManualClock,
                                                                         server: SmtpServer) -> None:
    """SMTP took it, the SENT mark hit a full disk: the next passes write the mark, they do not resend."""
    queue = OutcomesUnwritable(store)
    outbox = Outbox(queue, clock, policy=POLICY)
    message = members(1)[0]
    outbox.enqueue([message])
    for _ in range(3):                   # the daemon retries the pass while the disk stays full
        with pytest.raises(OSError):
            deliver(outbox, server, clock.now())
        clock.advance(timedelta(seconds=30))
    queue.full = False
    deliver(outbox, server, clock.now())
    assert state_of(outbox, message) is State.SENT
    assert [r.rcpt_tos for r in server.received] == [(message.recipient,)]      # one copy, ever


def test_a_refused_account_costs_one_login_per_drain_not_one_per_connection(outbox: Outbox, server: SmtpServer,
                                                                            clock: ManualClock) -> None:
    """With 4 connections allowed and 12 messages due, a server refusing our login sees one connection per
    drain: the first message goes alone, and its 535 stops the others before they connect."""
    outbox.enqueue(members(12))
    server.faults.auth_fails = True
    first = deliver(outbox, server, clock.now(), max_connections=4)
    assert first.paused_until is not None and server.handler.connections == 1
    clock.advance(POLICY.pause_for)
    deliver(outbox, server, clock.now(), max_connections=4)
    assert server.handler.connections == 2 and not server.received
    server.faults.auth_fails = False
    clock.advance(POLICY.pause_for)
    done = deliver(outbox, server, clock.now(), max_connections=4)
    assert len(done.sent) == 12 and server.handler.max_active > 1      # once it goes, all connections do


class StoredMeanwhile:
    """Our SmtpSender, and a step storing more messages into the outbox while the drain runs (as the
    daemon's store thread does a chunk at a time): before the first send, ``later`` are enqueued."""

    def __init__(self, sender: SmtpSender, outbox: Outbox, later: list[OutgoingMessage]) -> None:
        self.sender, self.outbox, self.later = sender, outbox, later
        self.parallelism = sender.parallelism

    async def send(self, message: OutgoingMessage) -> str:
        if self.later:
            later, self.later = self.later, []
            self.outbox.enqueue(later)
        return await self.sender.send(message)


def test_a_drain_also_sends_what_was_stored_while_it_ran(outbox: Outbox, server: SmtpServer,
                                                         clock: ManualClock) -> None:
    """Messages stored during a drain (a large step stored in chunks) go out in that same drain, each once."""
    first, later = members(6), [outgoing_message(f"later{i}@example.test", 100 + i) for i in range(20)]
    outbox.enqueue(first)

    async def run() -> DeliveryReport:
        async with SmtpSender(server.settings(max_connections=3), SMTP_PASSWORD, envelope_from=SERVICE) as sender:
            return await outbox.deliver_due(StoredMeanwhile(sender, outbox, later), clock.now())

    report = asyncio.run(run())
    assert sorted(report.sent) == sorted(m.message_id for m in first + later)
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(m.recipient for m in first + later)
