"""A member's answers for themselves: attendance, their update or introduction, skip, away; and what anyone
may add: topics for later meetings, shared files, their own action items closed.

Each function returns the new state and what it recorded; something already recorded (the same
answer, the same text) records nothing, so a repeated reply changes nothing and gets no receipt.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from mailflow.core.actions import close_by_owner
from mailflow.core.decision import Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.intent import Intent, IntentKind, Rsvp
from mailflow.core.kinds import Request
from mailflow.core.minutes import ActionItem
from mailflow.core.notices import update_goes
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.roundtable import UpdateGoes, make_update
from mailflow.core.state import MeetingState, MemberSlice

K = IntentKind

# Replies whose files are the member's shared resources (a file sent to the digest or an alert is not kept).
FILE_REQUESTS = frozenset({Request.UPDATE, Request.INVITATION, Request.PACKET, Request.WELCOME, Request.DAY_OF,
                           Request.NOTICE})


ASK_ANOTHER_DAY = ('Your answer names another day than this meeting\'s. Will you attend the meeting on {day}? Please '
                   'reply "yes" or "no".')


def for_another_day(intents: tuple[Intent, ...], day: date, asked: bool = True) -> tuple[tuple[Intent, ...], str]:
    """``intents`` without an answer about attendance whose words name only days other than the meeting's ``day``
    ("Count me in for the Feb 9 session" to January's invitation: another meeting's answer), and the question to ask
    then; an answer that names the meeting's day too, or none, stands."""
    # (an absence for another day only is no absence from this meeting: "I'll be on vacation for the February 9
    # session" to January's call for updates; nothing to ask)
    # (and an absence over a period that leaves the meeting's day out is none either: "I'll be on leave from February 15
    # to the end of May" to January's call for updates)
    intents = tuple(i for i in intents if not (i.kind is K.AWAY and i.on and not away_on(i.on, day)))
    other = [i for i in intents if i.kind is K.RSVP and i.on and not names_day(i.on, day)]
    if not other:
        return intents, ""
    kept = tuple(i for i in intents if i not in other)
    # (``asked``: the request asked whether they come; to another request, "I won't be at the February 9 session" only
    # tells of another meeting: nothing changes, nothing is asked)
    return kept, ASK_ANOTHER_DAY.format(day=f"{day:%A} {day.day} {day:%B %Y}") if asked else ""


def away_on(on: tuple[str, ...], day: date) -> bool:
    """An absence whose ``Intent.on`` holds these days and periods is one from the meeting on ``day``: a day named is
    the meeting's (or its month), or a period covers it."""
    periods = [item for item in on if "/" in item]
    return names_day(tuple(item for item in on if "/" not in item), day) or any(covers(p, day) for p in periods)


def covers(period: str, day: date) -> bool:
    """The period ("--MM-DD/--MM-DD", or "--MM-DD/" with no end) covers ``day``. Its start is read in the year that puts
    it within half a year of the day (an absence is told of around the meeting it concerns), its end in the first year
    that does not put it before the start."""
    start_text, _, end_text = period.partition("/")
    start = _near(int(start_text[2:4]), int(start_text[5:7]), day)
    if start is None or start > day:
        return False
    if not end_text:
        return True
    month, dom = int(end_text[2:4]), int(end_text[5:7])
    for year in (start.year, start.year + 1):
        end = _dated(year, month, dom)
        if end is not None and end >= start:
            return day <= end
    return False


def _near(month: int, dom: int, day: date) -> date | None:
    candidates = [d for d in (_dated(day.year + k, month, dom) for k in (-1, 0, 1)) if d is not None]
    return min(candidates, key=lambda d: abs((d - day).days), default=None)


def _dated(year: int, month: int, dom: int) -> date | None:
    try:
        return date(year, month, dom)
    except ValueError:          # (February 29 in another year)
        return None


def names_day(days: tuple[str, ...], day: date) -> bool:
    """One of ``days`` (``Intent.on``: "--MM-DD", "---DD", or a month alone, "--MM") is ``day``, or its month."""
    return f"--{day.month:02d}-{day.day:02d}" in days or f"---{day.day:02d}" in days or f"--{day.month:02d}" in days


def for_themselves(s: Situation, state: MeetingState, event: ReplyEvent) -> tuple[MeetingState, list[Recorded]]:
    """RSVP, update (or, to the welcome, the introduction), skip and away: the member's own part of the meeting."""
    member = event.member
    assert member is not None
    part = state.slice_of(member.key)
    recorded: list[Recorded] = []
    for intent in event.intents:
        if intent.kind is K.RSVP and part.rsvp is not Rsvp(intent.value):
            part = replace(part, rsvp=Rsvp(intent.value))
            recorded.append(Recorded(Effect.RSVP, intent.value))
        elif intent.kind is K.UPDATE and event.request is Request.WELCOME:
            if intent.value.strip() and part.introduction != intent.value.strip():
                part = replace(part, introduction=intent.value.strip())
                recorded.append(Recorded(Effect.INTRODUCTION, part.introduction or ""))
        elif intent.kind is K.UPDATE:
            part, said = _update(s, state, part, event, intent.value.strip())
            recorded += said
        elif intent.kind is K.SKIP and not part.skipped:
            part = replace(part, skipped=True, away=False)
            recorded.append(Recorded(Effect.SKIP))
        elif intent.kind is K.AWAY and not part.away:
            part = replace(part, away=True)
            recorded.append(Recorded(Effect.AWAY))
    return state.with_slice(member.key, part), recorded


def _update(s: Situation, state: MeetingState, part: MemberSlice, event: ReplyEvent,
            text: str) -> tuple[MemberSlice, list[Recorded]]:
    member = event.member
    assert member is not None
    if not text or (part.update is not None and part.update.text == text):
        return part, []
    goes = update_goes(s, state, event.received)
    update = make_update(
        member_email=member.email, member_name=member.name, division=member.division, text=text,
        received=event.received, words_limit=s.config.roundtable.words_per_minute,
        revision=part.update.revision + 1 if part.update else 1,
        late=goes is not UpdateGoes.AGENDA, message_id=event.message_id,
    )
    return replace(part, update=update, skipped=False, away=False), [Recorded(Effect.UPDATE, text, goes.value)]


def suggestions(state: MeetingState, event: ReplyEvent) -> tuple[MeetingState, list[Recorded]]:
    """Topics suggested for a future meeting, each kept once."""
    new = [i.value.strip() for i in event.wants(K.SUGGEST)
           if i.value.strip() and i.value.strip().casefold() not in {t.casefold() for t in state.suggestions}]
    new = list(dict.fromkeys(new))
    if not new:
        return state, []        # the state as it is (a copy of it would cost a copy of every field)
    return (replace(state, suggestions=(*state.suggestions, *new)),
            [Recorded(Effect.SUGGEST, topic) for topic in new])


def shared_files(state: MeetingState, event: ReplyEvent) -> tuple[MeetingState, list[Recorded]]:
    """The files a member shared with a reply that may carry them, each kept once (by content)."""
    if event.member is None or event.request not in FILE_REQUESTS or not event.resources:
        return state, []
    seen = {r.sha256 for r in state.resources}
    new = []
    for resource in event.resources:
        if resource.sha256 not in seen:
            seen.add(resource.sha256)
            new.append(resource)
    if not new:
        return state, []
    return (replace(state, resources=(*state.resources, *new)),
            [Recorded(Effect.FILE, r.filename, r.sha256) for r in new])


def closed_actions(register: tuple[ActionItem, ...], event: ReplyEvent,
                   ) -> tuple[tuple[ActionItem, ...], list[Recorded], list[str]]:
    """A member's "Done: N" (or "done" when they own one open action): the register, what closed, problems."""
    member = event.member
    recorded: list[Recorded] = []
    problems: list[str] = []
    if member is None:
        return register, recorded, problems
    for intent in event.wants(K.DONE):
        number = re.search(r"\d{1,6}", intent.value)
        closed = close_by_owner(register, member.name, member.email, int(number.group(0)) if number else None,
                                event.received)
        register = closed.register
        if closed.problem or closed.item is None:
            problems.append(closed.problem or f"{member.email} said done: nothing closed")
        else:
            recorded.append(Recorded(Effect.DONE, str(closed.item.number), closed.item.what))
    return register, recorded, problems
