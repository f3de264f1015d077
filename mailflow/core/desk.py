"""The staff desk's vocabulary: the commands staff give by mail or on the command line, as values.

``mail_in.desk_commands`` reads them from a staff reply; ``app.desk`` carries them out. The list
below is the one help text: the answer to a command that was not understood, and README's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DeskVerb(enum.StrEnum):
    STATUS = "status"
    HELD = "held"
    RELEASE = "release"
    DISCARD = "discard"
    RESEND = "resend"
    REMOVE_UPDATE = "remove-update"
    REPLACE_UPDATE = "replace-update"
    CLOSE_ACTION = "close-action"
    ACTIONS = "actions"
    HELP = "help"
    UNKNOWN = "unknown"          # a line that is not a command: answered with the list


@dataclass(frozen=True)
class DeskCommand:
    """One staff command; ``target`` is a held id, a message kind or an action number as the verb needs."""

    verb: DeskVerb
    target: str = ""
    email: str = ""
    text: str = ""               # replace-update: the new text; unknown: the line as written

    def __str__(self) -> str:
        return {
            DeskVerb.RELEASE: " ".join(("release", self.target, *(("as", self.email) if self.email else ()))).replace("  ", " "),
            DeskVerb.DISCARD: f"discard {self.target}".strip(),
            DeskVerb.RESEND: f"resend {self.target} to {self.email}",
            DeskVerb.REMOVE_UPDATE: f"remove update from {self.email}",
            DeskVerb.REPLACE_UPDATE: f"replace update from {self.email}:",
            DeskVerb.CLOSE_ACTION: f"close action {self.target}",
            DeskVerb.UNKNOWN: self.text,
        }.get(self.verb, self.verb.value)


@dataclass(frozen=True)
class DeskAnswer:
    """What one command did, as the answer by mail (or the command line) says it."""

    command: str
    ok: bool
    text: str


# (what to write, what it does): the help text, in this order.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("status", "where the current meetings stand, held mail, deliveries and intake health"),
    ("held", "the held messages waiting for you, with their ids"),
    ("release ID", "apply a held message as if its sender had sent it properly (receipts included)"),
    ("release ID as EMAIL", "apply it as if the member with that address had sent it"),
    ("discard ID", "drop a held message: nothing applied, nobody answered"),
    ("resend KIND to EMAIL", "send a message again to one person (KIND: invitation, call-for-updates, "
                             "agenda-packet, minutes-digest...)"),
    ("remove update from EMAIL", "take a member's update out of the current meeting (and its history)"),
    ("replace update from EMAIL:", "replace it with the text on the following lines"),
    ("actions", "the open action items with their numbers"),
    ("close action N", "mark action item N done"),
    ("help", "this list"),
)
