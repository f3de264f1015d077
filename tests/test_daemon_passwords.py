"""`mailflow run` and SIGHUP: passwords changed at the servers and in the credentials file, without a restart."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import time

from alertkit import items_of
from cyclestage import SECRET, DovecotStage, write_community
from harness_smtp import SMTP_PASSWORD
from test_daemon import launch, wait_for
from test_daemon_oauth import QUIET_CLOCK, folder_count, stop, stranger


def staff_items(stage: DovecotStage, staff: tuple[str, ...], kind: str) -> list[str]:
    """The staff address of each alert item of ``kind`` the SMTP server accepted."""
    found = []
    for _, rcpts, raw in stage.sent():
        message = email.message_from_bytes(raw, policy=email.policy.default)
        found += [rcpts[0] for item, _, _ in items_of(message) if item == kind and rcpts[0] in staff]
    return found


def test_sighup_reads_changed_passwords_and_the_refused_login_and_paused_outbox_resume_at_once(dovecot, tmp_path):
    """The SMTP account's password is changed at the provider (535: the outbox pauses for an hour), then the
    mailbox's in Dovecot's passdb (the IMAP login is refused; retried in a minute). With both new passwords in
    the credentials file, SIGHUP brings both back at once, without a restart: the waiting reply is read and the
    alerts go out within seconds. Neither password ever reaches the log."""
    community = write_community(tmp_path, dovecot)
    stage = DovecotStage(dovecot, community.service)
    credentials = tmp_path / "credentials"
    credentials.write_text(f"MAILFLOW_SECRET={SECRET}\nTEST_IMAP_PASSWORD={dovecot.password}\n"
                           f"TEST_SMTP_PASSWORD={SMTP_PASSWORD}\n")
    os.chmod(credentials, 0o600)
    text = community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}")
    text = text.replace('roster = "members.csv"', f'roster = "members.csv"\ncredentials_file = "{credentials}"')
    community.toml.write_text(text + '\n[alerts]\ndigest_every = "0m"\nmax_per_hour = 1000\n')   # each alert at once
    service, staff = community.service, community.staff
    new_imap, new_smtp = "imap-Pass-after-7Kq", "smtp-Pass-after-3Zw"
    log = tmp_path / "daemon.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
    daemon = launch(community.toml, {**env, "MAILFLOW_CLOCK": QUIET_CLOCK}, log)
    try:
        assert wait_for(lambda: "IMAP connected" in log.read_text(), 30), log.read_text()[-3000:]
        stage.server.handler.password = new_smtp              # the provider changed the SMTP account's password
        stage.server.cut_connections()
        stage.deliver(stranger(1, service))                   # held: its alert meets the 535
        assert wait_for(lambda: "outbox paused" in log.read_text(), 30), log.read_text()[-3000:]
        dovecot.set_password(service, new_imap)               # ... and then the mailbox's, in Dovecot's passdb
        dovecot.doveadm("kick", service)
        assert wait_for(lambda: "IMAP login refused" in log.read_text(), 30), log.read_text()[-3000:]
        stage.deliver(stranger(2, service))                   # waits in the mailbox meanwhile
        time.sleep(1)
        assert folder_count(dovecot, service, "INBOX") == 1 and staff_items(stage, staff, "alert-held-mail") == []

        credentials.write_text(credentials.read_text().replace(dovecot.password, new_imap)
                               .replace(SMTP_PASSWORD, new_smtp))
        reloaded = time.monotonic()
        daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: folder_count(dovecot, service, "mailflow/held") == 2
                        and len(staff_items(stage, staff, "alert-held-mail")) == 2 * len(staff), 30), \
            log.read_text()[-3000:]
        recovered = time.monotonic() - reloaded
        assert stop(daemon) == 0
    finally:
        stop(daemon)
    said = log.read_text()
    assert recovered < 30          # neither the minute's login retry nor the hour's pause was waited out
    assert folder_count(dovecot, service, "INBOX") == 0
    assert sorted(staff_items(stage, staff, "alert-held-mail")) == sorted(staff * 2)
    assert f"the SMTP password for {stage.smtp.user} was read again and changed" in said
    assert f"the IMAP password for {service} was read again and changed" in said
    assert said.count("ERROR mailflow.app.daemon: IMAP login refused") == 1
    for secret in (dovecot.password, new_imap, SMTP_PASSWORD, new_smtp):
        assert secret not in said
