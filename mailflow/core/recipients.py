"""Who receives what: members, the chair, staff; and alerts, which go to every staff address."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace

from mailflow.core.decision import Decision, Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.state import CommunityState
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Config, Member


def member_recipient(member: Member) -> Recipient:
    return Recipient(member.name, member.email, member.timezone)


def staff_recipients(config: Config) -> tuple[Recipient, ...]:
    """Every staff member, greeted by name, in their own zone when they are also on the roster."""
    people = []
    for person in config.community.staff:
        member = config.roster.get(person.email)
        people.append(Recipient(person.name, person.email, member.timezone if member else None, person.role))
    return tuple(people)


def chair_and_staff(config: Config, meeting: Meeting) -> tuple[Recipient, ...]:
    people = [member_recipient(meeting.chair)] if meeting.chair and meeting.chair.active else []
    keys = {p.key for p in people}
    people += [s for s in staff_recipients(config) if s.key not in keys]
    return tuple(people)


def active_members(config: Config) -> tuple[Member, ...]:
    return config.roster.active()


def mailed_members(s: Situation) -> tuple[Member, ...]:
    """Active members whose delivery is not suspended and who did not unsubscribe: who the steps for all
    members mail."""
    unmailed = s.community.unmailed
    return tuple(m for m in s.config.roster.active() if m.key not in unmailed)


def has_left(config: Config, community: CommunityState, key: str) -> bool:
    """The member ``key`` left: departed on the roster, or known to the community and no longer on it (a
    removal the next tick records as a departure). An address the community never knew (a minutes recipient)
    has not left anything."""
    member = config.roster.get(key)
    if member is not None:
        return not member.active
    return key in community.departed or key in community.known_members


def withheld(send: Send, config: Config, community: CommunityState) -> str | None:
    """Why ``send`` must not go, or None (see :func:`withheld_from`)."""
    return withheld_from(send.kind, send.to.key, config, community)


def withheld_from(kind: MessageKind, address: str, config: Config, community: CommunityState) -> str | None:
    """Why a message of ``kind`` to ``address`` must not go, or None: nobody mails a suspended member, nor one
    who unsubscribed (but their one confirmation), nor one who left (but the withdrawal of their invitations).
    Staff addresses are staff whatever the roster says, and the minutes recipients the schedule file names get
    the minutes whether or not they are on the roster. Asked when a decision is carried out, and again by the
    outbox just before it sends (the roster or the community may have changed meanwhile)."""
    key = address.strip().casefold()
    if config.community.staff_member(key) is not None:
        return None
    if key in community.suspended:
        return "delivery suspended (bounces)"
    if key in community.leaving and kind is not MessageKind.NOTICE_UNSUBSCRIBED:
        return "unsubscribed"
    if kind is not MessageKind.INVITATION_WITHDRAWN and has_left(config, community, key) and \
            key not in {r.casefold() for r in config.community.minutes_recipients}:
        return "departed"
    return None


def deliverable(decision: Decision, config: Config, community: CommunityState) -> Decision:
    """``decision`` without the sends that must not go (see :func:`withheld`), each named in its notes."""
    community = decision.community or community
    kept, notes = [], list(decision.notes)
    for send in decision.sends:
        reason = withheld(send, config, community)
        if reason is None:
            kept.append(send)
        else:
            notes.append(f"{send.kind} to {send.to.email} not sent: {reason}")
    if len(kept) == len(decision.sends):
        return decision
    return replace(decision, sends=tuple(kept), notes=tuple(notes))


def once_revision(once: str) -> int:
    """A revision number derived from a name, so that a once-only message has one identity."""
    return int(hashlib.sha256(once.encode()).hexdigest()[:8], 16)


def alert(s: Situation, kind: MessageKind, once: str, context: Mapping[str, object]) -> list[Send]:
    """A message to every staff address; ``once`` names it, so its identity (and so the outbox) keeps it to one."""
    assert kind.is_alert, kind
    revision = once_revision(once)
    return [Send(kind, r, s.meeting.key, revision, dict(context)) for r in staff_recipients(s.config)]
