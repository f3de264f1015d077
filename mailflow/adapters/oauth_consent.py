"""The one-time sign-ins behind `mailflow auth`: a person consents once, the refresh token is kept.

Microsoft: MSAL's device code flow (a URL and a code to enter in any browser). Google: the
installed-app flow with PKCE; the browser comes back to http://127.0.0.1:PORT/ on this machine,
or the person pastes the address it came back to (a browser on another machine).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import select
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, TextIO

import requests

from mailflow.adapters.credentials import read_secret
from mailflow.adapters.oauth import TokenUnavailable
from mailflow.adapters.oauth_errors import generic_error, microsoft_error
from mailflow.adapters.oauth_grants import token_cache_for
from mailflow.adapters.oauth_http import HttpSession, cache_identity
from mailflow.adapters.oauth_microsoft import public_client, save_msal_cache
from mailflow.schedule.config import Config, OAuth2Flow, OAuth2Provider

CONSENT_WAIT_SECONDS = 600.0


def microsoft_sign_in(config: Config, out: TextIO) -> str:
    """Device code flow: print Microsoft's instructions, wait for the person, keep the refresh token.
    Returns the account that signed in. Raises TokenUnavailable."""
    import msal

    settings = config.oauth2
    assert settings is not None and settings.provider is OAuth2Provider.MICROSOFT
    session = HttpSession(settings.ca_file, settings.timeout_seconds)
    cache = msal.SerializableTokenCache()
    app = public_client(settings, session, cache, settings.label)
    try:
        flow = app.initiate_device_flow(scopes=list(settings.scopes))
    except requests.RequestException as exc:
        raise TokenUnavailable(settings.label, f"cannot reach {settings.authority} ({exc.__class__.__name__})",
                               permanent=False) from None
    if "user_code" not in flow:
        error, advice = microsoft_error(flow)
        raise TokenUnavailable(settings.label, error, advice, permanent=True)
    print(flow.get("message") or f"Open {flow['verification_uri']} and enter the code {flow['user_code']}",
          file=out, flush=True)
    print(f"Sign in as {config.imap.user if config.imap.user else 'the service mailbox'}; waiting...",
          file=out, flush=True)
    try:
        result = app.acquire_token_by_device_flow(flow)
    except requests.RequestException as exc:
        raise TokenUnavailable(settings.label, f"lost the connection to {settings.authority} "
                                               f"({exc.__class__.__name__})", permanent=False) from None
    if "access_token" not in result:
        error, advice = microsoft_error(result)
        raise TokenUnavailable(settings.label, error, advice or "run `mailflow auth microsoft` again",
                               permanent=True)
    save_msal_cache(token_cache_for(config), settings, cache)
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("upn") or "")


def google_sign_in(config: Config, out: TextIO, pasted: TextIO | None, *, port: int = 0,
                   environ: Mapping[str, str] | None = None,
                   announce: Callable[[str], None] | None = None) -> None:
    """Installed-app flow with PKCE: print the consent URL, catch the browser's return on
    127.0.0.1 (or read the pasted address from ``pasted``), exchange the code, keep the refresh token.
    ``announce`` gets the URL too (tests play the browser). Raises TokenUnavailable."""
    settings = config.oauth2
    assert settings is not None and settings.flow is OAuth2Flow.INSTALLED_APP
    secret = read_secret(settings.secret_env, "the OAuth client secret ([oauth2] secret_env)", config.credentials_file,
                         environ)
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    catcher = _RedirectCatcher(port)
    try:
        redirect_uri = f"http://127.0.0.1:{catcher.port}/"
        url = settings.authorize_url + "?" + urllib.parse.urlencode({
            "client_id": settings.client_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": " ".join(settings.scopes), "access_type": "offline", "prompt": "consent",
            "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
            "login_hint": config.imap.user})
        print(f"Open this address in a browser, sign in as {config.imap.user} and allow access to Gmail:\n\n"
              f"  {url}\n\nIf the browser runs on another machine, it ends on an address starting with "
              f"{redirect_uri} that does not load: copy that address and paste it here.", file=out, flush=True)
        if announce is not None:
            announce(url)
        returned = catcher.wait(pasted, CONSENT_WAIT_SECONDS)
    finally:
        catcher.close()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(returned.strip()).query))
    if query.get("state") != state or "code" not in query:
        reason = query.get("error") or "the address does not carry this sign-in's code"
        raise TokenUnavailable(settings.label, reason, "run `mailflow auth google` again and allow access",
                               permanent=True)
    session = HttpSession(settings.ca_file, settings.timeout_seconds)
    try:
        response = session.post(settings.token_url, data={
            "grant_type": "authorization_code", "code": query["code"], "redirect_uri": redirect_uri,
            "client_id": settings.client_id, "client_secret": secret, "code_verifier": verifier})
    except requests.RequestException as exc:
        raise TokenUnavailable(settings.label, f"cannot reach {settings.token_url} ({exc.__class__.__name__})",
                               permanent=False) from None
    data = _json(response)
    refresh_token = data.get("refresh_token")
    if response.status_code != 200 or not isinstance(refresh_token, str):
        error, advice = generic_error(data, response.status_code)
        raise TokenUnavailable(settings.label, error, advice or "run `mailflow auth google` again", permanent=True)
    token_cache_for(config).write({"identity": cache_identity(settings), "refresh_token": refresh_token})


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class _RedirectCatcher:
    """A one-shot HTTP listener on 127.0.0.1 for the browser's return, racing a pasted address."""

    def __init__(self, port: int) -> None:
        self.returned: str | None = None
        self._done = threading.Event()
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if "code=" in self.path or "error=" in self.path:
                    catcher.returned = self.path
                    catcher._done.set()
                body = b"mailflow: signed in. You can close this window.\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    def wait(self, pasted: TextIO | None, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._done.wait(0.1):
                return self.returned or ""
            if pasted is not None and _readable(pasted):
                line = pasted.readline()
                if line.strip():
                    return line
                if not line:        # end of input: only the browser can answer now
                    pasted = None
        raise TokenUnavailable("Google Workspace", f"nobody signed in within {seconds:.0f} s",
                               "run `mailflow auth google` again", permanent=True)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _readable(stream: TextIO) -> bool:
    try:
        ready, _, _ = select.select([stream], [], [], 0)
    except (OSError, ValueError, TypeError):
        return False
    return bool(ready)
