"""`mailflow check --connect`: signs in to the real test servers with each kind of authentication, sends nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cyclestage import write_community
from harness_dovecot import Dovecot
from harness_oauth import TENANT, TokenServer
from harness_smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer, TlsFiles
from oauthkit import generic_client, google_service_account, microsoft_client, oauth_smtp, write_oauth_community

from mailflow.cli import main
from mailflow.schedule.config import Tls

pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")


@pytest.fixture
def token_smtp(dovecot_oauth: Dovecot, oauth_server: TokenServer, smtp_tls_files: TlsFiles) -> Iterator[SmtpServer]:
    server = oauth_smtp(dovecot_oauth, oauth_server, smtp_tls_files)
    yield server
    server.stop()


def run_check(toml: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--connect", "--config", str(toml)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_password_login_reports_server_tls_folders_and_capabilities(
        dovecot: Dovecot, smtp_server_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Passwords: IMAP over implicit TLS and SMTP with STARTTLS both sign in; the report shows what was found."""
    smtp = smtp_server_factory(Tls.STARTTLS)
    community = write_community(tmp_path, dovecot)
    text = community.toml.read_text()
    text = text.replace(f"port = {dovecot.port}\ntls = \"none\"\nallow_plaintext = true",
                        f"port = {dovecot.tls_port}\ntls = \"implicit\"\nca_file = \"{dovecot.cert}\"")
    text = text.replace('port = 2525\ntls = "none"\nallow_plaintext = true\nuser = "bot@example.test"',
                        f'port = {smtp.port}\ntls = "starttls"\nca_file = "{smtp.tls_files.cert}"\nuser = "{SMTP_USER}"')
    community.toml.write_text(text)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", dovecot.password)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    code, output = run_check(community.toml, capsys)
    assert code == 0, output
    assert f"imap: {community.service} on 127.0.0.1:{dovecot.tls_port}: ok, signed in with password" in output
    assert "security: implicit TLS, TLSv1.3" in output
    assert "capabilities: IDLE yes, MOVE yes, UIDPLUS yes" in output
    assert "folders: INBOX" in output and "mailflow/processed, mailflow/held will be created at the first run" in output
    assert f"smtp: {SMTP_USER} on 127.0.0.1:{smtp.port}: ok, signed in with password; nothing sent" in output
    assert "security: STARTTLS, TLSv1.3" in output and "auth: LOGIN PLAIN" in output
    assert smtp.received == [] and SMTP_PASSWORD not in output and dovecot.password not in output


def test_generic_oauth2(dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer,
                        smtp_tls_files: TlsFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Generic client credentials: both servers accept the token; the token went through introspection."""
    user = dovecot_oauth.new_user()
    client = generic_client(oauth_server, user)
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "generic"\nclient_id = "{client.client_id}"\ntoken_url = "{oauth_server.http}/token"\n'
        'secret_env = "TEST_OAUTH_SECRET"', {"TEST_OAUTH_SECRET": client.secret or ""}, service=user)
    code, output = run_check(community.toml, capsys)
    assert code == 0, output
    assert "ok, signed in with OAuth2, the OAuth2 provider (client credentials)" in output
    assert "nothing sent" in output and token_smtp.received == []
    assert token_smtp.handler.logins == [(user, True)]


def test_microsoft_app_only(dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer,
                            smtp_tls_files: TlsFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Microsoft code path (MSAL against our authority) signs in to IMAP and SMTP."""
    user = dovecot_oauth.new_user()
    client = microsoft_client(oauth_server, user)
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "microsoft"\ntenant = "{TENANT}"\nclient_id = "{client.client_id}"\n'
        f'authority = "{oauth_server.https}"\nca_file = "{smtp_tls_files.cert}"', {"MAILFLOW_OAUTH2_SECRET": client.secret or ""},
        service=user)
    code, output = run_check(community.toml, capsys)
    assert code == 0, output
    assert output.count("signed in with OAuth2, Microsoft 365 (app-only)") == 2


def test_google_service_account(dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer,
                                smtp_tls_files: TlsFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Google code path (google-auth, token URI from the JSON key) signs in to IMAP and SMTP."""
    user = dovecot_oauth.new_user()
    account = google_service_account(oauth_server, tmp_path, (user,))
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "google"\nkey_file = "{account.key_file}"\nca_file = "{smtp_tls_files.cert}"', {}, service=user)
    code, output = run_check(community.toml, capsys)
    assert code == 0, output
    assert output.count("signed in with OAuth2, Google Workspace (service account)") == 2


def test_wrong_secret_gives_a_clear_error(dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer,
                                          smtp_tls_files: TlsFiles, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong client secret: exit 1, Microsoft's error for both servers and what to do; the secret is not shown."""
    user = dovecot_oauth.new_user()
    client = microsoft_client(oauth_server, user)
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "microsoft"\ntenant = "{TENANT}"\nclient_id = "{client.client_id}"\n'
        f'authority = "{oauth_server.https}"\nca_file = "{smtp_tls_files.cert}"',
        {"MAILFLOW_OAUTH2_SECRET": "Ab8Q~an-old-secret-value"}, service=user)
    code, output = run_check(community.toml, capsys)
    assert code == 1
    assert f"imap: {user} on 127.0.0.1:{dovecot_oauth.port}: FAILED: sign-in to Microsoft 365 (app-only) failed: " \
           "invalid_client: AADSTS7000215: Invalid client secret provided" in output
    assert f"smtp: {user} on 127.0.0.1:{token_smtp.port}: FAILED: sign-in to Microsoft 365 (app-only) failed" in output
    assert "What to do: the client secret is wrong: in Entra ID > App registrations > the app > " \
           "Certificates & secrets" in output
    assert "an-old-secret-value" not in output and token_smtp.handler.logins == []


def test_one_server_failing_does_not_hide_the_other(dovecot_oauth: Dovecot, oauth_server: TokenServer,
                                                    token_smtp: SmtpServer, smtp_tls_files: TlsFiles, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The token is for another mailbox than [imap] user: IMAP fails with advice, SMTP (the token's mailbox) works."""
    user, other = dovecot_oauth.new_user(), dovecot_oauth.new_user()
    client = generic_client(oauth_server, user)
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "generic"\nclient_id = "{client.client_id}"\ntoken_url = "{oauth_server.http}/token"',
        {"MAILFLOW_OAUTH2_SECRET": client.secret or ""}, service=user)
    text = community.toml.read_text()
    imap = text.index("[imap]")
    community.toml.write_text(text[:imap] + text[imap:].replace(f'user = "{user}"', f'user = "{other}"', 1))
    code, output = run_check(community.toml, capsys)
    assert code == 1, output
    assert f"imap: {other} on" in output and "AUTHENTICATIONFAILED" in output and "Add-MailboxPermission" in output
    assert f"smtp: {user} on 127.0.0.1:{token_smtp.port}: ok" in output
