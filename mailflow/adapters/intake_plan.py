"""What a catch-up pass does, decided from the mailbox's state: where to start, which messages go together
(one download, one record, one MOVE per folder), which batch may download while another is recorded, and where
each message is filed. Pure: no connection, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailflow.adapters.imap_protocol import MailboxState, MessageSummary
from mailflow.ports import Disposition
from mailflow.schedule.config import ImapSettings

BATCH_MESSAGES = 100            # at most this many messages downloaded and recorded together...
BATCH_BYTES = 16 * 1024 * 1024  # ...and at most this many bytes of them (one big message goes alone)
AHEAD_BYTES = 4 * 1024 * 1024   # the next batch is downloaded while one is recorded if it is no bigger


@dataclass(frozen=True)
class ScanStart:
    """Where a catch-up pass starts: after ``uid``; ``rescan`` when the cursor no longer applies."""

    uid: int
    rescan: bool
    nothing_new: bool


def scan_start(saved: tuple[int, int] | None, state: MailboxState) -> ScanStart:
    """Resume after the saved UID, or rescan everything when UIDVALIDITY changed (the sink dedups)."""
    if saved is None:
        return ScanStart(0, rescan=False, nothing_new=state.exists == 0)
    uidvalidity, uid = saved
    if uidvalidity != state.uidvalidity or (state.uidnext and uid >= state.uidnext):
        return ScanStart(0, rescan=True, nothing_new=state.exists == 0)
    return ScanStart(uid, rescan=False, nothing_new=bool(state.uidnext) and state.uidnext <= uid + 1)


def batches(summaries: Sequence[MessageSummary], max_message_bytes: int, *, messages: int = BATCH_MESSAGES,
            size: int = BATCH_BYTES) -> list[list[MessageSummary]]:
    """Consecutive messages grouped for one download and one sink call each, in UID order.

    A message over ``max_message_bytes`` (never downloaded) is a group of its own."""
    groups: list[list[MessageSummary]] = []
    current: list[MessageSummary] = []
    total = 0
    for summary in summaries:
        oversize = summary.size > max_message_bytes
        if current and (oversize or len(current) >= messages or total + summary.size > size):
            groups.append(current)
            current, total = [], 0
        if oversize:
            groups.append([summary])
            continue
        current.append(summary)
        total += summary.size
    if current:
        groups.append(current)
    return groups


def wanted(group: Sequence[MessageSummary]) -> tuple[list[int], int]:
    """A group's UIDs and total size, as ``ImapConnection.fetch_many`` takes them."""
    return [s.uid for s in group], sum(s.size for s in group)


def downloads_ahead(group: Sequence[MessageSummary], max_message_bytes: int) -> bool:
    """Whether ``group`` may download while the batch before it is recorded (both are in memory then): never a
    message over ``max_message_bytes`` (it is not downloaded at all), and no more than AHEAD_BYTES."""
    return all(s.size <= max_message_bytes for s in group) and sum(s.size for s in group) <= AHEAD_BYTES


def destination(disposition: Disposition, settings: ImapSettings) -> str | None:
    """The folder a message goes to once its outcome is recorded; None = leave it alone."""
    return {
        Disposition.PROCESSED: settings.processed_folder,
        Disposition.HELD: settings.held_folder,
        Disposition.IGNORED: None,
    }[disposition]
