"""A loopback OAuth2 provider for the tests: token endpoint, introspection, revocation, OIDC discovery,
device code and authorization code, speaking like Microsoft Entra ID, Google or a plain RFC 6749 server.

One HTTPS listener (for MSAL and google-auth, which insist on https or get their token URI from a
key file) and one plain-HTTP listener (for Dovecot's and aiosmtpd's introspection) share the state.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from harness_dovecot import Dovecot, run_dovecot

__all__ = ["Client", "TokenServer", "dovecot_oauth", "make_rsa_key", "oauth_server"]

TENANT = "test-tenant"
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"   # google-auth's fixed JWT aud


def make_rsa_key() -> tuple[str, str]:
    """(private key PEM, public key PEM), a throwaway 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@dataclass
class Client:
    """A registered application. ``user``: the mailbox its own tokens are for; ``subjects``: the
    mailboxes a Google service account may act for; ``dialect``: how its errors read."""

    client_id: str
    secret: str | None = None
    user: str = ""
    public_key: str | None = None
    subjects: tuple[str, ...] = ()
    dialect: str = "plain"          # "microsoft", "google" or "plain"
    enabled: bool = True


@dataclass
class Issued:
    client_id: str
    user: str
    scope: str
    iat: float
    exp: float
    revoked: bool = False
    used: bool = False              # refresh tokens: single use (rotated)


@dataclass
class _Pending:
    """A device code or an authorization code waiting to be redeemed."""

    client_id: str
    user: str
    scope: str
    approved: bool = False
    redirect_uri: str = ""
    challenge: str = ""
    user_code: str = ""


class _Refusal(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error"))
        self.status, self.body = status, body


class TokenServer:
    """Test-side API: register clients, issue and revoke tokens, approve device codes, count calls."""

    def __init__(self, cert: str, key: str) -> None:
        self.clients: dict[str, Client] = {}
        self.access: dict[str, Issued] = {}
        self.refresh: dict[str, Issued] = {}
        self.devices: dict[str, _Pending] = {}      # device_code -> pending
        self.codes: dict[str, _Pending] = {}        # authorization code -> pending
        self.access_ttl = 3600.0
        self.advertised_ttl: float | None = None    # expires_in to announce, if not the real one
        self.calls: list[tuple[str, str]] = []      # (path, grant_type or "")
        self.introspected: list[tuple[str, bool]] = []   # (token, was active): every server-side check
        self.lock = threading.Lock()
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        self._servers = [_Server(self, tls), _Server(self, None)]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.https = f"https://127.0.0.1:{self._servers[0].server_address[1]}"
        self.http = f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    # --- test side ---

    def register(self, client: Client) -> Client:
        with self.lock:
            self.clients[client.client_id] = client
        return client

    def set_secret(self, client_id: str, secret: str) -> None:
        with self.lock:
            self.clients[client_id] = replace(self.clients[client_id], secret=secret, enabled=True)

    def disable(self, client_id: str) -> None:
        """Revoked consent / disabled app: no more tokens, and the ones issued stop working."""
        with self.lock:
            self.clients[client_id] = replace(self.clients[client_id], enabled=False)

    def issue_refresh_token(self, client_id: str, user: str, scope: str = "") -> str:
        """A refresh token as a consent flow done out of band would leave."""
        with self.lock:
            return self._new(self.refresh, client_id, user, scope, 90 * 86400)

    def revoke_token(self, token: str) -> None:
        with self.lock:
            for table in (self.access, self.refresh):
                if token in table:
                    table[token].revoked = True

    def revoke_all_access(self, user: str | None = None) -> int:
        with self.lock:
            found = [t for t in self.access.values() if not t.revoked and (user is None or t.user == user)]
            for issued in found:
                issued.revoked = True
            return len(found)

    def approve_device(self, user_code: str) -> None:
        """The person at the browser signs in and consents."""
        with self.lock:
            for pending in self.devices.values():
                if pending.user_code == user_code:
                    pending.approved = True
                    return
        raise KeyError(user_code)

    def count(self, grant: str = "", path: str = "token") -> int:
        with self.lock:
            return sum(1 for p, g in self.calls if p.endswith(path) and (not grant or g == grant))

    def active(self, token: str) -> Issued | None:
        with self.lock:
            return self._active(token)

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
            server.drop_connections()

    # --- protocol (handler threads, under the lock) ---

    def _new(self, table: dict[str, Issued], client_id: str, user: str, scope: str, ttl: float) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        table[token] = Issued(client_id, user, scope, now, now + ttl)
        return token

    def _active(self, token: str) -> Issued | None:
        issued = self.access.get(token)
        client = self.clients.get(issued.client_id) if issued else None
        if issued is None or issued.revoked or time.time() >= issued.exp or client is None or not client.enabled:
            return None
        return issued

    def _grant(self, client: Client, user: str, scope: str, *, refresh: bool) -> dict[str, Any]:
        token = self._new(self.access, client.client_id, user, scope, self.access_ttl)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer", "scope": scope,
                                "expires_in": int(self.advertised_ttl or self.access_ttl) or 1}
        if refresh:
            body["refresh_token"] = self._new(self.refresh, client.client_id, user, scope, 90 * 86400)
        return body

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt_bearer(form.get("assertion", ""))
        client = self._client(form, basic, public_ok=grant in ("refresh_token", "urn:ietf:params:oauth:grant-type:device_code",
                                                               "authorization_code"))
        scope = form.get("scope", "")
        if grant == "client_credentials":
            return self._grant(client, client.user, scope, refresh=False)
        if grant == "refresh_token":
            issued = self.refresh.get(form.get("refresh_token", ""))
            if issued is None or issued.revoked or issued.used or issued.client_id != client.client_id:
                raise _refusal(client.dialect, "refresh_revoked")
            issued.used = True
            return self._grant(client, issued.user, scope or issued.scope, refresh=True)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            pending = self.devices.get(form.get("device_code", ""))
            if pending is None:
                raise _Refusal(400, {"error": "expired_token", "error_description": "AADSTS70019: code expired"})
            if not pending.approved:
                raise _Refusal(400, {"error": "authorization_pending",
                                     "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."})
            del self.devices[form["device_code"]]
            return self._grant(client, pending.user, pending.scope, refresh=True) | {
                "id_token": _id_token(client, pending.user, self.https)}
        if grant == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            if (pending is None or pending.client_id != client.client_id or pending.redirect_uri != form.get("redirect_uri")
                    or _s256(verifier) != pending.challenge):
                raise _Refusal(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            return self._grant(client, pending.user, pending.scope, refresh=True)
        raise _Refusal(400, {"error": "unsupported_grant_type"})

    def _client(self, form: dict[str, str], basic: tuple[str, str] | None, *, public_ok: bool) -> Client:
        client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret"))
        client = self.clients.get(client_id)
        if client is None:
            raise _refusal("microsoft" if "client_info" in form else "plain", "unknown_client", client_id)
        if not client.enabled:
            raise _refusal(client.dialect, "disabled", client_id)
        assertion = form.get("client_assertion")
        if assertion is not None:
            try:
                jwt.decode(assertion, client.public_key or "", algorithms=["RS256", "PS256"],
                           options={"verify_aud": False})
            except (jwt.PyJWTError, ValueError):
                raise _refusal(client.dialect, "bad_assertion", client_id) from None
            return client
        if client.secret is None and public_ok:
            return client
        if secret is None or client.secret is None or not secrets.compare_digest(secret, client.secret):
            raise _refusal(client.dialect, "bad_secret", client_id)
        return client

    def _jwt_bearer(self, assertion: str) -> dict[str, Any]:
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise _refusal("google", "bad_assertion") from None
        client = self.clients.get(str(unverified.get("iss")))
        if client is None or client.public_key is None:
            raise _refusal("google", "bad_assertion")
        if not client.enabled:
            raise _refusal("google", "disabled")
        try:
            claims = jwt.decode(assertion, client.public_key, algorithms=["RS256"],
                                audience=[GOOGLE_AUDIENCE, f"{self.https}/token"])
        except jwt.PyJWTError:
            raise _refusal("google", "bad_assertion") from None
        subject = claims.get("sub") or client.user
        if subject not in client.subjects:
            raise _refusal("google", "not_delegated")
        return self._grant(client, subject, str(claims.get("scope", "")), refresh=False)

    def device_code(self, form: dict[str, str]) -> dict[str, Any]:
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            raise _refusal("microsoft", "unknown_client", form.get("client_id", ""))
        device, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        self.devices[device] = _Pending(client.client_id, client.user, form.get("scope", ""), user_code=user_code)
        uri = f"{self.https}/devicelogin"
        return {"device_code": device, "user_code": user_code, "verification_uri": uri, "expires_in": 900,
                "interval": 1, "message": f"To sign in, use a web browser to open the page {uri} and enter "
                                          f"the code {user_code} to authenticate."}

    def authorize(self, query: dict[str, str]) -> str:
        """Consent as the client's user; returns the redirect location with the code."""
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            raise _Refusal(400, {"error": "invalid_client"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = _Pending(client.client_id, client.user, query.get("scope", ""),
                                    redirect_uri=query.get("redirect_uri", ""),
                                    challenge=query.get("code_challenge", ""))
        separator = "&" if "?" in query.get("redirect_uri", "") else "?"
        return (query.get("redirect_uri", "") + separator
                + urllib.parse.urlencode({"code": code, "state": query.get("state", "")}))

    def introspect(self, token: str) -> dict[str, Any]:
        issued = self._active(token)
        self.introspected.append((token, issued is not None))
        if issued is None:
            return {"active": False}
        return {"active": True, "email": issued.user, "username": issued.user, "sub": issued.user,
                "client_id": issued.client_id, "scope": issued.scope, "token_type": "Bearer",
                "iat": int(issued.iat), "exp": int(issued.exp)}

    def discovery(self, base: str, tenant: str) -> dict[str, Any]:
        if tenant != TENANT:
            raise _Refusal(400, {"error": "invalid_tenant", "error_description":
                                 f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the "
                                 "correct tenant ID and are signing into the correct cloud."})
        root = f"{base}/{tenant}"
        return {"issuer": f"{root}/v2.0", "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode"}


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _id_token(client: Client, user: str, issuer: str) -> str:
    now = int(time.time())
    claims = {"iss": f"{issuer}/{TENANT}/v2.0", "aud": client.client_id, "sub": user, "oid": user,
              "tid": TENANT, "preferred_username": user, "iat": now, "exp": now + 3600}
    return jwt.encode(claims, "not-a-real-signing-key-for-tests-only", algorithm="HS256")


_MESSAGES = {   # (dialect, what) -> (status, body)
    ("microsoft", "bad_secret"): (401, "invalid_client", 7000215,
                                  "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
                                  "the request is the client secret value, not the client secret ID, for a secret "
                                  "added to app '{id}'."),
    ("microsoft", "unknown_client"): (400, "unauthorized_client", 700016,
                                      "AADSTS700016: Application with identifier '{id}' was not found in the "
                                      "directory 'Test Tenant'."),
    ("microsoft", "disabled"): (400, "unauthorized_client", 7000112,
                                "AADSTS7000112: Application '{id}'(mailflow) is disabled."),
    ("microsoft", "bad_assertion"): (401, "invalid_client", 700027,
                                     "AADSTS700027: Client assertion failed signature validation."),
    ("microsoft", "refresh_revoked"): (400, "invalid_grant", 50173,
                                       "AADSTS50173: The provided grant has expired due to it being revoked, "
                                       "a fresh auth token is needed."),
    ("google", "bad_assertion"): (400, "invalid_grant", 0, "Invalid JWT Signature."),
    ("google", "disabled"): (400, "invalid_grant", 0, "Invalid grant: account not found"),
    ("google", "not_delegated"): (401, "unauthorized_client", 0,
                                  "Client is unauthorized to retrieve access tokens using this method, or client "
                                  "not authorized for any of the scopes requested."),
    ("google", "refresh_revoked"): (400, "invalid_grant", 0, "Token has been expired or revoked."),
    ("google", "bad_secret"): (401, "invalid_client", 0, "Unauthorized"),
}


def _refusal(dialect: str, what: str, client_id: str = "") -> _Refusal:
    found = _MESSAGES.get((dialect, what))
    if found is None:
        error = {"bad_secret": "invalid_client", "unknown_client": "invalid_client", "disabled": "invalid_client",
                 "bad_assertion": "invalid_client", "refresh_revoked": "invalid_grant"}.get(what, "invalid_request")
        status = 401 if error == "invalid_client" else 400
        return _Refusal(status, {"error": error, "error_description": f"{what.replace('_', ' ')}"})
    status, error, code, text = found
    body: dict[str, Any] = {"error": error, "error_description": text.format(id=client_id)}
    if code:
        body["error_description"] += "\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333"
        body["error_codes"] = [code]
    return _Refusal(status, body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive: every reply has a Content-Length
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:   # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        provider = self.server.provider
        try:
            with provider.lock:
                provider.calls.append((parts.path, ""))
                if parts.path.endswith("/.well-known/openid-configuration"):
                    tenant = parts.path.strip("/").split("/")[0]
                    self._reply(200, provider.discovery(self._base(), tenant))
                elif parts.path.endswith(("/authorize", "/auth")):   # Entra ID, Google
                    self._redirect(provider.authorize(query))
                elif parts.path.endswith("/introspect"):
                    self._reply(200, provider.introspect(query.get("token", "")))
                else:
                    self._reply(404, {"error": "not_found"})
        except _Refusal as refusal:
            self._reply(refusal.status, refusal.body)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        path = urllib.parse.urlsplit(self.path).path
        provider = self.server.provider
        try:
            with provider.lock:
                provider.calls.append((path, form.get("grant_type", "")))
                if path.endswith("/token"):
                    self._reply(200, provider.token(form, self._basic()))
                elif path.endswith("/devicecode"):
                    self._reply(200, provider.device_code(form))
                elif path.endswith("/introspect"):
                    self._reply(200, provider.introspect(form.get("token", "")))
                elif path.endswith("/revoke"):
                    for table in (provider.access, provider.refresh):
                        if form.get("token") in table:
                            table[form["token"]].revoked = True
                    self._reply(200, {})
                else:
                    self._reply(404, {"error": "not_found"})
        except _Refusal as refusal:
            self._reply(refusal.status, refusal.body)

    def _basic(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return urllib.parse.unquote(user), urllib.parse.unquote(password)

    def _base(self) -> str:
        scheme = "https" if self.server.tls else "http"
        return f"{scheme}://{self.headers.get('Host')}"

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if status == 401:
            self.send_header("WWW-Authenticate", "Basic")
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: TokenServer, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider
        self.tls = tls
        self.conns: set[socket.socket] = set()

    def finish_request(self, request: Any, client_address: Any) -> None:
        raw: socket.socket = request
        raw.settimeout(10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # headers and body are separate writes
        self.conns.add(raw)
        sock = raw
        try:
            if self.tls:
                sock = self.tls.wrap_socket(raw, server_side=True)   # handshake off the accept loop
            super().finish_request(sock, client_address)
        except OSError:
            pass
        finally:
            self.conns.discard(raw)
            if sock is not raw:
                sock.close()

    def drop_connections(self) -> None:
        for sock in list(self.conns):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture(scope="session")
def oauth_server(smtp_tls_files: Any) -> Iterator[TokenServer]:
    """The token server for the whole session; tests register their own clients (unique ids)."""
    server = TokenServer(str(smtp_tls_files.cert), str(smtp_tls_files.key))
    yield server
    server.close()



@pytest.fixture(scope="session")
def dovecot_oauth(request: pytest.FixtureRequest, oauth_server: TokenServer) -> Iterator[Dovecot]:
    """A second Dovecot whose XOAUTH2/OAUTHBEARER logins are checked by ``oauth_server``'s introspection."""
    yield from run_dovecot(request, Dovecot(introspection_url=f"{oauth_server.http}/introspect"), "dovecot_oauth")
