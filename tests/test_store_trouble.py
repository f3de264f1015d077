"""The disk alert sent straight to SMTP: once per episode, and a flapping disk is one story, not many."""

from __future__ import annotations

import asyncio
import errno
from datetime import UTC, datetime, timedelta

from mailflow.app.store_trouble import REALERT_AFTER, PassTrouble


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2027, 1, 5, 9, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def seconds_until(self, instant: datetime) -> float:
        return (instant - self.at).total_seconds()


class Sender:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message) -> None:
        self.sent.append(message)


def test_a_nearly_full_disk_that_flaps_alerts_once_an_hour_at_most():
    clock, sender, trouble = Clock(), Sender(), PassTrouble()
    full = OSError(errno.ENOSPC, "No space left on device")

    async def compose(now, since, error):
        return [f"alert since {since:%H:%M}: {error}"]

    async def flap(times: int) -> None:
        for _ in range(times):
            await trouble.handle(full, clock, sender, compose)
            clock.at += timedelta(seconds=5)
            trouble.succeeded()                      # a claim fitted: the pass went through
            clock.at += timedelta(seconds=5)

    asyncio.run(flap(20))
    assert len(sender.sent) == 1
    clock.at += REALERT_AFTER
    asyncio.run(flap(3))
    assert len(sender.sent) == 2                      # still failing an hour later: staff hear it again


def test_an_alert_that_could_not_be_sent_is_tried_at_the_next_failed_pass():
    clock, sender, trouble = Clock(), Sender(), PassTrouble()
    calls = []

    async def compose(now, since, error):
        calls.append(now)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP down too")
        return ["alert"]

    full = OSError(errno.ENOSPC, "No space left on device")
    asyncio.run(trouble.handle(full, clock, sender, compose))
    assert sender.sent == []
    clock.at += timedelta(seconds=1)
    asyncio.run(trouble.handle(full, clock, sender, compose))
    assert sender.sent == ["alert"]
