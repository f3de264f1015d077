"""The providers behind OAuth2Tokens: MSAL for Microsoft 365, google-auth for Google, a plain token endpoint.

Each library gets its endpoints and HTTP session through its supported parameters (MSAL's
``authority``/``http_client``, the service account's ``token_uri``, google-auth's ``Request``
session); nothing of them is patched. Refresh tokens live in the token cache file in the state
folder (0600, written atomically), never in a log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from mailflow.adapters.credentials import CredentialsError, read_private_file, read_secret
from mailflow.adapters.files import DIR_MODE, write_atomically
from mailflow.adapters.oauth import Fetched, Grant, OAuth2Tokens, TokenUnavailable
from mailflow.adapters.oauth_errors import generic_error, google_error, is_temporary, microsoft_error
from mailflow.schedule.config import Config, OAuth2Flow, OAuth2Provider, OAuth2Settings

log = logging.getLogger(__name__)

TOKEN_CACHE_NAME = "oauth2-tokens"   # no .json: the store reads *.json files in the state folder as its own


# --- plumbing ------------------------------------------------------------------------------------


class HttpSession(requests.Session):
    """requests with our CA bundle (when given) and our timeout, whatever the environment says.

    requests lets REQUESTS_CA_BUNDLE override ``Session.verify``, so a private CA would be silently
    ignored on hosts that set it; proxies from the environment still apply.
    """

    def __init__(self, ca_file: Path | None, timeout: float) -> None:
        super().__init__()
        self.ca_file = str(ca_file) if ca_file else None
        self.timeout = timeout

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.ca_file:
            settings["verify"] = self.ca_file
        return settings

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        given = kwargs.get("timeout")
        kwargs["timeout"] = self.timeout if given is None else min(float(given), self.timeout)
        return super().request(method, url, *args, **kwargs)


class TokenCache:
    """The token cache file: JSON, mode 0600, replaced atomically; it holds refresh tokens (secrets)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CredentialsError(f"{self.path}: cannot read the token cache: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token cache %s is readable by group or others: chmod 600 it", self.path)
        try:
            loaded = json.loads(data)
        except ValueError:
            raise CredentialsError(f"{self.path}: the token cache is not valid JSON; move it aside and run "
                                   "`mailflow auth` again") from None
        return loaded if isinstance(loaded, dict) else {}

    def write(self, content: Mapping[str, Any]) -> None:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, mode=DIR_MODE)
        write_atomically(self.path, json.dumps(content, sort_keys=True).encode())


def cache_identity(settings: OAuth2Settings) -> dict[str, str]:
    """What a cached refresh token belongs to: a different app or tenant makes it useless."""
    return {"provider": settings.provider.value, "flow": settings.flow.value, "client_id": settings.client_id,
            "tenant": settings.tenant}


def _network_error(label: str, exc: BaseException) -> TokenUnavailable:
    return TokenUnavailable(label, f"the token endpoint could not be reached ({exc.__class__.__name__})",
                            permanent=False)


# --- Microsoft 365 (MSAL) ------------------------------------------------------------------------


class MicrosoftAppOnly:
    """Client credentials (app-only): a client secret or a certificate; scope .../.default."""

    def __init__(self, settings: OAuth2Settings, credential: str | dict[str, str], session: HttpSession) -> None:
        self.label = settings.label
        self._settings = settings
        self._credential = credential
        self._session = session
        self._app: Any = None

    def fetch(self, fresh: bool) -> Fetched:
        app = self._application()
        if fresh:   # acquire_token_for_client has no force_refresh: drop its cached tokens
            cache = app.token_cache
            for item in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(item)
        try:
            result = app.acquire_token_for_client(scopes=list(self._settings.scopes))
        except requests.RequestException as exc:
            raise _network_error(self.label, exc) from None
        return _msal_result(self.label, result)

    def _application(self) -> Any:
        if self._app is None:
            import msal

            try:
                self._app = msal.ConfidentialClientApplication(
                    self._settings.client_id, client_credential=self._credential,
                    authority=f"{self._settings.authority}/{self._settings.tenant}",
                    http_client=self._session, instance_discovery=False,
                    timeout=self._settings.timeout_seconds)
            except requests.RequestException as exc:
                raise _network_error(self.label, exc) from None
            except ValueError:
                raise _unknown_tenant(self.label, self._settings) from None
        return self._app


class MicrosoftDelegated:
    """Delegated: the refresh token saved by `mailflow auth microsoft` (device code), used and rotated."""

    def __init__(self, settings: OAuth2Settings, cache: TokenCache, session: HttpSession) -> None:
        import msal

        self.label = settings.label
        self._settings = settings
        self._cache_file = cache
        self._session = session
        self._msal_cache = msal.SerializableTokenCache()
        saved = cache.read()
        if saved.get("identity") == cache_identity(settings) and isinstance(saved.get("msal"), str):
            self._msal_cache.deserialize(saved["msal"])
        self._app: Any = None

    def fetch(self, fresh: bool) -> Fetched:
        app = self._application()
        accounts = app.get_accounts()
        if not accounts:
            raise TokenUnavailable(self.label, "no signed-in account in the token cache",
                                   "run `mailflow auth microsoft` once to sign in, then reload mailflow",
                                   permanent=True)
        try:
            result = app.acquire_token_silent_with_error(list(self._settings.scopes), accounts[0],
                                                         force_refresh=fresh)
        except requests.RequestException as exc:
            raise _network_error(self.label, exc) from None
        if self._msal_cache.has_state_changed:
            save_msal_cache(self._cache_file, self._settings, self._msal_cache)
        if result is None:
            raise TokenUnavailable(self.label, "the token cache holds no usable refresh token",
                                   "run `mailflow auth microsoft` again, then reload mailflow", permanent=True)
        return _msal_result(self.label, result)

    def _application(self) -> Any:
        if self._app is None:
            self._app = public_client(self._settings, self._session, self._msal_cache, self.label)
        return self._app


def public_client(settings: OAuth2Settings, session: HttpSession, cache: Any, label: str) -> Any:
    """MSAL's public client for the device code flow and its refresh tokens (no client secret)."""
    import msal

    try:
        return msal.PublicClientApplication(
            settings.client_id, authority=f"{settings.authority}/{settings.tenant}", http_client=session,
            instance_discovery=False, token_cache=cache, timeout=settings.timeout_seconds)
    except requests.RequestException as exc:
        raise _network_error(label, exc) from None
    except ValueError:
        raise _unknown_tenant(label, settings) from None


def _unknown_tenant(label: str, settings: OAuth2Settings) -> TokenUnavailable:
    """MSAL found no sign-in configuration (OIDC discovery) for the authority and tenant."""
    return TokenUnavailable(
        label, f"no sign-in configuration at {settings.authority}/{settings.tenant} (an unknown tenant?)",
        "check [oauth2] tenant: the Directory (tenant) ID on the Overview page of Entra ID, or a verified "
        "domain of the organisation (and authority, if set)", permanent=True)


def save_msal_cache(cache: TokenCache, settings: OAuth2Settings, msal_cache: Any) -> None:
    cache.write({"identity": cache_identity(settings), "msal": msal_cache.serialize()})


def _msal_result(label: str, result: Mapping[str, Any]) -> Fetched:
    if "access_token" in result:
        return Fetched(str(result["access_token"]), float(result.get("expires_in", 3600)))
    error, advice = microsoft_error(result)
    raise TokenUnavailable(label, error, advice, permanent=not is_temporary(str(result.get("error", ""))))


def certificate_credential(key_file: Path) -> dict[str, str]:
    """MSAL's client credential from a PEM holding the private key and its certificate."""
    text = read_private_file(key_file, "key file")
    key = _pem_block(text, "PRIVATE KEY")
    certificate = _pem_block(text, "CERTIFICATE")
    if not key or not certificate:
        raise CredentialsError(f"{key_file}: expected a PEM file with the private key and its certificate "
                               "(cat key.pem cert.pem > mailflow.pem)")
    return {"private_key": key, "public_certificate": certificate}


def _pem_block(text: str, kind: str) -> str:
    for begin in (f"-----BEGIN {kind}-----", f"-----BEGIN RSA {kind}-----", f"-----BEGIN EC {kind}-----"):
        start = text.find(begin)
        if start >= 0:
            end_marker = begin.replace("BEGIN", "END")
            end = text.find(end_marker, start)
            if end > 0:
                return text[start:end + len(end_marker)] + "\n"
    return ""


# --- Google (google-auth) ------------------------------------------------------------------------


class GoogleServiceAccount:
    """A service account with domain-wide delegation, acting for ``subject`` (the mailbox)."""

    def __init__(self, settings: OAuth2Settings, session: HttpSession) -> None:
        from google.oauth2 import service_account

        self.label = settings.label
        self._session = session
        try:
            info = json.loads(read_private_file(settings.key_file, "key file"))   # type: ignore[arg-type]
            self._credentials = service_account.Credentials.from_service_account_info(
                info, scopes=list(settings.scopes), subject=settings.subject)
        except (ValueError, KeyError) as exc:
            raise CredentialsError(f"{settings.key_file}: not a Google service-account JSON key "
                                   f"({exc.__class__.__name__}); download a new key (IAM & Admin > Service "
                                   "accounts > Keys)") from None

    def fetch(self, fresh: bool) -> Fetched:
        return _google_refresh(self.label, self._credentials, self._session)


class GoogleInstalledApp:
    """Delegated: the refresh token saved by `mailflow auth google`, with the OAuth client's id and secret."""

    def __init__(self, settings: OAuth2Settings, secret: str, cache: TokenCache, session: HttpSession) -> None:
        from google.oauth2 import credentials

        self.label = settings.label
        self._settings = settings
        self._cache = cache
        self._session = session
        saved = cache.read()
        refresh_token = saved.get("refresh_token") if saved.get("identity") == cache_identity(settings) else None
        self._credentials = credentials.Credentials(
            None, refresh_token=refresh_token, token_uri=settings.token_url, client_id=settings.client_id,
            client_secret=secret, scopes=list(settings.scopes))
        self._refresh_token = refresh_token

    def fetch(self, fresh: bool) -> Fetched:
        if not self._refresh_token:
            raise TokenUnavailable(self.label, "no refresh token in the token cache",
                                   "run `mailflow auth google` once to sign in, then reload mailflow",
                                   permanent=True)
        fetched = _google_refresh(self.label, self._credentials, self._session)
        rotated = self._credentials.refresh_token
        if rotated and rotated != self._refresh_token:
            self._refresh_token = rotated
            self._cache.write({"identity": cache_identity(self._settings), "refresh_token": rotated})
        return fetched


def _google_refresh(label: str, credentials: Any, session: HttpSession) -> Fetched:
    import google.auth.exceptions
    from google.auth.transport.requests import Request

    try:
        credentials.refresh(Request(session=session))
    except google.auth.exceptions.RefreshError as exc:
        data = exc.args[1] if len(exc.args) > 1 else None
        error, advice = google_error(data, str(exc.args[0]) if exc.args else str(exc))
        raise TokenUnavailable(label, error, advice, permanent=not getattr(exc, "retryable", False)) from None
    except google.auth.exceptions.TransportError as exc:
        raise _network_error(label, exc) from None
    expiry = credentials.expiry   # naive UTC
    left = (expiry.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() if expiry else 3600.0
    return Fetched(str(credentials.token), left)


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
            raise _network_error(self.label, exc) from None
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


def token_source(config: Config, environ: Mapping[str, str] | None = None) -> OAuth2Tokens:
    """The daemon's TokenSource for ``auth = "oauth2"`` (shared by IMAP and SMTP)."""
    assert config.oauth2 is not None
    return OAuth2Tokens(build_grant(config, environ), refresh_before=config.oauth2.refresh_before_seconds)


__all__ = [
    "GenericGrant", "GoogleInstalledApp", "cache_identity", "GoogleServiceAccount", "HttpSession", "MicrosoftAppOnly",
    "MicrosoftDelegated", "TOKEN_CACHE_NAME", "TokenCache", "build_grant", "certificate_credential",
    "public_client", "save_msal_cache", "token_cache_for", "token_source",
]
