"""OAuth2 plumbing shared by the providers: the HTTP session they are given, and the token cache file."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from mailflow.adapters.credentials import CredentialsError
from mailflow.adapters.files import DIR_MODE, write_atomically
from mailflow.adapters.oauth import TokenUnavailable
from mailflow.schedule.config import OAuth2Settings

log = logging.getLogger(__name__)

TOKEN_CACHE_NAME = "oauth2-tokens"   # no .json: the store reads *.json files in the state folder as its own


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


def network_error(label: str, exc: BaseException) -> TokenUnavailable:
    return TokenUnavailable(label, f"the token endpoint could not be reached ({exc.__class__.__name__})",
                            permanent=False)
