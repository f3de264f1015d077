"""The ``mailflow`` command line: one small handler per subcommand; errors become exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.errors import ConfigError

if TYPE_CHECKING:
    from mailflow.schedule.calendar import Meeting
    from mailflow.schedule.config import Config

# --config, else $MAILFLOW_CONFIG, else this: the real schedule file, never the example, so that a
# bare `mailflow run` cannot start mailing the example community by accident.
DEFAULT_CONFIG = Path("config/cop.toml")
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_ALREADY_RUNNING = 0, 1, 2, 3
# What `mailflow COMMAND --help` says first; the one-line help of `mailflow --help` is given with each.
DESCRIPTIONS = {
    "check": "Load the schedule file and roster and summarise them. Exit 2 with the file, line, key and what "
             "was expected when something cannot be right; exit 0 with 'warning:' lines on stderr for likely "
             "mistakes (a meeting moved into the past, UNTIL already past, the example roster in use...).",
    "plan": "List the next meetings and when each step of their cycle is due, in the community's time zone "
            "(steps moved off weekends and holidays say so).",
    "parse": "Show what mailflow understands of message files: kind, new text, attachments, RSVP, commands. "
             "Offline, no schedule file needed.",
    "status": "Where each current meeting stands: steps done, due or missed, who answered, RSVPs, the agenda, "
              "held mail and the outbox, times in the community's zone. Safe while the daemon runs.",
    "preview": "Render exactly the message a step would send (same bytes as the daemon), to stdout or files.",
    "send-test": "Check the SMTP settings by sending one plain message; prints the server's reply.",
    "run": "Run the daemon: timers, IMAP intake and outbox, until SIGTERM or SIGINT; SIGHUP reloads the schedule "
           "file and roster. Exit 2: the configuration or secrets are wrong; exit 3: already running.",
    "health": "Exit 0 if the daemon ticked recently (its heartbeat file in the state folder), else 1: for "
              "Docker's HEALTHCHECK and monitoring.",
    "demo": "Run one whole cycle of the example community on embedded loopback mail servers and a compressed "
            "clock, and write every message to a folder (needs the 'demo' extra).",
}
PREVIEW_KINDS = ("invitation", "focus-planning", "call-for-updates", "reminder", "agenda-draft", "agenda-packet",
                 "day-of-reminder", "minutes-request", "minutes-digest", "chair-handover", "welcome")


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return its exit code (2 for a wrong schedule file or wrong usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def build_parser() -> argparse.ArgumentParser:
    """The parser; add a subcommand with one add_parser block and one handler function."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                        help=f"schedule file (default: $MAILFLOW_CONFIG, else {DEFAULT_CONFIG})")
    common.add_argument("--now", type=_moment, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="mailflow", parents=[common],
                                     description="Runs a Community of Practice's meeting cycle by email.")
    parser.add_argument("--version", action="version", version=f"mailflow {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", parents=[common], help="validate the schedule file and roster")
    check.set_defaults(handler=run_check)

    plan = commands.add_parser("plan", parents=[common], help="show the next meetings and when each step is due")
    plan.add_argument("--count", type=_positive, default=6, metavar="N", help="how many meetings (default: 6)")
    plan.add_argument("--json", action="store_true", help="print JSON (ISO 8601 times with UTC offsets)")
    plan.set_defaults(handler=run_plan)

    parse = commands.add_parser("parse", help="show what mailflow understands of message files (no config needed)")
    parse.add_argument("--json", action="store_true", help="one JSON object per file per line")
    parse.add_argument("--explain", action="store_true",
                       help="print each body line's zone and the features that weighed most for it")
    parse.add_argument("files", nargs="+", metavar="FILE", help="RFC 5322 message files (.eml)")
    parse.set_defaults(handler=run_parse)

    status = commands.add_parser("status", parents=[common], help="where each meeting stands")
    status.add_argument("--meeting", metavar="DATE", help="one meeting, by its date (YYYY-MM-DD)")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=run_status)

    preview = commands.add_parser("preview", parents=[common], help="render exactly the message a step would send")
    preview.add_argument("kind", metavar="KIND", choices=PREVIEW_KINDS, help=", ".join(PREVIEW_KINDS))
    preview.add_argument("--meeting", metavar="YYYY-MM-DD", help="the meeting (default: the next one)")
    preview.add_argument("--member", metavar="EMAIL", help="the recipient (default: the first active member)")
    preview.add_argument("--eml", type=Path, metavar="PATH", help="write the message (.eml) here")
    preview.add_argument("--html", type=Path, metavar="PATH", help="write its HTML part here")
    preview.set_defaults(handler=run_preview)

    send_test = commands.add_parser("send-test", parents=[common], help="check the SMTP settings by sending one message")
    send_test.add_argument("email", metavar="EMAIL", help="where to send the test message")
    send_test.set_defaults(handler=run_send_test)

    run = commands.add_parser("run", parents=[common], help="run the daemon until SIGTERM or SIGINT")
    run.add_argument("--log-format", choices=("text", "json"), default="text", help="log lines as text or JSON")
    run.add_argument("--log-level", choices=("debug", "info", "warning"), default="info")
    run.set_defaults(handler=run_daemon)

    demo = commands.add_parser("demo", help="run one whole cycle of the example community on embedded servers")
    demo.add_argument("--out", type=Path, default=Path("mailflow-demo"), metavar="DIR",
                      help="where to write index.html and messages/*.eml (default: ./mailflow-demo)")
    demo.set_defaults(handler=run_demo)

    health = commands.add_parser("health", help="exit 0 if the daemon ticked recently, else 1 (for HEALTHCHECK)")
    where = health.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                       help=f"schedule file naming the state folder (default: $MAILFLOW_CONFIG, else {DEFAULT_CONFIG})")
    where.add_argument("--state", metavar="DIR", type=Path, help="the state folder itself (no schedule file read)")
    health.add_argument("--max-age", metavar="SECONDS", type=float, default=300.0,
                        help="older heartbeats are unhealthy (default: 300)")
    health.set_defaults(handler=run_health)
    for name, command in commands.choices.items():
        command.description = DESCRIPTIONS.get(name, command.description)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mailflow")
    except PackageNotFoundError:   # a checkout on sys.path, not installed
        from mailflow import __version__

        return __version__


def config_path(args: argparse.Namespace) -> Path:
    explicit = getattr(args, "config", None)
    return explicit or Path(os.environ.get("MAILFLOW_CONFIG") or DEFAULT_CONFIG)


def now(args: argparse.Namespace, config: Config) -> datetime:
    """The only clock read: ``--now`` (naive = the community's local time) or the real clock."""
    moment: datetime | None = getattr(args, "now", None)
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=config.community.timezone)


def load_config(args: argparse.Namespace) -> Config:
    from mailflow.schedule import load  # lazy: keep `mailflow --help` and startup fast

    return load(config_path(args))


# --- check -------------------------------------------------------------------------------------

def run_check(args: argparse.Namespace) -> int:
    """Errors exit 2 (the file cannot mean what it says); warnings (likely mistakes) are printed, exit 0."""
    from mailflow.schedule.calendar import occurrences
    from mailflow.schedule.lint import lint

    config = load_config(args)
    moment = now(args, config)
    upcoming = occurrences(config, moment, 3 + len(config.meetings.overrides))
    held = [m for m in upcoming if not m.cancelled][:3]
    shown = [m for m in upcoming if held and m.start <= held[-1].start]
    for line in check_summary(config, shown):
        print(line)
    for finding in lint(config, moment):
        print(f"warning: {finding}", file=sys.stderr)
    return EXIT_OK


def check_summary(config: Config, meetings: list[Meeting]) -> list[str]:
    roster, community = config.roster, config.community
    active = len(roster.active())
    lines = [
        f"ok: {config.path}",
        f"community: {community.name} <{community.address}> ({community.timezone.key})",
        f"members: {active} active, {len(roster.members) - active} departed ({roster.path})",
        f"staff: {len(community.staff)}, minutes recipients: {len(community.minutes_recipients)}",
        _business_days_text(config),
        "next meetings:",
    ]
    lines += [f"  {_when(m)}  {_chair_text(m)}" for m in meetings] or ["  none: the rule gives no more meetings"]
    for email in config.chair.rotation:
        member = roster.get(email)
        if member is not None and not member.active:
            lines.append(f"note: chair.rotation names {email}, who has departed: skipped")
    return lines


def _business_days_text(config: Config) -> str:
    days = config.timeline.business_days
    if days is None:
        return "business days: off (steps fall on any day)"
    holidays = f"public holidays of {days.place}" if days.country else "no public holidays (set timeline.country)"
    extra = f", {len(days.extra_closed)} extra closed days" if days.extra_closed else ""
    return f"business days: steps move off weekends, {holidays}{extra}"


# --- plan --------------------------------------------------------------------------------------

def run_plan(args: argparse.Namespace) -> int:
    import json

    from mailflow.schedule.calendar import occurrences

    config = load_config(args)
    meetings = occurrences(config, now(args, config), args.count)
    if args.json:
        print(json.dumps([plan_entry(m, config) for m in meetings], indent=2, ensure_ascii=False))
    else:
        for line in plan_lines(meetings, config):
            print(line)
    return EXIT_OK


def plan_entry(meeting: Meeting, config: Config | None = None) -> dict[str, Any]:
    """One meeting as JSON-ready values; times are ISO 8601 in the community's zone with offset.

    A step business days moved also has ``planned`` (its time by the timeline alone) and ``moved`` (why).
    """
    from mailflow.schedule.calendar import moved_steps

    zone = meeting.start.tzinfo
    moves = moved_steps(config, meeting) if config is not None else {}
    return {
        "key": meeting.key,
        "date": meeting.start.date().isoformat(),
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "cancelled": meeting.cancelled,
        "chair": meeting.chair.email if meeting.chair else None,
        "chair_name": meeting.chair.name if meeting.chair else None,
        "location": meeting.location,
        "video_link": meeting.video_link,
        "note": meeting.note,
        "steps": [] if meeting.cancelled else [
            {"step": step.value, "due": due.astimezone(zone).isoformat()}
            | ({"planned": moves[step][0].astimezone(zone).isoformat(), "moved": moves[step][1]} if step in moves else {})
            for step, due in meeting.due
        ],
    }


def plan_lines(meetings: list[Meeting], config: Config | None = None) -> list[str]:
    from mailflow.schedule.calendar import moved_steps

    lines: list[str] = []
    for meeting in meetings:
        lines.append(f"{_when(meeting)}  {_chair_text(meeting)}")
        if meeting.key != meeting.start.date().isoformat():
            lines.append(f"  moved from {meeting.key}")
        lines.append(f"  {'place: ' + meeting.location if meeting.location else 'video: ' + meeting.video_link}")
        if meeting.note:
            lines.append(f"  note: {meeting.note}")
        if not meeting.cancelled:
            zone = meeting.start.tzinfo
            moves = moved_steps(config, meeting) if config is not None else {}
            lines += [f"  {step.value:<17} {_local(due.astimezone(zone))}" + (
                f"  (moved from {moves[step][0].astimezone(zone):%a %m-%d}: {moves[step][1]})" if step in moves else "")
                for step, due in meeting.due]
        lines.append("")
    return lines[:-1]


def _when(meeting: Meeting) -> str:
    return f"{meeting.start:%a %Y-%m-%d %H:%M}-{meeting.end:%H:%M %Z} ({meeting.minutes} min)"


def _local(moment: datetime) -> str:
    return f"{moment:%a %Y-%m-%d %H:%M %Z}"


def _chair_text(meeting: Meeting) -> str:
    if meeting.cancelled:
        return "CANCELLED"
    if meeting.chair is None:
        return "chair: none"
    return f"chair: {meeting.chair.name} <{meeting.chair.email}>"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 date-time, got {text!r}") from None


# --- parse -------------------------------------------------------------------------------------

def run_parse(args: argparse.Namespace) -> int:
    from mailflow.mail_in.replies.report import parse_command

    if args.explain:
        from mailflow.mail_in.replies.zones.explain import explain_files

        return explain_files(args.files, sys.stdout)
    return parse_command(args.files, args.json, sys.stdout)


# --- status ------------------------------------------------------------------------------------

def run_status(args: argparse.Namespace) -> int:
    import json

    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.status import collect, render_text

    config = load_config(args)
    if not config.state_dir.exists():
        print(f"mailflow: no state yet in {config.state_dir}: has `mailflow run` been started?", file=sys.stderr)
        return 1
    states = TinyDBStateStore.open(config.state_dir, exclusive=False)
    try:
        data = collect(config, states, now(args, config), args.meeting)
    except KeyError as exc:
        print(f"mailflow: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        states.close()
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render_text(data))
    return EXIT_OK


# --- demo --------------------------------------------------------------------------------------

def run_demo(args: argparse.Namespace) -> int:
    import logging

    try:
        from mailflow_demo.demo import run_demo as demo
    except ModuleNotFoundError as exc:   # the demo's servers are an extra, not part of the daemon
        print(f"mailflow: the demo needs its embedded mail servers ({exc.name} is not installed): "
              "pip install 'mailflow[demo]' (from a checkout: pip install '.[demo]')", file=sys.stderr)
        return EXIT_FAILED
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    demo(args.out, config_path=getattr(args, "config", None), today=getattr(args, "now", None))
    return EXIT_OK


# --- preview and send-test ---------------------------------------------------------------------

def run_preview(args: argparse.Namespace) -> int:
    from mailflow.app.preview import PreviewError, preview

    config = load_config(args)
    try:
        made = preview(config, args.kind, now(args, config), meeting_key=args.meeting, member_email=args.member)
    except PreviewError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for note in made.notes:
        print(f"mailflow preview: {note}", file=sys.stderr)
    if args.eml:
        args.eml.write_bytes(made.raw)
    if args.html:
        args.html.write_text(made.html, encoding="utf-8")
    if not args.eml and not args.html:
        sys.stdout.buffer.write(made.raw)
        sys.stdout.flush()
    return EXIT_OK


def run_send_test(args: argparse.Namespace) -> int:
    from mailflow.adapters.smtp import send_test_command

    config = load_config(args)
    return send_test_command(config, args.email, now(args, config))


# --- health ------------------------------------------------------------------------------------

def run_health(args: argparse.Namespace) -> int:
    """0 healthy, 1 not (never 2: Docker reserves it), with one line saying why."""
    from mailflow.adapters.heartbeat import check

    state = args.state
    if state is None:
        try:
            state = load_config(args).state_dir
        except ConfigError as exc:
            print(f"mailflow: unhealthy: {exc}", file=sys.stderr)
            return EXIT_FAILED
    result = check(state, args.max_age)
    print(result.message, file=sys.stdout if result.healthy else sys.stderr)
    return EXIT_OK if result.healthy else EXIT_FAILED


# --- run ---------------------------------------------------------------------------------------

def run_daemon(args: argparse.Namespace) -> int:
    from mailflow.adapters import logs
    from mailflow.adapters.clock import parse_clock
    from mailflow.adapters.credentials import CredentialsError
    from mailflow.app.wiring import SecretMissing, run
    from mailflow.errors import AlreadyRunning, StoreError

    logs.configure(args.log_format, args.log_level)
    config = load_config(args)
    try:
        # MAILFLOW_CLOCK runs the daemon on a compressed clock (rehearsals and crash tests): START@SPEED[@EPOCH]
        return run(config, parse_clock(os.environ.get("MAILFLOW_CLOCK")), reload_path=config_path(args))
    except AlreadyRunning as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING   # not 1, which is also Python's exit after a crash (systemd restarts that)
    except (SecretMissing, CredentialsError, StoreError) as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
