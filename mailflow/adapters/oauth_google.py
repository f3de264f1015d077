"""Google Workspace through google-auth: a service account with domain-wide delegation, or an installed app."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from mailflow.adapters.credentials import CredentialsError, read_private_file
from mailflow.adapters.oauth import Fetched, TokenUnavailable
from mailflow.adapters.oauth_errors import google_error
from mailflow.adapters.oauth_http import HttpSession, TokenCache, cache_identity, network_error
from mailflow.schedule.config import OAuth2Settings

log = logging.getLogger(__name__)


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
        raise network_error(label, exc) from None
    expiry = credentials.expiry   # naive UTC
    left = (expiry.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() if expiry else 3600.0
    return Fetched(str(credentials.token), left)


