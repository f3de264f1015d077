"""Microsoft 365 through MSAL: app-only (secret or certificate) and delegated (device code, then refresh)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from mailflow.adapters.credentials import CredentialsError, read_private_file
from mailflow.adapters.oauth import Fetched, TokenUnavailable
from mailflow.adapters.oauth_errors import is_temporary, microsoft_error
from mailflow.adapters.oauth_http import HttpSession, TokenCache, cache_identity, network_error
from mailflow.schedule.config import OAuth2Settings

log = logging.getLogger(__name__)


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
            raise network_error(self.label, exc) from None
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
                raise network_error(self.label, exc) from None
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
            raise network_error(self.label, exc) from None
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
        raise network_error(label, exc) from None
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


