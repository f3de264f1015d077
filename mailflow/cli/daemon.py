"""`mailflow run`, `status` and `health`: the daemon, where things stand, and whether it lives."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mailflow.cli import base
from mailflow.cli.base import DEFAULT_CONFIG, EXIT_ALREADY_RUNNING, EXIT_CONFIG, EXIT_FAILED, EXIT_OK, now
from mailflow.errors import ConfigError, StoreError

DESCRIPTIONS = {
    "status": "Where each current meeting stands: steps done, due or missed, who answered, RSVPs, the agenda, "
              "held mail and the outbox, times in the community's zone. Safe while the daemon runs.",
    "run": "Run the daemon: timers, IMAP intake and outbox, until SIGTERM or SIGINT; SIGHUP reloads the schedule "
           "file, roster, passwords (from the credentials file) and OAuth2 settings and secrets. Exit 2: the "
           "configuration or secrets are wrong; exit 3: already running.",
    "health": "Exit 0 if the daemon ticked recently (its heartbeat file in the state folder), else 1: for "
              "Docker's HEALTHCHECK and monitoring.",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    status = commands.add_parser("status", parents=[common], help="where each meeting stands",
                                 description=DESCRIPTIONS["status"])
    status.add_argument("--meeting", metavar="DATE", help="one meeting, by its date (YYYY-MM-DD)")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=run_status)

    run = commands.add_parser("run", parents=[common], help="run the daemon until SIGTERM or SIGINT",
                              description=DESCRIPTIONS["run"])
    run.add_argument("--log-format", choices=("text", "json"), default="text", help="log lines as text or JSON")
    run.add_argument("--log-level", choices=("debug", "info", "warning"), default="info")
    run.set_defaults(handler=run_daemon)

    health = commands.add_parser("health", help="exit 0 if the daemon ticked recently, else 1 (for HEALTHCHECK)",
                                 description=DESCRIPTIONS["health"])
    where = health.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                       help=f"schedule file naming the state folder (default: $MAILFLOW_CONFIG, else {DEFAULT_CONFIG})")
    where.add_argument("--state", metavar="DIR", type=Path, help="the state folder itself (no schedule file read)")
    health.add_argument("--max-age", metavar="SECONDS", type=float, default=300.0,
                        help="older heartbeats are unhealthy (default: 300)")
    health.set_defaults(handler=run_health)


def run_status(args: argparse.Namespace) -> int:
    import json

    from mailflow.adapters.heartbeat import read
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.status import collect, render_text

    config = base.load_config(args)
    if not config.state_dir.exists():
        print(f"mailflow: no state yet in {config.state_dir}: has `mailflow run` been started?", file=sys.stderr)
        return 1
    try:
        states = TinyDBStateStore.open(config.state_dir, exclusive=False)
    except StoreError as exc:          # a corrupt or unreadable state file: one line, never a traceback
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        data = collect(config, states, now(args, config), args.meeting, daemon=read(config.state_dir))
    except KeyError as exc:
        print(f"mailflow: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        states.close()
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render_text(data))
    return EXIT_OK


def run_health(args: argparse.Namespace) -> int:
    """0 healthy, 1 not (never 2: Docker reserves it), with one line saying why."""
    from mailflow.adapters.heartbeat import check

    state = args.state
    if state is None:
        try:
            state = base.load_config(args).state_dir
        except ConfigError as exc:
            print(f"mailflow: unhealthy: {exc}", file=sys.stderr)
            return EXIT_FAILED
    result = check(state, args.max_age)
    print(result.message, file=sys.stdout if result.healthy else sys.stderr)
    return EXIT_OK if result.healthy else EXIT_FAILED


def run_daemon(args: argparse.Namespace) -> int:
    from mailflow.adapters import logs
    from mailflow.adapters.clock import parse_clock
    from mailflow.adapters.credentials import CredentialsError
    from mailflow.app.wiring import SecretMissing, run
    from mailflow.errors import AlreadyRunning
    from mailflow.mail_out.render import RenderError

    logs.configure(args.log_format, args.log_level)
    config = base.load_config(args)
    try:
        # MAILFLOW_CLOCK runs the daemon on a compressed clock (rehearsals and crash tests): START@SPEED[@EPOCH]
        return run(config, parse_clock(os.environ.get("MAILFLOW_CLOCK")), reload_path=base.config_path(args))
    except AlreadyRunning as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING   # not 1, which is also Python's exit after a crash (systemd restarts that)
    except (SecretMissing, CredentialsError, StoreError, RenderError) as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
