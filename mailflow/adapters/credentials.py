"""The secret for a mail server: a password or an OAuth2 token, from the environment or a credentials file."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.schedule.config import AuthMethod, ServerSettings

log = logging.getLogger(__name__)

_WHAT = {AuthMethod.PASSWORD: "password", AuthMethod.XOAUTH2: "OAuth2 access token",
         AuthMethod.OAUTH2: "OAuth2 client secret"}


class CredentialsError(MailflowError):
    """The secret cannot be found or the credentials file cannot be read; never carries the secret."""


class UnsafeSecretsFile(CredentialsError):
    """A file of secrets that cannot be read, or that other users could read or change."""


@dataclass(frozen=True)
class Credential:
    """Who logs in and how; the secret is kept out of ``repr`` so it never lands in a log or traceback."""

    user: str
    method: AuthMethod
    secret: str = field(repr=False)


def resolve_credential(
    settings: ServerSettings,
    credentials_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credential:
    """The login for ``settings``: user, method and the secret named by ``settings.secret_env``."""
    return Credential(settings.user, settings.auth,
                      resolve_secret(settings, credentials_file, environ))


def resolve_secret(
    settings: ServerSettings,
    credentials_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The value of ``settings.secret_env``: from ``credentials_file`` if given, else the environment.

    A server with ``auth = "oauth2"`` has no secret of its own (its tokens come from [oauth2]): "".
    """
    if settings.auth is AuthMethod.OAUTH2:
        return ""
    return read_secret(settings.secret_env, f"the {_WHAT[settings.auth]} for {settings.user}",
                       credentials_file, environ)


def read_secret(
    name: str,
    what: str,
    credentials_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The secret called ``name`` (``what`` it is, for the error): from the credentials file if
    one is configured, else the environment. The one place secrets are read; never logged."""
    if credentials_file is not None:
        value = read_credentials_file(credentials_file).get(name)
        if not value:
            raise CredentialsError(f"{credentials_file}: no {name}=... line: add {what} there")
        return value
    value = (os.environ if environ is None else environ).get(name)
    if not value:
        raise CredentialsError(
            f"environment variable {name} is not set: set it to {what} (or give a credentials file)")
    return value


def read_credentials_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and ``#`` comments skipped, ``export`` and matching quotes allowed."""
    text = read_private_file(path, "credentials file")
    return dict(_parse_line(path, number, line) for number, line in _meaningful(text))


def read_private_file(path: Path, what: str) -> str:
    """The text of a file holding secrets (credentials, a private key); the one place its mode is checked."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        raise UnsafeSecretsFile(f"{path}: cannot read the {what}: {exc.__class__.__name__}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UnsafeSecretsFile(f"{path}: the {what} is open to other users (mode {stat.S_IMODE(mode):04o}); "
                               f"mailflow refuses secrets others can read or change: run `chmod 600 {path}` "
                               "(for a Docker or Swarm secret, give it mode 0400)")
    return text


def _meaningful(text: str) -> list[tuple[int, str]]:
    lines = enumerate(text.splitlines(), start=1)
    return [(n, line.strip()) for n, line in lines if line.strip() and not line.strip().startswith("#")]


def _parse_line(path: Path, number: int, line: str) -> tuple[str, str]:
    if line.startswith("export "):
        line = line[len("export "):].lstrip()
    key, sep, value = line.partition("=")
    key = key.strip()
    if not sep or not key or not key.replace("_", "").isalnum():
        # the line may hold a secret: name the line, never echo it
        raise CredentialsError(f"{path}:{number}: expected KEY=VALUE")
    return key, _unquote(value.strip())


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
