"""OAuth2 token sources against a real token endpoint, and their tokens against Dovecot's passdb oauth2."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from harness_dovecot import Dovecot
from harness_oauth import TokenServer
from harness_smtp import TlsFiles
from oauthkit import (
    certificate_pem,
    generic_client,
    generic_settings,
    google_service_account,
    microsoft_client,
    microsoft_settings,
)

from mailflow.adapters.credentials import Credential
from mailflow.adapters.imap import ImapConnection
from mailflow.adapters.imap_protocol import LoginRejected
from mailflow.adapters.oauth import OAuth2Tokens, RetryPolicy, TokenUnavailable
from mailflow.adapters.oauth_grants import (
    GenericGrant,
    GoogleInstalledApp,
    GoogleServiceAccount,
    HttpSession,
    MicrosoftAppOnly,
    TokenCache,
    certificate_credential,
)
from mailflow.schedule.config import AuthMethod, ImapSettings, OAuth2Flow, OAuth2Provider, OAuth2Settings, Tls


class FakeMonotonic:
    """Seconds the test moves by hand (the token source's clock is injected, never patched)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def imap_login(dovecot: Dovecot, user: str, tokens: OAuth2Tokens) -> None:
    """Sign in to the Dovecot that validates tokens by introspection; raises LoginRejected if refused."""
    settings = ImapSettings(dovecot.host, dovecot.port, Tls.NONE, user, auth=AuthMethod.OAUTH2,
                            allow_plaintext=True, timeout_seconds=5.0)
    connection = ImapConnection(settings, Credential(user, AuthMethod.OAUTH2, ""), tokens=tokens)
    try:
        connection.connect()
    finally:
        connection.close()


def session(tls: TlsFiles | None = None) -> HttpSession:
    return HttpSession(tls.cert if tls else None, 10.0)


def test_microsoft_app_only_token_opens_the_mailbox(oauth_server: TokenServer, dovecot_oauth: Dovecot,
                                                   smtp_tls_files: TlsFiles) -> None:
    """MSAL (client secret, our endpoint as its authority) gets a token that Dovecot accepts for the mailbox."""
    user = dovecot_oauth.new_user()
    client = microsoft_client(oauth_server, user)
    grant = MicrosoftAppOnly(microsoft_settings(oauth_server, client, smtp_tls_files), client.secret or "",
                             session(smtp_tls_files))
    tokens = OAuth2Tokens(grant)
    imap_login(dovecot_oauth, user, tokens)
    assert oauth_server.count("client_credentials") >= 1


def test_microsoft_certificate_credential_gets_a_token(oauth_server: TokenServer, dovecot_oauth: Dovecot,
                                                      smtp_tls_files: TlsFiles, tmp_path: Path) -> None:
    """App-only with a certificate instead of a secret: MSAL signs a client assertion the endpoint verifies."""
    user = dovecot_oauth.new_user()
    pem, public = certificate_pem(tmp_path)
    client = microsoft_client(oauth_server, user, secret=None)
    oauth_server.register(type(client)(client.client_id, None, user, public_key=public, dialect="microsoft"))
    settings = microsoft_settings(oauth_server, client, smtp_tls_files, key_file=pem)
    tokens = OAuth2Tokens(MicrosoftAppOnly(settings, certificate_credential(pem), session(smtp_tls_files)))
    imap_login(dovecot_oauth, user, tokens)


def test_wrong_microsoft_secret_says_what_microsoft_said_and_what_to_do(
        oauth_server: TokenServer, smtp_tls_files: TlsFiles, caplog: pytest.LogCaptureFixture) -> None:
    """A wrong client secret: AADSTS7000215 in the error, advice to copy the secret's Value, the secret nowhere."""
    client = microsoft_client(oauth_server, "cop@example.test")
    grant = MicrosoftAppOnly(microsoft_settings(oauth_server, client, smtp_tls_files), "not-the-secret-123",
                             session(smtp_tls_files))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TokenUnavailable) as caught:
        OAuth2Tokens(grant).token()
    error = caught.value
    assert error.permanent
    assert "AADSTS7000215: Invalid client secret provided" in str(error)
    assert "Certificates & secrets" in error.advice and "Value" in error.advice
    assert "not-the-secret-123" not in str(error) and "not-the-secret-123" not in caplog.text


def test_unknown_tenant_is_named(oauth_server: TokenServer, smtp_tls_files: TlsFiles) -> None:
    """A tenant the authority does not know: a permanent error naming it and pointing at the tenant ID."""
    client = microsoft_client(oauth_server, "cop@example.test")
    settings = microsoft_settings(oauth_server, client, smtp_tls_files, tenant="no-such-tenant")
    with pytest.raises(TokenUnavailable, match="no-such-tenant") as caught:
        OAuth2Tokens(MicrosoftAppOnly(settings, "x", session(smtp_tls_files))).token()
    assert caught.value.permanent and "Directory (tenant) ID" in caught.value.advice


def test_token_is_reused_until_it_is_due_and_renewed_before_it_expires(oauth_server: TokenServer) -> None:
    """One-hour tokens with a 300 s margin: the same token until 55 minutes, then a new one from the provider."""
    oauth_server.access_ttl = 3600
    client = generic_client(oauth_server, "cop@example.test")
    clock = FakeMonotonic()
    tokens = OAuth2Tokens(GenericGrant(generic_settings(oauth_server, client), client.secret or "", "",
                                       TokenCache(Path("/nonexistent/cache.json")), session()),
                          refresh_before=300, monotonic=clock)
    first = tokens.token()
    clock.now += 3299
    assert tokens.token() == first and tokens.requests == 1
    clock.now += 2
    second = tokens.token()
    assert second != first and tokens.requests == 2
    assert oauth_server.active(second.value) is not None


def test_a_token_the_server_refused_is_replaced_even_from_msal_cache(
        oauth_server: TokenServer, dovecot_oauth: Dovecot, smtp_tls_files: TlsFiles) -> None:
    """A revoked token MSAL still trusts: Dovecot refuses it, the connection asks for a new one and signs in."""
    user = dovecot_oauth.new_user()
    client = microsoft_client(oauth_server, user)
    tokens = OAuth2Tokens(MicrosoftAppOnly(microsoft_settings(oauth_server, client, smtp_tls_files),
                                           client.secret or "", session(smtp_tls_files)))
    first = tokens.token()
    oauth_server.revoke_token(first.value)
    imap_login(dovecot_oauth, user, tokens)          # refused once, then a fresh token
    assert tokens.token() != first
    assert oauth_server.count("client_credentials") >= 2


def test_refused_provider_is_not_asked_again_before_the_backoff(oauth_server: TokenServer) -> None:
    """After a refusal the provider is asked again only after the (doubling, capped) delay; reload resets it."""
    client = generic_client(oauth_server, "cop@example.test")
    clock = FakeMonotonic()
    settings = generic_settings(oauth_server, client)

    def grant(secret: str) -> GenericGrant:
        return GenericGrant(settings, secret, "", TokenCache(Path("/nonexistent/c.json")), session())

    tokens = OAuth2Tokens(grant("wrong"), retry=RetryPolicy(first=10, cap=40), monotonic=clock)
    for _ in range(3):
        with pytest.raises(TokenUnavailable):
            tokens.token()
    assert tokens.requests == 1 and tokens.health.failing and tokens.health.episode == 1
    clock.now += 10
    with pytest.raises(TokenUnavailable):
        tokens.token()
    assert tokens.requests == 2
    clock.now += 19                                   # the second delay is 20 s
    with pytest.raises(TokenUnavailable):
        tokens.token()
    assert tokens.requests == 2 and tokens.health.episode == 1
    generation = tokens.generation
    tokens.reload(grant(client.secret or ""), 300)
    assert tokens.generation == generation + 1
    tokens.token()
    assert tokens.requests == 3 and not tokens.health.failing


def test_a_failure_after_a_reload_is_a_new_episode(oauth_server: TokenServer) -> None:
    """Staff fixed something and reloaded, and it still fails: that is worth a new alert (a new episode)."""
    client = generic_client(oauth_server, "cop@example.test")
    settings = generic_settings(oauth_server, client)
    tokens = OAuth2Tokens(GenericGrant(settings, "wrong-1", "", TokenCache(Path("/x/c.json")), session()))
    with pytest.raises(TokenUnavailable):
        tokens.token()
    tokens.reload(GenericGrant(settings, "wrong-2", "", TokenCache(Path("/x/c.json")), session()), 300)
    with pytest.raises(TokenUnavailable):
        tokens.token()
    assert tokens.health.episode == 2 and tokens.health.permanent


def test_unreachable_endpoint_is_temporary(tmp_path: Path) -> None:
    """No answer from the token endpoint: a temporary failure (retry later), not a wrong secret."""
    settings = OAuth2Settings(OAuth2Provider.GENERIC, OAuth2Flow.CLIENT_CREDENTIALS, (), client_id="x",
                              token_url="http://127.0.0.1:9/token", timeout_seconds=2)
    tokens = OAuth2Tokens(GenericGrant(settings, "s", "", TokenCache(tmp_path / "c.json"), session()))
    with pytest.raises(TokenUnavailable) as caught:
        tokens.token()
    assert not caught.value.permanent and "could not be reached" in str(caught.value)
    assert tokens.health.failing and not tokens.health.permanent


def test_refresh_tokens_rotate_into_a_private_cache_that_survives_a_restart(
        oauth_server: TokenServer, tmp_path: Path) -> None:
    """Generic refresh_token grant: the rotated token is kept (0600) and used after a restart; a new one
    given in the configuration replaces what the cache holds."""
    client = generic_client(oauth_server, "cop@example.test")
    settings = generic_settings(oauth_server, client, flow=OAuth2Flow.REFRESH_TOKEN)
    cache = TokenCache(tmp_path / "state" / "oauth2-tokens")
    configured = oauth_server.issue_refresh_token(client.client_id, "cop@example.test")
    OAuth2Tokens(GenericGrant(settings, client.secret or "", configured, cache, session())).token()
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert configured not in cache.path.read_text()                  # spent: the provider rotated it
    restarted = OAuth2Tokens(GenericGrant(settings, client.secret or "", configured, cache, session()))
    assert oauth_server.active(restarted.token().value) is not None   # the cached, rotated one worked
    fresh = oauth_server.issue_refresh_token(client.client_id, "cop@example.test")
    OAuth2Tokens(GenericGrant(settings, client.secret or "", fresh, cache, session())).token()
    assert oauth_server.refresh[fresh].used


def test_google_service_account_acts_for_the_mailbox(oauth_server: TokenServer, dovecot_oauth: Dovecot,
                                                    smtp_tls_files: TlsFiles, tmp_path: Path) -> None:
    """google-auth signs a JWT for the delegated subject; its token opens that mailbox in Dovecot."""
    user = dovecot_oauth.new_user()
    account = google_service_account(oauth_server, tmp_path, (user,))
    settings = OAuth2Settings(OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT, ("https://mail.google.com/",),
                              subject=user, key_file=account.key_file, ca_file=smtp_tls_files.cert)
    imap_login(dovecot_oauth, user, OAuth2Tokens(GoogleServiceAccount(settings, session(smtp_tls_files))))


def test_google_undelegated_mailbox_points_at_domain_wide_delegation(
        oauth_server: TokenServer, smtp_tls_files: TlsFiles, tmp_path: Path) -> None:
    """A subject the service account is not delegated for: unauthorized_client, and where to add delegation."""
    account = google_service_account(oauth_server, tmp_path, ("someone@example.test",))
    settings = OAuth2Settings(OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT, ("https://mail.google.com/",),
                              subject="cop@example.test", key_file=account.key_file, ca_file=smtp_tls_files.cert)
    with pytest.raises(TokenUnavailable) as caught:
        OAuth2Tokens(GoogleServiceAccount(settings, session(smtp_tls_files))).token()
    assert caught.value.permanent and "unauthorized_client" in str(caught.value)
    assert "Manage Domain Wide Delegation" in caught.value.advice


def test_google_installed_app_without_a_sign_in_says_to_run_auth(tmp_path: Path) -> None:
    """No refresh token in the cache yet: the error says to run `mailflow auth google` once."""
    settings = OAuth2Settings(OAuth2Provider.GOOGLE, OAuth2Flow.INSTALLED_APP, ("https://mail.google.com/",),
                              client_id="app.apps.googleusercontent.com", token_url="http://127.0.0.1:9/token")
    grant = GoogleInstalledApp(settings, "s", TokenCache(tmp_path / "c.json"), session())
    with pytest.raises(TokenUnavailable, match="no refresh token") as caught:
        OAuth2Tokens(grant).token()
    assert "mailflow auth google" in caught.value.advice


def test_token_that_opens_another_mailbox_is_refused_with_advice(
        oauth_server: TokenServer, dovecot_oauth: Dovecot) -> None:
    """The provider gives a token, but not for this mailbox: the login is refused (after one retry) with advice."""
    user, other = dovecot_oauth.new_user(), dovecot_oauth.new_user()
    client = generic_client(oauth_server, other)
    tokens = OAuth2Tokens(GenericGrant(generic_settings(oauth_server, client), client.secret or "", "",
                                       TokenCache(Path("/x/c.json")), session()))
    with pytest.raises(LoginRejected, match="AUTHENTICATIONFAILED") as caught:
        imap_login(dovecot_oauth, user, tokens)
    assert "Add-MailboxPermission" in str(caught.value)
    assert oauth_server.count("client_credentials") >= 2 and tokens.requests == 2
