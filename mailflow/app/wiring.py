"""Assembles the running service from a Config: store, outbox, composer, engine, SMTP, IMAP."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from mailflow.adapters.clock import Clock
from mailflow.mail_out.compose import Composer
from mailflow.schedule.config import Config
from mailflow.adapters.credentials import resolve_secret
from mailflow.app.daemon import Daemon
from mailflow.app.engine import Engine
from mailflow.errors import MailflowError
from mailflow.adapters.outbox import DeliveryPolicy, Outbox
from mailflow.mail_out.render import Renderer
from mailflow.adapters.store import Store

log = logging.getLogger(__name__)


class SecretMissing(MailflowError):
    """The HMAC secret for reply tokens and Message-IDs is not set."""


def community_secret(config: Config, environ: dict[str, str] | None = None) -> bytes:
    """The key behind reply tokens and Message-IDs (``community.secret_env``); never logged."""
    import os

    name = config.community.secret_env
    if config.credentials_file is not None:
        from mailflow.adapters.credentials import read_credentials_file

        value = read_credentials_file(config.credentials_file).get(name, "")
    else:
        value = (os.environ if environ is None else environ).get(name, "")
    if len(value) < 16:
        raise SecretMissing(
            f"set {name} (in the environment or the credentials file) to a random value of at least "
            f"16 characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return value.encode()


@dataclass
class Parts:
    store: Store
    outbox: Outbox
    engine: Engine


def open_parts(config: Config, clock: Clock, secret: bytes, *, store: Store | None = None) -> Parts:
    """Store (locked), outbox, composer and engine: everything but the network."""
    store = store or Store.open(config.state_dir)
    outbox = Outbox(store, clock.now, policy=DeliveryPolicy.from_settings(config.smtp))
    renderer = Renderer(config.community.timezone, config.templates_dir)
    composer = Composer(config.community, secret, renderer)
    engine = Engine(config, store, outbox, composer, secret, clock.now)
    return Parts(store, outbox, engine)


def build_daemon(config: Config, clock: Clock, *, reload_path: Path | None = None,
                 with_intake: bool = True, environ: dict[str, str] | None = None,
                 **daemon_options) -> tuple[Daemon, Parts]:
    """The daemon with real SMTP and IMAP adapters, secrets resolved from env or credentials file."""
    from mailflow.adapters.intake import ImapIntake
    from mailflow.adapters.smtp import SmtpSender

    secret = community_secret(config, environ)
    smtp_secret = resolve_secret(config.smtp, config.credentials_file, environ)
    imap_secret = resolve_secret(config.imap, config.credentials_file, environ) if with_intake else ""
    parts = open_parts(config, clock, secret)
    sender = SmtpSender(config.smtp, smtp_secret, envelope_from=config.community.address)

    def make_intake(daemon: Daemon) -> ImapIntake:
        return ImapIntake(config.imap, imap_secret, daemon, daemon)

    def reload():
        from mailflow.schedule import load

        return load(reload_path or config.path)

    daemon = Daemon(config, parts.engine, sender, make_intake if with_intake else None, clock,
                    reload=reload, **daemon_options)
    return daemon, parts


def run(config: Config, clock: Clock, **options) -> int:
    """``mailflow run``: until SIGTERM/SIGINT; returns the exit code."""
    daemon, parts = build_daemon(config, clock, **options)
    try:
        asyncio.run(daemon.run())
    finally:
        parts.store.close()
    return 0
