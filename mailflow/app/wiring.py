"""Assembles the running service from a Config: state store, outbox, engine, SMTP and IMAP adapters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailflow.adapters.credentials import CredentialsError, UnsafeSecretsFile, read_secret, resolve_secret
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.daemon import Daemon
from mailflow.app.engine import Engine
from mailflow.app.outbox import Io, Outbox, inline_io
from mailflow.core.delivery import DeliveryPolicy
from mailflow.errors import ConfigError, MailflowError
from mailflow.mail_out.render import RenderError
from mailflow.mail_out.samples import check_templates
from mailflow.ports import Clock
from mailflow.schedule import load
from mailflow.schedule.config import AuthMethod, Config

log = logging.getLogger(__name__)

SECRET_MIN_CHARS = 16


class SecretMissing(MailflowError):
    """The HMAC secret for reply tokens and Message-IDs is not set (or too short)."""


def community_secret(config: Config, environ: Mapping[str, str] | None = None) -> bytes:
    """The key behind reply tokens and Message-IDs (``community.secret_env``); never logged."""
    name = config.community.secret_env
    advice = (f"set {name} (in the environment or the credentials file) to a random value of at least "
              f"{SECRET_MIN_CHARS} characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    try:
        value = read_secret(name, "the community's secret", config.credentials_file, environ)
    except UnsafeSecretsFile:
        raise                              # the file itself is the problem: say so, by its path
    except CredentialsError:
        raise SecretMissing(advice) from None
    if len(value) < SECRET_MIN_CHARS:
        raise SecretMissing(advice)
    return value.encode()


@dataclass
class Parts:
    states: TinyDBStateStore
    outbox: Outbox
    engine: Engine


def open_parts(config: Config, clock: Clock, secret: bytes, *, states: TinyDBStateStore | None = None,
               io: Io = inline_io) -> Parts:
    """State store (locked), outbox and engine: everything but the network."""
    states = states or TinyDBStateStore.open(config.state_dir)
    outbox = Outbox(states.outbox, clock, policy=DeliveryPolicy.from_settings(config.smtp), io=io,
                    journal=lambda entries: states.audit(entries, durable=False))
    engine = Engine(config, states, outbox, secret, clock)
    return Parts(states, outbox, engine)


def build_daemon(config: Config, clock: Clock, *, reload_path: Path | None = None,
                 with_intake: bool = True, environ: Mapping[str, str] | None = None,
                 **daemon_options: Any) -> tuple[Daemon, Parts]:
    """The daemon with real SMTP and IMAP adapters, secrets resolved from env or credentials file."""
    from mailflow.adapters.compose_process import ProcessComposeWorker
    from mailflow.adapters.intake import ImapIntake
    from mailflow.adapters.reader_process import ReaderProcess
    from mailflow.adapters.smtp import SmtpSender

    check_templates(config, clock.now())   # a broken staff template refuses the start, before any mail I/O
    secret = community_secret(config, environ)
    smtp_secret = resolve_secret(config.smtp, config.credentials_file, environ)
    imap_secret = resolve_secret(config.imap, config.credentials_file, environ) if with_intake else ""
    tokens = None
    if config.oauth2 is not None:   # imported only then: requests alone costs 0.3 s at every start
        from mailflow.adapters.oauth_grants import build_grant, token_source

        tokens = token_source(config, environ, wall=clock.now)

    def reload() -> Config:
        loaded = load(reload_path or config.path)
        try:
            check_templates(loaded, clock.now())
        except RenderError as exc:
            raise ConfigError(str(loaded.templates_dir or loaded.path), "[templates] dir", str(loaded.templates_dir),
                              f"templates that render ({exc})") from None
        # Passwords are read again by the one secret reader (the running servers' secret_env, from the reloaded
        # credentials file or the environment); a missing one refuses the reload before anything changes.
        smtp_new = resolve_secret(config.smtp, loaded.credentials_file, environ)
        imap_new = resolve_secret(config.imap, loaded.credentials_file, environ) if intake is not None else ""
        if tokens is not None and loaded.oauth2 is not None:   # OAuth2 settings and secrets apply at once
            tokens.reload(build_grant(loaded, environ), loaded.oauth2.refresh_before_seconds)
        if sender.use_secret(smtp_new):
            log.info("the SMTP password for %s was read again and changed: new connections log in with it",
                     config.smtp.user)
        if intake is not None and intake.use_secret(imap_new):
            log.info("the IMAP password for %s was read again and changed: the next login uses it", config.imap.user)
        return loaded

    daemon = Daemon(config, clock, reload=reload, sign_in=tokens, **daemon_options)
    parts = open_parts(config, clock, secret, io=daemon.outbox_io)
    sender = SmtpSender(config.smtp, smtp_secret, envelope_from=config.community.address,
                        tokens=tokens if config.smtp.auth is AuthMethod.OAUTH2 else None)
    intake = ImapIntake(config.imap, imap_secret, daemon.link, daemon.link,
                        tokens=tokens if config.imap.auth is AuthMethod.OAUTH2 else None) if with_intake else None
    if with_intake:      # a catch-up pass's replies are understood on the other core while the ones before are applied
        daemon.link.reader = ReaderProcess(parts.engine.read)
    parts.engine.outgoing.workers = ProcessComposeWorker    # a large step is composed on the other core
    daemon.attach(parts.engine, sender, intake)
    return daemon, parts


def run(config: Config, clock: Clock, **options: Any) -> int:
    """``mailflow run``: until SIGTERM/SIGINT; returns the exit code."""
    daemon, parts = build_daemon(config, clock, **options)
    try:
        asyncio.run(daemon.run())
    finally:
        daemon.close()
        parts.states.close()
    return 0
