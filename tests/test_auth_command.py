"""`mailflow auth microsoft|google`: a person signs in once; the refresh token kept then opens the mailbox."""

from __future__ import annotations

import re
import ssl
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.client import HTTPSConnection
from pathlib import Path

import pytest
from harness_dovecot import Dovecot
from harness_oauth import TENANT, Client, TokenServer
from harness_smtp import SmtpServer, TlsFiles
from oauthkit import oauth_smtp, write_oauth_community

from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.cli import main
from mailflow.schedule import load

pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")


@pytest.fixture
def token_smtp(dovecot_oauth: Dovecot, oauth_server: TokenServer, smtp_tls_files: TlsFiles) -> Iterator[SmtpServer]:
    server = oauth_smtp(dovecot_oauth, oauth_server, smtp_tls_files)
    yield server
    server.stop()


class Lines:
    """A child's stdout read line by line in a thread, so the test can wait for a line with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.text = ""
        self._lock = threading.Lock()
        assert process.stdout is not None
        self._stream = process.stdout
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self._stream:
            with self._lock:
                self.text += line

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = re.search(pattern, self.text)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in {self.text!r}")


@pytest.fixture
def auth_process() -> Iterator[Callable[[Path, str], subprocess.Popen[str]]]:
    """Start `mailflow auth PROVIDER` with piped stdin and stdout; killed and closed at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(toml: Path, provider: str) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-m", "mailflow", "auth", provider, "--config", str(toml)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def connect_check(toml: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--connect", "--config", str(toml)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_microsoft_device_code_sign_in_then_the_daemon_side_uses_the_refresh_token(
        dovecot_oauth: Dovecot, oauth_server: TokenServer, token_smtp: SmtpServer, smtp_tls_files: TlsFiles,
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        auth_process: Callable[[Path, str], subprocess.Popen[str]]) -> None:
    """`mailflow auth microsoft` prints Microsoft's URL and code, waits for the sign-in, keeps the refresh
    token (0600); after that, IMAP and SMTP sign in with tokens redeemed from it."""
    user = dovecot_oauth.new_user()
    client = oauth_server.register(Client("0000aaaa-1111-bbbb-2222-cccc3333dddd", None, user, dialect="microsoft"))
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "microsoft"\nflow = "device_code"\ntenant = "{TENANT}"\nclient_id = "{client.client_id}"\n'
        f'authority = "{oauth_server.https}"\nca_file = "{smtp_tls_files.cert}"', {}, service=user)
    code, output = connect_check(community.toml, capsys)
    assert code == 1 and "no signed-in account in the token cache" in output and "mailflow auth microsoft" in output

    process = auth_process(community.toml, "microsoft")
    lines = Lines(process)
    found = lines.wait_for(r"open the page (\S+) and enter the code (\w+)")
    assert found[1] == f"{oauth_server.https}/devicelogin"
    oauth_server.approve_device(found[2])                 # the person signs in at the page
    assert process.wait(30) == 0, lines.text
    assert "signed in; the refresh token is kept in" in lines.text

    cache = load(community.toml).state_dir / "oauth2-tokens"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    oauth_server.revoke_all_access(user)                  # only the refresh token can help now
    refreshes = oauth_server.count("refresh_token")
    code, output = connect_check(community.toml, capsys)
    assert code == 0, output
    assert output.count("signed in with OAuth2, Microsoft 365 (delegated)") == 2
    assert oauth_server.count("refresh_token") > refreshes   # new tokens redeemed from the kept refresh token
    TinyDBStateStore.open(cache.parent).close()            # the daemon's store lives beside the token cache


@pytest.mark.parametrize("browser", ["on this machine", "elsewhere (address pasted)"])
def test_google_installed_app_sign_in(browser: str, dovecot_oauth: Dovecot, oauth_server: TokenServer,
                                      token_smtp: SmtpServer, smtp_tls_files: TlsFiles, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str],
                                      auth_process: Callable[[Path, str], subprocess.Popen[str]]) -> None:
    """`mailflow auth google` prints the consent URL; the browser's return (caught on 127.0.0.1, or pasted)
    gives the refresh token, which then opens the mailbox for IMAP and SMTP."""
    user = dovecot_oauth.new_user()
    client = oauth_server.register(Client(f"{user.split('@')[0]}.apps.googleusercontent.com", "gocspx-secret",
                                          user, dialect="google"))
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "google"\nflow = "installed_app"\nclient_id = "{client.client_id}"\n'
        f'token_url = "{oauth_server.https}/token"\nauthorize_url = "{oauth_server.https}/o/oauth2/v2/auth"\n'
        f'ca_file = "{smtp_tls_files.cert}"', {"MAILFLOW_OAUTH2_SECRET": "gocspx-secret"}, service=user)
    process = auth_process(community.toml, "google")
    lines = Lines(process)
    url = lines.wait_for(r"(https://127\.0\.0\.1:\d+/o/oauth2/v2/auth\?\S+)")[1]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["scope"] == "https://mail.google.com/" and query["code_challenge_method"] == "S256"
    assert query["access_type"] == "offline" and query["login_hint"] == user
    returned = consent(url, smtp_tls_files)               # the person allows access in the browser
    assert returned.startswith(query["redirect_uri"])
    if browser == "on this machine":
        with urllib.request.urlopen(returned, timeout=10) as answer:
            assert b"signed in" in answer.read()
    else:
        assert process.stdin is not None
        process.stdin.write(returned + "\n")
        process.stdin.flush()
    assert process.wait(30) == 0, lines.text
    code, output = connect_check(community.toml, capsys)
    assert code == 0, output
    assert output.count("signed in with OAuth2, Google Workspace (delegated)") == 2
    assert "gocspx-secret" not in output + lines.text


def consent(url: str, tls: TlsFiles) -> str:
    """Play the browser at the provider's consent page: return where it redirects."""
    parts = urllib.parse.urlsplit(url)
    connection = HTTPSConnection(parts.hostname or "", parts.port, context=ssl.create_default_context(cafile=str(tls.cert)),
                                 timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        assert response.status == 302
        return str(response.getheader("Location"))
    finally:
        connection.close()


def test_auth_for_the_wrong_set_up_says_which_is_needed(dovecot_oauth: Dovecot, oauth_server: TokenServer,
                                                        token_smtp: SmtpServer, smtp_tls_files: TlsFiles,
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mailflow auth microsoft` on an app-only set-up: exit 2, naming what [oauth2] has and what it needs."""
    community = write_oauth_community(
        tmp_path, dovecot_oauth, token_smtp, smtp_tls_files,
        f'provider = "microsoft"\ntenant = "{TENANT}"\nclient_id = "0000aaaa-1111-bbbb-2222-cccc3333dddd"',
        {"MAILFLOW_OAUTH2_SECRET": "x"})
    assert main(["auth", "microsoft", "--config", str(community.toml)]) == 2
    assert ("has provider = 'microsoft', flow = 'client_credentials'; this sign-in is for [oauth2] provider = "
            "'microsoft', flow = 'device_code'") in capsys.readouterr().err
