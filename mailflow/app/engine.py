"""The engine carries out the cycle's decisions: it loads state, composes, persists, records.

Order of writes, so that a crash at any point loses nothing and sends nothing twice:
raw bytes archived -> messages persisted in the outbox (idempotent by Message-ID) -> meeting
state saved (with the reply's sha256 in ``applied``) -> inbox record -> (caller) IMAP move.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable

from mailflow.mail_in.attribution import Attributed, Held, attribute
from mailflow.schedule.config import Config, Step
from mailflow.core.answers import ReplyEvent, on_bounce, on_reply
from mailflow.core.cycle import on_time
from mailflow.core.decision import Decision, Recipient, Send, Situation
from mailflow.core.intent import ReplyKind
from mailflow.core.kinds import MessageKind
from mailflow.core.membership import on_roster
from mailflow.core.recipients import staff_recipients
from mailflow.adapters.intake import Disposition
from mailflow.schedule.calendar import Meeting, meeting_by_key, meetings_between, occurrences
from mailflow.mail_out.message import OutgoingMessage
from mailflow.adapters.outbox import MESSAGES, partition_for
from mailflow.core.tokens import meeting_of_message_id
from mailflow.mail_in.replies import UnparseableMessage, understand, vet_attachment
from mailflow.mail_in.replies.reply import Reply
from mailflow.core.resources import Resource
from mailflow.core.state import (
    CommunityState, MeetingState, StepStatus, community_from_json, community_to_json, meeting_from_json,
    meeting_to_json,
)
from mailflow.errors import StoreError
from mailflow.adapters.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

LOOKBACK = timedelta(days=120)   # how far back a meeting with unrecorded steps is still looked at
LOOKAHEAD = timedelta(days=70)   # longer than the earliest invitation (an "announce" of up to 10 weeks)

@dataclass(frozen=True)
class Window:
    """One meeting with its neighbours, as the cycle needs them."""

    meeting: Meeting
    previous: Meeting | None
    following: Meeting | None


class Engine:
    """Ties the pure cycle to the store, the composer and the outbox. Not thread-safe: one caller."""

    def __init__(self, config: Config, store: Store, outbox, composer, secret: bytes, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.outbox = outbox
        self.composer = composer
        self.secret = secret
        self.clock = clock
        self.messages_seen = 0      # distinct messages recorded since start (rehearsals wait on it)

    def reconfigure(self, config: Config) -> None:
        """A reloaded schedule file and roster: new community texts, zone and templates too."""
        from mailflow.mail_out.compose import Composer
        from mailflow.mail_out.render import Renderer

        self.config = config
        self.composer = Composer(config.community, self.secret, Renderer(config.community.timezone,
                                                                          config.templates_dir))

    # --- state ------------------------------------------------------------------------------

    def meeting_state(self, key: str) -> MeetingState:
        rows = self.store.db(f"meetings/{key}").table("state").all()
        return meeting_from_json(rows[0]) if rows else MeetingState(key=key)

    def community_state(self) -> CommunityState:
        rows = self.store.db("global").table("community").all()
        return community_from_json(rows[0]) if rows else CommunityState()

    def _save_meeting(self, state: MeetingState) -> None:
        with self.store.batch(f"meetings/{state.key}") as db:
            table = db.table("state")
            table.truncate()
            table.insert(meeting_to_json(state))

    def _save_community(self, state: CommunityState) -> None:
        with self.store.batch("global") as db:
            table = db.table("community")
            table.truncate()
            table.insert(community_to_json(state))

    # --- the calendar around now -----------------------------------------------------------------

    def windows(self, now: datetime) -> list[Window]:
        """Meetings with a step due by now whose cycle is not over, or that still have a step unrecorded.

        Chosen by time, not by count, so a weekly rule or a long outage cannot hide a meeting:
        after an outage, every step nobody ran is reported missed rather than forgotten.
        """
        found = meetings_between(self.config, now - LOOKBACK, now + LOOKAHEAD)
        result = []
        for meeting in found:
            window = _window(meeting, found)
            first_due = min(at for _, at in meeting.due)
            if first_due > now:
                continue
            end = window.following.start if window.following else meeting.start + timedelta(days=28)
            if now <= end + timedelta(days=1) or self._unfinished(meeting):
                result.append(window)
        return result

    def _unfinished(self, meeting: Meeting) -> bool:
        state = self.meeting_state(meeting.key)
        return any(state.step(step) is None or state.step(step).status is StepStatus.WAITING for step in Step)

    def situation(self, window: Window, community: CommunityState) -> Situation:
        previous_state = self.meeting_state(window.previous.key) if window.previous else None
        following_focus = None
        if window.following:
            following_focus = self.meeting_state(window.following.key).agenda.focus_topic
        return Situation(self.config, window.meeting, community, window.previous, previous_state,
                         window.following, following_focus)

    def next_meeting(self, now: datetime) -> Meeting | None:
        upcoming = [m for m in occurrences(self.config, after=now, count=3) if not m.cancelled]
        return upcoming[0] if upcoming else None

    # --- time passing ---------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[str]:
        """Run every step due at ``now`` (idempotent: running it twice sends nothing twice)."""
        notes: list[str] = []
        community = self.community_state()
        welcome = on_roster(self.config, community, self.next_meeting(now), now)
        notes += self._apply(welcome, None, community, now)
        community = welcome.community or community
        for window in self.windows(now):
            try:
                situation = self.situation(window, community)
                decision = on_time(situation, self.meeting_state(window.meeting.key), now)
                notes += self._apply(decision, window, community, now)
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001 - one meeting's failure (a broken template) must not stop the others
                log.exception("meeting %s: its due steps failed; retried at the next wake-up", window.meeting.key)
                notes.append(f"meeting {window.meeting.key}: failed ({type(exc).__name__})")
                continue
            community = decision.community or community
        return notes

    def due_times(self, now: datetime) -> list[datetime]:
        """Every future instant at which some step falls due (for the scheduler's timers)."""
        instants = set()
        for meeting in meetings_between(self.config, now - LOOKBACK, now + LOOKAHEAD):
            instants.update(at for _, at in meeting.due if at > now)
        return sorted(instants)

    # --- replies (the intake's sink) -----------------------------------------------------------

    def accept(self, raw: bytes) -> Disposition:
        """Record and apply one message from the mailbox; idempotent by the bytes' sha256."""
        sha = hashlib.sha256(raw).hexdigest()
        record = self._inbox_record(sha)
        if record is not None:
            return Disposition(record["disposition"])
        self.store.put_blob(_raw_path(sha), raw)
        now = self.clock()
        try:
            reply = understand(raw)
        except UnparseableMessage as exc:
            return self._hold(sha, f"unparseable: {exc.reason}", None, now)
        earlier = self._inbox_record_of_id(reply)
        if earlier is not None:      # the same message delivered again with other Received: headers
            self._record_inbox(sha, {**earlier, "duplicate": True})
            log.info("message %s is a copy of %s already recorded", sha[:12], reply.message_id)
            return Disposition(earlier["disposition"])
        disposition = self._accept_parsed(sha, reply, now)
        if reply.message_id:
            self._record_id(reply, self._inbox_record(sha) or {"disposition": disposition.value})
        return disposition

    def _accept_parsed(self, sha: str, reply: Reply, now: datetime) -> Disposition:
        if not _addressed_to_us(reply, self.config):
            self._record_inbox(sha, {"disposition": Disposition.IGNORED.value})
            return Disposition.IGNORED
        try:
            found = attribute(reply, self.config, self.secret, self.sent_lookup)
            if isinstance(found, Held):
                return self._hold(sha, found.reason, reply, now)
            return self._apply_reply(sha, reply, found, now)
        except StoreError:
            raise                                   # the disk, not the message: the intake retries
        except Exception as exc:  # noqa: BLE001 - one odd message is quarantined, never a loop or a crash
            log.exception("message %s could not be applied; holding it", sha[:12])
            return self._hold(sha, f"could not be applied ({type(exc).__name__}); raw bytes kept", reply, now)

    def oversize(self, headers: bytes, size: int) -> None:
        """A message too large to download: tell its sender once (unless automatic) and staff."""
        sha = hashlib.sha256(headers).hexdigest()
        if self._inbox_record(sha) is not None:
            return
        now = self.clock()
        limit = self.config.imap.max_message_bytes
        sends: list[Send] = []
        try:
            reply = understand(headers)
        except UnparseableMessage:
            reply = None
        sender = reply.from_addr if reply else ""
        person = self.config.roster.get(sender) if sender else None
        if person is not None and reply is not None and reply.kind is ReplyKind.REPLY:
            sends.append(Send(MessageKind.NOTICE_MESSAGE_TOO_LARGE, Recipient(person.name, person.email), "",
                              _revision(sha), {"size": size, "limit": limit,
                                                               "subject": reply.subject}))
        self._hold(sha, f"message of {size} bytes is over the {limit}-byte limit", reply, now, extra=sends)

    def sent_lookup(self, message_id: str) -> tuple[str, str, str] | None:
        """(meeting, request, recipient) of a message we sent, from its Message-ID."""
        meeting_key = meeting_of_message_id(message_id)
        record = self.outbox.get(message_id.strip(), meeting_key) if meeting_key is not None else None
        if record is None:
            return None
        return record.meeting_key, MessageKind.parse(record.kind).request, record.recipient

    def _apply_reply(self, sha: str, reply: Reply, found: Attributed, now: datetime) -> Disposition:
        window = self.window_for(found.meeting_key, now)
        if window is None:
            return self._hold(sha, f"reply about an unknown meeting {found.meeting_key!r}", reply, now)
        community = self.community_state()
        situation = self.situation(window, community)
        state = self.meeting_state(window.meeting.key)
        if reply.kind is ReplyKind.BOUNCE and (reply.bounce is None or not reply.bounce.permanent):
            decision = Decision(meeting=replace(state, applied=state.applied | {sha}),
                                notes=(f"temporary delivery failure for {found.sender_email}: not counted",))
        elif reply.kind is ReplyKind.BOUNCE:
            decision = on_bounce(situation, replace(state, applied=state.applied | {sha}),
                                 found.sender_email.casefold(), now)
        else:
            resources, refused = self._keep_attachments(reply, found, now)
            event = ReplyEvent(
                sha256=sha, sender=Recipient(found.sender_name, found.sender_email), member=found.member,
                is_staff=found.is_staff, request=found.request, kind=reply.kind, text=reply.text,
                commands=reply.commands,
                rsvp=reply.rsvp, resources=resources, refused=refused,
                received=now,
            )
            decision = on_reply(situation, state, event)
        self._apply(decision, window, community, now)
        self._record_inbox(sha, {
            "disposition": Disposition.PROCESSED.value, "meeting": window.meeting.key,
            "request": found.request, "kind": reply.kind.value, "via": found.via, "at": now.isoformat(),
        })
        log.info("message %s from %s applied to meeting %s (%s)", sha[:12], found.sender_email,
                 window.meeting.key, found.request)
        return Disposition.PROCESSED

    def window_for(self, key: str, now: datetime) -> Window | None:
        if not key:
            current = self.windows(now)
            return current[-1] if current else None
        try:
            meeting = meeting_by_key(self.config, key)
        except Exception:  # noqa: BLE001 - a forged or stale key is held, never a crash
            return None
        return _window(meeting, meetings_between(self.config, meeting.start - LOOKBACK, meeting.start + LOOKAHEAD))

    def _keep_attachments(self, reply: Reply, found: Attributed, now: datetime):
        resources: list[Resource] = []
        refused: list[tuple[str, str, int]] = []
        for attachment in reply.attachments:
            if attachment.inline:
                continue
            reason = vet_attachment(attachment, self.config.attachments)
            if reason:
                refused.append((attachment.filename, reason, attachment.size))
                continue
            path = self.store.put_blob(_attachment_path(attachment), attachment.data)
            resources.append(Resource(
                filename=attachment.filename, content_type=attachment.content_type, size=attachment.size,
                sha256=attachment.sha256, shared_by=found.sender_name, shared_by_email=found.sender_email,
                shared_at=now, path=str(path.relative_to(self.store.root)),
            ))
        return tuple(resources), tuple(refused)

    def _hold(self, sha: str, reason: str, reply: Reply | None, now: datetime,
              extra: Iterable[Send] = ()) -> Disposition:
        sender = reply.from_addr if reply else ""
        subject = reply.subject if reply else ""
        with self.store.batch("held") as db:
            db.table("held").insert({"sha256": sha, "reason": reason, "sender": sender, "subject": subject,
                                     "at": now.isoformat(), "raw": _raw_path(sha)})
        sends = list(extra)
        if reply is None or reply.kind is ReplyKind.REPLY:
            sends += [Send(MessageKind.ALERT_HELD_MAIL, r, "", _revision(sha),
                           {"reason": reason, "sender": sender, "subject": subject, "held_id": sha[:12]})
                      for r in staff_recipients(self.config)]
        self._apply(Decision(sends=tuple(sends)), None, self.community_state(), now)
        self._record_inbox(sha, {"disposition": Disposition.HELD.value, "reason": reason})
        log.warning("message %s from %s held: %s", sha[:12], sender or "?", reason)
        return Disposition.HELD

    def _inbox_record(self, sha: str) -> dict | None:
        path = _inbox_path(sha)
        return json.loads(self.store.get_blob(path)) if self.store.has_blob(path) else None

    def _inbox_record_of_id(self, reply: Reply) -> dict | None:
        if not reply.message_id:
            return None
        path = _message_id_path(reply)
        return json.loads(self.store.get_blob(path)) if self.store.has_blob(path) else None

    def _record_id(self, reply: Reply, record: dict) -> None:
        self.store.put_blob(_message_id_path(reply), json.dumps(record, sort_keys=True).encode())

    def _record_inbox(self, sha: str, record: dict) -> None:
        self.store.put_blob(_inbox_path(sha), json.dumps(record, sort_keys=True).encode())
        self.messages_seen += 1

    # --- the intake's cursor, and alerts from other parts -----------------------------------------

    def load_cursor(self) -> tuple[int, int] | None:
        saved = self.store.get_json("imap/cursor.json")
        return (saved["uidvalidity"], saved["uid"]) if saved else None

    def save_cursor(self, uidvalidity: int, uid: int) -> None:
        self.store.put_json("imap/cursor.json", {"uidvalidity": uidvalidity, "uid": uid})

    def outbox_alerts(self, now: datetime) -> None:
        """Staff hear once about each delivery the outbox gave up on, and each pause."""
        for alert in self.outbox.alerts():
            sends = [Send(MessageKind.ALERT_DELIVERY_FAILED, r, "", _revision(hashlib.sha256(alert.alert_id.encode()).hexdigest()),
                          {"reason": alert.reason.value, "error": alert.detail, "sender": alert.recipient,
                           "subject": alert.kind, "count": 1})
                     for r in staff_recipients(self.config)]
            self._apply(Decision(sends=tuple(sends)), None, self.community_state(), now)
            self.outbox.acknowledge(alert.alert_id)

    def alert_intake_stalled(self, now: datetime, minutes: int, error: str) -> None:
        once = hashlib.sha256(f"stall-{now.date().isoformat()}-{error}".encode()).hexdigest()
        sends = [Send(MessageKind.ALERT_INTAKE_STALLED, r, "", _revision(once),
                      {"minutes_down": minutes, "error": error, "reason": "mail intake is not working"})
                 for r in staff_recipients(self.config)]
        self._apply(Decision(sends=tuple(sends)), None, self.community_state(), now)

    # --- carrying out a decision -------------------------------------------------------------

    def _apply(self, decision: Decision, window: Window | None, community: CommunityState,
               now: datetime) -> list[str]:
        known: dict[str, set[str]] = {}
        messages = [self.compose(send, window, now, known) for send in decision.sends]
        fresh = [m for m in messages if m is not None]
        if fresh:
            self.outbox.enqueue(fresh)
        if decision.meeting is not None:
            self._save_meeting(decision.meeting)
        if decision.community is not None and decision.community != community:
            self._save_community(decision.community)
        for note in decision.notes:
            log.info("%s", note)
        return list(decision.notes)

    def compose(self, send: Send, window: Window | None, now: datetime,
                known: dict[str, set[str]] | None = None) -> OutgoingMessage | None:
        """The message for ``send``, or None when the outbox already holds its identity."""
        from mailflow.mail_out.compose import compose
        from mailflow.mail_out.invitations import invitation_ics
        from mailflow.core.tokens import message_id

        domain = self.config.community.address.rpartition("@")[2]
        identity = message_id(self.secret, send.meeting_key, send.kind, send.to.email, send.revision, domain)
        known = {} if known is None else known
        if send.meeting_key not in known:
            partition = partition_for(send.meeting_key)
            known[send.meeting_key] = {doc["message_id"] for doc in self.store.db(partition).table(MESSAGES).all()}
        if identity in known[send.meeting_key]:
            return None
        meeting = send.context.get("meeting") or (window.meeting if window else None)
        if meeting is None and send.meeting_key:
            meeting = meeting_by_key(self.config, send.meeting_key)
        context = {**send.context, "meeting": meeting}
        calendar = None
        if send.calendar and meeting is not None:
            calendar = invitation_ics(self.config.community, meeting, send.to.email, send.to.name,
                                      send.sequence, send.calendar, now)
        attachments = [(r.filename, r.content_type, self.store.get_blob(r.path)) for r in send.attachments]
        return compose(self.composer, send.kind, send.to, context, meeting_key=send.meeting_key,
                       revision=send.revision, now=now, calendar=calendar,
                       calendar_method=send.calendar, attachments=attachments)


def _window(meeting: Meeting, around: list[Meeting]) -> Window:
    """``meeting`` with the held (not cancelled) meetings just before and after it."""
    held = [m for m in around if not m.cancelled]
    earlier = [m for m in held if m.start < meeting.start]
    later = [m for m in held if m.start > meeting.start]
    return Window(meeting, earlier[-1] if earlier else None, later[0] if later else None)


def _addressed_to_us(reply: Reply, config: Config) -> bool:
    """Mail for the service: sent to its address (with or without a token), or a bounce/calendar reply."""
    if reply.kind in (ReplyKind.BOUNCE, ReplyKind.CALENDAR_REPLY):
        return True
    local, _, domain = config.community.address.casefold().rpartition("@")
    for address in reply.to_addrs:
        a_local, _, a_domain = address.strip().casefold().rpartition("@")
        if a_domain == domain and (a_local == local or a_local.startswith(local + "+")
                                   or a_local.startswith(local + "-")):
            return True
    return bool(reply.in_reply_to or reply.references)


def _revision(sha: str) -> int:
    return int(sha[:8], 16)


def _inbox_path(sha: str) -> str:
    # a blob, not a .json partition: the store reads partitions at start-up, and these grow with history
    return f"inbox/{sha[:2]}/{sha}.rec"


def _message_id_path(reply: Reply) -> str:
    key = hashlib.sha256(f"{reply.from_addr.casefold()}\0{reply.message_id}".encode()).hexdigest()
    return f"inbox/by-id/{key[:2]}/{key}.rec"


def _attachment_path(attachment) -> str:
    """Stored under a generated name (content hash + a safe extension), never the sender's name."""
    suffix = Path(attachment.filename).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8 or suffix == ".json":
        suffix = ".bin"
    return f"attachments/{attachment.sha256[:2]}/{attachment.sha256}{suffix}"


def _raw_path(sha: str) -> str:
    return f"raw/{sha[:2]}/{sha}.eml"
