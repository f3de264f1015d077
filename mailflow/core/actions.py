"""Action items across meetings: one register, numbered once, closed by their owner or by staff.

The minutes create actions; each gets the next number of the community's register and keeps it
through later revisions of the same minutes. A member closes their own with "Done: N" (or "done"
when they own only one open action); staff close any with "close action N".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from mailflow.core.minutes import ActionItem

__all__ = ["Closed", "close", "close_by_owner", "is_owner", "open_actions", "register_minutes"]


def _same(a: ActionItem, b: ActionItem) -> bool:
    return (a.meeting_key == b.meeting_key and a.who.strip().casefold() == b.who.strip().casefold()
            and a.what.strip().casefold() == b.what.strip().casefold())


def register_minutes(register: tuple[ActionItem, ...], meeting_key: str, items: tuple[ActionItem, ...],
                     received: datetime) -> tuple[tuple[ActionItem, ...], tuple[ActionItem, ...]]:
    """The register with ``items`` (a meeting's minutes) numbered in it, and the numbered items.

    An item already registered for that meeting keeps its number and state; an open one the new
    minutes no longer list leaves the register (the minutes were corrected); a closed one stays.
    """
    earlier = [a for a in register if a.meeting_key == meeting_key]
    numbered: list[ActionItem] = []
    top = max((a.number for a in register), default=0)
    for item in items:
        known = next((a for a in earlier if _same(a, item)), None)
        if known is not None:
            numbered.append(known)
            continue
        top += 1
        numbered.append(replace(item, number=top, opened=received))
    kept = [a for a in register if a.meeting_key != meeting_key or a.done or any(a.number == n.number for n in numbered)]
    kept += [a for a in numbered if not any(a.number == k.number for k in kept)]
    return tuple(sorted(kept, key=lambda a: a.number)), tuple(numbered)


def open_actions(register: tuple[ActionItem, ...], before: str | None = None) -> tuple[ActionItem, ...]:
    """Actions not done, oldest first; ``before`` keeps those from meetings before that key."""
    return tuple(a for a in register if not a.done and (before is None or a.meeting_key < before))


@dataclass(frozen=True)
class Closed:
    """What closing asked for became: the new register and the item, or why nothing changed."""

    register: tuple[ActionItem, ...]
    item: ActionItem | None
    problem: str = ""


def close(register: tuple[ActionItem, ...], number: int, by: str, at: datetime) -> Closed:
    """Close action ``number`` (staff may close any)."""
    item = next((a for a in register if a.number == number), None)
    if item is None:
        return Closed(register, None, f"there is no action {number}")
    if item.done:
        return Closed(register, item, f"action {number} was already closed by {item.done_by or 'someone'}")
    done = replace(item, done=True, done_by=by, done_at=at)
    return Closed(tuple(done if a.number == number else a for a in register), done)


def is_owner(item: ActionItem, name: str, email: str) -> bool:
    """The owner as the minutes wrote them ("Marie-Claire", "Dr. Cho", an address) is this member."""
    who = _words(item.who)
    if not who:
        return False
    if email.casefold() in item.who.casefold():
        return True
    return who <= _words(name)


_TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", text.casefold())) - _TITLES


def close_by_owner(register: tuple[ActionItem, ...], name: str, email: str, number: int | None,
                   at: datetime) -> Closed:
    """A member's "Done: N" (or a bare "done" when they own exactly one open action)."""
    mine = [a for a in open_actions(register) if is_owner(a, name, email)]
    if number is None:
        if len(mine) != 1:
            return Closed(register, None, f"{email} said done but owns {len(mine)} open actions: which one?")
        number = mine[0].number
    item = next((a for a in register if a.number == number), None)
    if item is None or not is_owner(item, name, email):
        return Closed(register, None, f"{email} said action {number} is done, but it is not theirs")
    return close(register, number, email, at)
