"""`mailflow check` and `mailflow plan`: the schedule file as staff read it."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mailflow.cli import base
from mailflow.cli.base import EXIT_OK, now

if TYPE_CHECKING:
    from mailflow.schedule.calendar import Meeting
    from mailflow.schedule.config import Config


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    check = commands.add_parser("check", parents=[common], help="validate the schedule file and roster",
                                description=DESCRIPTIONS["check"])
    check.add_argument("--connect", action="store_true",
                       help="also sign in to the IMAP and SMTP servers as configured (sends nothing)")
    check.set_defaults(handler=run_check)

    plan = commands.add_parser("plan", parents=[common], help="show the next meetings and when each step is due",
                               description=DESCRIPTIONS["plan"])
    plan.add_argument("--count", type=base.positive, default=6, metavar="N", help="how many meetings (default: 6)")
    plan.add_argument("--json", action="store_true", help="print JSON (ISO 8601 times with UTC offsets)")
    plan.set_defaults(handler=run_plan)


DESCRIPTIONS = {
    "check": "Load the schedule file and roster and summarise them. Exit 2 with the file, line, key and what "
             "was expected when something cannot be right; exit 0 with 'warning:' lines on stderr for likely "
             "mistakes (a meeting moved into the past, UNTIL already past, the example roster in use...). "
             "Against the running state (the state folder, read-only) it lists what a reload would change: "
             "arrivals, returns, departures and the mail each causes, chairs that would move. "
             "With --connect, also sign in to the IMAP and SMTP servers as the daemon would (password or OAuth2), "
             "send nothing, report server, TLS, folders and IDLE/MOVE/UIDPLUS; exit 1 with the reason if either "
             "fails.",
    "plan": "List the next meetings, their chairs and when each step of their cycle is due, in the community's "
            "time zone (steps moved off weekends and holidays say so). With a state folder, an announced meeting "
            "shows the chair its invitations name.",
}


def run_check(args: argparse.Namespace) -> int:
    """Errors exit 2 (the file cannot mean what it says); warnings (likely mistakes) are printed, exit 0."""
    from mailflow.schedule.calendar import occurrences
    from mailflow.schedule.lint import lint

    config = base.load_config(args)
    moment = now(args, config)
    upcoming = occurrences(config, moment, 3 + len(config.meetings.overrides))
    held = [m for m in upcoming if not m.cancelled][:3]
    shown = [m for m in upcoming if held and m.start <= held[-1].start]
    for line in check_summary(config, shown):
        print(line)
    for finding in lint(config, moment):
        print(f"warning: {finding}", file=sys.stderr)
    for line in reload_lines(config, moment):
        print(line)
    if args.connect:
        from mailflow.cli.signin import check_connect

        sys.stdout.flush()
        return check_connect(config)
    return EXIT_OK


def check_summary(config: Config, meetings: list[Meeting]) -> list[str]:
    roster, community = config.roster, config.community
    active = len(roster.active())
    lines = [
        f"ok: {config.path}",
        f"community: {community.name} <{community.address}> ({community.timezone.key})",
        f"members: {active} active, {len(roster.members) - active} departed ({roster.path})",
        f"staff: {', '.join(f'{s.name} ({s.role})' for s in community.staff)}; "
        f"minutes recipients: {len(community.minutes_recipients)}",
        _business_days_text(config),
        "next meetings:",
    ]
    lines += [f"  {_when(m)}  {_chair_text(m)}" for m in meetings] or ["  none: the rule gives no more meetings"]
    for email in config.chair.rotation:
        member = roster.get(email)
        if member is not None and not member.active:
            lines.append(f"note: chair.rotation names {email}, who has departed: their turns go to the next in "
                         "rotation; remove them from the list to share their turns out (this moves later chairs)")
    return lines


def reload_lines(config: Config, moment: datetime) -> list[str]:
    """Against the state folder the daemon runs on (read-only): what reloading these files would change."""
    if not config.state_dir.is_dir():
        return []
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.running import changes_on_reload

    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        if states.community().installed_at is None:
            return []
        changes = changes_on_reload(config, states, moment)
    where = f"against the running state in {config.state_dir}"
    if not changes:
        return [f"reload: no change for members or chairs ({where})"]
    return [f"reload would ({where}):", *(f"  {change}" for change in changes)]


def _business_days_text(config: Config) -> str:
    days = config.timeline.business_days
    if days is None:
        return "business days: off (steps fall on any day)"
    holidays = f"public holidays of {days.place}" if days.country else "no public holidays (set timeline.country)"
    extra = f", {len(days.extra_closed)} extra closed days" if days.extra_closed else ""
    return f"business days: steps move off weekends, {holidays}{extra}"


def run_plan(args: argparse.Namespace) -> int:
    import json

    from mailflow.schedule.calendar import occurrences

    config = base.load_config(args)
    moment = now(args, config)
    meetings = occurrences(config, moment, args.count)
    if config.state_dir.is_dir():            # an announced meeting keeps the chair its invitations name
        from mailflow.adapters.state_store import TinyDBStateStore
        from mailflow.app.running import as_running

        with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
            meetings = as_running(config, states, meetings, moment)
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
