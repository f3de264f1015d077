"""The minutes digest: the minutes to members and the minutes recipients, with every resource it names."""

from __future__ import annotations

from mailflow.core.actions import open_actions
from mailflow.core.agenda import suggested_topics
from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.library import shared_files
from mailflow.core.minutes import Minutes
from mailflow.core.recipients import has_left, mailed_members, member_recipient
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update
from mailflow.core.state import MeetingState
from mailflow.schedule.config import Step


def merge_resources(have: tuple[Resource, ...], new: tuple[Resource, ...]) -> tuple[Resource, ...]:
    """``have`` then each of ``new`` not already there (by content)."""
    seen = {r.sha256 for r in have}
    merged = list(have)
    for r in new:
        if r.sha256 not in seen:
            seen.add(r.sha256)
            merged.append(r)
    return tuple(merged)


def digest_recipients(s: Situation, state: MeetingState) -> tuple[Recipient, ...]:
    """Members mailed (not suspended) whose mail does not bounce, then the minutes recipients who are not members."""
    people: dict[str, Recipient] = {}
    for mem in mailed_members(s):
        if mem.key not in state.bounced:
            people.setdefault(mem.key, member_recipient(mem))
    for email in s.config.community.minutes_recipients:
        people.setdefault(email.casefold(), Recipient(email.split("@")[0], email, minutes_only=True))
    return tuple(people.values())


def unsent_updates(state: MeetingState) -> tuple[Update, ...]:
    """The updates that reached no member before the meeting: after the packet, and not carried by the
    addendum (they came after the day-of reminder); the digest's roundtable section carries them."""
    record = state.step(Step.DAY_OF_REMINDER)
    if record is None:
        return ()
    addendum = record.at if state.addenda_sent else None
    return tuple(sorted((u for u in state.updates if u.late and (addendum is None or u.received >= addendum)),
                        key=lambda u: u.member_name.casefold()))


def digest_sends(s: Situation, state: MeetingState, minutes: Minutes, revision: int) -> list[Send]:
    """The digest of ``minutes`` to everyone who gets it (``s.community`` holding the minutes' actions).

    It names every resource of the cycle and attaches each one it can: the minutes' own files
    first, then what members shared, while the total stays under the packet's limit; the rest are
    listed as too large, with whom to ask. (Minutes recipients never got the packet, so the
    digest is their only way to the resources.) Its roundtable section carries the updates that
    reached no one before the meeting, but those of members who have left the roster since.
    """
    everything = merge_resources(minutes.resources, state.resources)
    attached, listed, links = shared_files(s, state, everything)
    context = {"minutes": minutes, "attached": list(attached), "listed": list(listed), "links": links,
               "unsent_updates": [u for u in unsent_updates(state)
                                  if not has_left(s.config, s.community, u.member_email.casefold())],
               "open_actions": list(open_actions(s.community.actions, before=s.meeting.key)),
               "next_meeting": s.following, "next_focus": s.following_focus,
               "suggested_topics": list(suggested_topics(s, state))}
    return [Send(MessageKind.MINUTES_DIGEST, person, s.meeting.key, revision, context, attachments=attached)
            for person in digest_recipients(s, state)]
