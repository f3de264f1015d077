"""OAuth2 test helpers: registered clients, settings for each provider, a community whose servers take tokens."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from cyclestage import SECRET, write_community
from harness_dovecot import Dovecot
from harness_oauth import TENANT, Client, TokenServer, make_rsa_key
from harness_smtp import OAuth2RelayHandler, SmtpServer, TlsFiles

from mailflow.schedule.config import (
    MICROSOFT_AUTHORITY,
    OAuth2Flow,
    OAuth2Provider,
    OAuth2Settings,
    Tls,
)

OUTLOOK = ("https://outlook.office365.com/.default",)
GMAIL = ("https://mail.google.com/",)


def microsoft_client(server: TokenServer, user: str, secret: str | None = "shh-client-secret-1") -> Client:
    """An Entra ID app registration (a GUID client id) whose app-only tokens open ``user``'s mailbox."""
    return server.register(Client(str(uuid.uuid4()), secret, user, dialect="microsoft"))


def generic_client(server: TokenServer, user: str, secret: str = "generic-secret-1") -> Client:
    return server.register(Client(f"app-{uuid.uuid4().hex[:8]}", secret, user))


def microsoft_settings(server: TokenServer, client: Client, tls: TlsFiles, **changes: object) -> OAuth2Settings:
    values: dict[str, object] = dict(provider=OAuth2Provider.MICROSOFT, flow=OAuth2Flow.CLIENT_CREDENTIALS,
                                     scopes=OUTLOOK, client_id=client.client_id, tenant=TENANT,
                                     authority=server.https, ca_file=tls.cert)
    values.update(changes)
    return OAuth2Settings(**values)   # type: ignore[arg-type]


def generic_settings(server: TokenServer, client: Client, **changes: object) -> OAuth2Settings:
    values: dict[str, object] = dict(provider=OAuth2Provider.GENERIC, flow=OAuth2Flow.CLIENT_CREDENTIALS, scopes=(),
                                     client_id=client.client_id, token_url=f"{server.http}/token")
    values.update(changes)
    return OAuth2Settings(**values)   # type: ignore[arg-type]


@dataclass(frozen=True)
class ServiceAccount:
    client: Client
    key_file: Path


def google_service_account(server: TokenServer, folder: Path, subjects: tuple[str, ...]) -> ServiceAccount:
    """A service account with domain-wide delegation for ``subjects``, and its JSON key (token_uri: ours)."""
    private, public = make_rsa_key()
    email = f"mailbot-{uuid.uuid4().hex[:6]}@test-project.iam.gserviceaccount.com"
    client = server.register(Client(email, None, "", public_key=public, subjects=subjects, dialect="google"))
    key_file = folder / f"{email.split('@')[0]}.json"
    key_file.write_text(json.dumps({
        "type": "service_account", "project_id": "test-project", "private_key_id": "k1", "private_key": private,
        "client_email": email, "client_id": "1", "token_uri": f"{server.https}/token"}))
    os.chmod(key_file, 0o600)
    return ServiceAccount(client, key_file)


def certificate_pem(folder: Path, name: str = "mailflow") -> tuple[Path, str]:
    """(PEM file with a private key and its self-signed certificate, the public key PEM)."""
    private, public = make_rsa_key()
    key = serialization.load_pem_private_key(private.encode(), password=None)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))   # type: ignore[arg-type]
    path = folder / f"{name}.pem"
    path.write_text(private + cert.public_bytes(serialization.Encoding.PEM).decode())
    os.chmod(path, 0o600)
    return path, public


def oauth_smtp(dovecot: Dovecot, server: TokenServer, tls: TlsFiles) -> SmtpServer:
    """aiosmtpd with STARTTLS and AUTH XOAUTH2 only, tokens checked by introspection, relaying into Dovecot."""
    return SmtpServer(Tls.STARTTLS, tls, OAuth2RelayHandler(dovecot.lmtp_socket, f"{server.http}/introspect")).start()


@dataclass(frozen=True)
class OAuthCommunity:
    toml: Path
    credentials: Path
    service: str
    staff: tuple[str, ...]


def write_oauth_community(folder: Path, dovecot: Dovecot, smtp: SmtpServer, tls: TlsFiles, oauth2: str,
                          secrets: dict[str, str], *, imap_auth: str = "oauth2", smtp_auth: str = "oauth2",
                          service: str | None = None) -> OAuthCommunity:
    """A community on ``dovecot`` and ``smtp`` with ``[oauth2]`` as given and secrets in a 0600 credentials file."""
    community = write_community(folder, dovecot)
    text = community.toml.read_text()
    if service:   # the mailbox the tokens are for: the community's address and both servers' user
        text = text.replace(community.service, service)
    service = service or community.service
    imap_secret = 'secret_env = "TEST_IMAP_PASSWORD"' if imap_auth == "password" else ""
    text = text.replace('secret_env = "TEST_IMAP_PASSWORD"', f'auth = "{imap_auth}"\n{imap_secret}'.strip())
    start, end = text.index("[smtp]"), text.index("[state]")
    smtp_secret = 'secret_env = "TEST_SMTP_PASSWORD"\n' if smtp_auth != "oauth2" else ""
    text = text[:start] + (
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "starttls"\nca_file = "{tls.cert}"\n'
        f'user = "{service}"\nauth = "{smtp_auth}"\n{smtp_secret}timeout_seconds = 5\n'
        "message_deadline_seconds = 20\n\n") + text[end:]
    credentials = folder / "credentials"
    credentials.write_text("".join(f"{k}={v}\n" for k, v in {"MAILFLOW_SECRET": SECRET, **secrets}.items()))
    os.chmod(credentials, 0o600)
    text = text.replace('roster = "members.csv"', f'roster = "members.csv"\ncredentials_file = "{credentials}"')
    # every alert at once (no hourly batching), so the tests can watch SMTP carry each one
    alerts = '\n[alerts]\ndigest_every = "0m"\nmax_per_hour = 1000\n'
    community.toml.write_text(text + "\n[oauth2]\n" + oauth2.strip() + "\n" + alerts)
    return OAuthCommunity(community.toml, credentials, service, community.staff)


__all__ = [
    "GMAIL", "MICROSOFT_AUTHORITY", "OAuthCommunity", "OUTLOOK", "ServiceAccount", "certificate_pem",
    "generic_client", "generic_settings", "google_service_account", "microsoft_client", "microsoft_settings",
    "oauth_smtp", "write_oauth_community",
]
