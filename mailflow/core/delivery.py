"""The delivery policy, pure: what becomes of a message after one SMTP attempt.

4xx and timeouts are retried with backoff until a give-up time; a 5xx for the recipient fails for
good; our own account refused (535, 5xx on MAIL FROM) pauses the whole queue. No I/O here: the
outbox carries these verdicts out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mailflow.core.backoff import Backoff
from mailflow.core.kinds import MessageKind
from mailflow.errors import DeliveryError, PermanentDeliveryError, SenderRejected, SignInFailed
from mailflow.schedule.config import SmtpSettings


class Attempted(Protocol):
    """What the policy reads of a queued message (the outbox's record is one)."""

    @property
    def attempts(self) -> int: ...
    @property
    def first_attempt(self) -> datetime | None: ...
    @property
    def kind(self) -> MessageKind: ...


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


class State(enum.StrEnum):
    QUEUED = "queued"       # persisted, waiting to be sent
    SENDING = "sending"     # claimed: written before the SMTP transaction starts
    SENT = "sent"           # the server said 250; never sent again
    DEFERRED = "deferred"   # 4xx or timeout: retried at next_attempt
    FAILED = "failed"       # 5xx for the recipient, or gave up: never retried
    PAUSED = "paused"       # our own account was refused: waits for the queue to resume
    WITHDRAWN = "withdrawn"  # its recipient may no longer be mailed (left, suspended, unsubscribed): never sent

    @property
    def waiting(self) -> bool:
        return self in (State.QUEUED, State.DEFERRED, State.PAUSED)


class Outcome(enum.StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    SENDER_REJECTED = "sender_rejected"
    SIGN_IN_FAILED = "sign_in_failed"      # no OAuth2 token: pause like SENDER_REJECTED, alerted elsewhere


class AlertReason(enum.StrEnum):
    REJECTED = "rejected"                # 5xx for one recipient
    GAVE_UP = "gave_up"                  # 4xx/timeouts until give_up_after
    SENDER_REJECTED = "sender_rejected"  # 535 / 5xx at MAIL FROM: the queue paused


@dataclass(frozen=True)
class AttemptResult:
    """What one delivery attempt came to, as a plain value for the policy."""

    outcome: Outcome
    detail: str = ""

    @classmethod
    def from_error(cls, error: DeliveryError) -> AttemptResult:
        if isinstance(error, SignInFailed):
            return cls(Outcome.SIGN_IN_FAILED, str(error))
        if isinstance(error, SenderRejected):
            return cls(Outcome.SENDER_REJECTED, str(error))
        if isinstance(error, PermanentDeliveryError):
            return cls(Outcome.PERMANENT, str(error))
        return cls(Outcome.TEMPORARY, str(error))


@dataclass(frozen=True)
class DeliveryPolicy:
    """Backoff and give-up for temporary failures; how long the queue pauses when our account is refused."""

    give_up_after: timedelta = timedelta(days=2)
    first_retry: timedelta = timedelta(minutes=30)
    max_retry: timedelta = timedelta(hours=2)
    jitter: float = 0.2                      # each delay is scaled by 1 ± jitter
    pause_for: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: SmtpSettings, **overrides: Any) -> DeliveryPolicy:
        return cls(give_up_after=settings.give_up_after, first_retry=settings.first_retry,
                   max_retry=settings.max_retry, **overrides)

    def backoff(self, attempts: int, jitter: float) -> timedelta:
        """Delay after the ``attempts``-th failed attempt; ``jitter`` is a random draw in [0, 1)."""
        rule = Backoff(self.first_retry.total_seconds(), 2.0, self.max_retry.total_seconds(),
                       low=1 - self.jitter, high=1 + self.jitter)
        return timedelta(seconds=rule.delay(attempts, jitter))


@dataclass(frozen=True)
class Transition:
    """The policy's verdict on one attempt: the record's new fields, and what else follows."""

    state: State
    attempts: int
    first_attempt: datetime | None
    next_attempt: datetime | None
    last_error: str
    sent_at: datetime | None = None
    alert: AlertReason | None = None
    pause_until: datetime | None = None

    def apply(self, record: R) -> R:
        return replace(
            record, state=self.state, attempts=self.attempts, first_attempt=self.first_attempt,
            next_attempt=self.next_attempt, last_error=self.last_error, sent_at=self.sent_at,
        )


def decide_after(
    result: AttemptResult, record: Attempted, now: datetime, settings: DeliveryPolicy, *, jitter: float = 0.5
) -> Transition:
    """Pure delivery policy: what becomes of ``record`` after an attempt that ended at ``now``.

    4xx/timeouts: DEFERRED with exponential backoff (± jitter), until ``give_up_after`` from the first
    attempt, then FAILED with an alert. 5xx for the recipient: FAILED with an alert. Our account
    refused: PAUSED until ``now + pause_for``, attempt not counted, nobody failed (no alert when the
    OAuth2 sign-in failed: the token source alerts). Alert mail (``MessageKind.is_alert``) never
    raises an alert itself.
    """
    if result.outcome in (Outcome.SENDER_REJECTED, Outcome.SIGN_IN_FAILED):
        pause_until = now + settings.pause_for
        alert = AlertReason.SENDER_REJECTED if result.outcome is Outcome.SENDER_REJECTED else None
        return Transition(State.PAUSED, record.attempts, record.first_attempt, pause_until, result.detail,
                          alert=alert, pause_until=pause_until)
    attempts = record.attempts + 1
    first = record.first_attempt or now
    if result.outcome is Outcome.SENT:
        return Transition(State.SENT, attempts, first, None, "", sent_at=now)
    alert_or_none = None if record.kind.is_alert else AlertReason.REJECTED
    if result.outcome is Outcome.PERMANENT:
        return Transition(State.FAILED, attempts, first, None, result.detail, alert=alert_or_none)
    give_up_at = first + settings.give_up_after
    if now >= give_up_at:
        gave_up = None if record.kind.is_alert else AlertReason.GAVE_UP
        return Transition(State.FAILED, attempts, first, None, result.detail, alert=gave_up)
    retry_at = min(now + settings.backoff(attempts, jitter), give_up_at)
    return Transition(State.DEFERRED, attempts, first, retry_at, result.detail)
