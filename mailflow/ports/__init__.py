"""The contracts between the application and its adapters: clock, store, mail in, mail out, renderer.

The application (``mailflow.app``) depends on these protocols, never on TinyDB, SMTP or IMAP code;
each adapter in ``mailflow.adapters`` implements one. A second implementation (a PostgreSQL store
for hosting many communities, say) implements :class:`StateStore` and :class:`OutboxQueue` and
passes the same contract tests; the core and the application do not change.
"""

from mailflow.ports.clock import Clock
from mailflow.ports.mail import (
    ComposeJob,
    ComposeWorker,
    CursorStore,
    Disposition,
    MailSender,
    MailSource,
    Rendered,
    Renderer,
    Sink,
)
from mailflow.ports.records import (
    Alert,
    AuditEntry,
    AuditEvent,
    HeldMessage,
    HeldOutcome,
    InboxRecord,
    OutboxRecord,
    Pause,
    QueueRef,
    StaffAction,
    StaffRequest,
)
from mailflow.ports.store import AlertBook, OutboxQueue, Screen, StateStore

__all__ = [
    "Alert", "AlertBook", "AuditEntry", "AuditEvent", "Clock", "ComposeJob", "ComposeWorker", "CursorStore", "Disposition", "HeldMessage",
    "HeldOutcome", "InboxRecord", "MailSender", "MailSource", "OutboxQueue", "OutboxRecord", "Pause", "QueueRef",
    "Rendered", "Renderer", "Screen", "Sink", "StaffAction", "StaffRequest", "StateStore",
]
