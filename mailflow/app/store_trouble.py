"""When a pass of the daemon fails: back off by the one backoff rule, and tell staff once about a broken disk.

A pass that cannot write the state folder (ENOSPC, EIO, EROFS...) must not be retried in a tight
loop, and nothing can be sent meanwhile (a send needs its claim on disk). Staff hear of it once per
episode, by a message composed and handed to SMTP directly, since the outbox itself cannot be
written: the one message mailflow sends without recording it first, at most once per staff
address per episode and process, and never twice within :data:`REALERT_AFTER`: a nearly full disk
fails some passes and lets others through, and each such flap is not news to staff.
"""

from __future__ import annotations

import errno
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailflow.core.backoff import Backoff
from mailflow.core.message import OutgoingMessage
from mailflow.errors import StoreError
from mailflow.ports import Clock, MailSender

log = logging.getLogger(__name__)

# Composes the state-folder alert for every staff address (now, since, error) without writing anything.
ComposeAlerts = Callable[[datetime, datetime, str], Awaitable[list[OutgoingMessage]]]

PASS_BACKOFF = Backoff(initial=1.0, factor=2.0, cap=300.0)
REALERT_AFTER = timedelta(hours=1)


def is_disk_trouble(exc: BaseException) -> bool:
    """The state folder refused a write (or a read): full, read-only, an I/O error, permissions."""
    if isinstance(exc, StoreError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS,
                                                      errno.EACCES, errno.EPERM, errno.ENOENT)


@dataclass
class PassTrouble:
    """Failed passes in a row, since when, and whether staff were told (one episode)."""

    failures: int = 0
    since: datetime | None = None
    alerted: bool = False
    last_alert: datetime | None = None       # across episodes: flapping is one story
    rng: random.Random = field(default_factory=random.Random)

    def failed(self, now: datetime) -> float:
        """Count one more failed pass; return the seconds to wait before the next."""
        self.failures += 1
        self.since = self.since or now
        return PASS_BACKOFF.delay(self.failures, self.rng.random())

    def succeeded(self) -> int:
        """The episode is over; return how many passes had failed."""
        failures = self.failures
        self.failures, self.since, self.alerted = 0, None, False
        return failures

    async def handle(self, exc: Exception, clock: Clock, sender: MailSender, compose: ComposeAlerts) -> float:
        """Count a failed pass, log it, tell staff once if the disk is the cause; return the wait."""
        delay = self.failed(clock.now())
        if not is_disk_trouble(exc):
            log.exception("outbox pass %d in a row failed; next try in %.0f s", self.failures, delay)
            return delay
        log.error("outbox pass %d in a row could not write the state folder (%s): nothing is sent until it can; "
                  "next try in %.0f s", self.failures, exc, delay)
        now = clock.now()
        if self.last_alert is not None and now - self.last_alert < REALERT_AFTER:
            self.alerted = True
        if not self.alerted:
            self.alerted = await tell_staff(clock, sender, compose, self.since or now, exc)
            if self.alerted:
                self.last_alert = now
        return delay


async def tell_staff(clock: Clock, sender: MailSender, compose: ComposeAlerts, since: datetime,
                     exc: Exception) -> bool:
    """The one alert sent without being recorded first (the outbox cannot be written): straight to SMTP."""
    try:
        messages = await compose(clock.now(), since, str(exc))
        for message in messages:
            await sender.send(message)
    except Exception:  # noqa: BLE001 - tried again at the next failed pass
        log.exception("could not tell staff that the state folder cannot be written")
        return False
    log.warning("told %d staff address(es) that the state folder cannot be written", len(messages))
    return True
