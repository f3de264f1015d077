"""`mailflow held`, `resend`, `update`, `actions` and `log`: the staff desk on the command line.

A command that changes the state runs here when no daemon holds the state folder; beside a running
`mailflow run` it is left as a request the daemon carries out at its next wake-up (within a minute),
and `mailflow log` shows its result.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mailflow.cli import base
from mailflow.cli.base import EXIT_ALREADY_RUNNING, EXIT_CONFIG, EXIT_FAILED, EXIT_OK, now

if TYPE_CHECKING:
    from mailflow.app.engine import Engine
    from mailflow.schedule.config import Config

DESCRIPTIONS = {
    "held": "Held mail: list it, show one (headers, what was understood, why it was held, its raw bytes), "
            "release it (applied as if its sender, or the member --as names, had sent it, receipts included) "
            "or discard it.",
    "resend": "Send the latest message of a kind to one address again (the same message, a new Message-ID).",
    "update": "Remove a member's roundtable update from the current meeting, or replace its text.",
    "actions": "The action items the minutes created: list the open ones, or close one by its number.",
    "log": "The audit log: every applied reply, staff command, hold, release and message sent.",
}
KINDS = ("invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
         "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover", "welcome")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    held = commands.add_parser("held", parents=[common], help="held mail: list, show, release, discard",
                               description=DESCRIPTIONS["held"])
    verbs = held.add_subparsers(dest="verb", metavar="VERB")
    listing = verbs.add_parser("list", parents=[common], help="the held messages waiting for staff (the default)")
    listing.add_argument("--all", action="store_true", help="also those already released or discarded")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = verbs.add_parser("show", parents=[common], help="one held message in full")
    show.add_argument("id", metavar="ID", help="its id (at least 6 characters)")
    release = verbs.add_parser("release", parents=[common], help="apply a held message")
    release.add_argument("id", metavar="ID")
    release.add_argument("--as", dest="as_email", metavar="EMAIL", help="as if this member had sent it")
    discard = verbs.add_parser("discard", parents=[common], help="drop a held message")
    discard.add_argument("id", metavar="ID")
    held.set_defaults(handler=run_held, verb="list", all=False, json=False)

    resend = commands.add_parser("resend", parents=[common], help="send a message of a kind to one address again",
                                 description=DESCRIPTIONS["resend"])
    resend.add_argument("kind", metavar="KIND", choices=KINDS, help=", ".join(KINDS))
    resend.add_argument("email", metavar="EMAIL")
    resend.set_defaults(handler=lambda a: _desk_command(a, "resend", target=a.kind, email=a.email))

    update = commands.add_parser("update", parents=[common], help="remove or replace a member's update",
                                 description=DESCRIPTIONS["update"])
    which = update.add_subparsers(dest="verb", metavar="VERB", required=True)
    remove = which.add_parser("remove", parents=[common], help="take the update out (its history too)")
    remove.add_argument("email", metavar="EMAIL")
    remove.set_defaults(handler=lambda a: _desk_command(a, "remove-update", email=a.email))
    replace = which.add_parser("replace", parents=[common], help="replace its text")
    replace.add_argument("email", metavar="EMAIL")
    replace.add_argument("--text", required=True, help="the new text ('-' reads it from standard input)")
    replace.set_defaults(handler=lambda a: _desk_command(a, "replace-update", email=a.email,
                                                         text=sys.stdin.read() if a.text == "-" else a.text))

    acts = commands.add_parser("actions", parents=[common], help="list or close action items",
                               description=DESCRIPTIONS["actions"])
    doing = acts.add_subparsers(dest="verb", metavar="VERB")
    doing.add_parser("list", parents=[common], help="the open action items (the default)")
    close = doing.add_parser("close", parents=[common], help="mark an action item done")
    close.add_argument("number", metavar="N", type=base.positive)
    acts.set_defaults(handler=run_actions, verb="list")

    log = commands.add_parser("log", parents=[common], help="the audit log", description=DESCRIPTIONS["log"])
    log.add_argument("--meeting", metavar="DATE", help="only what concerns this meeting (YYYY-MM-DD)")
    log.add_argument("--member", metavar="EMAIL", help="only what concerns this address (as member, sender or staff)")
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    log.set_defaults(handler=run_log)


def who() -> str:
    """Who gives a command on the command line, for the audit log."""
    try:
        user = os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user} (command line)"


# --- opening the store ---------------------------------------------------------------------------

@contextmanager
def _reading(config: Config) -> Iterator[Any]:
    from mailflow.adapters.state_store import TinyDBStateStore

    states = TinyDBStateStore.open(config.state_dir, exclusive=False)
    try:
        yield states
    finally:
        states.close()


def _with_engine(args: argparse.Namespace, work: Callable[[Engine, Config], int],
                 beside_daemon: str | None = None) -> int:
    """Run ``work`` on an engine over the state folder, held exclusively; beside a running daemon, leave it
    ``beside_daemon`` (the command as written by mail) as a request, or say to use mail when there is none."""
    from mailflow.adapters.clock import ManualClock
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.wiring import SecretMissing, community_secret, open_parts
    from mailflow.errors import AlreadyRunning

    config = base.load_config(args)
    if not config.state_dir.exists():
        print(f"mailflow: no state yet in {config.state_dir}: has `mailflow run` been started?", file=sys.stderr)
        return EXIT_FAILED
    try:
        secret = community_secret(config)
    except SecretMissing as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        states = TinyDBStateStore.open(config.state_dir)
    except AlreadyRunning:
        if beside_daemon is not None:
            return _request(config, beside_daemon, now(args, config))
        print("mailflow: the daemon is running and holds the state folder: give this command by mail instead "
              "(reply to any message mailflow sent you, the command on the first line), or stop the daemon",
              file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    try:
        parts = open_parts(config, ManualClock(now(args, config)), secret, states=states)
        return work(parts.engine, config)
    finally:
        states.close()


def _request(config: Config, command: str, at: Any) -> int:
    from mailflow.adapters import requests
    from mailflow.ports import StaffAction

    request = requests.post(config.state_dir, StaffAction.DESK_COMMAND, command, who(), at)
    print(f"the running daemon carries this out at its next wake-up, within a minute (request "
          f"{request.request_id}); `mailflow log --config {config.path}` shows the result")
    return EXIT_OK


def _desk_command(args: argparse.Namespace, verb: str, **values: str) -> int:
    from mailflow.app.desk import CLI
    from mailflow.core.desk import DeskCommand, DeskVerb

    command = DeskCommand(DeskVerb(verb), **values)

    def work(engine: Engine, config: Config) -> int:
        answer = engine.desk.run(command, who(), CLI, now(args, config))
        print(answer.text, file=sys.stdout if answer.ok else sys.stderr)
        return EXIT_OK if answer.ok else EXIT_FAILED

    written = f"{command}\n{command.text}" if command.verb is DeskVerb.REPLACE_UPDATE else str(command)
    return _with_engine(args, work, beside_daemon=written)


# --- held ----------------------------------------------------------------------------------------

def run_held(args: argparse.Namespace) -> int:
    if args.verb == "release":
        return _desk_command(args, "release", target=args.id.lower(), email=args.as_email or "")
    if args.verb == "discard":
        return _desk_command(args, "discard", target=args.id.lower())
    from mailflow.app.held import HeldDesk, HeldNotFound

    config = base.load_config(args)
    with _reading(config) as states:
        held = HeldDesk(config, states, None)  # type: ignore[arg-type]   # reading needs no inbox
        if args.verb == "show":
            try:
                view = held.show(held.find(args.id))
            except HeldNotFound as exc:
                print(f"mailflow: {exc}", file=sys.stderr)
                return EXIT_FAILED
            print(_show_text(view, config))
            return EXIT_OK
        items = held.items(waiting_only=not args.all)
        if args.json:
            print(json.dumps([_held_json(h, config) for h in items], indent=2, ensure_ascii=False))
        else:
            print(held.listing(items))
    return EXIT_OK


def _held_json(h: Any, config: Config) -> dict[str, object]:
    zone = config.community.timezone
    return {"id": h.held_id, "sha256": h.sha256, "at": h.at.astimezone(zone).isoformat(), "sender": h.sender,
            "subject": h.subject, "reason": h.reason, "raw": str(config.state_dir / h.raw),
            "outcome": h.outcome.value if h.outcome else None, "resolved_by": h.resolved_by,
            "resolved_at": h.resolved_at.astimezone(zone).isoformat() if h.resolved_at else None, "note": h.note}


def _show_text(view: Any, config: Config) -> str:
    h = view.held
    lines = [f"held message {h.held_id} ({h.sha256})",
             f"held at:  {h.at.astimezone(config.community.timezone):%Y-%m-%d %H:%M %Z}",
             f"why:      {h.reason}",
             f"raw:      {config.state_dir / view.path}",
             f"status:   {h.outcome.value + ' by ' + h.resolved_by + ': ' + h.note if h.outcome else 'waiting for staff'}",
             "", "headers:"]
    lines += [f"  {name}: {value}" for name, value in view.headers]
    lines += ["", "understood:"]
    for key, value in view.understood.items():
        if key == "text":
            continue
        lines.append(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    lines += ["", "new text:"] + [f"  | {line}" for line in str(view.understood.get("text", "")).splitlines()]
    return "\n".join(lines)


# --- actions and log -----------------------------------------------------------------------------

def run_actions(args: argparse.Namespace) -> int:
    if args.verb == "close":
        return _desk_command(args, "close-action", target=str(args.number))
    from mailflow.core.actions import open_actions

    config = base.load_config(args)
    moment = now(args, config)
    with _reading(config) as states:
        items = open_actions(states.community().actions)
    for a in items:
        age = f", open {max((moment - a.opened).days, 0)} days" if a.opened else ""
        print(f"[{a.number}] {a.who or '(no owner)'}: {a.what} (from {a.meeting_key}{age})")
    if not items:
        print("No open action items.")
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    config = base.load_config(args)
    member = (args.member or "").strip().casefold()
    zone = config.community.timezone
    with _reading(config) as states:
        for e in states.audit_entries():
            if args.meeting and e.meeting != args.meeting:
                continue
            if member and member not in (e.member.casefold(), e.by.casefold()):
                continue
            if args.json:
                print(json.dumps({"at": e.at.astimezone(zone).isoformat(), "event": e.event.value, "summary": e.summary,
                                  "meeting": e.meeting, "member": e.member, "by": e.by, "via": e.via,
                                  "data": dict(e.data)}, ensure_ascii=False, default=str))
            else:
                by = f"  [{e.by} via {e.via}]" if e.by else ""
                print(f"{e.at.astimezone(zone):%Y-%m-%d %H:%M %Z}  {e.event.value:<14} {e.summary}{by}")
    return EXIT_OK
