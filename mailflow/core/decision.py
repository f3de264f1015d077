"""What the core decides: messages to send and the new state, and what it needs to know to decide."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from mailflow.core.kinds import MessageKind, Request
from mailflow.core.resources import Resource
from mailflow.core.state import CommunityState, MeetingState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config

CalendarMethod = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Recipient:
    """The one person a message goes to."""

    name: str
    email: str
    timezone: ZoneInfo | None = None    # where they read times (roster column); None: the community's zone
    staff_role: str = ""                # written to as staff, in this role ("" = as a member or the chair)
    minutes_only: bool = False          # a minutes recipient who is not a member (their footer says so)

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class Send:
    """One message of one kind to one recipient; (meeting, kind, recipient, revision) is its identity."""

    kind: MessageKind
    to: Recipient
    meeting_key: str
    revision: int
    context: Mapping[str, object] = field(default_factory=dict)
    calendar: CalendarMethod | None = None
    sequence: int = 0
    attachments: tuple[Resource, ...] = ()
    answers: str = ""           # the Message-ID of the person's own message this one answers (threading)
    reply_request: Request | None = None    # what a reply means, when not what the kind asks (see ``request``)

    @property
    def request(self) -> Request:
        """What a reply to this message will mean (carried in its reply token): the kind's request, or for the
        question asked about a reply, the request that reply answered ("Will you attend?" is read as the
        invitation reads a reply: "yes" is an RSVP)."""
        return self.reply_request or self.kind.request


@dataclass(frozen=True)
class Decision:
    meeting: MeetingState | None = None       # the new state, when it changed
    community: CommunityState | None = None
    sends: tuple[Send, ...] = ()
    notes: tuple[str, ...] = ()               # what happened, for the log


@dataclass(frozen=True)
class Situation:
    """What the cycle needs to know besides the meeting's own state."""

    config: Config
    meeting: Meeting
    community: CommunityState
    previous: Meeting | None = None
    previous_state: MeetingState | None = None
    following: Meeting | None = None
    following_focus: str | None = None
