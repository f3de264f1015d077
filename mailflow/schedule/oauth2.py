"""The [oauth2] table of the schedule file: where IMAP and SMTP tokens come from, checked once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mailflow.errors import ConfigError
from mailflow.schedule.config import (
    GOOGLE_AUTHORIZE_URL,
    GOOGLE_TOKEN_URL,
    MICROSOFT_AUTHORITY,
    OAUTH2_FLOWS,
    AuthMethod,
    OAuth2Flow,
    OAuth2Provider,
    OAuth2Settings,
    ServerSettings,
    is_loopback,
)
from mailflow.schedule.keys import MISSING, Table

OAUTH2_KEYS = (
    "provider", "flow", "client_id", "tenant", "authority", "token_url", "authorize_url", "subject",
    "scopes", "secret_env", "key_file", "refresh_token_env", "ca_file", "refresh_before_seconds",
    "timeout_seconds",
)
_COMMON = ("provider", "flow", "scopes", "ca_file", "refresh_before_seconds", "timeout_seconds")
# The keys each provider and flow reads, beyond _COMMON; the others are refused (a leftover from
# another set-up is a mistake worth pointing at).
_USED: dict[tuple[OAuth2Provider, OAuth2Flow], tuple[str, ...]] = {
    (OAuth2Provider.MICROSOFT, OAuth2Flow.CLIENT_CREDENTIALS):
        ("client_id", "tenant", "authority", "secret_env", "key_file"),
    (OAuth2Provider.MICROSOFT, OAuth2Flow.DEVICE_CODE): ("client_id", "tenant", "authority"),
    (OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT): ("key_file", "subject"),
    (OAuth2Provider.GOOGLE, OAuth2Flow.INSTALLED_APP):
        ("client_id", "secret_env", "token_url", "authorize_url"),
    (OAuth2Provider.GENERIC, OAuth2Flow.CLIENT_CREDENTIALS): ("token_url", "client_id", "secret_env"),
    (OAuth2Provider.GENERIC, OAuth2Flow.REFRESH_TOKEN):
        ("token_url", "client_id", "secret_env", "refresh_token_env"),
}
_REQUIRED: dict[tuple[OAuth2Provider, OAuth2Flow], tuple[str, ...]] = {
    (OAuth2Provider.MICROSOFT, OAuth2Flow.CLIENT_CREDENTIALS): ("client_id", "tenant"),
    (OAuth2Provider.MICROSOFT, OAuth2Flow.DEVICE_CODE): ("client_id", "tenant"),
    (OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT): ("key_file",),
    (OAuth2Provider.GOOGLE, OAuth2Flow.INSTALLED_APP): ("client_id",),
    (OAuth2Provider.GENERIC, OAuth2Flow.CLIENT_CREDENTIALS): ("token_url", "client_id"),
    (OAuth2Provider.GENERIC, OAuth2Flow.REFRESH_TOKEN): ("token_url", "client_id"),
}
_OUTLOOK = "https://outlook.office365.com/"
DEFAULT_SCOPES: dict[tuple[OAuth2Provider, OAuth2Flow], tuple[str, ...]] = {
    (OAuth2Provider.MICROSOFT, OAuth2Flow.CLIENT_CREDENTIALS): (_OUTLOOK + ".default",),
    (OAuth2Provider.MICROSOFT, OAuth2Flow.DEVICE_CODE):
        (_OUTLOOK + "IMAP.AccessAsUser.All", _OUTLOOK + "SMTP.Send"),
    (OAuth2Provider.GOOGLE, OAuth2Flow.SERVICE_ACCOUNT): ("https://mail.google.com/",),
    (OAuth2Provider.GOOGLE, OAuth2Flow.INSTALLED_APP): ("https://mail.google.com/",),
    (OAuth2Provider.GENERIC, OAuth2Flow.CLIENT_CREDENTIALS): (),
    (OAuth2Provider.GENERIC, OAuth2Flow.REFRESH_TOKEN): (),
}
MSAL_RESERVED_SCOPES = ("openid", "profile", "offline_access")   # MSAL adds these itself
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
_SHARED_TENANTS = ("common", "organizations", "consumers")


def load_oauth2(root: Table, imap: ServerSettings, smtp: ServerSettings) -> OAuth2Settings | None:
    """The [oauth2] table, required exactly when [imap] or [smtp] has auth = "oauth2"."""
    users = [(kind, s) for kind, s in (("imap", imap), ("smtp", smtp)) if s.auth is AuthMethod.OAUTH2]
    if not root.has("oauth2"):
        if users:
            kind = users[0][0]
            raise ConfigError(root.file, f"{kind}.auth", "oauth2",
                              "a table [oauth2] saying where the tokens come from (auth = \"oauth2\" needs it)",
                              root.lines.find(f"{kind}.auth"))
        return None
    t = root.table("oauth2").expect(*OAUTH2_KEYS)
    if not users:
        raise t.error("provider", t.data.get("provider", MISSING),
                      "a server that uses it: set auth = \"oauth2\" in [imap] or [smtp], or remove [oauth2]")
    provider = t.choice("provider", OAuth2Provider)
    flow = _flow(t, provider)
    _refuse_unused(t, provider, flow)
    for name in _REQUIRED[provider, flow]:
        if not t.has(name):
            raise t.error(name, MISSING, f"{_describe(name)} (required with provider = {provider.value!r}, "
                                         f"flow = {flow.value!r})")
    key_file = t.path_value("key_file", None)
    if key_file is not None and not key_file.is_file():
        raise t.error("key_file", str(key_file), f"an existing {_describe('key_file')}")
    ca_file = t.path_value("ca_file", None)
    if ca_file is not None and not ca_file.is_file():
        raise t.error("ca_file", str(ca_file), "an existing CA bundle file (PEM)")
    settings = OAuth2Settings(
        provider=provider,
        flow=flow,
        scopes=_scopes(t, provider, flow),
        client_id=_client_id(t, provider),
        tenant=_tenant(t, flow),
        authority=_url(t, "authority", MICROSOFT_AUTHORITY, bare=True),
        token_url=_url(t, "token_url", GOOGLE_TOKEN_URL if provider is OAuth2Provider.GOOGLE else ""),
        authorize_url=_url(t, "authorize_url", GOOGLE_AUTHORIZE_URL if flow is OAuth2Flow.INSTALLED_APP else ""),
        subject=_subject(t, flow, users),
        secret_env=t.env_name("secret_env", OAuth2Settings.secret_env),
        key_file=key_file,
        refresh_token_env=t.env_name("refresh_token_env", OAuth2Settings.refresh_token_env),
        ca_file=ca_file,
        refresh_before_seconds=t.integer("refresh_before_seconds", OAuth2Settings.refresh_before_seconds,
                                         minimum=0, maximum=3000),
        timeout_seconds=t.number("timeout_seconds", OAuth2Settings.timeout_seconds),
    )
    return settings


def check_server_auth(t: Table, auth: AuthMethod) -> None:
    """A server with auth = "oauth2" has no secret of its own: its secret_env would never be read."""
    if auth is AuthMethod.OAUTH2 and t.has("secret_env"):
        raise t.error("secret_env", t.data["secret_env"],
                      "no secret_env with auth = \"oauth2\" (the client secret is named by [oauth2] secret_env)")


def _flow(t: Table, provider: OAuth2Provider) -> OAuth2Flow:
    allowed = OAUTH2_FLOWS[provider]
    flow: OAuth2Flow = t.choice("flow", OAuth2Flow, allowed[0])
    if flow not in allowed:
        raise t.error("flow", flow.value, f"{' or '.join(repr(f.value) for f in allowed)} "
                                          f"with provider = {provider.value!r}")
    return flow


def _refuse_unused(t: Table, provider: OAuth2Provider, flow: OAuth2Flow) -> None:
    used = _COMMON + _USED[provider, flow]
    for name in t.data:
        if name not in used:
            raise t.error(name, t.data[name], f"no {name} with provider = {provider.value!r}, "
                                              f"flow = {flow.value!r} (it is not used there; remove it)")


def _describe(name: str) -> str:
    return {
        "client_id": "the application (client) id of the app registration",
        "tenant": "the directory (tenant) id, or a verified domain like 'division.example.org'",
        "key_file": "private key file (Microsoft: PEM with the key and its certificate; "
                    "Google: the service account's JSON key)",
        "token_url": "the token endpoint, an https:// URL",
    }.get(name, "a value")


def _scopes(t: Table, provider: OAuth2Provider, flow: OAuth2Flow) -> tuple[str, ...]:
    scopes: tuple[str, ...] = t.texts("scopes", DEFAULT_SCOPES[provider, flow])
    if provider is OAuth2Provider.MICROSOFT:
        reserved = [s for s in scopes if s.lower() in MSAL_RESERVED_SCOPES]
        if reserved:
            raise t.error("scopes", list(scopes), f"scopes without {', '.join(reserved)} (MSAL asks for them itself)")
    if provider is not OAuth2Provider.GENERIC and not scopes:
        raise t.error("scopes", [], f"at least one scope (default: {list(DEFAULT_SCOPES[provider, flow])})")
    return scopes


def _client_id(t: Table, provider: OAuth2Provider) -> str:
    client_id: str = t.text("client_id", "")
    if provider is OAuth2Provider.MICROSOFT and client_id and not _GUID.fullmatch(client_id):
        raise t.error("client_id", client_id, "the Application (client) ID from Entra ID, a GUID like "
                                              "'00001111-aaaa-2222-bbbb-3333cccc4444'")
    return client_id


def _tenant(t: Table, flow: OAuth2Flow) -> str:
    tenant: str = t.text("tenant", "")
    if tenant and not _TENANT.fullmatch(tenant):
        raise t.error("tenant", tenant, _describe("tenant"))
    if flow is OAuth2Flow.CLIENT_CREDENTIALS and tenant.lower() in _SHARED_TENANTS:
        raise t.error("tenant", tenant, "your own tenant for app-only sign-in: its directory (tenant) id or "
                                        f"domain, not {tenant!r}")
    return tenant


def _url(t: Table, name: str, default: str, *, bare: bool = False) -> str:
    """An https:// URL (http:// only on a loopback host); ``bare``: scheme and host only."""
    value: str = t.text(name, default)
    if not value:
        return value
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname or ""))
    if not secure or not parts.hostname or (bare and parts.path.strip("/")):
        form = "https://host (no path)" if bare else "an https:// URL (http:// only for a loopback test server)"
        raise t.error(name, value, form)
    return value.rstrip("/") if bare else value


def _subject(t: Table, flow: OAuth2Flow, users: list[tuple[str, ServerSettings]]) -> str:
    """Google service account: the mailbox it acts for; every server signing in must be that mailbox."""
    if flow is not OAuth2Flow.SERVICE_ACCOUNT:
        return ""
    subject: str = t.email("subject", users[0][1].user)
    for kind, server in users:
        if server.user.casefold() != subject.casefold():
            raise ConfigError(t.file, f"{kind}.user", server.user,
                              f"the mailbox the service account acts for, oauth2.subject ({subject!r})",
                              t.lines.find(f"{kind}.user"))
    return subject
