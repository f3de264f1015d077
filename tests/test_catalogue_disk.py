"""A reply that arrives while the state folder is full: left in the mailbox until it can be recorded.

Catalogue item F5 of RELIABILITY.md, its inbound half, on real processes: `mailflow run` with its
state folder on a small tmpfs (tests/test_disk_faults.py covers the outbound half), Dovecot and
aiosmtpd. No IMAP move or flag for a reply whose record is not on disk.
"""

from __future__ import annotations

import pytest
from catalogue_kit import live_community, reply_bytes
from test_daemon import wait_for
from test_disk_faults import fill, small_state  # noqa: F401  (fixture)


@pytest.mark.timeout(180)
def test_a_reply_that_cannot_be_recorded_stays_in_the_mailbox_and_is_applied_once_when_there_is_room(
        dovecot, tmp_path, small_state):  # noqa: F811
    """Disk full: the member's reply stays unread in INBOX and nothing is answered; space back: applied once, one receipt, moved."""
    live = live_community(tmp_path, dovecot)
    assert live.config.state_dir == small_state          # the community's state folder is the small tmpfs
    member = live.config.roster.active()[0].email
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: len(live.sent("call-for-updates")) == len(live.config.roster.active()), 40), \
            live.log_text()[-3000:]
        filler = fill(small_state, 0)
        live.deliver(reply_bytes(member, live.got(member, "call-for-updates"),
                                 b"Our clinic hired two nurse practitioners this month.\r\n"))
        assert wait_for(lambda: "IMAP intake for" in live.log_text() and "failed" in live.log_text(), 30), \
            live.log_text()[-3000:]
        assert wait_for(lambda: live.log_text().count("failed (") >= 2, 30), live.log_text()[-3000:]
        with live.stage.dovecot.imap(live.community.service) as client:     # untouched: not moved, not read
            client.select_folder("INBOX", readonly=True)
            assert len(client.search(["UNSEEN"])) == 1
        assert live.in_folder("mailflow/processed") == 0
        assert not live.sent("notice-recorded", to=member)
        filler.unlink()                                                     # room again
        assert wait_for(lambda: live.in_folder("mailflow/processed") == 1, 60), live.log_text()[-3000:]
        assert wait_for(lambda: live.sent("notice-recorded", to=member), 30), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    assert live.in_folder("INBOX") == 0
    assert len(live.sent("notice-recorded", to=member)) == 1
    applied = [e for e in live.audit() if e["event"] == "reply-applied"]
    assert [e["member"] for e in applied] == [member]
