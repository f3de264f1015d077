"""The chair's (or staff's) reply to the focus request, the draft or the handover: changes, approval, and
the revised draft or the waiting packet they cause.

"Remove:" names an item of open discussion or of the future agenda by its words, or by the number
the last draft showed beside it ("Remove: item 2"). A removal that names no item is not guessed:
nothing of that reply is approved, and staff are asked which item was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from mailflow.core.agenda import build_agenda
from mailflow.core.cycle import send_draft, send_packet, step_done
from mailflow.core.decision import Send, Situation
from mailflow.core.events import ReplyEvent
from mailflow.core.intent import IntentKind
from mailflow.core.kinds import Request
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.state import AgendaEdits, MeetingState, StepStatus
from mailflow.schedule.config import Step

K = IntentKind
AGENDA_REQUESTS = frozenset({Request.FOCUS, Request.AGENDA, Request.HANDOVER})

ASK_REMOVAL = ('The reply asked to remove "{value}", which names no item of the agenda draft, so nothing of '
               "that reply was applied. Which item should go? Reply to the draft with \"Remove:\" and the item's "
               "words, or its number as the draft shows it.")

_NUMBER = re.compile(r"(?:items?|point|no\.?)?\s*#?(\d{1,2})", re.IGNORECASE)
# a number with the item's title in brackets after it: "item 2 (Provincial SDH survey results)"
_NUMBER_AND_TITLE = re.compile(r"(?P<number>(?:items?|point|no\.?)?\s*#?\d{1,2})\s*\((?P<title>[^()]{4,})\)", re.IGNORECASE)
# a place in the draft: "the last one under future agenda", "the second item under open discussion", "the first one"
_PLACE = re.compile(r"(?:the\s+)?(?P<nth>first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th|premier|premiere|"
                    r"deuxieme|deuxième|dernier|derniere|dernière)(?:\s+(?:one|item|point|topic|sujet))?"
                    r"(?:\s+(?:under|in|from|of|listed under|sous|dans)\s+(?:the\s+|la\s+|les\s+)?(?P<section>open discussion|"
                    r"discussion|future agenda|future items|future topics|future agenda items|topics for future meetings|"
                    r"discussion ouverte|sujets futurs|futurs sujets))?", re.IGNORECASE)
_FUTURE = re.compile(r"future|futur", re.IGNORECASE)
_NTH = {"first": 1, "1st": 1, "premier": 1, "premiere": 1, "second": 2, "2nd": 2, "deuxieme": 2, "deuxième": 2,
        "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1, "dernier": -1, "derniere": -1,
        "dernière": -1}


@dataclass(frozen=True)
class AgendaReply:
    """What a reply did to the agenda: the new state, what it recorded, the mail it caused, a question."""

    state: MeetingState
    recorded: tuple[Recorded, ...] = ()
    sends: tuple[Send, ...] = ()
    question: str = ""


def resolve(value: str, listed: tuple[str, ...], current: tuple[str, ...],
            sections: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> str | None:
    """The item ``value`` names: "item 2" as the last draft numbered it, a place in a section as the draft shows it
    ("the last one under future agenda", ``sections``: open discussion's items and the future items), the words of one
    item, or None (a place the section does not have names none)."""
    wanted = value.strip().strip("'\"“”‘’").rstrip(".").strip()
    both = _NUMBER_AND_TITLE.fullmatch(wanted)
    if both is not None:
        # "item 2 (Provincial SDH survey results)": the item both name, or the one either names; when they name two
        # different items, none (the chair is asked which)
        by_title = _resolve(both.group("title").strip(), listed, current, sections)
        by_number = _resolve(both.group("number"), listed, current, sections)
        if by_title is None or by_number is None:
            return by_title or by_number
        return by_title if by_title == by_number else None
    found = _resolve(wanted, listed, current, sections)
    if found is None and (reason := _REASON.search(wanted)) is not None:
        # "Remove: item 3 - we already did that one in the spring": the item, then why (a title with a dash of its
        # own is matched whole first)
        found = _resolve(wanted[:reason.start()].strip("'\"“”‘’").rstrip(".").strip(), listed, current, sections)
    return found


# a spaced dash (or a colon, a comma) after which the chair says why: "item 3 - we did that one in the spring"
_REASON = re.compile(r"\s+[-–—]+\s+|\s*[,;:]\s+")


def _resolve(wanted: str, listed: tuple[str, ...], current: tuple[str, ...],
             sections: tuple[tuple[str, ...], tuple[str, ...]]) -> str | None:
    number = _NUMBER.fullmatch(wanted)
    if number is not None:
        index = int(number.group(1))
        return listed[index - 1] if 1 <= index <= len(listed) else None
    place = _PLACE.fullmatch(wanted)
    if place is not None:
        named = place.group("section")
        among = listed if named is None else sections[1] if _FUTURE.search(named) else sections[0]
        nth = _NTH[place.group("nth").lower()]
        if nth == -1:
            return among[-1] if among else None
        return among[nth - 1] if nth <= len(among) else None
    exact = [item for item in current if item.casefold() == wanted.casefold()]
    if exact:
        return exact[0]
    within = [item for item in current if wanted.casefold() in item.casefold()]
    if len(within) == 1 and len(wanted) >= 4:
        return within[0]
    return _described(wanted, current)


# An item named by what it is about rather than by its words: "the \"Sharing referral forms across divisions\" item",
# "the referral forms item from open discussion". The words that only say it is an item, or where it is, name nothing.
_QUOTED = re.compile(r"[\"“«‘']([^\"”»’']{4,})[\"”»’']")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NAMES_NOTHING = frozenset("""
the a an this that our item items topic topics point points one bit piece entry on about from under in of off for to
open discussion discussions agenda future section list draft please le la les l un une ce cette de du des sur dans
sujet sujets discussion ouverte ordre jour
""".split())


def _described(wanted: str, current: tuple[str, ...]) -> str | None:
    """The one item ``wanted`` describes: the words it quotes, or every word it has that names something (each in the
    item, a plural or other ending aside); None when none or several."""
    quoted = _QUOTED.search(wanted)
    if quoted is not None:
        named = [item for item in current if item.casefold() == quoted.group(1).strip().casefold()]
        if len(named) == 1:
            return named[0]
    words = [w for w in _WORD.findall(wanted.casefold()) if w not in _NAMES_NOTHING]
    if not words or sum(len(w) for w in words) < 5:
        return None
    found = [item for item in current if all(_has_word(item, w) for w in words)]
    return found[0] if len(found) == 1 else None


def _has_word(item: str, word: str) -> bool:
    stem = word[:max(4, len(word) - 2)]
    return any(w == word or (len(word) >= 5 and w.startswith(stem)) for w in _WORD.findall(item.casefold()))


def on_agenda_reply(s: Situation, state: MeetingState, event: ReplyEvent) -> AgendaReply:
    """Apply the changes and the approval in one reply from the chair or staff."""
    edits, recorded, unresolved = _edits(s, state, event)
    if unresolved:          # an approval with a change that cannot be made is no approval
        return AgendaReply(state, question=ASK_REMOVAL.format(value=unresolved[0]))
    approve = (event.has(K.APPROVE) and event.request is Request.AGENDA and state.agenda.sent_revision > 0
               and (bool(recorded) or not state.agenda.approved))
    sends: list[Send] = []
    if recorded:
        draft_out = edits.sent_revision > 0
        edits = replace(edits, revision=edits.revision + (1 if draft_out else 0), approved=False)
        state = replace(state, agenda=edits)
        if draft_out and not approve and s.meeting.start > event.received:
            state, drafts = send_draft(s, state)
            sends += drafts
            recorded.append(Recorded(Effect.DRAFT, str(edits.revision)))
    if approve:
        state = replace(state, agenda=replace(state.agenda, approved=True, approved_by=event.sender.email))
        recorded.insert(0, Recorded(Effect.APPROVE))
        record = state.step(Step.AGENDA_PACKET)
        if record is not None and record.status is StepStatus.WAITING and event.received < s.meeting.start:
            state, packet = send_packet(s, state, event.received)
            state = step_done(state, Step.AGENDA_PACKET, event.received, "sent on approval")
            sends += packet
            recorded.append(Recorded(Effect.PACKET, str(len(packet))))
    return AgendaReply(state, tuple(recorded), tuple(sends))


def _edits(s: Situation, state: MeetingState, event: ReplyEvent) -> tuple[AgendaEdits, list[Recorded], list[str]]:
    edits, recorded, unresolved = state.agenda, [], []
    agenda = build_agenda(s, state)
    current = (*agenda.discussion_items, *agenda.future_items)
    sections = (agenda.discussion_items, agenda.future_items)
    for intent in event.intents:
        value = intent.value.strip()
        if not value:
            continue
        if intent.kind is K.FOCUS and value != edits.focus_topic:
            edits = replace(edits, focus_topic=value)
            recorded.append(Recorded(Effect.FOCUS, value))
        elif intent.kind is K.PRESENTER and value != edits.presenter:
            edits = replace(edits, presenter=value)
            recorded.append(Recorded(Effect.PRESENTER, value))
        elif intent.kind is K.ADD and value.casefold() not in {a.casefold() for a in edits.added}:
            edits = replace(edits, added=(*edits.added, value))
            recorded.append(Recorded(Effect.ADD, value))
        elif intent.kind is K.REMOVE:
            item = resolve(value, edits.listed, current, sections)
            if item is None:
                unresolved.append(value)
            elif item.casefold() not in {r.casefold() for r in edits.removed}:
                edits = replace(edits, removed=(*edits.removed, item))
                recorded.append(Recorded(Effect.REMOVE, item))
        elif intent.kind is K.NOTE and value not in edits.notes:
            edits = replace(edits, notes=(*edits.notes, value))
            recorded.append(Recorded(Effect.NOTE, value))
    return edits, recorded, unresolved
