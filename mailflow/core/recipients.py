"""Who receives what: members, the chair, staff; and alerts, which go to every staff address."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, Member


def member_recipient(member: Member) -> Recipient:
    return Recipient(member.name, member.email, member.timezone)


def staff_recipients(config: Config) -> tuple[Recipient, ...]:
    people = []
    for email in config.community.staff:
        member = config.roster.get(email)
        people.append(Recipient(member.name, email, member.timezone) if member else Recipient(email.split("@")[0], email))
    return tuple(people)


def chair_and_staff(config: Config, meeting: Meeting) -> tuple[Recipient, ...]:
    people = [member_recipient(meeting.chair)] if meeting.chair else []
    keys = {p.key for p in people}
    people += [s for s in staff_recipients(config) if s.key not in keys]
    return tuple(people)


def active_members(config: Config) -> tuple[Member, ...]:
    return config.roster.active()


def once_revision(once: str) -> int:
    """A revision number derived from a name, so that a once-only message has one identity."""
    return int(hashlib.sha256(once.encode()).hexdigest()[:8], 16)


def alert(s: Situation, kind: MessageKind, once: str, context: Mapping[str, object]) -> list[Send]:
    """A message to every staff address; ``once`` names it, so its identity (and so the outbox) keeps it to one."""
    assert kind.is_alert, kind
    revision = once_revision(once)
    return [Send(kind, r, s.meeting.key, revision, dict(context)) for r in staff_recipients(s.config)]
