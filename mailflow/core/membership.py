"""Membership over time: who is new on the roster, and what they are sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mailflow.core.decision import Decision, Send
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import member_recipient
from mailflow.core.state import CommunityState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config


def on_roster(config: Config, community: CommunityState, next_meeting: Meeting | None,
              now: datetime) -> Decision:
    """Welcome members added to the roster since the last look; the founding roster is not welcomed."""
    active = {m.key: m for m in config.roster.active()}
    if community.installed_at is None:
        return Decision(community=replace(community, installed_at=now, known_members=frozenset(active)))
    fresh = [m for key, m in active.items() if key not in community.known_members]
    if not fresh:
        return Decision()
    key = next_meeting.key if next_meeting else ""
    sends = tuple(Send(MessageKind.WELCOME, member_recipient(m), key, 0, {"next_meeting": next_meeting})
                  for m in fresh)
    known = community.known_members | {m.key for m in fresh}
    return Decision(community=replace(community, known_members=known), sends=sends,
                    notes=tuple(f"welcome {m.email}" for m in fresh))
