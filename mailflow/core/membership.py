"""Membership over time: who arrived on the roster, who returned, who left, and what each is sent.

An arrival is welcomed (the founding roster is not) and listed under New Members; a return
(departed, then active again) is an arrival without the welcome; a departure gets no more mail.
The invitations each of them holds are brought in line meeting by meeting (``attendees.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from mailflow.core.decision import Decision, Send
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import member_recipient
from mailflow.core.state import CommunityState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, Member


@dataclass(frozen=True)
class RosterChanges:
    """What the roster says that the community state does not know yet."""

    arrivals: tuple[Member, ...] = ()
    returns: tuple[Member, ...] = ()
    departures: tuple[str, ...] = ()        # member keys: departed, or no longer on the roster at all

    def __bool__(self) -> bool:
        return bool(self.arrivals or self.returns or self.departures)


def roster_changes(config: Config, community: CommunityState) -> RosterChanges:
    """Arrivals, returns and departures since the community state last looked at the roster."""
    active = config.roster.active()
    keys = {m.key for m in active}
    return RosterChanges(
        arrivals=tuple(m for m in active if m.key not in community.known_members and m.key not in community.departed),
        returns=tuple(m for m in active if m.key in community.departed),
        departures=tuple(sorted(community.known_members - keys)),
    )


def on_roster(config: Config, community: CommunityState, next_meeting: Meeting | None,
              now: datetime) -> Decision:
    """Welcome arrivals and take note of returns and departures; the founding roster is not welcomed."""
    if community.installed_at is None:
        departed = frozenset(m.key for m in config.roster.members if not m.active)
        return Decision(community=replace(community, installed_at=now, departed=departed,
                                          known_members=frozenset(m.key for m in config.roster.active())))
    changes = roster_changes(config, community)
    if not changes:
        return Decision()
    key = next_meeting.key if next_meeting else ""
    sends = tuple(Send(MessageKind.WELCOME, member_recipient(m), key, 0, {"next_meeting": next_meeting})
                  for m in changes.arrivals)
    back = frozenset(m.key for m in (*changes.arrivals, *changes.returns))
    gone = frozenset(changes.departures)
    today = now.astimezone(config.community.timezone).date()
    community = replace(community, known_members=(community.known_members | back) - gone,
                        departed=(community.departed - back) | gone,
                        arrivals=_arrived(community.arrivals, changes.arrivals, today))
    notes = ([f"welcome {m.email}" for m in changes.arrivals]
             + [f"{m.email} is back on the roster: invited to the meetings already announced" for m in changes.returns]
             + [f"{key} left the roster: invitations withdrawn, no more mail" for key in changes.departures])
    return Decision(community=community, sends=sends, notes=tuple(notes))


def _arrived(kept: tuple[tuple[str, date], ...], fresh: tuple[Member, ...], today: date) -> tuple[tuple[str, date], ...]:
    """When each member arrived (listed under New Members at the next meeting), the latest per member."""
    arrivals = dict(kept)
    arrivals.update((m.key, today) for m in fresh)
    return tuple(sorted(arrivals.items()))
