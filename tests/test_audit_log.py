"""The audit log's file: append-only JSON lines, fsynced; a line a crash cut short never hides the next one."""

from __future__ import annotations

from datetime import UTC, datetime

from mailflow.adapters.state_store import AUDIT, TinyDBStateStore
from mailflow.ports import AuditEntry, AuditEvent

AT = datetime(2027, 1, 5, 18, tzinfo=UTC)


def test_entries_come_back_in_order_and_a_cut_line_is_skipped(tmp_path):
    """Two appends, then a crash mid-line, then another append: the three whole entries read back."""
    with TinyDBStateStore.open(tmp_path / "state") as states:
        states.audit([AuditEntry(AT, AuditEvent.HELD, "one", member="a@example.org", data={"held_id": "abc"})])
        states.audit([AuditEntry(AT, AuditEvent.SENT, "two", meeting="2027-01-12")])
        with (tmp_path / "state" / AUDIT).open("ab") as log:
            log.write(b'{"at": "2027-01-05T18:00:00+00:00", "event": "sent", "summ')    # the crash
        states.audit([AuditEntry(AT, AuditEvent.STAFF_COMMAND, "three", by="jo@example.org", via="cli")])
        entries = list(states.audit_entries())
    assert [(e.event, e.summary) for e in entries] == [
        (AuditEvent.HELD, "one"), (AuditEvent.SENT, "two"), (AuditEvent.STAFF_COMMAND, "three")]
    assert entries[0].data == {"held_id": "abc"} and entries[2].via == "cli"
    assert oct((tmp_path / "state" / AUDIT).stat().st_mode & 0o777) == "0o600"


def test_a_read_only_store_reads_the_log_while_the_daemon_writes_it(tmp_path):
    """`mailflow log` opens the store read-only beside the daemon and sees what it wrote."""
    with TinyDBStateStore.open(tmp_path / "state") as writer:
        writer.audit([AuditEntry(AT, AuditEvent.RELEASED, "released", by="jo@example.org", via="mail")])
        with TinyDBStateStore.open(tmp_path / "state", exclusive=False) as reader:
            assert [e.summary for e in reader.audit_entries()] == ["released"]
