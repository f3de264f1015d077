"""Minutes from staff's reply: text, recording link, attachments and action items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailflow.core.resources import Resource


@dataclass(frozen=True)
class ActionItem:
    who: str
    what: str
    meeting_key: str           # the meeting whose minutes created it
    done: bool = False


@dataclass(frozen=True)
class Minutes:
    meeting_key: str
    text: str
    recording_link: str | None
    actions: tuple[ActionItem, ...]
    resources: tuple[Resource, ...]
    received: datetime
    sent_by: str
