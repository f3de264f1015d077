"""`mailflow run` under loops and floods: a staff auto-responder, forged and foreign mail by the hundred.

Real processes: the daemon on a fast clock, Dovecot holding every mailbox, aiosmtpd relaying the
daemon's mail into them. The test plays the outside world (an auto-responder, spammers, a forger)
and counts what reaches staff.
"""

from __future__ import annotations

import email
import email.policy
import json
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email.utils import format_datetime, make_msgid

import pytest
from alertkit import items_of
from cyclestage import DovecotStage, write_community
from test_daemon import launch, wait_for

from mailflow.adapters.clock import parse_clock
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Step

SPEED = 600          # ten virtual minutes per real second: an hour is six seconds


@pytest.fixture
def flooded(dovecot, tmp_path):
    """A community before its first invitation, whose daemon runs ten minutes a second."""
    community = write_community(tmp_path, dovecot)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    config = load(community.toml)
    start = meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION) - timedelta(days=2)
    spec = f"{start.isoformat()}@{SPEED}@{time.time() + 0.5}"
    env = {**stage.environ, "MAILFLOW_CLOCK": spec}
    yield community, stage, env, parse_clock(spec)
    stage.close()


def plain_mail(sender: str, to: str, subject: str, body: str, **headers: str) -> bytes:
    extra = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {make_msgid(domain='x.example')}\r\n"
            f"Date: {format_datetime(time_now())}\r\n{extra}MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def time_now():
    from datetime import UTC, datetime
    return datetime.now(UTC)


def to_staff(stage: DovecotStage, staff: tuple[str, ...]) -> list[tuple[str, email.message.Message]]:
    out = []
    for _, rcpts, raw in stage.sent():
        if rcpts[0] in staff:
            out.append((rcpts[0], email.message_from_bytes(raw, policy=email.policy.default)))
    return out


def stop(daemon) -> None:
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(30) == 0


def test_a_staff_auto_responder_and_a_stranger_do_not_start_a_mail_loop(flooded, tmp_path):
    """A staff mailbox that auto-replies (no In-Reply-To, no Auto-Submitted) to every alert: a few messages, then quiet."""
    community, stage, env, clock = flooded
    staff = community.staff
    log = tmp_path / "loop.log"
    daemon = launch(community.toml, env, log)
    answered: set[str] = set()
    try:
        assert wait_for(lambda: "created IMAP folder mailflow/held" in log.read_text(), 20)
        time.sleep(1.0)
        stage.deliver(plain_mail("stranger@elsewhere.example", community.service, "Hello", "Can I join your group?"))
        deadline = time.monotonic() + 36                 # six virtual hours
        while time.monotonic() < deadline:
            for rcpt, msg in to_staff(stage, staff):
                if rcpt == staff[0] and msg["Message-ID"] not in answered:
                    answered.add(msg["Message-ID"])       # the auto-responder answers the From address, bare
                    stage.deliver(plain_mail(staff[0], community.service, f"Re: {msg['Subject']}",
                                             "Thank you for your message. I will answer it as soon as I can."))
            time.sleep(0.2)
        mails = to_staff(stage, staff)
        stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    per_staff = {s: sum(1 for r, _ in mails if r == s) for s in staff}
    # first digest (the stranger), one an hour later (the auto-reply), then nothing new to say
    assert per_staff == {staff[0]: 2, staff[1]: 2}, (per_staff, log.read_text()[-3000:])
    assert all(m["X-Mailflow-Kind"] == "alert-digest" and m["X-Loop"] == community.service for _, m in mails)
    assert all(m["Auto-Submitted"] == "auto-generated" for _, m in mails)


def test_a_flood_of_forged_and_foreign_mail_costs_staff_at_most_one_message_an_hour(flooded, tmp_path):
    """100 forged-token mails from one sender and 60 spam senders: held once each, one digest per staff member per hour."""
    community, stage, env, clock = flooded
    staff = community.staff
    log = tmp_path / "flood.log"
    member = community.members[0]
    forged_to = community.service.replace("@", "+20270112update0000000000000000000000@")
    for n in range(100):
        stage.deliver(plain_mail(member, forged_to, f"Update {n}", "I can't make it."))
    for n in range(60):
        stage.deliver(plain_mail(f"seller{n}@spam.example", community.service, "Cheap pills", "Buy now."))
    for _ in range(20):                                  # not ours: newsletters to another address of the box
        stage.deliver(plain_mail("news@list.example", "someone.else@example.test", "Newsletter", "News.",
                                 Delivered_To=community.service, X_Original_To=community.service))
    started = clock.now()
    daemon = launch(community.toml, env, log)
    try:
        def folders():
            with stage.dovecot.imap(community.service) as client:
                return {name: client.folder_status(name, [b"MESSAGES"])[b"MESSAGES"]
                        for name in ("INBOX", "mailflow/held") if client.folder_exists(name)}
        assert wait_for(lambda: folders() == {"INBOX": 20, "mailflow/held": 160}, 120), (folders(), log.read_text()[-3000:])
        time.sleep(8)
        mails = to_staff(stage, staff)
        hours = (clock.now() - started) / timedelta(hours=1)
        stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    for person in staff:
        got = [m for r, m in mails if r == person]
        assert 1 <= len(got) <= int(hours) + 1, (person, len(got), hours)
    texts = [m.get_body(("plain",)).get_content() for r, m in mails if r == staff[0]]
    assert any("more alert" in text for text in texts)    # 61 items: a digest lists 40 and counts the rest
    assert sum(text.count(f"from {member}") for text in texts) == 1   # the forger's hundred mails: one item
    with stage.dovecot.imap(community.service) as client:   # the newsletters are untouched, still unseen
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["UNSEEN"])) == 20


def test_when_smtp_refuses_our_login_staff_still_learn_it(flooded, tmp_path):
    """535 on AUTH: status shows the pause, the log says it, and the alert reaches staff as soon as SMTP accepts."""
    community, stage, env, clock = flooded
    staff = community.staff
    config = load(community.toml)
    invite = meeting_by_key(config, "2027-01-12").due_at(Step.INVITATION)
    env = {**env, "MAILFLOW_CLOCK": f"{(invite - timedelta(minutes=5)).isoformat()}@{SPEED}"}
    stage.server.faults.auth_fails = True
    log = tmp_path / "auth.log"
    daemon = launch(community.toml, env, log)
    try:
        assert wait_for(lambda: "outbox paused" in log.read_text(), 60), log.read_text()[-3000:]
        shown = subprocess.run([sys.executable, "-m", "mailflow", "status", "--config", str(community.toml)],
                               capture_output=True, text=True, timeout=60)
        as_json = subprocess.run([sys.executable, "-m", "mailflow", "status", "--config", str(community.toml),
                                  "--json"], capture_output=True, text=True, timeout=60)
        assert stage.sent() == []
        stage.server.faults.auth_fails = False                 # the password was fixed at the provider
        members = {m.email for m in config.roster.active()}

        def delivered() -> bool:      # every staff member's digest names the pause, and every invitation went
            told = {rcpt for rcpt, m in to_staff(stage, staff) if "alert-outbox-paused" in [k for k, _, _ in items_of(m)]}
            invited = {r for _, rcpts, raw in stage.sent() if b"X-Mailflow-Kind: invitation" in raw for r in rcpts}
            return told == set(staff) and invited == members

        assert wait_for(delivered, 60), log.read_text()[-3000:]
        stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert shown.returncode == 0 and "PAUSED since" in shown.stdout and "535" in shown.stdout, shown.stdout
    paused = json.loads(as_json.stdout)["outbox_paused"]
    assert paused and "535" in paused["reason"]
    assert log.read_text().count("ERROR mailflow.app.outbox: outbox paused since") >= 1
    for person in staff:
        listed = [kind for rcpt, m in to_staff(stage, staff) if rcpt == person for kind, _, _ in items_of(m)]
        assert listed.count("alert-outbox-paused") == 1, (person, listed)
    invited = {r for _, rcpts, raw in stage.sent() if b"X-Mailflow-Kind: invitation" in raw for r in rcpts}
    assert invited == {m.email for m in config.roster.active()}
