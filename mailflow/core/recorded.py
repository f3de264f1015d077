"""What mailflow recorded from one reply, as its receipt says it back: one typed line per change."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Effect(enum.StrEnum):
    """One change a reply made (what the receipt states; an ``Intent`` is what the reply asked)."""

    RSVP = "rsvp"                    # value: the answer (accepted / declined / tentative)
    UPDATE = "update"                # value: the text as kept; detail: where it goes (an ``UpdateGoes`` value)
    INTRODUCTION = "introduction"    # value: the newcomer's introduction, for the agenda
    SKIP = "skip"                    # no update this month, no more reminders
    AWAY = "away"                    # away this cycle, no more reminders
    SUGGEST = "suggest"              # value: a topic for a future meeting
    FILE = "file"                    # value: the name of a shared file kept
    APPROVE = "approve"              # the agenda draft approved
    FOCUS = "focus"                  # value: the focus topic
    PRESENTER = "presenter"          # value: who presents
    ADD = "add"                      # value: the item added to open discussion
    REMOVE = "remove"                # value: the item taken off (as the agenda named it)
    NOTE = "note"                    # value: the chair's note
    DRAFT = "draft"                  # value: the revision of the draft sent to the chair and staff
    PACKET = "packet"                # the approval sent the agenda packet to members
    MINUTES = "minutes"              # value: the revision; detail: how many people the digest went to
    DONE = "done"                    # value: the action item's number; detail: its task
    UNSUBSCRIBE = "unsubscribe"      # the member gets no more mail


# Effects that mail already sent to others made final: undo cannot take them back.
FINAL = frozenset({Effect.DRAFT, Effect.PACKET, Effect.MINUTES})


@dataclass(frozen=True)
class Recorded:
    """One line of a receipt: an effect and what it concerned."""

    effect: Effect
    value: str = ""
    detail: str = ""

    @property
    def final(self) -> bool:
        """Mail already sent made this final: undo leaves it."""
        return self.effect in FINAL
