"""`mailflow run` while the SMTP server refuses its login for hours: staff still learn it, and a reload fixes it.

Catalogue item F11 of RELIABILITY.md (and the last point of issue 16) on real processes: the daemon's
SMTP password in its credentials file is wrong; aiosmtpd answers 535. The daemon runs two hours of its
clock like that; then staff write the right password and send SIGHUP.
"""

from __future__ import annotations

import re
import signal
from datetime import timedelta

import pytest
from alertkit import items_of
from catalogue_kit import live_community
from test_daemon import wait_for

from mailflow.schedule.config import Step


@pytest.mark.timeout(120)
def test_a_login_refused_for_hours_is_in_status_and_in_the_log_every_hour_and_a_reload_sends_at_once(dovecot, tmp_path):
    """535 for two hours: status shows the pause, the log repeats it hourly, logins are not hammered; the right password and SIGHUP: mail and the alert go at once."""
    credentials = tmp_path / "credentials"
    live = live_community(tmp_path, dovecot, step=Step.INVITATION, before=timedelta(minutes=5),
                          speed=1200, toml_edit=lambda text: f'credentials_file = "{credentials}"\n' + text)
    env = live.stage.environ
    members = {m.email for m in live.config.roster.active()}
    staff = live.community.staff

    def write_credentials(smtp_password: str) -> None:
        credentials.write_text(f"MAILFLOW_SECRET={env['MAILFLOW_SECRET']}\nTEST_IMAP_PASSWORD={env['TEST_IMAP_PASSWORD']}\n"
                               f"TEST_SMTP_PASSWORD={smtp_password}\n")
        credentials.chmod(0o600)

    write_credentials("an-old-password-that-expired")
    handler = live.stage.server.handler
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: "outbox paused" in live.log_text(), 30), live.log_text()[-3000:]
        paused_at = live.now()
        assert wait_for(lambda: (live.now() - paused_at).total_seconds() >= 2.2 * 3600, 20)
        status = live.status()
        text = live.cli("status").stdout
        logins_while_paused = handler.auth_attempts
        assert live.stage.sent() == []
        write_credentials(env["TEST_SMTP_PASSWORD"])                 # staff fix the password, then reload
        live.daemon.send_signal(signal.SIGHUP)
        fixed_at = live.now()
        assert wait_for(lambda: {r for r, _ in live.sent("invitation")} == members, 20), live.log_text()[-3000:]
        assert wait_for(lambda: sorted(r for r, m in live.sent("alert-digest")
                                       if any(k == "alert-outbox-paused" for k, _, _ in items_of(m))) == sorted(staff),
                        20), live.log_text()[-3000:]
        delivered_at = live.now()
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    log = live.log_text()
    assert status["outbox_paused"] and "535" in status["outbox_paused"]["reason"]
    assert "PAUSED since" in text and "535" in text
    hourly = re.findall(r"ERROR mailflow.app.outbox: outbox paused since", log)
    assert 2 <= len(hourly) <= 4, len(hourly)                     # about once an hour, not at every pass
    assert logins_while_paused <= 6, logins_while_paused           # one try per hour's pause, not a storm
    assert (delivered_at - fixed_at).total_seconds() < 3600         # at once, not at the end of the hour's pause
    for person in staff:
        listed = [k for r, m in live.sent("alert-digest") if r == person for k, _, _ in items_of(m)]
        assert listed.count("alert-outbox-paused") == 1, (person, listed)
    assert "an-old-password-that-expired" not in log and env["TEST_SMTP_PASSWORD"] not in log
