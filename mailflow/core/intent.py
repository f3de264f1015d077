"""What an incoming message is and what it asks for, as values the core decides on.

``mail_in`` reads these from the bytes; the core never sees text it has to interpret.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ReplyKind(enum.StrEnum):
    """What kind of message came in."""

    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    CALENDAR_REPLY = "calendar_reply"


class AutoKind(enum.StrEnum):
    """What kind of automatic mail an ``auto_reply`` is: only OUT_OF_OFFICE means the member is away."""

    OUT_OF_OFFICE = "out_of_office"
    DELAY = "delay"             # a delivery-delay report: the mail is still being retried
    RECEIPT = "receipt"         # a read or delivery receipt
    OTHER = "other"             # any other automatic message (auto-responders, list robots)


class Rsvp(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class CommandKind(enum.StrEnum):
    SKIP = "skip"
    APPROVE = "approve"
    FOCUS_TOPIC = "focus_topic"
    PRESENTER = "presenter"
    ADD_ITEM = "add_item"
    REMOVE_ITEM = "remove_item"
    SUGGEST_TOPIC = "suggest_topic"
    NOTE = "note"
    ACTION = "action"
    RECORDING = "recording"


@dataclass(frozen=True)
class Command:
    """One instruction found in the new text; ACTION carries ``who`` and the task in ``value``."""

    kind: CommandKind
    value: str = ""
    who: str = ""
