"""The outbox's pure delivery policy: plain values in, a transition out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mailflow.core.delivery import AlertReason, AttemptResult, DeliveryPolicy, Outcome, State, decide_after
from mailflow.core.kinds import MessageKind
from mailflow.ports import OutboxRecord

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
POLICY = DeliveryPolicy(give_up_after=timedelta(days=2), first_retry=timedelta(minutes=2),
                        max_retry=timedelta(hours=2), jitter=0.2, pause_for=timedelta(hours=1))
TEMP = AttemptResult(Outcome.TEMPORARY, "451 4.7.1 try later (at RCPT TO)")


def record(kind: MessageKind = MessageKind.INVITATION, **changes: object) -> OutboxRecord:
    base = OutboxRecord("<m@x>", "ann@example.test", kind, "2027-01-12", State.SENDING, next_attempt=T0)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_sent_is_final_and_stamped() -> None:
    """A 250 makes the record SENT at the time of the reply, with the attempt counted."""
    t = decide_after(AttemptResult(Outcome.SENT, "250 OK"), record(), T0, POLICY)
    assert (t.state, t.attempts, t.sent_at, t.next_attempt, t.alert) == (State.SENT, 1, T0, None, None)


def test_temporary_failures_back_off_exponentially_with_bounded_jitter() -> None:
    """Each 4xx doubles the delay from 2 min up to the 2 h cap, scaled by 1 ± 20 % jitter."""
    delays = []
    for attempts in range(0, 9):
        t = decide_after(TEMP, record(attempts=attempts, first_attempt=T0), T0, POLICY, jitter=0.5)
        assert t.state is State.DEFERRED and t.alert is None
        delays.append(t.next_attempt - T0)  # type: ignore[operator]
    assert delays[:4] == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert delays[-1] == timedelta(hours=2)
    low = decide_after(TEMP, record(attempts=2, first_attempt=T0), T0, POLICY, jitter=0.0).next_attempt
    high = decide_after(TEMP, record(attempts=2, first_attempt=T0), T0, POLICY, jitter=0.999).next_attempt
    assert low == T0 + timedelta(minutes=8) * 0.8
    assert T0 + timedelta(minutes=9, seconds=35) < high < T0 + timedelta(minutes=8) * 1.2  # type: ignore[operator]


def test_first_temporary_failure_starts_the_give_up_clock() -> None:
    """The first attempt's time is kept, and later failures do not move it."""
    first = decide_after(TEMP, record(), T0, POLICY)
    assert first.first_attempt == T0
    later = decide_after(TEMP, record(attempts=1, first_attempt=T0), T0 + timedelta(hours=5), POLICY)
    assert later.first_attempt == T0


def test_retry_never_scheduled_after_the_give_up_time() -> None:
    """Near the give-up time the next try is moved to that time, so one last attempt happens."""
    now = T0 + timedelta(days=2) - timedelta(minutes=30)
    t = decide_after(TEMP, record(attempts=20, first_attempt=T0), now, POLICY)
    assert (t.state, t.next_attempt) == (State.DEFERRED, T0 + timedelta(days=2))


def test_temporary_failure_at_give_up_time_fails_with_one_alert() -> None:
    """A 4xx at or after give_up_after from the first attempt is final and alerts staff."""
    t = decide_after(TEMP, record(attempts=20, first_attempt=T0), T0 + timedelta(days=2), POLICY)
    assert (t.state, t.alert, t.next_attempt, t.last_error) == (State.FAILED, AlertReason.GAVE_UP, None, TEMP.detail)


def test_permanent_failure_fails_at_once_with_an_alert() -> None:
    """A 5xx for the recipient is never retried and raises one alert."""
    t = decide_after(AttemptResult(Outcome.PERMANENT, "550 5.1.1 no such user"), record(), T0, POLICY)
    assert (t.state, t.alert, t.next_attempt, t.last_error) == (
        State.FAILED, AlertReason.REJECTED, None, "550 5.1.1 no such user")


@pytest.mark.parametrize("outcome", [Outcome.PERMANENT, Outcome.TEMPORARY])
def test_alert_mail_that_fails_raises_no_alert(outcome: Outcome) -> None:
    """A staff alert that cannot be delivered is only logged: alerts never beget alerts."""
    late = T0 + timedelta(days=3)
    t = decide_after(AttemptResult(outcome, "550 no"), record(MessageKind.ALERT_DELIVERY_FAILED, first_attempt=T0), late, POLICY)
    assert (t.state, t.alert) == (State.FAILED, None)


def test_sender_rejected_pauses_without_failing_or_counting() -> None:
    """535 / 5xx at MAIL FROM: the record waits PAUSED for the pause, its attempts unchanged."""
    result = AttemptResult(Outcome.SENDER_REJECTED, "535 5.7.8 bad credentials")
    t = decide_after(result, record(attempts=3, first_attempt=T0), T0, POLICY)
    assert (t.state, t.attempts, t.first_attempt) == (State.PAUSED, 3, T0)
    assert t.pause_until == t.next_attempt == T0 + timedelta(hours=1)
    assert t.alert is AlertReason.SENDER_REJECTED


def test_policy_takes_give_up_from_smtp_settings() -> None:
    """give_up_after comes from the configured SMTP settings."""
    from mailflow.schedule.config import SmtpSettings, Tls

    settings = SmtpSettings("smtp.example.test", 587, Tls.STARTTLS, "bot", give_up_after=timedelta(hours=6))
    assert DeliveryPolicy.from_settings(settings).give_up_after == timedelta(hours=6)
