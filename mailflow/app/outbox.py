"""The outbox: every outgoing message persisted before any SMTP conversation, then delivered exactly once.

Crash semantics. A record is claimed (state SENDING) and the claim reaches the disk before its SMTP
transaction starts; it is marked SENT right after the server's 250. A crash in between leaves it
SENDING; the next process's first ``deliver_due`` (or ``recover()``) puts every SENDING record back
to QUEUED, so that message is sent once more: the very same persisted bytes, with the same
Message-ID. That is the only way a message can go out twice. A record marked SENT is never sent
again, and ``enqueue`` never re-adds or changes a message_id it already holds. Nothing is handed to
SMTP unless its claim was written: a claim (or outcome) that cannot be written ends the pass for
every worker (messages already in an SMTP transaction finish it), and the next pass first writes
the outcomes the failed one could not (this process knows those messages went: they are not sent
again), then puts back whatever else it left SENDING. The caller backs off before that next pass.

A claimed record whose recipient has since left, been suspended or unsubscribed (the ``screen`` says so)
is written WITHDRAWN with the reason, and never sent.

Store work runs through ``io`` (the daemon passes its one store thread, so the event loop keeps
delivering and reading while a write is fsynced); SMTP runs on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from mailflow.app.drain import DeliveryReport, Drain, alert_for, journal_entry, take_up
from mailflow.core.delivery import (
    AlertReason,
    AttemptResult,
    DeliveryPolicy,
    Outcome,
    State,
    Transition,
    decide_after,
)
from mailflow.core.message import OutgoingMessage
from mailflow.errors import DeliveryError
from mailflow.ports import (
    Alert,
    AuditEntry,
    Clock,
    MailSender,
    OutboxQueue,
    OutboxRecord,
    Pause,
    QueueRef,
    Screen,
)

__all__ = ["DeliveryReport", "Io", "Outbox", "inline_io"]

log = logging.getLogger(__name__)

PAUSE_REMINDER = timedelta(hours=1)
CLAIM_CHUNK_PER_WORKER = 8          # claims written per store write, per parallel transaction
PRELOAD_BYTES = 4 * 1024 * 1024     # bytes of a claimed chunk read with its claim (the rest one by one)

T = TypeVar("T")
Io = Callable[..., Awaitable[Any]]


async def inline_io(fn: Callable[..., T], *args: Any) -> T:
    """Run store work right here (tests and one-shot commands; the daemon uses its store thread)."""
    return fn(*args)


class Outbox:
    """The persisted queue of outgoing mail and its delivery. One drain at a time.

    ``clock`` stamps enqueued records and the outcome of each attempt (``deliver_due``'s ``now``
    only selects what is due). ``rng`` draws the jitter of retries. ``screen`` (set by the engine)
    withdraws what may no longer go.
    """

    def __init__(self, queue: OutboxQueue, clock: Clock, *, policy: DeliveryPolicy | None = None,
                 rng: random.Random | None = None, io: Io = inline_io,
                 journal: Callable[[list[AuditEntry]], None] | None = None, screen: Screen | None = None) -> None:
        self.queue = queue
        self.journal = journal      # the audit log: a line per message sent, given up on or withdrawn
        self.screen = screen
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        self.rng = rng or random.Random()
        self.io = io
        self._recovered = False
        self._reminded: datetime | None = None
        self._halting = False          # the daemon is stopping: no message starts any more
        # Outcomes SMTP gave that a failed pass could not write: written first by the next pass, so a
        # message this process saw accepted is never put back to QUEUED and sent again.
        self._unwritten: list[tuple[QueueRef, OutboxRecord, AttemptResult, datetime]] = []

    # ------------------------------------------------------------ the queue

    def enqueue(self, messages: Iterable[OutgoingMessage]) -> list[str]:
        """Persist bytes and records; return the message ids newly queued (a known id is left as it is)."""
        added = self.queue.enqueue(messages, self.clock.now())
        for message_id in added:
            log.info("queued %s", message_id)
        return added

    def records(self) -> Iterator[OutboxRecord]:
        return self.queue.records()

    def halt(self) -> None:
        """The daemon is stopping: messages in flight finish and are recorded; no other one starts (those
        claimed go back to the queue), so a stop mid-batch takes seconds, not the batch's time."""
        self._halting = True

    def get(self, message_id: str, meeting_key: str) -> OutboxRecord | None:
        return self.queue.get(message_id, meeting_key)

    def raw(self, record: OutboxRecord) -> bytes:
        return self.queue.raw(record)

    def counts(self) -> dict[State, int]:
        return self.queue.counts()

    def alerts(self) -> list[Alert]:
        return self.queue.alerts()

    def acknowledge(self, alert_id: str) -> None:
        self.queue.acknowledge(alert_id)

    def paused_until(self) -> datetime | None:
        """The end of the current pause (it may lie in the past until a send succeeds), or None."""
        pause = self.queue.pause()
        return pause.until if pause else None

    def resume(self) -> None:
        """End a pause now (configuration reloaded): paused messages become due at once."""
        self.queue.end_pause()
        self.queue.unpause_records(self.clock.now())
        log.info("outbox resumed")

    def recover(self) -> int:
        """Put records left SENDING by a crash back to QUEUED (at most one resend each); return how many."""
        count = self.queue.recover(self.clock.now())
        self._recovered = True
        return count

    # ------------------------------------------------------------ delivering

    async def deliver_due(self, sender: MailSender, now: datetime) -> DeliveryReport:
        """Send every message due at ``now``, ``sender.parallelism`` at a time; record each outcome.

        Claims are written in chunks and outcomes in rounds (whatever finished meanwhile), so one
        write covers several messages. Claims not settled when the drain ends go back to QUEUED.
        """
        parallel = max(1, sender.parallelism)
        run = Drain(deque(), chunk=parallel * CLAIM_CHUNK_PER_WORKER, parallel=parallel)
        if self._unwritten:
            run.unsettled, self._unwritten = self._unwritten, []
            try:
                await self._flush(run)
            except BaseException:
                self._unwritten = run.unsettled
                raise
        if not self._recovered:
            await self.io(self.recover)
        if await self._paused_at(now):
            return await self._report(run, now)
        run.pause_kept = await self.io(self.queue.pause) is not None
        take_up(run, await self.io(self.queue.due, now))
        try:
            outcomes = await asyncio.gather(*(self._worker(sender, run, now, first=n == 0) for n in range(parallel)),
                                            return_exceptions=True)
        finally:
            try:
                await self._flush(run)
                await self._release(run)
            except BaseException:
                self._unwritten = run.unsettled    # their messages went: written first next time
                self._recovered = False    # what else this pass left SENDING goes back first next time
                raise
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                self._recovered = False    # a claim or an outcome could not be written: see the docstring
                raise outcome
        if run.sent or run.deferred or run.failed or run.withdrawn:
            await self.io(self.queue.compact)
        return await self._report(run, now)

    async def _report(self, run: Drain, now: datetime) -> DeliveryReport:
        until = await self.io(self.paused_until)
        paused = until if until is not None and until > now else None
        return DeliveryReport(tuple(run.sent), tuple(run.deferred), tuple(run.failed), paused, tuple(run.alerts),
                              tuple(run.withdrawn))

    async def _paused_at(self, now: datetime) -> bool:
        until = await self.io(self.paused_until)
        return until is not None and now < until

    async def remind_paused(self, now: datetime) -> None:
        """While the outbox is paused, say so in the log once an hour (staff may not get mail meanwhile)."""
        pause = await self.io(self.queue.pause)
        if pause is None:
            self._reminded = None
            return
        if self._reminded is None or now - self._reminded >= PAUSE_REMINDER:
            self._reminded = now
            log.error("outbox paused since %s: the mail server refuses our account (%s); nothing is sent until "
                      "it accepts it: fix the password, then reload mailflow", pause.since.isoformat(), pause.reason)

    async def _worker(self, sender: MailSender, run: Drain, now: datetime, *, first: bool) -> None:
        """Claim, send and record messages until none is due. The drain's first message goes alone: the other
        workers start once its outcome is recorded, so an account the server refuses (a password changed, a
        pause over) costs one login, not one per connection."""
        try:
            if not first:
                await run.trial.wait()
            while not run.halted and not self._halting and run.broken is None:
                if not run.claimed:
                    if await self._paused_at(now):     # a pause from elsewhere is seen at each chunk
                        return
                    await self._claim_chunk(run)
                if not run.claimed or run.broken is not None:
                    return
                ref, record, raw = run.claimed.popleft()
                result = await self._attempt(sender, record, raw)
                run.unsettled.append((ref, record, result, self.clock.now()))
                if result.outcome in (Outcome.SENDER_REJECTED, Outcome.SIGN_IN_FAILED):
                    run.halted = True    # our account is refused: no worker starts another login this pass
                # One write records a round of outcomes (as many as run in parallel), not one per message.
                # A crash before it resends at most that round, each message once, byte-identical.
                if run.broken is None and (len(run.unsettled) >= run.parallel or not run.claimed
                                           or not run.trial.is_set()):
                    await asyncio.sleep(0)   # let transactions that finished meanwhile share the write
                    await self._flush(run)
                if first:
                    run.trial.set()
        except Exception as exc:
            run.broken = run.broken or exc   # the other workers stop before their next claim or send
            raise
        finally:
            if first:
                run.trial.set()        # whatever ended the trial, the others go on (or see why to stop)

    async def _claim_chunk(self, run: Drain) -> None:
        """Claim the next chunk of due records; only claims that reached the disk are attempted.

        When the records due at the drain's start are all taken up, those that became due since (a large
        step stored meanwhile, a chunk at a time) are taken up too, each record at most once per drain.
        """
        if not run.due:
            take_up(run, await self.io(self.queue.due, self.clock.now()))
        chunk = [run.due.popleft() for _ in range(min(run.chunk, len(run.due)))]
        if not chunk:
            return
        claimed, withdrawn = await self.io(self._claim_and_read, chunk)
        run.withdrawn.extend(withdrawn)
        for ref, record, raw in claimed:
            run.claimed.append((ref, record, raw))
            run.inflight.add(ref)

    def _claim_and_read(self, chunk: list[QueueRef]) -> tuple[list[tuple[QueueRef, OutboxRecord, bytes | None]],
                                                                list[str]]:
        """On the store thread: claim, withdraw what may no longer go, then read the other messages' bytes up
        to PRELOAD_BYTES (one trip to the store thread for the chunk, not one per message)."""
        loaded: list[tuple[QueueRef, OutboxRecord, bytes | None]] = []
        budget = PRELOAD_BYTES
        claimed, withdrawn = self._withdraw(self.queue.claim(chunk))
        for ref, record in claimed:
            raw = None
            if budget > 0:
                try:
                    raw = self.queue.raw(record)
                    budget -= len(raw)
                except FileNotFoundError:
                    raw = None          # _attempt looks again and reports it missing
            loaded.append((ref, record, raw))
        return loaded, withdrawn

    def _withdraw(self, claimed: list[tuple[QueueRef, OutboxRecord]]) -> tuple[list[tuple[QueueRef, OutboxRecord]],
                                                                               list[str]]:
        """Write WITHDRAWN (durably, with the reason) what the screen withholds; return the rest and the ids withdrawn."""
        if self.screen is None or not claimed:
            return claimed, []
        reasons = self.screen.withheld([r for _, r in claimed])
        withdrawn = [(ref, replace(record, state=State.WITHDRAWN, next_attempt=None, last_error=f"not sent: {reason}"))
                     for (ref, record), reason in zip(claimed, reasons, strict=True) if reason is not None]
        if not withdrawn:
            return claimed, []
        self.queue.settle(withdrawn)
        for _, record in withdrawn:
            log.info("withdrew %s (%s to %s), %s", record.message_id, record.kind, record.recipient, record.last_error)
        if self.journal is not None:
            self.journal([journal_entry(record, self.clock.now()) for _, record in withdrawn])
        gone = {ref for ref, _ in withdrawn}
        return [(ref, record) for ref, record in claimed if ref not in gone], [r.message_id for _, r in withdrawn]

    async def _flush(self, run: Drain) -> None:
        """Record every outcome received so far (one write per partition), then act on them."""
        unsettled, run.unsettled = run.unsettled, []
        if not unsettled:
            return
        decided = []
        for ref, record, result, at in unsettled:
            transition = decide_after(result, record, at, self.policy, jitter=self.rng.random())
            decided.append((ref, transition.apply(record), transition, at))
        lines = [journal_entry(updated, at) for _, updated, _, at in decided if updated.state in (State.SENT, State.FAILED)]
        try:
            unjournalled = await self.io(self._write_outcomes, [(ref, updated) for ref, updated, _, _ in decided], lines)
        except BaseException:
            run.unsettled = unsettled + run.unsettled    # not written: the last flush tries them again
            raise
        if unjournalled is not None:
            raise unjournalled       # the outcomes are written: only their audit lines are not
        for ref, updated, transition, at in decided:
            run.inflight.discard(ref)
            await self._after_settle(updated, transition, at, run)

    def _write_outcomes(self, outcomes: list[tuple[QueueRef, OutboxRecord]],
                        lines: list[AuditEntry]) -> BaseException | None:
        """On the store thread, in one trip: the outcomes (durable), then their audit lines. The error of audit
        lines that could not be written is returned, not raised: the outcomes are written all the same."""
        self.queue.settle(outcomes)
        if lines and self.journal is not None:
            try:
                self.journal(lines)
            except BaseException as exc:  # noqa: BLE001 - handed back, raised by the caller
                return exc
        return None

    async def _release(self, run: Drain) -> None:
        """Claims this drain did not settle (pause, cancellation, a failed write) go back to QUEUED."""
        leftovers, run.inflight = run.inflight, set()
        if leftovers:
            await self.io(self.queue.release, sorted(leftovers))

    async def _attempt(self, sender: MailSender, record: OutboxRecord, raw: bytes | None = None) -> AttemptResult:
        try:
            if raw is None:
                raw = await self.io(self.queue.raw, record)
        except FileNotFoundError:
            return AttemptResult(Outcome.PERMANENT, f"the persisted bytes of {record.message_id} are missing")
        message = OutgoingMessage(record.message_id, record.recipient, record.kind, record.meeting_key, raw,
                                  record.mail_from)
        try:
            reply = await sender.send(message)
        except DeliveryError as error:
            return AttemptResult.from_error(error)
        except Exception as error:   # a bug must not leave the record SENDING or stop the drain
            log.exception("unexpected error sending %s", record.message_id)
            return AttemptResult(Outcome.TEMPORARY, f"internal error: {type(error).__name__}: {error}")
        return AttemptResult(Outcome.SENT, reply)

    async def _after_settle(self, updated: OutboxRecord, transition: Transition, at: datetime, run: Drain) -> None:
        _tally(updated, run)
        if transition.pause_until is not None:
            await self._pause(transition.pause_until, updated, at, run, alert=transition.alert is not None)
        elif updated.state is State.SENT and run.pause_kept:
            run.pause_kept = False
            await self.io(self.queue.end_pause)
        elif transition.alert is not None:
            await self._raise_alert(alert_for(transition.alert, updated, at), run)
        elif updated.state is State.FAILED:
            log.error("alert mail %s failed and is dropped: %s", updated.message_id, updated.last_error)

    async def _pause(self, until: datetime, record: OutboxRecord, at: datetime, run: Drain, *,
                     alert: bool = True) -> None:
        """Pause the queue; alert once per pause episode (an episode ends with a success or ``resume``),
        unless someone else alerts about its cause (``alert`` false: the OAuth2 sign-in failed)."""
        current = await self.io(self.queue.pause)
        since = current.since if current else at
        await self.io(self.queue.set_pause, Pause(until, since, record.last_error))
        run.halted = run.pause_kept = True
        if current is None:
            log.error("outbox paused until %s: %s", until.isoformat(), record.last_error)
            if alert:
                await self._raise_alert(Alert(f"paused:{at.isoformat()}", AlertReason.SENDER_REJECTED, at,
                                              record.last_error), run)

    async def _raise_alert(self, alert: Alert, run: Drain) -> None:
        if await self.io(self.queue.add_alert, alert):
            run.alerts.append(alert)


def _tally(record: OutboxRecord, run: Drain) -> None:
    state, message_id = record.state, record.message_id
    if state is State.SENT:
        run.sent.append(message_id)
        log.info("sent %s (%s, attempt %d)", message_id, record.kind, record.attempts)
    elif state is State.DEFERRED:
        run.deferred.append(message_id)
        when = record.next_attempt.isoformat() if record.next_attempt else "?"
        log.warning("deferred %s until %s: %s", message_id, when, record.last_error)
    elif state is State.FAILED:
        run.failed.append(message_id)
        log.error("failed %s for good: %s", message_id, record.last_error)
