"""Where each message sits in its recipient's conversation about a meeting: its parent, so that
In-Reply-To and References make the tree a person would draw (Thunderbird, Apple Mail and mutt
thread by them), not every message of the month as a child of the invitation.

The conversation of one member about one meeting::

    invitation
    ├── updated invitation, cancellation          (replace the invitation)
    ├── focus planning ── agenda draft ── revised draft ── ...
    ├── call for updates
    │   ├── reminder
    │   ├── (the member's update) ── receipt, "over one minute", attachment refused
    │   └── agenda packet ── addendum
    ├── day-of reminder
    ├── minutes request
    └── minutes digest ── revised digest ── ...

A message that answers a person's own mail (a receipt) is a child of that mail. Welcome mail,
alerts and the SMTP test start conversations of their own.
"""

from __future__ import annotations

from mailflow.core.kinds import MessageKind

Position = tuple[MessageKind, int]        # (kind, revision): with the recipient and meeting, a Message-ID

_ROOT: Position = (MessageKind.INVITATION, 0)
_UNDER_THE_CALL = (_ROOT, (MessageKind.CALL_FOR_UPDATES, 0))
_ALONE = frozenset({MessageKind.WELCOME, MessageKind.SEND_TEST})


def ancestry(kind: MessageKind, revision: int) -> tuple[Position, ...]:
    """The messages from the conversation's root down to this one's parent; () for a root."""
    if kind in _ALONE or kind.is_alert or (kind is MessageKind.INVITATION and revision == 0):
        return ()
    if kind is MessageKind.REMINDER or kind.is_notice:
        return _UNDER_THE_CALL
    if kind is MessageKind.AGENDA_PACKET:
        return _UNDER_THE_CALL
    if kind is MessageKind.AGENDA_ADDENDUM:
        return (*_UNDER_THE_CALL, (MessageKind.AGENDA_PACKET, 0))
    if kind is MessageKind.AGENDA_DRAFT:
        earlier = tuple((MessageKind.AGENDA_DRAFT, r) for r in range(1, revision))
        return (_ROOT, (MessageKind.FOCUS_PLANNING, 0), *earlier)
    if kind is MessageKind.MINUTES_DIGEST:
        return (_ROOT, *((MessageKind.MINUTES_DIGEST, r) for r in range(1, revision)))
    return (_ROOT,)
