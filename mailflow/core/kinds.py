"""The one vocabulary of outgoing mail: each message kind, and the request a reply to it answers.

A kind's value is its one spelling everywhere: the CLI (``mailflow preview call-for-updates``),
the template files (``call-for-updates.txt.j2``), ``plan``, ``status``, the logs and the
``X-Mailflow-Kind`` header.
"""

from __future__ import annotations

import enum

from mailflow.schedule.config import Step


class Request(enum.StrEnum):
    """What a reply means, by the message it answers; its value is embedded in the reply token."""

    INVITATION = "invite"
    FOCUS = "focus"
    UPDATE = "update"
    AGENDA = "agenda"
    PACKET = "packet"
    DAY_OF = "dayof"
    MINUTES = "minutes"
    DIGEST = "digest"
    HANDOVER = "handover"
    WELCOME = "welcome"
    NOTICE = "notice"
    FAREWELL = "farewell"    # the confirmation to a member who left: "undo" takes it back, nothing else is read
    CANCELLED = "cancelled"  # a meeting's cancellation (or the invitation withdrawn): there is nothing to answer
    ALERT = "alert"
    DESK = "desk"            # the desk's answer to a staff command: a reply to it is another command
    LIST = "list"            # a new message to the list address, answering nothing we sent (never in a token)


class MessageKind(enum.StrEnum):
    """Every kind of message mailflow sends; a timed step sends the kind spelled like the step."""

    INVITATION = Step.INVITATION.value
    FOCUS_PLANNING = Step.FOCUS_PLANNING.value
    CALL_FOR_UPDATES = Step.CALL_FOR_UPDATES.value
    REMINDER = Step.REMINDER.value
    AGENDA_DRAFT = Step.AGENDA_DRAFT.value
    AGENDA_PACKET = Step.AGENDA_PACKET.value
    AGENDA_ADDENDUM = "agenda-addendum"  # the updates that came after the packet, with the day-of reminder
    DAY_OF_REMINDER = Step.DAY_OF_REMINDER.value
    MINUTES_REQUEST = Step.MINUTES_REQUEST.value
    MINUTES_DIGEST = "minutes-digest"
    CHAIR_HANDOVER = Step.CHAIR_HANDOVER.value
    WELCOME = "welcome"
    MEETING_CANCELLED = "meeting-cancelled"
    INVITATION_WITHDRAWN = "invitation-withdrawn"    # METHOD:CANCEL to a member who left the roster
    NOTICE_RECORDED = "notice-recorded"      # the receipt: what a reply changed, and how to undo or correct it
    NOTICE_QUESTION = "notice-question"      # a reply not read with confidence: the one question to its sender
    NOTICE_UNDONE = "notice-undone"          # what "undo" reverted of the sender's last reply
    NOTICE_UNSUBSCRIBED = "notice-unsubscribed"  # the one confirmation to a member who asked to leave
    NOTICE_ATTACHMENT_REFUSED = "notice-attachment-refused"
    NOTICE_MESSAGE_TOO_LARGE = "notice-message-too-large"
    NOTICE_RESOURCE = "notice-resource"      # the file a member asked for ("send FILENAME")
    ALERT_HELD_MAIL = "alert-held-mail"
    ALERT_STEP_MISSED = "alert-step-missed"
    ALERT_DELIVERY_FAILED = "alert-delivery-failed"
    ALERT_INTAKE_STALLED = "alert-intake-stalled"
    ALERT_SIGN_IN_FAILED = "alert-sign-in-failed"    # the OAuth2 provider refuses to give tokens
    ALERT_CHAIR_SILENT = "alert-chair-silent"
    ALERT_CHAIR_CHANGED = "alert-chair-changed"      # an announced meeting's chair changed (departure, override)
    ALERT_MEMBER_SUSPENDED = "alert-member-suspended"  # bounce score reached the threshold: no more mail
    ALERT_MEMBER_UNSUBSCRIBED = "alert-member-unsubscribed"  # a member asked by mail to leave (or took it back)
    ALERT_REPLY_UNCLEAR = "alert-reply-unclear"  # the chair's or the minutes' reply not read with confidence
    ALERT_MEMBER_QUESTION = "alert-member-question"  # a question in a member's reply that nothing else passes on
    DESK_ANSWER = "desk-answer"          # the result of a staff member's commands by mail
    ALERT_OUTBOX_PAUSED = "alert-outbox-paused"
    ALERT_STORE_FAILING = "alert-store-failing"
    ALERT_DIGEST = "alert-digest"        # the one alert message: the items staff have not seen yet
    SEND_TEST = "send-test"              # `mailflow send-test`: checks the SMTP settings

    @classmethod
    def parse(cls, text: str) -> MessageKind:
        """The kind ``text`` names; the underscore spelling of earlier versions is read too."""
        return cls(text.replace("_", "-"))

    @property
    def request(self) -> Request:
        """What a reply to a message of this kind answers."""
        if self.is_alert:
            return Request.ALERT
        if self is MessageKind.NOTICE_UNSUBSCRIBED:
            return Request.FAREWELL
        if self.is_notice:
            return Request.NOTICE
        return _REQUESTS[self]

    @property
    def is_alert(self) -> bool:
        """Mail to staff about trouble: when it fails it is only logged, so alerts never beget alerts."""
        return self.value.startswith("alert-")

    @property
    def is_notice(self) -> bool:
        """A short automatic answer to one member's reply (receipt, refusal)."""
        return self.value.startswith("notice-")


_REQUESTS: dict[MessageKind, Request] = {
    MessageKind.INVITATION: Request.INVITATION,
    MessageKind.MEETING_CANCELLED: Request.CANCELLED,
    MessageKind.INVITATION_WITHDRAWN: Request.CANCELLED,
    MessageKind.FOCUS_PLANNING: Request.FOCUS,
    MessageKind.CALL_FOR_UPDATES: Request.UPDATE,
    MessageKind.REMINDER: Request.UPDATE,
    MessageKind.AGENDA_DRAFT: Request.AGENDA,
    MessageKind.AGENDA_PACKET: Request.PACKET,
    MessageKind.AGENDA_ADDENDUM: Request.PACKET,
    MessageKind.DAY_OF_REMINDER: Request.DAY_OF,
    MessageKind.MINUTES_REQUEST: Request.MINUTES,
    MessageKind.MINUTES_DIGEST: Request.DIGEST,
    MessageKind.CHAIR_HANDOVER: Request.HANDOVER,
    MessageKind.WELCOME: Request.WELCOME,
    MessageKind.SEND_TEST: Request.NOTICE,
    MessageKind.DESK_ANSWER: Request.DESK,
}
