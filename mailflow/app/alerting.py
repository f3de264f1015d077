"""Staff alerts as batched digests, and at most one notice per member, kind and day.

Every alert the core or the application decides (a Send of an alert kind) becomes an item in the
store's alert book instead of a message; :meth:`Alerting.send_digests` then composes, for each
staff member whose last digest is at least an hour old, one digest of everything they have not
seen, under a global hourly cap. Order of writes: digest persisted in the outbox (its identity
is the items it lists, so a crash before the mark recomposes the same message) -> items marked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from mailflow.core.alerts import AlertItem, Digest, held_item_id, next_digest_at, plan_digests
from mailflow.core.decision import Recipient, Send
from mailflow.core.kinds import MessageKind
from mailflow.core.message import OutgoingMessage
from mailflow.core.recipients import once_revision, staff_recipients
from mailflow.core.tokens import message_id
from mailflow.mail_out.compose import Composer
from mailflow.ports import HeldMessage, StateStore
from mailflow.schedule.calendar import Meeting, meeting_by_key
from mailflow.schedule.config import AlertSettings, Config

log = logging.getLogger(__name__)

ITEM_MEMORY = timedelta(days=30)
# Notices that refuse something: a member hears each at most once a day (Discourse's one rejection
# per sender, error and day), so a flood of their mail never becomes a flood of ours. Receipts and
# requested files answer one authenticated reply each and are not limited.
ONCE_A_DAY = frozenset({MessageKind.NOTICE_ATTACHMENT_REFUSED, MessageKind.NOTICE_MESSAGE_TOO_LARGE})


class Alerting:
    """Turns alert Sends into items and items into digests; filters repeated notices."""

    def __init__(self, config: Config, states: StateStore, composer: Composer, secret: bytes,
                 policy: AlertSettings | None = None) -> None:
        self.config = config
        self.states = states
        self.composer = composer
        self.secret = secret
        self.policy = policy or config.alerts

    # --- alerts in -------------------------------------------------------------------------------

    def split(self, sends: Sequence[Send], now: datetime) -> tuple[list[Send], list[Send], list[Send]]:
        """(messages to send, alerts to keep as items, refusing notices allowed today); writes nothing."""
        others: list[Send] = []
        alerts: list[Send] = []
        notices: list[Send] = []
        for send in sends:
            if send.kind.is_alert and send.kind is not MessageKind.ALERT_DIGEST:
                alerts.append(send)
            elif send.kind in ONCE_A_DAY:
                if self.states.alerts.notice_sent(self._notice_key(send, now)):
                    log.info("notice %s to %s not sent: one of that kind already went today", send.kind, send.to.email)
                else:
                    notices.append(send)
                    others.append(send)
            else:
                others.append(send)
        return others, alerts, notices

    def keep(self, alerts: Sequence[Send], notices: Sequence[Send], meeting: Meeting | None, now: datetime) -> int:
        """Keep ``alerts`` as items and remember ``notices`` as sent today; return how many items are new."""
        added = 0
        seen: set[str] = set()
        for send in alerts:
            item_id = str(send.context.get("item_id") or f"{send.kind.value}:{send.meeting_key}:{send.revision}")
            if item_id not in seen:
                seen.add(item_id)
                added += self._add(item_id, send, meeting, now)
        for send in notices:
            self.states.alerts.record_notice(self._notice_key(send, now), now)
        return added

    def _add(self, item_id: str, send: Send, meeting: Meeting | None, now: datetime) -> bool:
        around = send.context.get("meeting") or meeting
        if around is None and send.meeting_key:
            around = meeting_by_key(self.config, send.meeting_key)
        context = {**send.context, "community": self.config.community, "recipient": send.to,
                   "reply_address": self.config.community.address, "now": now, "meeting": around}
        subject, text = self.composer.renderer.summary(send.kind, context)
        ref = str(send.context.get("held_id", "") or send.meeting_key)
        item = AlertItem(item_id, send.kind, now, subject, text, ref, send.meeting_key)
        if not self.states.alerts.add_item(item):
            return False
        log.warning("alert for staff (%s): %s", send.kind, subject)
        return True

    def _notice_key(self, send: Send, now: datetime) -> str:
        day = now.astimezone(self.config.community.timezone).date().isoformat()
        return f"{send.to.key}|{send.kind.value}|{day}"

    # --- digests out -----------------------------------------------------------------------------

    def due_digests(self, now: datetime) -> list[Digest]:
        book = self.states.alerts
        staff = [r.email for r in staff_recipients(self.config)]
        sent = book.digests_since(now - timedelta(hours=1))
        return plan_digests(book.items(), staff, book.last_digest(), sent, now, self.policy)

    def next_due(self) -> datetime | None:
        book = self.states.alerts
        staff = [r.email for r in staff_recipients(self.config)]
        return next_digest_at(book.items(), staff, book.last_digest(), self.policy)

    def digest_send(self, digest: Digest) -> Send:
        return digest_send(self.config, digest)

    def digest_id(self, send: Send) -> str:
        domain = self.config.community.address.rpartition("@")[2]
        return message_id(self.secret, "", send.kind, send.to.email, send.revision, domain)

    def told(self, digest: Digest, message: OutgoingMessage | None, send: Send, now: datetime) -> None:
        """Mark the digest's items as seen by its staff member (after the outbox holds it)."""
        identity = message.message_id if message is not None else self.digest_id(send)
        self.states.alerts.mark_told(digest.staff, [i.item_id for i in digest.all_items], now, identity)
        log.info("alert digest %s for %s lists %d item(s)", identity, digest.staff, len(digest.all_items))
        staff = [r.email for r in staff_recipients(self.config)]
        self.states.alerts.prune(now - ITEM_MEMORY, staff)


def digest_send(config: Config, digest: Digest) -> Send:
    """The one message that lists ``digest``'s items for its staff member (its identity: those items)."""
    person = next((r for r in staff_recipients(config) if r.key == digest.staff),
                  Recipient(digest.staff.split("@")[0], digest.staff))
    ids = ",".join(sorted(i.item_id for i in digest.all_items))
    kinds = sorted({i.kind.value for i in digest.all_items})
    return Send(MessageKind.ALERT_DIGEST, person, "", once_revision(ids),
                {"items": list(digest.items), "more": len(digest.more), "kinds": kinds})


def held_alert(config: Config, held: HeldMessage) -> list[Send]:
    """Staff hear of a message held for them: who sent it, its subject and why it is held. One item per
    sender per day: a flood (or a loop with an auto-responder) is one line in their digest."""
    item = held_item_id(held.sender, held.at.astimezone(config.community.timezone).date().isoformat())
    return [Send(MessageKind.ALERT_HELD_MAIL, r, "", once_revision(item),
                 {"reason": held.reason, "sender": held.sender, "subject": held.subject, "held_id": held.sha256[:12],
                  "item_id": item})
            for r in staff_recipients(config)]
