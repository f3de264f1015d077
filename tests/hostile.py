"""Hostile sample values: what a hostile member or staff member could write, in every field a message shows.

It must come out inert in HTML and never make a header (tests of rendering and composing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mailflow.core.agenda import Agenda
from mailflow.core.kinds import MessageKind
from mailflow.core.minutes import Minutes
from mailflow.core.recorded import Effect, Recorded
from mailflow.mail_out import samples
from mailflow.mail_out.samples import sample_members
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import Community

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\r\nBcc: all@example.net'


def hostile_context(kind: MessageKind, community: Community, meeting: Meeting | None, now: datetime,
                    *, words_limit: int = 150) -> dict[str, object]:
    """:func:`samples.sample_context` with HOSTILE text in every field a person could have written."""
    meeting = _hostile_meeting(meeting or samples.sample_meeting(community))
    values = samples.sample_context(kind, community, meeting, now, words_limit=words_limit)
    agenda = _hostile_agenda(samples.sample_agenda(meeting, words_limit))
    minutes = _hostile_minutes(samples.sample_minutes(meeting))
    update = agenda.updates[0]
    hostile = {
        "suggested_topics": ["Measuring what changed for patients", "Peer mentoring for new clinics", HOSTILE],
        "future_items": list(agenda.future_items), "open_actions": list(minutes.actions),
        "agenda": agenda, "attached": list(agenda.resources[:2]), "listed": list(agenda.resources[2:]),
        "minutes": minutes, "previous_agenda": agenda,
        "previous_minutes": minutes, "update": update, "filename": HOSTILE + ".exe", "reason": HOSTILE,
        "subject": HOSTILE, "error": HOSTILE,
        "recorded": [Recorded(Effect.UPDATE, HOSTILE, "agenda"), Recorded(Effect.SUGGEST, HOSTILE),
                     Recorded(Effect.REMOVE, HOSTILE)],
        "reverted": [Recorded(Effect.NOTE, HOSTILE)], "excerpt": HOSTILE, "question": HOSTILE,
        "sender_name": HOSTILE, "member_name": HOSTILE,
    }
    return {key: hostile.get(key, value) for key, value in values.items()}


def _hostile_meeting(meeting: Meeting) -> Meeting:
    chair = meeting.chair or sample_members()[0]
    return replace(meeting, chair=replace(chair, name=HOSTILE), note=HOSTILE, location=HOSTILE,
                   video_link="javascript:alert(1)")


def _hostile_agenda(agenda: Agenda) -> Agenda:
    updates = tuple(replace(u, member_name=HOSTILE, division=HOSTILE, text=HOSTILE + "\n" + u.text)
                    for u in agenda.updates)
    late = tuple(replace(u, member_name=HOSTILE, division=HOSTILE, text=HOSTILE, language=HOSTILE)
                 for u in agenda.late_updates)
    following = agenda.next_meeting and replace(agenda.next_meeting, chair=replace(
        agenda.next_meeting.chair or sample_members()[0], name=HOSTILE))
    resources = tuple(replace(r, filename=HOSTILE, shared_by=HOSTILE) for r in agenda.resources)
    members = tuple(replace(m, name=HOSTILE, introduction=HOSTILE) for m in agenda.new_members)
    return replace(agenda, updates=updates, late_updates=late, next_meeting=following, resources=resources,
                   new_members=members,
                   focus_topic=HOSTILE, presenter=HOSTILE, discussion_items=(HOSTILE,),
                   future_items=(HOSTILE,), notes=(HOSTILE,), no_update_from=(HOSTILE,))


def _hostile_minutes(minutes: Minutes) -> Minutes:
    actions = tuple(replace(a, who=HOSTILE, what=HOSTILE) for a in minutes.actions)
    return replace(minutes, text=HOSTILE + "\n\n" + minutes.text, actions=actions,
                   recording_link="javascript:alert(1)",
                   resources=tuple(replace(r, filename=HOSTILE) for r in minutes.resources))
