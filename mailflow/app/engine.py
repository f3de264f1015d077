"""The engine: the cycle runner, the inbox and the outgoing side over one store, as the daemon uses them.

Not thread-safe: the daemon calls it from its one store thread only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from mailflow.app.desk import CLI, Desk, DeskByMail
from mailflow.app.held import HeldDesk
from mailflow.app.inbox import Inbox, Reading
from mailflow.app.outbox import Outbox
from mailflow.app.outgoing import Outgoing
from mailflow.app.runner import CycleRunner
from mailflow.app.understood import Understood
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.mail_in.desk_commands import read_commands
from mailflow.mail_out.sends import composer_for
from mailflow.ports import Clock, Disposition, StaffAction, StateStore
from mailflow.schedule.config import Config


class Engine:
    """Ties the pure core to the store, the composer and the outbox."""

    def __init__(self, config: Config, states: StateStore, outbox: Outbox, secret: bytes, clock: Clock) -> None:
        self.config = config
        self.states = states
        self.outbox = outbox
        self.clock = clock
        self.outgoing = Outgoing(config, states, outbox, composer_for(config, secret), secret)
        outbox.screen = self.outgoing   # before each send: may its recipient still be mailed?
        self.runner = CycleRunner(config, states, self.outgoing)
        self.inbox = Inbox(config, states, self.runner, self.outgoing, secret, clock)
        self.held = HeldDesk(config, states, self.inbox)
        self.desk = Desk(config, states, self.runner, self.outgoing, self.held, secret)
        by_mail = DeskByMail(self.desk)
        self.inbox.desk = by_mail
        self.held.mail_commands = lambda sha, reply, now: by_mail.mail(sha, reply, reply.from_addr, now)

    def reconfigure(self, config: Config) -> None:
        """A reloaded schedule file and roster: new community texts, zone and templates too."""
        self.config = config
        for part in (self.runner, self.inbox, self.held, self.desk):
            part.config = config
        self.outgoing.reconfigure(config, composer_for(config, self.outgoing.secret))

    # time passing
    def tick(self, now: datetime) -> list[str]:
        return self.desk_requests(now) + self.runner.tick(now)

    def desk_requests(self, now: datetime) -> list[str]:
        """Desk commands staff gave on the command line beside this daemon: each run once, its result logged."""
        notes: list[str] = []
        for request in self.states.staff_requests():
            if request.action is not StaffAction.DESK_COMMAND:
                continue
            for command in read_commands(request.subject) or ():
                answer = self.desk.run(command, request.by, CLI, now)
                notes.append(f"staff request {request.request_id}: {answer.command}: "
                             f"{'done' if answer.ok else 'not done'}")
            self.states.finish_request(request.request_id)
        return notes

    def due_times(self, now: datetime) -> list[datetime]:
        return self.runner.due_times(now)

    # the intake's sink and cursor
    def accept(self, raw: bytes, reading: Reading | Understood | None = None) -> Disposition:
        return self.inbox.accept(raw, reading)

    def accept_many(self, raws: Sequence[bytes], readings: Iterable[Reading | Understood] | None = None) -> list[Disposition]:
        return self.inbox.accept_many(raws, readings)

    def read(self, raw: bytes) -> Reading:
        """What a message says, read without the store (the intake's thread reads, the store thread records)."""
        return self.inbox.read(raw)

    def oversize(self, headers: bytes, size: int) -> None:
        self.inbox.oversize(headers, size)

    def load_cursor(self) -> tuple[int, int] | None:
        return self.states.cursor()

    def save_cursor(self, uidvalidity: int, uid: int) -> None:
        self.states.save_cursor(uidvalidity, uid)

    # alerts from the other parts
    def outbox_alerts(self, now: datetime) -> None:
        """The outbox's alerts become digest items; the digests due now are queued."""
        self.outgoing.outbox_alerts(now)
        self.outgoing.send_digests(now)

    def outbox_alerts_due(self, now: datetime) -> bool:
        """Whether :meth:`outbox_alerts` has anything to do now (a read: it changes nothing)."""
        return bool(self.outgoing.outbox.alerts()) or bool(self.outgoing.alerting.due_digests(now))

    def store_failing_alerts(self, now: datetime, since: datetime, error: str) -> list[OutgoingMessage]:
        """The state-folder alert for every staff address, composed without touching the store."""
        return self.outgoing.unrecorded_alerts(MessageKind.ALERT_STORE_FAILING, f"store-{since.isoformat()}",
                                               {"error": error, "since": since}, now)

    def next_digest(self) -> datetime | None:
        return self.outgoing.alerting.next_due()

    def alert_intake_stalled(self, now: datetime, minutes: int, error: str) -> None:
        self.outgoing.alert_intake_stalled(now, minutes, error)

    def alert_sign_in_failed(self, now: datetime, provider: str, error: str, advice: str) -> None:
        self.outgoing.alert_sign_in_failed(now, provider, error, advice)

    @property
    def messages_seen(self) -> int:
        return self.inbox.messages_seen
