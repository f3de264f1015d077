"""The short answers to one member's reply: the receipt of an update, the once-only "over one minute"
notice, a refused attachment; each says what will really happen to what they sent."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import datetime

from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.roundtable import Update
from mailflow.core.state import MeetingState
from mailflow.schedule.config import Step


class UpdateGoes(enum.StrEnum):
    """Where an update received now reaches the members."""

    AGENDA = "agenda"          # the packet has not gone out: it is in the agenda
    ADDENDUM = "addendum"      # after the packet: the addendum beside the day-of reminder carries it
    MINUTES = "minutes"        # too late for both: staff and the chair see it with the minutes request
    KEPT = "kept"              # after the minutes request too: kept with the meeting's updates


def update_goes(s: Situation, state: MeetingState, now: datetime) -> UpdateGoes:
    if state.packet_sent_at is None:
        return UpdateGoes.AGENDA
    if state.step(Step.DAY_OF_REMINDER) is None and now < s.meeting.start:
        return UpdateGoes.ADDENDUM
    if state.step(Step.MINUTES_REQUEST) is None:
        return UpdateGoes.MINUTES
    return UpdateGoes.KEPT


def update_notices(s: Situation, state: MeetingState, update: Update, to: Recipient,
                   now: datetime) -> tuple[MeetingState, list[Send]]:
    """The receipt of ``update``, and the first time a member's update runs over one minute, the notice;
    both answer the member's own message."""
    answers = update.message_id
    context = {"update": update, "words_limit": s.config.roundtable.words_per_minute,
               "goes": update_goes(s, state, now).value,
               "addendum_at": s.meeting.due_at(Step.DAY_OF_REMINDER)}
    sends = [Send(MessageKind.NOTICE_UPDATE_RECEIVED, to, s.meeting.key, update.revision, context,
                  answers=answers)]
    once = f"too-long:{to.key}"
    if update.over_limit and once not in state.notices:
        sends.append(Send(MessageKind.NOTICE_UPDATE_TOO_LONG, to, s.meeting.key, 0, context, answers=answers))
        state = replace(state, notices=state.notices | {once})
    return state, sends


def refusal_notices(s: Situation, to: Recipient, refused: tuple[tuple[str, str, int], ...], sha256: str,
                    answers: str = "") -> list[Send]:
    """One notice per attachment that was not kept, naming it and why."""
    return [Send(MessageKind.NOTICE_ATTACHMENT_REFUSED, to, s.meeting.key, int(sha256[:6], 16) * 100 + index,
                 {"filename": filename, "reason": reason, "size": size, "limit": s.config.attachments.max_bytes},
                 answers=answers)
            for index, (filename, reason, size) in enumerate(refused)]
