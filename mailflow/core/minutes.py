"""Minutes from staff's reply: text, recording link, attachments and action items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailflow.core.resources import Resource


@dataclass(frozen=True)
class ActionItem:
    who: str                   # the owner, as the minutes name them
    what: str
    meeting_key: str           # the meeting whose minutes created it
    done: bool = False
    number: int = 0            # its number in the community's register (0: not registered yet)
    opened: datetime | None = None
    done_by: str = ""          # the member or staff address that closed it
    done_at: datetime | None = None


@dataclass(frozen=True)
class Minutes:
    meeting_key: str
    text: str
    recording_link: str | None
    actions: tuple[ActionItem, ...]
    resources: tuple[Resource, ...]
    received: datetime
    sent_by: str
