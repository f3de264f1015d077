"""The providers behind OAuth2Tokens: MSAL for Microsoft 365, google-auth for Google, a plain token endpoint.

Each library gets its endpoints and HTTP session through its supported parameters (MSAL's
``authority``/``http_client``, the service account's ``token_uri``, google-auth's ``Request``
session); nothing of them is patched. Refresh tokens live in the token cache file in the state
folder (0600, written atomically), never in a log.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests

from mailflow.adapters.credentials import read_secret
from mailflow.adapters.oauth import Fetched, Grant, OAuth2Tokens, TokenUnavailable
from mailflow.adapters.oauth_errors import generic_error, is_temporary
from mailflow.adapters.oauth_google import GoogleInstalledApp, GoogleServiceAccount
from mailflow.adapters.oauth_http import TOKEN_CACHE_NAME, HttpSession, TokenCache, cache_identity, network_error
from mailflow.adapters.oauth_microsoft import MicrosoftAppOnly, MicrosoftDelegated, certificate_credential
from mailflow.schedule.config import Config, OAuth2Flow, OAuth2Provider, OAuth2Settings

log = logging.getLogger(__name__)


# --- any RFC 6749 token endpoint -----------------------------------------------------------------


class GenericGrant:
    """client_credentials, or refresh_token (the configured one, then the ones the provider rotates to)."""

    def __init__(self, settings: OAuth2Settings, secret: str, refresh_token: str, cache: TokenCache,
                 session: HttpSession) -> None:
        self.label = settings.label
        self._settings = settings
        self._secret = secret
        self._cache = cache
        self._session = session
        self._refresh_token = refresh_token
        self._seed = hashlib.sha256(refresh_token.encode()).hexdigest() if refresh_token else ""
        saved = cache.read()
        if (refresh_token and saved.get("identity") == cache_identity(settings) and saved.get("seed") == self._seed
                and isinstance(saved.get("refresh_token"), str)):
            self._refresh_token = saved["refresh_token"]   # rotated since: the configured one is spent

    def fetch(self, fresh: bool) -> Fetched:
        form = {"grant_type": self._settings.flow.value}
        if self._settings.scopes:
            form["scope"] = " ".join(self._settings.scopes)
        if self._settings.flow is OAuth2Flow.REFRESH_TOKEN:
            form["refresh_token"] = self._refresh_token
        try:
            response = self._session.post(self._settings.token_url, data=form,
                                          auth=(self._settings.client_id, self._secret),
                                          headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise network_error(self.label, exc) from None
        data = _json(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise TokenUnavailable(self.label, f"the token endpoint answered HTTP {response.status_code}",
                                   permanent=False)
        if response.status_code != 200 or "access_token" not in data:
            error, advice = generic_error(data, response.status_code)
            raise TokenUnavailable(self.label, error, advice, permanent=not is_temporary(str(data.get("error"))))
        rotated = data.get("refresh_token")
        if self._settings.flow is OAuth2Flow.REFRESH_TOKEN and isinstance(rotated, str) and rotated:
            if rotated != self._refresh_token:
                self._refresh_token = rotated
                self._cache.write({"identity": cache_identity(self._settings), "seed": self._seed,
                                   "refresh_token": rotated})
        return Fetched(str(data["access_token"]), float(data.get("expires_in") or 3600))


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- assembling ----------------------------------------------------------------------------------


def token_cache_for(config: Config) -> TokenCache:
    return TokenCache(config.state_dir / TOKEN_CACHE_NAME)


def build_grant(config: Config, environ: Mapping[str, str] | None = None) -> Grant:
    """The provider grant ``config.oauth2`` describes, with its secrets read now (start, SIGHUP).

    Raises CredentialsError when a secret or key file is missing; nothing goes to the network yet.
    """
    settings = config.oauth2
    assert settings is not None, "build_grant needs [oauth2]"
    session = HttpSession(settings.ca_file, settings.timeout_seconds)
    cache = token_cache_for(config)

    def secret(what: str) -> str:
        return read_secret(settings.secret_env, f"the {what} ([oauth2] secret_env)", config.credentials_file,
                           environ)

    provider, flow = settings.provider, settings.flow
    if provider is OAuth2Provider.MICROSOFT and flow is OAuth2Flow.CLIENT_CREDENTIALS:
        credential: str | dict[str, str] = (certificate_credential(settings.key_file) if settings.key_file
                                            else secret("client secret of the app registration"))
        return MicrosoftAppOnly(settings, credential, session)
    if provider is OAuth2Provider.MICROSOFT:
        return MicrosoftDelegated(settings, cache, session)
    if flow is OAuth2Flow.SERVICE_ACCOUNT:
        return GoogleServiceAccount(settings, session)
    if flow is OAuth2Flow.INSTALLED_APP:
        return GoogleInstalledApp(settings, secret("OAuth client secret"), cache, session)
    refresh = ""
    if flow is OAuth2Flow.REFRESH_TOKEN:
        refresh = read_secret(settings.refresh_token_env, "the first refresh token ([oauth2] refresh_token_env)",
                              config.credentials_file, environ)
    return GenericGrant(settings, secret("client secret"), refresh, cache, session)


def token_source(config: Config, environ: Mapping[str, str] | None = None,
                 wall: Callable[[], datetime] | None = None) -> OAuth2Tokens:
    """The daemon's TokenSource for ``auth = "oauth2"`` (shared by IMAP and SMTP); ``wall`` (the daemon's
    clock) stamps when each token was obtained, for ``mailflow status``."""
    assert config.oauth2 is not None
    grant, ahead = build_grant(config, environ), config.oauth2.refresh_before_seconds
    return OAuth2Tokens(grant, refresh_before=ahead) if wall is None else \
        OAuth2Tokens(grant, refresh_before=ahead, wall=wall)


__all__ = [
    "GenericGrant", "GoogleInstalledApp", "cache_identity", "GoogleServiceAccount", "HttpSession", "MicrosoftAppOnly",
    "MicrosoftDelegated", "TOKEN_CACHE_NAME", "TokenCache", "build_grant", "certificate_credential",
    "token_cache_for", "token_source",
]
