"""Bounce scoring as Mailman 3 does it, as pure decisions.

A permanent bounce (a DSN with status 5.x.x, or the member's server refusing the recipient with a
5xx, which the outbox records as a permanent failure) adds 1 to the member's score, at most once a
day (the community's calendar day); delays and temporary failures add nothing. A score whose last
bounce is older than ``bounce.stale_after`` has expired: the next bounce starts again from 1. At
``bounce.threshold`` delivery to the member is suspended: no more mail of any kind until staff
re-enable them (``mailflow member enable EMAIL``, or :func:`enable` from a staff mail command), and
staff are told once, with the bounces that made the score.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from mailflow.core.decision import Decision, Send
from mailflow.core.kinds import MessageKind
from mailflow.core.recipients import once_revision, staff_recipients
from mailflow.core.state import Bounce, BounceScore, CommunityState
from mailflow.errors import MailflowError
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import BouncePolicy, Config, Member

EVIDENCE_KEPT = 10      # the latest counted bounces kept per member (what staff are shown)


class NotAMember(MailflowError, LookupError):
    """Re-enabling an address that is not on the roster."""

    def __init__(self, email: str, roster: str) -> None:
        super().__init__(f"{email} is not on the roster {roster}: check the address (`mailflow status` lists "
                         "suspended members)")


def live_score(policy: BouncePolicy, record: BounceScore | None, today: date) -> int:
    """The score that counts today: 0 once the last bounce is older than ``stale_after`` (unless suspended)."""
    if record is None:
        return 0
    if record.suspended_at is None and today - record.last > policy.stale_after:
        return 0
    return record.score


def count(config: Config, community: CommunityState, member: Member, bounce: Bounce,
          chairs: tuple[Meeting, ...] = ()) -> Decision:
    """Count one permanent bounce for ``member``; at the threshold, suspend and tell staff (``chairs``: the
    upcoming meetings they chair, named in the alert)."""
    policy = config.bounce
    day = bounce.at.astimezone(config.community.timezone).date()
    record = community.bounce_of(member.key)
    if record is not None and record.suspended_at is not None:
        return Decision(notes=(f"bounce for {member.email}: delivery already suspended",))
    if record is not None and record.last == day:
        return Decision(notes=(f"bounce for {member.email}: already counted today (score {record.score})",))
    if record is None or live_score(policy, record, day) == 0:
        record = BounceScore(member.key, 1, day, (bounce,))
    else:
        record = replace(record, score=record.score + 1, last=day, evidence=(*record.evidence, bounce)[-EVIDENCE_KEPT:])
    note = f"bounce for {member.email} counted: score {record.score} of {policy.threshold}"
    if record.score < policy.threshold:
        return Decision(community=_with(community, record), notes=(note,))
    record = replace(record, suspended_at=bounce.at)
    return Decision(community=_with(community, record), sends=_suspended_alert(config, member, record, chairs),
                    notes=(note, f"delivery to {member.email} suspended"))


def expire(policy: BouncePolicy, community: CommunityState, today: date) -> CommunityState:
    """Drop the scores whose last bounce is older than ``stale_after``; suspensions stay until re-enabled."""
    kept = tuple(b for b in community.bounces if live_score(policy, b, today) > 0)
    return community if kept == community.bounces else replace(community, bounces=kept)


def enable(config: Config, community: CommunityState, email: str) -> Decision:
    """Re-enable delivery to the member at ``email`` (staff: the CLI or a staff mail command); their score
    starts again from 0. The meetings already announced send them the invitation again."""
    member = config.roster.get(email)
    if member is None:
        raise NotAMember(email, str(config.roster.path))
    record = community.bounce_of(member.key)
    if record is None or record.suspended_at is None:
        return Decision(notes=(f"{member.email} was not suspended: nothing to do",))
    bounces = tuple(b for b in community.bounces if b.member != member.key)
    return Decision(community=replace(community, bounces=bounces),
                    notes=(f"delivery to {member.email} re-enabled (bounce score reset)",))


def _with(community: CommunityState, record: BounceScore) -> CommunityState:
    others = tuple(b for b in community.bounces if b.member != record.member)
    return replace(community, bounces=tuple(sorted((*others, record), key=lambda b: b.member)))


def _suspended_alert(config: Config, member: Member, record: BounceScore,
                     chairs: tuple[Meeting, ...]) -> tuple[Send, ...]:
    assert record.suspended_at is not None
    once = once_revision(f"suspended-{member.key}-{record.suspended_at.isoformat()}")
    context = {"member_name": member.name, "member_email": member.email, "score": record.score,
               "threshold": config.bounce.threshold, "evidence": list(record.evidence), "chairs": list(chairs)}
    return tuple(Send(MessageKind.ALERT_MEMBER_SUSPENDED, r, "", once, context) for r in staff_recipients(config))


def suspended_since(community: CommunityState) -> dict[str, datetime]:
    """Each suspended member's key and when delivery was suspended."""
    return {b.member: b.suspended_at for b in community.bounces if b.suspended_at is not None}
