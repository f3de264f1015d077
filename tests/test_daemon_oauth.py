"""`mailflow run` with OAuth2 against real servers: short-lived tokens, a revoked token and a new secret."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from harness_dovecot import Dovecot
from harness_oauth import TENANT, TokenServer
from harness_smtp import SmtpServer, TlsFiles
from oauthkit import generic_client, microsoft_client, oauth_smtp, write_oauth_community

pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")

QUIET_CLOCK = "2026-12-15T20:00:00+00:00@1"   # a week with no step due: only the mail the test causes


def launch(toml: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--config", str(toml)],
                                stdout=out, stderr=out, env={**os.environ, "MAILFLOW_CLOCK": QUIET_CLOCK})


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def stop(daemon: subprocess.Popen[bytes]) -> int:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
    try:
        return daemon.wait(20)
    except subprocess.TimeoutExpired:
        daemon.kill()
        return daemon.wait(5)


def stranger(n: int, to: str) -> bytes:
    """A message from someone not on the roster: the daemon holds it and tells each staff address."""
    return (f"From: Stranger {n} <stranger{n}@elsewhere.example>\r\nTo: {to}\r\nSubject: Question {n}\r\n"
            f"Message-ID: <question-{n}-{time.time_ns()}@elsewhere.example>\r\n"
            "Date: Tue, 15 Dec 2026 12:00:00 -0800\r\n\r\nIs there a meeting this month?\r\n").encode()


def kinds(server: SmtpServer, kind: str) -> list[tuple[str, str]]:
    """(recipient, text) of every message of ``kind``, or alert item of that kind in a digest, the SMTP server accepted."""
    found = []
    for received in list(server.received):
        message = email.message_from_bytes(received.data, policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body else ""
        listed = (len(re.findall(rf"^   {kind}\b", text, re.MULTILINE))
                  if message["X-Mailflow-Kind"] == "alert-digest" else 0)
        if message["X-Mailflow-Kind"] == kind:
            listed = 1
        found.extend([(received.rcpt_tos[0], text)] * listed)
    return found


def status(toml: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailflow", "status", "--config", str(toml), *options],
                          capture_output=True, text=True, timeout=60, check=True)


def sign_in(toml: Path) -> dict:
    """What `mailflow status --json` shows of the OAuth2 sign-in."""
    return json.loads(status(toml, "--json").stdout)["sign_in"]


def folder_count(dovecot: Dovecot, user: str, folder: str) -> int:
    with dovecot.imap(user) as client:
        if not client.folder_exists(folder):
            return 0
        return int(client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])


@pytest.fixture
def token_smtp(dovecot_oauth: Dovecot, oauth_server: TokenServer, smtp_tls_files: TlsFiles) -> Iterator[SmtpServer]:
    server = oauth_smtp(dovecot_oauth, oauth_server, smtp_tls_files)
    yield server
    server.stop()


@pytest.fixture
def access_ttl(oauth_server: TokenServer) -> Iterator[Callable[[float], None]]:
    """Set the provider's token lifetime for this test; restored afterwards."""
    before = oauth_server.access_ttl

    def set_ttl(seconds: float) -> None:
        oauth_server.access_ttl = seconds

    yield set_ttl
    oauth_server.access_ttl = before


def test_daemon_keeps_reading_and_sending_across_three_token_lifetimes(
        dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer, smtp_tls_files: TlsFiles,
        access_ttl: Callable[[float], None], tmp_path: Path) -> None:
    """3-second tokens for 10 seconds: every reply is read and every alert sent, each IMAP session and SMTP
    login uses a token the provider still accepts (renewed ahead of expiry, and after the session is ended)."""
    access_ttl(3)
    user = dovecot_oauth.new_user()
    client = generic_client(oauth_server, user)
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "generic"\nclient_id = "{client.client_id}"\ntoken_url = "{oauth_server.https}/token"\n'
        f'ca_file = "{smtp_tls_files.cert}"\nrefresh_before_seconds = 1',
        {"MAILFLOW_OAUTH2_SECRET": client.secret or ""}, service=user)
    log = tmp_path / "daemon.log"
    grants_before, checks_before = oauth_server.count("client_credentials"), len(oauth_server.introspected)
    daemon = launch(community.toml, log)
    try:
        assert wait_for(lambda: "IMAP connected" in log.read_text()), log.read_text()
        started = time.monotonic()
        for n in range(7):
            dovecot_oauth.deliver(user, stranger(n, user))
            if n == 4:   # the provider ends the session, as Exchange Online does when a token runs out
                dovecot_oauth.doveadm("kick", user)
            time.sleep(1.5)
        assert time.monotonic() - started >= 9       # three token lifetimes and more
        assert wait_for(lambda: folder_count(dovecot_oauth, user, "mailflow/held") == 7
                        and len(kinds(token_smtp, "alert-held-mail")) == 14, 30), log.read_text()[-3000:]
        assert folder_count(dovecot_oauth, user, "INBOX") == 0
        assert stop(daemon) == 0
    finally:
        stop(daemon)
    text = log.read_text()
    checks = oauth_server.introspected[checks_before:]
    assert oauth_server.count("client_credentials") - grants_before >= 3
    assert len({token for token, _ in checks}) >= 3
    assert all(active for _, active in checks), "a server was handed a token the provider no longer accepted"
    assert token_smtp.handler.logins and all(ok for _, ok in token_smtp.handler.logins)
    assert kinds(token_smtp, "alert-sign-in-failed") == [] and " ERROR " not in text
    assert "its OAuth2 token is due for renewal; signing in again" in text
    assert client.secret not in text


def test_revoked_token_alerts_once_and_recovers_after_a_new_secret_and_sighup(
        dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer, smtp_tls_files: TlsFiles,
        access_ttl: Callable[[float], None], tmp_path: Path) -> None:
    """The tokens are revoked and the client secret replaced: staff get one alert with Microsoft's error and
    what to do; replies wait in the mailbox and mail in the queue; a new secret and SIGHUP bring both back.
    `mailflow status` shows the sign-in all along: the token's times, then the refusal, then the new token."""
    access_ttl(600)
    user = dovecot_oauth.new_user()
    client = microsoft_client(oauth_server, user, secret="first-secret-Q8~abc")
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "microsoft"\ntenant = "{TENANT}"\nclient_id = "{client.client_id}"\n'
        f'authority = "{oauth_server.https}"\nca_file = "{smtp_tls_files.cert}"',
        {"MAILFLOW_OAUTH2_SECRET": "first-secret-Q8~abc"}, service=user)
    log = tmp_path / "daemon.log"
    daemon = launch(community.toml, log)
    try:
        assert wait_for(lambda: "IMAP connected" in log.read_text()), log.read_text()
        assert wait_for(lambda: sign_in(community.toml)["obtained_at"] is not None), log.read_text()[-3000:]
        shown = {"signed in": sign_in(community.toml)}
        oauth_server.set_secret(client.client_id, "second-secret-Z9~xyz")   # the admin replaced the secret
        oauth_server.revoke_all_access(user)                                 # ... and revoked its tokens
        dovecot_oauth.doveadm("kick", user)
        token_smtp.cut_connections()
        sent_before = len(token_smtp.received)
        requests_before = oauth_server.count("client_credentials")
        for n in range(2):
            dovecot_oauth.deliver(user, stranger(n, user))
        assert wait_for(lambda: "ERROR mailflow.adapters.oauth: sign-in to Microsoft 365" in log.read_text()), \
            log.read_text()[-3000:]
        time.sleep(5)                         # retries meanwhile: the intake backs off, the outbox is paused
        text = log.read_text()
        assert text.count("ERROR mailflow.adapters.oauth") == 1
        assert "AADSTS7000215" in text and "first-secret" not in text
        assert folder_count(dovecot_oauth, user, "INBOX") == 2           # the mailbox keeps the replies
        assert len(token_smtp.received) == sent_before                   # the outbox keeps its mail
        assert oauth_server.count("client_credentials") - requests_before <= 3   # capped backoff, not a loop
        assert wait_for(lambda: sign_in(community.toml)["failing"]), log.read_text()[-3000:]
        shown["refused"] = sign_in(community.toml)
        shown["refused text"] = status(community.toml).stdout

        community.credentials.write_text(community.credentials.read_text().replace(
            "first-secret-Q8~abc", "second-secret-Z9~xyz"))
        daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: folder_count(dovecot_oauth, user, "mailflow/held") == 2
                        and len(kinds(token_smtp, "alert-held-mail")) == 4
                        and len(kinds(token_smtp, "alert-sign-in-failed")) == 2, 30), log.read_text()[-3000:]
        time.sleep(3)
        alerts = kinds(token_smtp, "alert-sign-in-failed")
        assert sorted(rcpt for rcpt, _ in alerts) == sorted(community.staff)   # once per staff address
        body = " ".join(alerts[0][1].split())   # the text part is wrapped at 72 columns
        assert "AADSTS7000215: Invalid client secret provided" in body
        assert "What to do: the client secret is wrong" in body and "Certificates & secrets" in body
        assert kinds(token_smtp, "alert-delivery-failed") == []   # the pause itself alerts nobody
        assert wait_for(lambda: not sign_in(community.toml)["failing"]), log.read_text()[-3000:]
        shown["back"] = sign_in(community.toml)
        assert stop(daemon) == 0
    finally:
        stop(daemon)
    text = log.read_text()
    # the SIGHUP reloaded the secret and the intake signed in again after it (whether the reload woke its backoff
    # pause, "the IMAP intake tries again now", or came between two attempts depends on the machine's timing)
    assert "configuration reloaded" in text, text[-3000:]
    assert "IMAP connected" in text[text.index("configuration reloaded"):], text[-3000:]
    assert not any(s in text for s in ("first-secret-Q8~abc", "second-secret-Z9~xyz"))

    first, refused, back = shown["signed in"], shown["refused"], shown["back"]
    assert (first["provider"], first["servers"], first["failing"], first["last_error"]) == (
        "Microsoft 365 (app-only)", ["imap", "smtp"], False, None)
    assert datetime.fromisoformat(first["expires_at"]) - datetime.fromisoformat(first["obtained_at"]) == \
        timedelta(seconds=600)                                      # the lifetime the provider gave
    assert refused["failing"] and "AADSTS7000215" in refused["last_error"] and refused["error_at"]
    assert refused["obtained_at"] == first["obtained_at"]          # the last token's times stay shown
    assert "Sign-in to Microsoft 365 (app-only), OAuth2 for IMAP and SMTP: token obtained" in shown["refused text"]
    assert "FAILING" in shown["refused text"] and "AADSTS7000215" in shown["refused text"]
    assert back["obtained_at"] > first["obtained_at"] and not back["failing"]
    assert "AADSTS7000215" in back["last_error"]                   # the last refusal, still on record
    for seen in (json.dumps(shown), (tmp_path / "state" / "heartbeat").read_text()):
        assert not any(s in seen for s in ("first-secret-Q8~abc", "second-secret-Z9~xyz"))
        assert not any(token in seen for token in oauth_server.access)   # every access token it issued
