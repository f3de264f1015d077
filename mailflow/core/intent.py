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
    DONE = "done"                  # the sender's action item is done: value its number ("" = their only one)
    SEND_FILE = "send_file"        # "send FILENAME": value the name of a resource the sender wants attached


@dataclass(frozen=True)
class Command:
    """One instruction found in the new text; ACTION carries ``who`` and the task in ``value``."""

    kind: CommandKind
    value: str = ""
    who: str = ""


class IntentKind(enum.StrEnum):
    """What a reply asks for, read in the context of the request it answers (``mail_in`` decides)."""

    RSVP = "rsvp"                  # value: an ``Rsvp`` (accepted / declined / tentative)
    UPDATE = "update"              # value: the roundtable update (or, to the welcome, the introduction)
    SKIP = "skip"                  # no update this cycle, stop reminding
    AWAY = "away"                  # away for a while (an out-of-office, or said in words)
    UNSUBSCRIBE = "unsubscribe"    # wants no more mail
    APPROVE = "approve"            # the chair approves the agenda draft
    FOCUS = "focus"                # value: the focus topic
    PRESENTER = "presenter"        # value: who presents
    ADD = "add"                    # value: an item for open discussion
    REMOVE = "remove"              # value: the item to take off
    NOTE = "note"                  # value: the chair's note for the agenda
    SUGGEST = "suggest"            # value: a topic for a future meeting
    MINUTES = "minutes"            # value: the minutes text
    RECORDING = "recording"        # value: the recording link
    ACTION = "action"              # value: the task; ``who`` its owner
    DONE = "done"                  # value: which action item the member closed ("2", or its words)
    UNDO = "undo"                  # revert the effect of this sender's previous reply (within the cycle)
    UNCLEAR = "unclear"            # value: the one question to ask (the sender, or staff for the chair)


@dataclass(frozen=True)
class Intent:
    """One thing a reply means; ``value`` and ``who`` as each ``IntentKind`` documents."""

    kind: IntentKind
    value: str = ""
    who: str = ""
    # RSVP and AWAY: the days its words name, as ISO 8601 partial dates ("--02-09": 9 February; "---17": the 17th), so
    # the core can tell an answer about another meeting ("Count me in for the Feb 9 session", to January's invitation);
    # AWAY also the periods it names, as intervals of them ("--02-15/--05-31"; "--03-01/": from 1 March, no end named)
    on: tuple[str, ...] = ()
