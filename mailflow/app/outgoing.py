"""Carrying out a decision: compose each message once, persist it in the outbox with the new state.

The messages (idempotent by Message-ID), the meeting state and the community state are written in
one store transaction, so a crash leaves all of them or none. Deciding again after a crash gives
the same identities, which the outbox already holds.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Callable, Generator, Mapping, Sequence, Set
from concurrent.futures import Future
from contextlib import closing
from datetime import datetime
from typing import Any, Protocol

from mailflow.app.alerting import Alerting
from mailflow.app.outbox import Outbox
from mailflow.core import bounces
from mailflow.core.chairs import seated
from mailflow.core.decision import Decision, Send
from mailflow.core.delivery import AlertReason
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.core.recipients import deliverable, once_revision, staff_recipients, withheld_from
from mailflow.core.state import Bounce, BounceSource, CommunityState
from mailflow.core.tokens import message_id
from mailflow.errors import ComposeWorkerUnavailable
from mailflow.mail_out.compose import Composer
from mailflow.mail_out.sends import render_send
from mailflow.ports import ComposeJob, ComposeWorker, OutboxRecord, StateStore
from mailflow.schedule.calendar import Meeting, occurrences
from mailflow.schedule.config import Config, Member

log = logging.getLogger(__name__)

COMPOSE_CHUNK = 500      # messages composed before their bytes go to the outbox (bounds memory)
STEP_CHUNK = 250         # messages per transaction of a step the daemon sends while it is stored
WORKER_PART = 125        # messages per part the composing worker makes (each stored as it comes back)
WORKER_FIRST_PART = 50   # its first part: back soon after it starts
FIRST_HERE = 25          # composed here while the worker starts, so the outbox starts sending at once
WORKER_AHEAD = 2         # parts handed to the worker before the first is back


class Between(Protocol):
    """The daemon's store work while a large step is composed and stored (the outbox's claims and outcomes):
    after a message composed (``stored`` false), after a chunk stored (true), or, given ``waiting``, until
    that future is done (a chunk composed by the worker)."""

    def __call__(self, stored: bool, waiting: Future[Any] | None = None) -> None: ...


class Outgoing:
    """Turns the core's Sends into persisted messages, and keeps the state that decided them."""

    def __init__(self, config: Config, states: StateStore, outbox: Outbox, composer: Composer,
                 secret: bytes) -> None:
        self.config = config
        self.states = states
        self.outbox = outbox
        self.secret = secret
        self.alerting = Alerting(config, states, composer, secret)
        self.composer = composer
        # The daemon's: a step of more than one chunk is composed in a worker process (ports.ComposeWorker)
        self.workers: Callable[[Config, bytes], ComposeWorker] | None = None

    @property
    def composer(self) -> Composer:
        return self._composer

    @composer.setter
    def composer(self, composer: Composer) -> None:
        self._composer = composer
        self.alerting.composer = composer

    def reconfigure(self, config: Config, composer: Composer) -> None:
        self.config = config
        self.alerting.config = config
        self.alerting.policy = config.alerts
        self.composer = composer

    def carry_out(self, decision: Decision, meeting: Meeting | None, community: CommunityState,
                  now: datetime, *, between: Between | None = None) -> list[str]:
        """Persist the decision's messages and its new state, together; return its notes (also logged).

        Nothing goes to a member whose delivery is suspended, nor to one who left the roster (but the
        withdrawal of their invitations): the core does not decide such mail, and this holds it if it did.
        Messages are composed and handed to the outbox a chunk at a time, so a step for thousands of
        members never holds all their bytes at once. With ``between``, each chunk is its own transaction
        (composed first, then stored) and ``between`` runs between two messages composed (``stored``
        false) and after each chunk is stored (true): the daemon's outbox claims, sends and records
        meanwhile, its store work served within a message's time, not a chunk's. The state is saved
        with the last chunk, so a crash leaves messages without their state, never the reverse
        (deciding again finds them). ``between`` runs outside any transaction: what it writes is its own.
        With ``between`` and ``workers``, a step of more than one chunk is composed by a worker process
        (see :meth:`_composed`): the same bytes, in the same order, while this thread stores and serves.
        """
        decision = deliverable(decision, self.config, community)
        known: dict[str, Set[str]] = {}
        sends, alerts, notices = self.alerting.split(decision.sends, now)   # alerts become digest items
        last: list[OutgoingMessage] = []
        if between is not None:
            with closing(self._composed(sends, meeting, now, known, between)) as composed:
                for fresh, more in composed:
                    if not more:
                        last = fresh
                        break
                    with self.states.transaction():
                        self._hand_over(fresh)
                    between(True)
            sends = []
        with self.states.transaction():
            self._hand_over(last)
            for start in range(0, len(sends), COMPOSE_CHUNK):
                self._hand_over(self._compose_chunk(sends[start:start + COMPOSE_CHUNK], meeting, now, known))
            if self.alerting.keep(alerts, notices, meeting, now):
                self.send_digests(now)      # staff whose hour has passed hear at once
            if decision.meeting is not None:
                self.states.save_meeting(decision.meeting)
            if decision.community is not None and decision.community != community:
                self.states.save_community(decision.community)
        for note in decision.notes:
            log.info("%s", note)
        return list(decision.notes)

    def withheld(self, records: Sequence[OutboxRecord]) -> list[str | None]:
        """The outbox's screen (ports.Screen): why each queued record may no longer go, by the roster and the
        community as they stand now (the same rule that held back the decision's own sends)."""
        community = self.states.community()
        return [withheld_from(r.kind, r.recipient, self.config, community) for r in records]

    def _composed(self, sends: Sequence[Send], meeting: Meeting | None, now: datetime, known: dict[str, Set[str]],
                  between: Between) -> Generator[tuple[list[OutgoingMessage], bool], None, None]:
        """The messages of ``sends`` the outbox does not hold yet, a part at a time, in order, each with
        whether more follow (each part is stored as it comes; the last with the state).

        Parts of STEP_CHUNK composed here; or, for more than STEP_CHUNK sends and a worker to start, parts
        composed by the worker, WORKER_AHEAD of them ahead, while this thread stores what came back and
        serves the outbox (``between`` until the next part is back). Its first part is small, so the first
        messages go out while it composes the next. Which messages are new is decided here, attachments
        are read from the store here, and a part's failure in the worker is raised here as composing it
        here would have raised it. A worker that could not start leaves its parts to this thread.
        """
        worker = None
        if self.workers is not None and len(sends) > STEP_CHUNK:
            worker = self.workers(self.config, self.secret)
        todo, waiting = deque(sends), deque[tuple[list[Send], Future[list[OutgoingMessage]]]]()
        handed = 0

        def take(size: int) -> list[Send]:
            return [todo.popleft() for _ in range(min(size, len(todo)))]

        def hand_out() -> None:
            nonlocal handed
            while worker is not None and todo and len(waiting) < WORKER_AHEAD:
                part = take(WORKER_PART if handed else WORKER_FIRST_PART)
                waiting.append((part, worker.submit(self._jobs(part, meeting, now, known))))
                handed += 1

        try:
            if worker is not None:          # while the worker starts, the first few are composed here
                first = take(FIRST_HERE)
                hand_out()
                yield self._compose_chunk(first, meeting, now, known, between), bool(todo or waiting)
            while todo or waiting:
                hand_out()
                if not waiting:
                    part = take(STEP_CHUNK)
                    yield self._compose_chunk(part, meeting, now, known, between), bool(todo)
                    continue
                future = waiting[0][1]
                between(False, future)
                try:
                    messages = future.result()
                except ComposeWorkerUnavailable:
                    for part, _ in reversed(waiting):      # in their order, before the rest: composed here
                        todo.extendleft(reversed(part))
                    waiting.clear()
                    if worker is not None:
                        worker.close()
                    worker = None
                    continue
                waiting.popleft()
                hand_out()                # the worker's next part, before this one is stored
                yield messages, bool(todo or waiting)
        finally:
            if worker is not None:
                worker.close()

    def _jobs(self, sends: Sequence[Send], meeting: Meeting | None, now: datetime,
              known: dict[str, Set[str]]) -> list[ComposeJob]:
        """What composing the new messages of ``sends`` needs, attachments' bytes included (read once per chunk)."""
        files: dict[str, bytes] = {}
        jobs = []
        for send in sends:
            if not self._new(send, known):
                continue
            for resource in send.attachments:
                if resource.sha256 not in files:
                    files[resource.sha256] = self.states.file(resource.path)
            jobs.append(ComposeJob(send, meeting, now, {r.sha256: files[r.sha256] for r in send.attachments}))
        return jobs

    def _compose_chunk(self, sends: Sequence[Send], meeting: Meeting | None, now: datetime,
                       known: dict[str, Set[str]], between: Between | None = None,
                       ) -> list[OutgoingMessage]:
        """The messages of ``sends`` the outbox does not hold yet; ``between(False)`` after each one."""
        fresh = []
        for send in sends:
            message = self.compose(send, meeting, now, known)
            if message is not None:
                fresh.append(message)
            if between is not None:
                between(False)
        return fresh

    def _hand_over(self, messages: list[OutgoingMessage]) -> None:
        if messages:
            self.outbox.enqueue(messages)

    def compose(self, send: Send, meeting: Meeting | None, now: datetime,
                known: dict[str, Set[str]] | None = None) -> OutgoingMessage | None:
        """The message for ``send``, or None when the outbox already holds its identity."""
        return self.render(send, meeting, now) if self._new(send, {} if known is None else known) else None

    def _new(self, send: Send, known: dict[str, Set[str]]) -> bool:
        """Whether the outbox does not hold ``send``'s identity yet (``known``: its ids by meeting, looked up once: the
        queue's own view of them, not a copy of a meeting's every id made for each reply)."""
        domain = self.config.community.address.rpartition("@")[2]
        identity = message_id(self.secret, send.meeting_key, send.kind, send.to.email, send.revision, domain)
        if send.meeting_key not in known:
            known[send.meeting_key] = self.states.outbox.known_ids(send.meeting_key)
        return identity not in known[send.meeting_key]

    def render(self, send: Send, around: Meeting | None, now: datetime,
               files: Mapping[str, bytes] | None = None) -> OutgoingMessage:
        """The exact bytes of ``send`` (the outbox is not consulted: previews use this), composed here.

        ``around`` is the meeting being decided on (see mail_out.sends.render_send). ``files`` gives
        attachments' bytes by sha256 where the store has none (a preview's sample resources).
        """
        given = files or {}
        resolved = {r.sha256: given[r.sha256] if r.sha256 in given else self.states.file(r.path) for r in send.attachments}
        return render_send(self.config, self.composer, ComposeJob(send, around, now, resolved))

    # --- alerts from outside the cycle ---------------------------------------------------------

    def alert_staff(self, kind: MessageKind, once: str, context: Mapping[str, object], now: datetime) -> None:
        """One message of ``kind`` to every staff address; ``once`` names it, so it goes once."""
        self.carry_out(Decision(sends=staff_alert(self.config, kind, once, context)), None,
                       self.states.community(), now)

    def outbox_alerts(self, now: datetime) -> None:
        """Staff hear once about each delivery the outbox gave up on, and each pause; a member's server
        refusing them for good scores a bounce instead (staff hear at the threshold)."""
        for alert in self.outbox.alerts():
            member = self.config.roster.get(alert.recipient) if alert.reason is AlertReason.REJECTED else None
            if member is not None:
                self.count_bounce(member, Bounce(alert.at, BounceSource.SMTP, f"{alert.detail} (refused by the "
                                                 f"server at delivery)", alert.meeting_key), now)
                self.outbox.acknowledge(alert.alert_id)
                continue
            if alert.reason is AlertReason.SENDER_REJECTED:
                self.alert_staff(MessageKind.ALERT_OUTBOX_PAUSED, alert.alert_id,
                                 {"error": alert.detail, "since": alert.at}, now)
            else:
                self.alert_staff(MessageKind.ALERT_DELIVERY_FAILED, alert.alert_id,
                                 {"reason": alert.reason.value, "error": alert.detail, "sender": alert.recipient,
                                  "subject": alert.kind, "count": 1}, now)
            self.outbox.acknowledge(alert.alert_id)

    def count_bounce(self, member: Member, bounce: Bounce, now: datetime) -> None:
        community = self.states.community()
        chairs = tuple(m for m in occurrences(self.config, now, 3)
                       if (c := seated(self.config, m, self.states.meeting(m.key), now).chair) and c.key == member.key)
        self.carry_out(bounces.count(self.config, community, member, bounce, chairs), None, community, now)

    def unrecorded_alerts(self, kind: MessageKind, once: str, context: Mapping[str, object],
                          now: datetime) -> list[OutgoingMessage]:
        """One alert per staff address, composed for a caller that cannot record it (the disk is failing)."""
        revision = once_revision(once)
        return [self.render(Send(kind, r, "", revision, dict(context)), None, now) for r in staff_recipients(self.config)]

    def send_digests(self, now: datetime) -> int:
        """Queue the alert digests due now (at most one per staff member per hour); return how many."""
        count = 0
        for digest in self.alerting.due_digests(now):
            send = self.alerting.digest_send(digest)
            message = self.compose(send, None, now)
            if message is not None:
                self.outbox.enqueue([message])
            self.alerting.told(digest, message, send, now)
            count += 1
        return count

    def alert_intake_stalled(self, now: datetime, minutes: int, error: str) -> None:
        self.carry_out(Decision(sends=stall_alert(self.config, now, minutes, error)), None,
                       self.states.community(), now)

    def alert_sign_in_failed(self, now: datetime, provider: str, error: str, advice: str) -> None:
        """The OAuth2 provider refuses tokens: its words, and what to do (once a day at most per error)."""
        once = hashlib.sha256(f"sign-in-{now.date().isoformat()}-{provider}-{error}".encode()).hexdigest()
        self.alert_staff(MessageKind.ALERT_SIGN_IN_FAILED, once,
                         {"provider": provider, "error": error, "advice": advice or "see the log"}, now)


def staff_alert(config: Config, kind: MessageKind, once: str, context: Mapping[str, object]) -> tuple[Send, ...]:
    """An alert from outside the cycle to every staff address, not tied to a meeting."""
    return tuple(Send(kind, r, "", once_revision(once), dict(context)) for r in staff_recipients(config))


def stall_alert(config: Config, now: datetime, minutes: int, error: str) -> tuple[Send, ...]:
    """Staff hear that replies are not being read (once a day per distinct error)."""
    once = hashlib.sha256(f"stall-{now.date().isoformat()}-{error}".encode()).hexdigest()
    return staff_alert(config, MessageKind.ALERT_INTAKE_STALLED, once,
                       {"minutes_down": minutes, "error": error, "reason": "mail intake is not working"})
