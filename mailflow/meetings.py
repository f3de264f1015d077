"""The meeting calendar: occurrences, overrides, chairs and step due times, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailflow.config import Member, Step


@dataclass(frozen=True)
class Meeting:
    """One occurrence of the meeting, after overrides.

    ``key`` is the ISO date the recurrence rule gives the occurrence; it never changes,
    even when staff move the meeting, so it identifies the meeting everywhere (store,
    iCalendar UID, Message-IDs).
    """

    key: str                     # e.g. "2027-01-12"
    start: datetime              # aware, community time zone
    end: datetime                # aware, community time zone
    chair: Member | None
    video_link: str
    location: str | None = None  # set for an in-person meeting
    cancelled: bool = False
    note: str | None = None
    due: tuple[tuple[Step, datetime], ...] = ()   # each step's due instant, aware UTC

    def due_at(self, step: Step) -> datetime:
        return dict(self.due)[step]

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)
