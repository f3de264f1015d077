"""Mail in: each message recorded, understood, attributed, then applied once or held for staff.

Order of writes, so that a crash at any point loses nothing and applies nothing twice: raw bytes
archived -> messages the reply causes persisted in the outbox -> meeting state saved (with the
reply's sha256 in ``applied``) -> inbox record -> (the caller) the IMAP move. ``accept_many``
makes all of these, for every message of a catch-up pass, one store transaction.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from mailflow.app.alerting import held_alert
from mailflow.app.outgoing import Outgoing
from mailflow.app.runner import CycleRunner
from mailflow.app.understood import Understood
from mailflow.core.answers import ReplyEvent, on_bounce, on_reply
from mailflow.core.decision import Decision, Recipient, Send
from mailflow.core.intent import CommandKind, Intent, IntentKind, ReplyKind
from mailflow.core.kinds import Request
from mailflow.core.notices import too_large_notice
from mailflow.core.resources import Resource
from mailflow.core.tokens import meeting_of_message_id
from mailflow.errors import StoreError
from mailflow.mail_in.attribution import Attributed, Held, attribute, attribute_new_message, staff_authority
from mailflow.mail_in.desk_commands import read_commands
from mailflow.mail_in.replies import (
    Reply,
    UnparseableMessage,
    read_intent,
    safe_extension,
    understand,
    vet_attachment,
)
from mailflow.ports import AuditEntry, AuditEvent, Clock, Disposition, HeldMessage, InboxRecord, StateStore
from mailflow.schedule.config import Config

log = logging.getLogger(__name__)

Reading = Reply | Exception     # what reading a message's bytes gave: UnparseableMessage, or a reader's crash

# What a member answers before a meeting (RSVP, update, focus, agenda, packet, day-of): once the
# cycle is over (a week after the meeting, when the handover has gone at the latest) such a reply
# is held for staff, never recorded on the closed meeting.
BEFORE_THE_MEETING = frozenset({Request.INVITATION, Request.UPDATE, Request.FOCUS, Request.AGENDA,
                                Request.PACKET, Request.DAY_OF})
CLOSED_AFTER = timedelta(days=7)


class DeskMail(Protocol):
    """The staff desk as the inbox hands it a staff member's proven mail (``mailflow.app.desk``)."""

    def mail(self, sha: str, reply: Reply, staff_email: str, now: datetime) -> None: ...


DESK_REQUESTS = frozenset({Request.ALERT, Request.DESK})   # staff mail answering these is for the desk


def intents_of(reply: Reply, request: Request, read: Mapping[Request, tuple[Intent, ...]] | None = None
               ) -> tuple[Intent, ...]:
    """What ``reply`` means as an answer to ``request`` (``read``: read_intent's answers, already worked out); a new
    message to the list address is read with its subject (members are told to write "unsubscribe" there)."""
    if request is Request.LIST:
        return read_intent(replace(reply, text=f"{reply.subject}\n\n{reply.text}".strip()), request)
    return read[request] if read and request in read else read_intent(reply, request)


def applied_entry(sha: str, reply: Reply, found: Attributed, meeting_key: str, notes: list[str],
                  now: datetime, intents: tuple[Intent, ...] = ()) -> AuditEntry:
    """The audit line of an applied reply: what was understood, and what it did."""
    understood: dict[str, object] = {
        "id": sha[:12], "request": str(found.request), "kind": reply.kind.value, "via": found.via,
        "words": len(reply.text.split()),
        "intents": [f"{i.kind.value} {i.value}".strip()[:120] for i in intents],
        "files": [a.filename for a in reply.resources], "did": notes,
    }
    what = "; ".join(notes) or "nothing to apply"
    return AuditEntry(now, AuditEvent.REPLY_APPLIED, f"{found.request} from {found.sender_email}: {what}",
                      meeting=meeting_key, member=found.sender_email, data=understood)


class Inbox:
    """The intake's sink: idempotent by the bytes' sha256 and by (sender, Message-ID)."""

    def __init__(self, config: Config, states: StateStore, runner: CycleRunner, outgoing: Outgoing,
                 secret: bytes, clock: Clock) -> None:
        self.config = config
        self.states = states
        self.runner = runner
        self.outgoing = outgoing
        self.secret = secret
        self.clock = clock
        self.messages_seen = 0      # distinct messages recorded since start (rehearsals wait on it)
        self.desk: DeskMail | None = None
        self._understood: Understood | None = None     # the message being accepted, when read with its intents

    @staticmethod
    def read(raw: bytes) -> Reading:
        """What ``raw`` says (no store, no clock: any thread may read while the store thread works). A reader
        that crashes on the message gives its exception: the message is held with the traceback, not retried."""
        try:
            return understand(raw)
        except Exception as exc:  # noqa: BLE001 - unparseable, or a bug the message trips: held, never a loop
            return exc

    def accept(self, raw: bytes, reading: Reading | Understood | None = None) -> Disposition:
        """Record and apply one message from the mailbox (``reading``: what :meth:`read` made of it)."""
        if isinstance(reading, Understood):
            self._understood = reading
            try:
                return self.accept(raw, reading.reply)
            finally:
                self._understood = None
        sha = hashlib.sha256(raw).hexdigest()
        record = self.states.inbox_record(sha)
        if record is not None:
            return record.disposition
        kept = self.states.keep_raw(sha, raw)
        now = self.clock.now()
        reply = reading if reading is not None else self.read(raw)
        if isinstance(reply, UnparseableMessage):
            return self._hold(sha, kept, f"unparseable: {reply.reason}", None, now)
        if isinstance(reply, Exception):
            return self._crashed(sha, kept, reply, None, now)
        try:
            return self._accept_read(sha, raw, kept, reply, now)
        except StoreError:
            raise                                   # the disk, not the message: the intake retries
        except Exception as exc:  # noqa: BLE001 - one odd message is quarantined, never a loop or a crash
            return self._crashed(sha, kept, exc, reply, now)

    def _accept_read(self, sha: str, raw: bytes, kept: str, reply: Reply, now: datetime) -> Disposition:
        copy = _copy_key(reply.message_id, raw) if reply.message_id else ""
        earlier = self.states.inbox_record_by_id(reply.from_addr, copy) if copy else None
        if earlier is not None:      # the same message delivered again with other Received: headers
            self._record(sha, replace(earlier, duplicate=True))
            log.info("message %s is a copy of %s already recorded", sha[:12], reply.message_id)
            return earlier.disposition
        content = _content_key(reply)
        same = self.states.inbox_record_by_id(reply.from_addr, content) if content else None
        if same is not None and same.disposition is Disposition.PROCESSED:
            # the same words, to the same address, answering the same message: sent again (a client's
            # retry, "send" pressed twice) under a new Message-ID. Applied once; no second receipt.
            self._record(sha, replace(same, duplicate=True))
            log.info("message %s repeats a reply already applied (same sender, text and thread)", sha[:12])
            return same.disposition
        disposition = self._accept_parsed(sha, kept, reply, now)
        recorded = self.states.inbox_record(sha) or InboxRecord(disposition)
        if copy:
            self.states.record_message_id(reply.from_addr, copy, recorded)
        if content and disposition is Disposition.PROCESSED:
            self.states.record_message_id(reply.from_addr, content, recorded)
        return disposition

    def accept_many(self, raws: Sequence[bytes],
                    readings: Iterable[Reading | Understood] | None = None) -> list[Disposition]:
        """Record and apply several messages as one store transaction: all recorded, or none. ``readings`` (what
        :meth:`read` made of each) may be an iterator still being read: each is taken when its message's turn comes."""
        seen = self.messages_seen
        try:
            with self.states.transaction():
                if readings is None:
                    return [self.accept(raw) for raw in raws]
                return [self.accept(raw, reading) for raw, reading in zip(raws, readings, strict=True)]
        except BaseException:
            self.messages_seen = seen       # none of them was recorded after all
            raise

    def oversize(self, headers: bytes, size: int) -> None:
        """A message too large to download: tell its sender once (unless automatic) and staff."""
        sha = hashlib.sha256(headers).hexdigest()
        if self.states.inbox_record(sha) is not None:
            return
        now = self.clock.now()
        limit = self.config.imap.max_message_bytes
        try:
            reply: Reply | None = understand(headers)
        except UnparseableMessage:
            reply = None
        person = self.config.roster.get(reply.from_addr) if reply and reply.from_addr else None
        told: tuple[Send, ...] = ()
        if person is not None and reply is not None and reply.kind is ReplyKind.REPLY:
            told = too_large_notice(person, sha, size, limit, reply.subject, reply.message_id)
        kept = self.states.keep_raw(sha, headers)     # what staff can see of it: the header block
        self._hold(sha, kept, f"message of {size} bytes is over the {limit}-byte limit", reply, now, told)

    def sent_lookup(self, message_id: str) -> tuple[str, Request, str] | None:
        """(meeting, request, recipient) of a message we sent, from its Message-ID."""
        meeting_key = meeting_of_message_id(message_id)
        record = self.states.outbox.get(message_id.strip(), meeting_key) if meeting_key is not None else None
        if record is None:
            return None
        return record.meeting_key, record.kind.request, record.recipient

    # --- internals --------------------------------------------------------------------------------

    def _accept_parsed(self, sha: str, kept: str, reply: Reply, now: datetime) -> Disposition:
        if not self._ours(reply):
            self._record(sha, InboxRecord(Disposition.IGNORED))
            return Disposition.IGNORED
        looped = _our_own_mail(reply, self.config)
        if looped:
            return self._hold(sha, kept, looped, reply, now, alert=False)
        desk = self._staff_command(sha, kept, reply, now)
        if desk is not None:
            return desk
        found = attribute(reply, self.config, self.secret, self.sent_lookup)
        if isinstance(found, Held):
            found = self._leaving(reply, now) or found
        if isinstance(found, Held):
            return self._hold(sha, kept, found.reason, reply, now)
        return self._apply(sha, kept, reply, found, now)

    def _crashed(self, sha: str, kept: str, exc: Exception, reply: Reply | None, now: datetime) -> Disposition:
        """A message its handling crashed on (a bug it trips, not the disk): held at once with its bytes and the
        traceback (in the log and the audit log), so it never blocks the mailbox or loops; the rest goes on."""
        log.error("message %s crashed its handling; holding it", sha[:12], exc_info=exc)
        frame = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" in {frame[0].name}, {frame[0].filename.rpartition('/')[2]}:{frame[0].lineno}" if frame else ""
        reason = (f"could not be handled ({type(exc).__name__}: {str(exc)[:160]}{where}); raw bytes kept, "
                  "traceback in the audit log")
        return self._hold(sha, kept, reason, reply, now, trace="".join(traceback.format_exception(exc)))

    def _ours(self, reply: Reply) -> bool:
        """Ours only when To or Cc names the service (plain or tokened) or it answers a message we sent.

        Delivered-To and X-Original-To alone never make a message ours: a shared mailbox gets
        newsletters, other people's threads and spam, and those stay in INBOX untouched.
        """
        if any(_service_address(address, self.config) for address in reply.to_addrs):
            return True
        return any(self.sent_lookup(mid) is not None for mid in (reply.in_reply_to, *reply.references) if mid)

    def _staff_command(self, sha: str, kept: str, reply: Reply, now: datetime) -> Disposition | None:
        """A staff member's mail to the desk: carried out when proven theirs, held (never answered) when not.

        Their mail is for the desk when it answers an alert or a desk answer, or is a new message
        proven by DMARC, or begins with a command line; else (minutes, agenda changes) it is a reply.
        """
        if self.desk is None:
            return None
        authority = staff_authority(reply, self.config, self.secret, self.sent_lookup)
        if authority is None:
            return None
        commands = read_commands(reply.text)
        if isinstance(authority, Held):
            return self._hold(sha, kept, authority.reason, reply, now) if commands is not None else None
        if commands is None and authority.request not in DESK_REQUESTS:
            return None
        self.desk.mail(sha, reply, authority.email, now)
        self._record(sha, InboxRecord(Disposition.PROCESSED, request=str(authority.request or ""),
                                      kind=reply.kind.value, via=f"desk-{authority.via}", at=now.isoformat()))
        return Disposition.PROCESSED

    def _leaving(self, reply: Reply, now: datetime) -> Attributed | None:
        """A new message from an active member asking to leave: applied to the current meeting, not held."""
        found = attribute_new_message(reply, self.config)
        if found is None or not any(i.kind is IntentKind.UNSUBSCRIBE for i in intents_of(reply, Request.LIST)):
            return None
        window = self.runner.window_for("", now)
        meeting = window.meeting if window is not None else self.runner.next_meeting(now)
        return replace(found, meeting_key=meeting.key) if meeting is not None else None

    def apply_released(self, sha: str, kept: str, reply: Reply, found: Attributed, now: datetime) -> Disposition:
        """A held message staff released: applied like any reply (its inbox record becomes processed)."""
        return self._apply(sha, kept, reply, found, now, arrived=False)

    def _apply(self, sha: str, kept: str, reply: Reply, found: Attributed, now: datetime,
               arrived: bool = True) -> Disposition:
        window = self.runner.window_for(found.meeting_key, now)
        if window is None:
            return self._hold(sha, kept, f"reply about an unknown meeting {found.meeting_key!r}", reply, now)
        if arrived and found.request in BEFORE_THE_MEETING and now >= window.meeting.end + CLOSED_AFTER:
            return self._hold(sha, kept, f"late: it answers the {found.request.value} request of the meeting of "
                                         f"{window.meeting.key}, which is over; not applied", reply, now)
        community = self.states.community()
        situation = self.runner.situation(window, community)
        state = self.states.meeting(window.meeting.key)
        known = self._understood
        intents = intents_of(reply, found.request, known.intents if known and known.reply is reply else None)
        if reply.kind is ReplyKind.BOUNCE and (reply.bounce is None or not reply.bounce.permanent):
            decision = Decision(meeting=replace(state, applied=state.applied | {sha}),
                                notes=(f"temporary delivery failure for {found.sender_email}: not counted",))
        elif reply.kind is ReplyKind.BOUNCE:
            status = reply.bounce.status if reply.bounce is not None else ""
            decision = on_bounce(situation, replace(state, applied=state.applied | {sha}),
                                 found.sender_email.casefold(), now,
                                 f"{status} (delivery status notification from {reply.from_addr or 'the mail server'})")
        else:
            resources, refused = self._keep_attachments(reply, found, now)
            event = ReplyEvent(
                sha256=sha, member=found.member,
                sender=Recipient(found.sender_name, found.sender_email, found.member.timezone if found.member else None),
                is_staff=found.is_staff, request=found.request, kind=reply.kind, text=reply.text,
                intents=intents, resources=resources, refused=refused, received=now,
                automatic=reply.automatic, message_id=reply.message_id,
                commands=tuple(c for c in reply.commands if c.kind is CommandKind.SEND_FILE),
            )
            decision = on_reply(situation, state, event)
        notes = self.outgoing.carry_out(decision, window.meeting, community, now)
        self.states.audit([applied_entry(sha, reply, found, window.meeting.key, notes, now, intents)])
        self._record(sha, InboxRecord(Disposition.PROCESSED, meeting=window.meeting.key, request=found.request,
                                      kind=reply.kind.value, via=found.via, at=now.isoformat()), arrived)
        log.info("message %s from %s applied to meeting %s (%s)", sha[:12], found.sender_email,
                 window.meeting.key, found.request)
        return Disposition.PROCESSED

    def _keep_attachments(self, reply: Reply, found: Attributed,
                          now: datetime) -> tuple[tuple[Resource, ...], tuple[tuple[str, str, int], ...]]:
        resources: list[Resource] = []
        refused: list[tuple[str, str, int]] = []
        for attachment in reply.resources:
            reason = vet_attachment(attachment, self.config.attachments)
            if reason:
                refused.append((attachment.filename, reason, attachment.size))
                continue
            path = self.states.keep_file(attachment.sha256, safe_extension(attachment), attachment.data)
            resources.append(Resource(
                filename=attachment.filename, content_type=attachment.content_type, size=attachment.size,
                sha256=attachment.sha256, shared_by=found.sender_name, shared_by_email=found.sender_email,
                shared_at=now, path=path,
            ))
        return tuple(resources), tuple(refused)

    def _hold(self, sha: str, kept: str, reason: str, reply: Reply | None, now: datetime,
              told: tuple[Send, ...] = (), *, alert: bool = True, trace: str = "") -> Disposition:
        sender = reply.from_addr if reply else ""
        subject = reply.subject if reply else ""
        self.states.hold(HeldMessage(sha, reason, sender, subject, now, kept))
        data = {"held_id": sha[:12], "subject": subject, "raw": kept} | ({"traceback": trace} if trace else {})
        self.states.audit([AuditEntry(now, AuditEvent.HELD, f"{sha[:12]} from {sender or '?'} held: {reason}",
                                      member=sender, data=data)])
        sends = list(told)
        if alert and (reply is None or reply.kind is ReplyKind.REPLY):
            sends += held_alert(self.config, HeldMessage(sha, reason, sender, subject, now, kept))
        self.outgoing.carry_out(Decision(sends=tuple(sends)), None, self.states.community(), now)
        self._record(sha, InboxRecord(Disposition.HELD, reason=reason))
        log.warning("message %s from %s held: %s", sha[:12], sender or "?", reason)
        return Disposition.HELD

    def _record(self, sha: str, record: InboxRecord, arrived: bool = True) -> None:
        self.states.record_inbox(sha, record)
        self.messages_seen += arrived      # a release records again a message that arrived earlier


def _copy_key(message_id: str, raw: bytes) -> str:
    """What makes two deliveries copies of one message: the Message-ID and the body's bytes (a copy differs
    only in the headers servers add). A client that reuses a Message-ID for other words sends a new message."""
    head_end = raw.find(b"\r\n\r\n")
    body = raw[head_end + 4:] if head_end >= 0 else raw[raw.find(b"\n\n") + 2:] if b"\n\n" in raw else b""
    return f"{message_id}\0body:{hashlib.sha256(body).hexdigest()}"


def _content_key(reply: Reply) -> str:
    """What makes two replies the same reply: sender, addresses, the message answered, the words, the
    answer and the files ("" when there is nothing to compare, e.g. automatic mail)."""
    if reply.kind not in (ReplyKind.REPLY, ReplyKind.CALENDAR_REPLY) or not (reply.text.strip() or reply.attachments
                                                                            or reply.rsvp):
        return ""
    parts = [reply.from_addr.casefold(), ",".join(sorted(a.casefold() for a in reply.to_addrs)), reply.in_reply_to,
             " ".join(reply.text.split()), str(reply.rsvp or ""), ",".join(sorted(a.sha256 for a in reply.attachments))]
    return "content:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _service_address(address: str, config: Config) -> bool:
    """The service's own address, with or without a reply token."""
    local, _, domain = config.community.address.casefold().rpartition("@")
    a_local, _, a_domain = address.strip().casefold().rpartition("@")
    return a_domain == domain and (a_local == local or a_local.startswith(local + "+")
                                   or a_local.startswith(local + "-"))


def _our_own_mail(reply: Reply, config: Config) -> str:
    """Why ``reply`` is our own mail come back (a loop), or "": it carries our X-Loop marker, or is From us."""
    service = config.community.address.casefold()
    if any(marker.casefold().strip("<> ") == service for marker in reply.loop_markers):
        return "mail loop: it carries our own X-Loop marker (an auto-responder or a forward sent our mail back)"
    if _service_address(reply.from_addr, config):
        return "mail loop: it comes from the service's own address"
    return ""
