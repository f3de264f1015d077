"""Alerts to staff, batched: each thing that happened is an item; staff get a digest at most hourly.

An alert is never a message of its own. What happened (mail held, a step missed, a delivery given
up, the intake stalled, the outbox paused...) becomes one :class:`AlertItem`, kept in the store
with an id and a kind. Each staff member then gets at most one digest per ``every`` listing the
items they have not seen yet, and all digests together stay under ``max_per_hour``. A loop with a
staff auto-responder, or a flood of forged mail, therefore costs at most one message per staff
member per hour, whatever arrives. Pure: the store and the clock are the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.core.kinds import MessageKind
from mailflow.schedule.config import AlertSettings


@dataclass(frozen=True)
class AlertItem:
    """One thing staff must hear about. ``item_id`` is stable (the same event twice is one item);
    ``kind`` is the alert kind it would have been sent as; ``ref`` is what staff can act on
    (a held message's id, a meeting key); ``subject`` and ``text`` are already rendered."""

    item_id: str
    kind: MessageKind
    at: datetime
    subject: str
    text: str
    ref: str = ""
    meeting_key: str = ""
    told: frozenset[str] = field(default_factory=frozenset)   # staff keys whose digest listed it


@dataclass(frozen=True)
class Digest:
    """One digest for one staff member: the items it lists and the items it only counts."""

    staff: str
    items: tuple[AlertItem, ...]
    more: tuple[AlertItem, ...] = ()

    @property
    def all_items(self) -> tuple[AlertItem, ...]:
        return self.items + self.more


def plan_digests(items: Sequence[AlertItem], staff: Iterable[str], last_digest: Mapping[str, datetime],
                 sent_last_hour: int, now: datetime, policy: AlertSettings) -> list[Digest]:
    """The digests to send now: one per staff member with unseen items whose last digest is at
    least ``policy.every`` old, within the global hourly cap (earliest waiting item first)."""
    waiting: list[tuple[datetime, str, list[AlertItem]]] = []
    for person in dict.fromkeys(s.casefold() for s in staff):
        unseen = sorted((i for i in items if person not in i.told), key=lambda i: (i.at, i.item_id))
        last = last_digest.get(person)
        if unseen and (last is None or now - last >= policy.every):
            waiting.append((unseen[0].at, person, unseen))
    room = max(0, policy.max_per_hour - sent_last_hour)
    digests = []
    for _, person, unseen in sorted(waiting)[:room]:
        digests.append(Digest(person, tuple(unseen[:policy.max_items]), tuple(unseen[policy.max_items:])))
    return digests


def next_digest_at(items: Sequence[AlertItem], staff: Iterable[str], last_digest: Mapping[str, datetime],
                   policy: AlertSettings) -> datetime | None:
    """When a digest that waits for its hour becomes due (None: nothing waits)."""
    times = []
    for person in dict.fromkeys(s.casefold() for s in staff):
        last = last_digest.get(person)
        if last is not None and any(person not in i.told for i in items):
            times.append(last + policy.every)
    return min(times, default=None)


def held_item_id(sender: str, day: str) -> str:
    """Held mail is one item per sender per day: a flood from one sender is one line for staff."""
    return f"held:{sender.casefold() or '?'}:{day}"


def held_item_key(item_id: str) -> tuple[str, str] | None:
    """(sender, day) of a held-mail item id, else None."""
    kind, _, rest = item_id.partition(":")
    sender, _, day = rest.rpartition(":")
    return (sender, day) if kind == "held" and day else None
