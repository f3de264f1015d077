"""`mailflow run` back after an outage: 500 replies waiting in the mailbox and 200 messages due at once.

Catalogue item F27 of RELIABILITY.md on real processes: a 200-member community's daemon sends the
invitations, is stopped, and while it is down the members answer (500 replies in Dovecot); it comes
back when the call for updates is due. The test watches the IMAP commands it sends (through a proxy),
the SMTP server's arrivals (with their times) and the daemon's own memory, and reads the outcome as
staff do (`mailflow log`).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from harness_smtp import SMTP_PASSWORD, SmtpServer
from largecommunity import write_large_community
from test_daemon import wait_for
from test_daemon_step import Stamping

from mailflow.core.kinds import Request
from mailflow.core.tokens import reply_address, reply_token
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import ReplyAddressStyle, Step

MEMBERS = 200
REPLIES = 500
PER_MINUTE = 3000          # [smtp] max_per_minute: 50 messages a second at most
CONNECTIONS = 4
SECRET = "backlog-test-secret-0123456789abcdef"


def write_community(folder: Path, service: str, imap_port: int, smtp_port: int) -> Path:
    return write_large_community(folder, members=MEMBERS, name="Backlog Community of Practice", secret_prefix="BACKLOG",
                                 service=service, imap_port=imap_port, smtp_port=smtp_port,
                                 smtp_extra=f"max_connections = {CONNECTIONS}\nmax_per_minute = {PER_MINUTE}\n")


def answer(n: int, member: str, service: str, meeting: str) -> bytes:
    """The n-th reply of the backlog: a member answering their invitation, or their out-of-office."""
    token = reply_token(SECRET.encode(), meeting, Request.INVITATION.value, member)
    to = reply_address(service, token, ReplyAddressStyle.PLUS)
    date = format_datetime(datetime(2026, 12, 23, 9, tzinfo=UTC) + timedelta(minutes=n))
    if n < MEMBERS:
        head, body = "Subject: Re: Invitation\r\n", "Yes, I'll be there.\r\n"
    else:
        head = "Subject: Automatic reply: Invitation\r\nAuto-Submitted: auto-replied\r\n"
        body = "I am out of the office until January 4 with limited access to email.\r\n"
    return (f"From: {member}\r\nTo: {to}\r\n{head}Message-ID: <backlog-{n}@members.example.org>\r\n"
            f"Date: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def fetched_uid_sets(client_log: bytes) -> list[int]:
    """How many messages each UID FETCH of message bodies asked for."""
    sizes = []
    for found in re.finditer(rb"UID FETCH ([0-9:,*]+) \(BODY\.PEEK\[\]", client_log):
        count = 0
        for part in found.group(1).split(b","):
            low, _, high = part.partition(b":")
            count += int(high) - int(low) + 1 if high else 1
        sizes.append(count)
    return sizes


@pytest.mark.timeout(300)
def test_a_backlog_goes_in_bounded_batches_and_memory_out_at_the_set_rate_once_each(dovecot, tcp_proxy, tmp_path):
    """500 replies waiting and 200 sends due after an outage: batches of at most 100, bounded memory, at most 50 sends a second, nothing twice."""
    handler = Stamping()
    server = SmtpServer(handler=handler).start()
    service = dovecot.new_user()
    toml = write_community(tmp_path, service, tcp_proxy.port, server.port)
    config = load(toml)
    meeting = meeting_by_key(config, "2027-01-12")
    env = {**os.environ, "BACKLOG_IMAP_PASSWORD": dovecot.password, "BACKLOG_SMTP_PASSWORD": SMTP_PASSWORD,
           "MAILFLOW_SECRET": SECRET}
    log = tmp_path / "daemon.log"
    members = [m.email for m in config.roster.active()]

    def run_from(at: datetime) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--config", str(toml)], stdout=out,
                                    stderr=out, env={**env, "MAILFLOW_CLOCK": f"{at.isoformat()}@1"})

    def sent(kind: str) -> Counter[str]:
        return Counter(r.rcpt_tos[0] for r in server.received if f"X-Mailflow-Kind: {kind}\r\n".encode() in r.data)

    try:
        first = run_from(meeting.due_at(Step.INVITATION) - timedelta(seconds=2))
        try:
            assert wait_for(lambda: len(sent("invitation")) == MEMBERS, 90), log.read_text()[-3000:]
            first.send_signal(signal.SIGTERM)
            assert first.wait(30) == 0
        finally:
            if first.poll() is None:
                first.kill()
        for n in range(REPLIES):                               # the outage: the members answer
            dovecot.deliver(service, answer(n, members[n % MEMBERS], service, meeting.key))
        received_before = len(server.received)
        handler.reset_counters()
        second = run_from(meeting.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=1))
        try:
            assert wait_for(lambda: "mailflow ready" in log.read_text().split("mailflow stopped")[-1], 60), \
                log.read_text()[-3000:]
            assert wait_for(lambda: len(sent("call-for-updates")) == MEMBERS, 120), log.read_text()[-3000:]
            assert wait_for(lambda: len(sent("notice-recorded")) == MEMBERS, 60), log.read_text()[-3000:]
            time.sleep(1.0)
            peak = peak_rss_mb(second.pid)
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
        finally:
            if second.poll() is None:
                second.kill()
    finally:
        server.stop()
    after = server.received[received_before:]
    arrivals = handler.at[received_before:]
    # nothing twice: every member one invitation (before) and one call and one receipt (after); no Message-ID twice
    assert set(sent("invitation").values()) == {1} and set(sent("call-for-updates").values()) == {1}
    assert set(sent("notice-recorded").values()) == {1}
    ids = Counter(str(email.message_from_bytes(r.data, policy=email.policy.compat32)["Message-ID"])
                  for r in server.received)
    assert max(ids.values()) == 1, ids.most_common(2)
    # every reply applied once (the yes and the out-of-office alike)
    with subprocess.Popen([sys.executable, "-m", "mailflow", "log", "--json", "--config", str(toml)],
                          stdout=subprocess.PIPE, env=env) as shown:
        out, _ = shown.communicate(timeout=60)
    applied = [line for line in out.decode().splitlines() if '"event": "reply-applied"' in line]
    assert len(applied) == REPLIES
    # bounded batches: no download of more than 100 messages at once, and all 500 downloaded
    sizes = fetched_uid_sets(bytes(tcp_proxy.client_log))
    assert sizes and max(sizes) <= 100 and sum(sizes) >= REPLIES, sizes
    # bounded memory: the whole backlog in well under the 200 MB a 2-core, 1 GB machine can spare
    assert peak < 200, peak
    # outbound at the set rate: at most 50 messages a second (over any 2 s, give or take one per connection
    # in flight), on at most 4 connections
    assert handler.max_active <= CONNECTIONS
    busiest = max(sum(1 for t in arrivals if start <= t < start + 2.0) for start in arrivals)
    assert busiest <= 2 * PER_MINUTE // 60 + CONNECTIONS, busiest
    assert len(after) >= 2 * MEMBERS
