"""Stopping mid-delivery: a process killed between RCPT and DATA, and `mailflow run` told to stop mid-batch.

Catalogue items F2 and F26 of RELIABILITY.md on real processes and aiosmtpd: what the server
received, and what a restart sends, once each.
"""

from __future__ import annotations

import email
import email.policy
import signal
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from catalogue_kit import live_community
from harness_smtp import ManualClock, SmtpServer, outgoing_message
from test_daemon import wait_for
from test_outbox_crash import restart_and_deliver, run_child

from mailflow.adapters.outbox_queue import TinyDBOutboxQueue
from mailflow.adapters.store import Store
from mailflow.app.outbox import Outbox
from mailflow.core.delivery import State
from mailflow.schedule.config import Step


def test_a_process_killed_after_rcpt_before_data_delivers_nothing_then_exactly_once(tmp_path: Path,
                                                                                     smtp_server: SmtpServer) -> None:
    """SIGKILL while the server holds its answer to RCPT (DATA never sent): nothing delivered; the restart delivers it once."""
    state = tmp_path / "state"
    message = outgoing_message("ann@example.test", 1)
    with Store.open(state) as store:
        Outbox(TinyDBOutboxQueue(store), ManualClock()).enqueue([message])
    smtp_server.faults.rcpt_arrived = threading.Event()
    smtp_server.faults.release_rcpt = threading.Event()
    child = run_child(state, smtp_server, "plain")
    try:
        assert child.stdout is not None and child.stdout.readline() == "READY\n"
        assert smtp_server.faults.rcpt_arrived.wait(30)
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        child.kill()
        child.communicate()
        smtp_server.faults.release_rcpt.set()
    smtp_server.faults.rcpt_arrived = smtp_server.faults.release_rcpt = None
    assert smtp_server.received == []                      # the server never got the message
    [record] = restart_and_deliver(state, smtp_server)
    assert (record.message_id, record.state) == (message.message_id, State.SENT)
    assert [r.data for r in smtp_server.received] == [message.raw]
    assert restart_and_deliver(state, smtp_server) == [record]      # and never again
    assert len(smtp_server.received) == 1


@pytest.mark.timeout(120)
def test_sigterm_mid_batch_exits_cleanly_and_a_restart_sends_the_rest_once(dovecot, tmp_path):
    """SIGTERM while invitations go out (two a second): exit 0 within the drain time; the restart sends only the rest, once each."""
    live = live_community(tmp_path, dovecot, step=Step.INVITATION, before=timedelta(seconds=30),
                          toml_edit=lambda text: text.replace('user = "bot@example.test"',
                                                              'user = "bot@example.test"\nmax_per_minute = 120'))
    members = {m.email for m in live.config.roster.active()}
    invited = lambda: Counter(r for r, _ in live.sent("invitation"))       # noqa: E731
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: len(invited()) >= 2, 40), live.log_text()[-3000:]
        stopped = time.monotonic()
        live.daemon.send_signal(signal.SIGTERM)
        assert live.daemon.wait(30) == 0
        took = time.monotonic() - stopped
        first = invited()
        assert 0 < len(first) < len(members), first                       # it did stop mid-batch
        live.start()
        assert wait_for(lambda: set(invited()) == members, 40), live.log_text()[-3000:]
        time.sleep(1.0)
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    assert took < 20                                                        # the drain time, not the batch's
    assert "mailflow stopped" in live.log_text()
    assert set(invited().values()) == {1}                                   # nobody invited twice
    ids = Counter(str(email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"])
                  for _, _, raw in live.stage.sent())
    assert max(ids.values()) == 1
