"""The staff desk: held mail released or discarded, messages resent, updates corrected, actions closed.

The same operations run from the command line (``mailflow held``, ``resend``, ``update``,
``actions``) and from a staff member's mail (``mail_in.desk_commands`` reads it; a reply to any
staff mail, or a DMARC pass, proves it is theirs). Every command is written to the audit log with
who gave it and how; a command by mail is answered with its result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from mailflow.app.held import HeldDesk, HeldNotFound
from mailflow.app.outgoing import Outgoing
from mailflow.app.runner import CycleRunner
from mailflow.core import actions
from mailflow.core.alerts import held_item_key
from mailflow.core.decision import Decision, Send
from mailflow.core.desk import COMMANDS, DeskAnswer, DeskCommand, DeskVerb
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.core.recipients import once_revision, staff_recipients
from mailflow.core.roundtable import make_update
from mailflow.core.state import MeetingState
from mailflow.core.tokens import message_id
from mailflow.mail_in.desk_commands import attempted
from mailflow.mail_in.replies import Reply
from mailflow.ports import AuditEntry, AuditEvent, HeldMessage, StateStore
from mailflow.schedule.config import Config

log = logging.getLogger(__name__)

MAIL, CLI = "mail", "cli"


class Desk:
    """Carries out staff commands against the store (on the daemon's store thread, or from the CLI)."""

    def __init__(self, config: Config, states: StateStore, runner: CycleRunner, outgoing: Outgoing,
                 held: HeldDesk, secret: bytes) -> None:
        self.config = config
        self.states = states
        self.runner = runner
        self.outgoing = outgoing
        self.held = held
        self.secret = secret
        self.daemon_report: Callable[[], Mapping[str, object]] | None = None   # set by the daemon that runs it

    # --- one command --------------------------------------------------------------------------

    def run(self, command: DeskCommand, by: str, via: str, now: datetime,
            alerted: tuple[HeldMessage, ...] = ()) -> DeskAnswer:
        """Carry out ``command`` for ``by``; ``alerted``: the held messages the mail it came in answers."""
        try:
            ok, text = self._dispatch(command, by, via, now, alerted)
        except HeldNotFound as exc:
            ok, text = False, str(exc)
        answer = DeskAnswer(str(command), ok, text)
        self.states.audit([AuditEntry(now, AuditEvent.STAFF_COMMAND, f"{answer.command}: {text.splitlines()[0] if text else ''}",
                                      member=command.email, by=by, via=via,
                                      data={"command": answer.command, "ok": ok})])
        log.info("staff command %r by %s via %s: %s", answer.command, by, via, "done" if ok else "refused")
        return answer

    def _dispatch(self, c: DeskCommand, by: str, via: str, now: datetime,
                  alerted: tuple[HeldMessage, ...]) -> tuple[bool, str]:
        verb = c.verb
        if verb is DeskVerb.STATUS:
            return True, self.status_text(now)
        if verb is DeskVerb.HELD:
            return True, self.held.listing()
        if verb is DeskVerb.RELEASE:
            return self._each_held(c, alerted, lambda h: self.held.release(h, c.email or None, by, via, now))
        if verb is DeskVerb.DISCARD:
            return self._each_held(c, alerted, lambda h: self.held.discard(h, by, via, now))
        if verb is DeskVerb.RESEND:
            return self.resend(c.target, c.email, now)
        if verb is DeskVerb.REMOVE_UPDATE:
            return self.remove_update(c.email, by, now)
        if verb is DeskVerb.REPLACE_UPDATE:
            return self.replace_update(c.email, c.text, by, now)
        if verb is DeskVerb.ACTIONS:
            return True, self.actions_text(now)
        if verb is DeskVerb.CLOSE_ACTION:
            return self.close_action(int(c.target), by, now)
        if verb is DeskVerb.HELP:
            return True, help_text()
        return False, f"not a command I know: {c.text!r}\n\n" + help_text()

    def _each_held(self, c: DeskCommand, alerted: tuple[HeldMessage, ...],
                   act: object) -> tuple[bool, str]:
        assert callable(act)
        if c.target and c.target != "all":
            return act(self.held.find(c.target))
        waiting = [h for h in alerted if self.held.find(h.sha256).outcome is None]
        if c.target == "all" and c.verb is DeskVerb.DISCARD and waiting:
            results = [act(h) for h in waiting]
            return all(ok for ok, _ in results), "\n".join(text for _, text in results)
        if len(waiting) == 1:
            return act(waiting[0])
        listed = self.held.listing(waiting or None)
        return False, (f"which message? Write \"{c.verb} ID\" with one of these ids"
                       + (" (or \"discard all\")" if c.verb is DeskVerb.DISCARD and waiting else "") + ":\n" + listed)

    # --- status, actions ------------------------------------------------------------------------

    def status_text(self, now: datetime) -> str:
        from mailflow.app.status import collect, render_text

        report = self.daemon_report() if self.daemon_report is not None else None
        return render_text(collect(self.config, self.states, now, daemon=report))

    def actions_text(self, now: datetime) -> str:
        register = self.states.community().actions
        open_items = actions.open_actions(register)
        if not open_items:
            return "No open action items."
        return "\n".join(f"[{a.number}] {a.who or '(no owner)'}: {a.what} (from {a.meeting_key}"
                         + (f", open {max((now - a.opened).days, 0)} days" if a.opened else "") + ")" for a in open_items)

    def close_action(self, number: int, by: str, now: datetime) -> tuple[bool, str]:
        community = self.states.community()
        closed = actions.close(community.actions, number, by, now)
        if closed.item is None or closed.problem:
            return False, closed.problem
        self.states.save_community(replace(community, actions=closed.register))
        return True, f"action {number} closed: {closed.item.who}: {closed.item.what}"

    # --- corrections ----------------------------------------------------------------------------

    def _meeting_with_update(self, email: str, now: datetime) -> MeetingState | None:
        """The latest meeting holding an update from ``email``."""
        for key in reversed(self.states.meeting_keys()):
            state = self.states.meeting(key)
            if state.update_of(email.casefold()) is not None:
                return state
        return None

    def remove_update(self, email: str, by: str, now: datetime) -> tuple[bool, str]:
        state = self._meeting_with_update(email, now)
        if state is None:
            return False, f"no meeting holds an update from {email}"
        key = email.casefold()
        kept = replace(state, updates=tuple(u for u in state.updates if u.member_email.casefold() != key),
                       history=tuple(u for u in state.history if u.member_email.casefold() != key))
        self.states.save_meeting(kept)
        sent = " (the packet has already gone out)" if state.packet_sent_at else ""
        return True, f"update from {email} removed from the {state.key} meeting, history included{sent}"

    def replace_update(self, email: str, text: str, by: str, now: datetime) -> tuple[bool, str]:
        if not text.strip():
            return False, "write the new text after \"replace update from EMAIL:\" (on the same line or below)"
        state = self._meeting_with_update(email, now)
        if state is None:
            return False, f"no meeting holds an update from {email}"
        old = state.update_of(email.casefold())
        assert old is not None
        new = make_update(member_email=old.member_email, member_name=old.member_name, division=old.division,
                          text=text, received=old.received, words_limit=self.config.roundtable.words_per_minute,
                          revision=old.revision + 1, late=old.late)
        key = email.casefold()
        self.states.save_meeting(replace(state, updates=tuple(new if u.member_email.casefold() == key else u
                                                              for u in state.updates),
                                         history=tuple(u for u in state.history if u.member_email.casefold() != key)))
        return True, f"update from {email} in the {state.key} meeting replaced ({new.words} words); the old text is gone"

    def resend(self, kind_name: str, email: str, now: datetime) -> tuple[bool, str]:
        """The latest message of that kind to that address again, the same bytes with a new Message-ID
        (so that no mail system drops it as a duplicate of the first)."""
        try:
            kind = MessageKind.parse(kind_name)
        except ValueError:
            return False, f"no message kind {kind_name!r}; kinds: " + ", ".join(k.value for k in MessageKind)
        sent = [r for r in self.states.outbox.records() if r.kind is kind and r.recipient.casefold() == email.casefold()]
        if sent:
            record = max(sent, key=lambda r: (r.meeting_key, r.sent_at or now))
            raw = self.states.outbox.raw(record)
            return self._enqueue_again(record.meeting_key, kind, record.recipient, raw, record.mail_from, record.message_id)
        return False, f"no {kind} was ever sent to {email}: nothing to resend"

    def _enqueue_again(self, meeting_key: str, kind: MessageKind, recipient: str, raw: bytes, mail_from: str,
                       original: str) -> tuple[bool, str]:
        domain = self.config.community.address.rpartition("@")[2]
        known = self.states.outbox.known_ids(meeting_key)
        number = 1
        while (new_id := message_id(self.secret, meeting_key, kind, recipient,
                                    once_revision(f"resend {original} {number}"), domain)) in known:
            number += 1
        end = raw.find(b"\r\n\r\n")
        head = re.sub(rb"(?im)^Message-ID:[ \t]*<[^>\r\n]+>", b"Message-ID: " + new_id.encode(), raw[:end], count=1)
        self.outgoing.outbox.enqueue([OutgoingMessage(new_id, recipient, kind, meeting_key, head + raw[end:], mail_from)])
        return True, f"{kind} for {meeting_key or 'no meeting'} queued again for {recipient} (as {new_id})"

    # --- the answer by mail -----------------------------------------------------------------------

    def answer(self, to_email: str, answers: list[DeskAnswer], revision: int, now: datetime) -> None:
        """One message to the staff member with each command's result."""
        recipient = next((r for r in staff_recipients(self.config) if r.key == to_email.casefold()), None)
        if recipient is None:
            return
        context = {"answers": answers, "commands": COMMANDS}
        send = Send(MessageKind.DESK_ANSWER, recipient, "", revision, context)
        self.outgoing.carry_out(Decision(sends=(send,)), None, self.states.community(), now)


def help_text() -> str:
    width = max(len(syntax) for syntax, _ in COMMANDS)
    return "Commands (one per line, in a reply to any message mailflow sent you):\n" + "\n".join(
        f"  {syntax:<{width}}  {what}" for syntax, what in COMMANDS)


class DeskByMail:
    """A staff member's proven mail to the desk: each command carried out, one answer with the results."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def mail(self, sha: str, reply: Reply, staff_email: str, now: datetime) -> None:
        commands = attempted(reply.text)
        if not commands:
            log.info("message %s from %s only says thanks: no answer", sha[:12], staff_email)
            return
        alerted = self.alerted_by(reply, staff_email)
        answers = [self.desk.run(c, staff_email, MAIL, now, alerted) for c in commands]
        self.desk.answer(staff_email, answers, int(sha[:8], 16), now)

    def alerted_by(self, reply: Reply, staff_email: str) -> tuple[HeldMessage, ...]:
        """The held messages listed in the alert digest to ``staff_email`` this reply answers
        (In-Reply-To/References): each held-mail item stands for its sender's mail held that day."""
        answered = {m.strip() for m in (reply.in_reply_to, *reply.references) if m}
        listed = [item for message_id in answered for item in self.desk.states.alerts.items_in_digest(message_id)
                  if item.kind is MessageKind.ALERT_HELD_MAIL]
        refs = {item.ref for item in listed if item.ref}
        keys = {key for item in listed if (key := held_item_key(item.item_id)) is not None}
        zone = self.desk.config.community.timezone
        return tuple(h for h in self.desk.held.items(waiting_only=False)
                     if h.sha256[:12] in refs
                     or (h.sender.casefold() or "?", h.at.astimezone(zone).date().isoformat()) in keys)
