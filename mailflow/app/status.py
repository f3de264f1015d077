"""``mailflow status``: where each meeting stands, as staff want to see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.core.bounces import live_score
from mailflow.core.chairs import seated
from mailflow.core.delivery import State
from mailflow.core.recipients import has_left
from mailflow.core.state import CommunityState, MeetingState
from mailflow.ports import StateStore
from mailflow.schedule.calendar import Meeting, meeting_by_key, occurrences
from mailflow.schedule.config import AuthMethod, Config, Step


@dataclass(frozen=True)
class StepLine:
    step: str
    due: str
    status: str          # done | missed | skipped | waiting | due | upcoming | cancelled
    detail: str


@dataclass(frozen=True)
class MeetingStatus:
    date: str
    start: str
    chair: str
    cancelled: bool
    steps: list[StepLine]
    replied: list[str]
    replied_left: list[str]            # of those, members who have left the roster (not in the agenda)
    skipped: list[str]
    away: list[str]
    bounced: list[str]
    no_answer: list[str]
    rsvps: dict[str, int]
    rsvp_by_member: dict[str, str]
    agenda_revision: int
    agenda_approved: bool
    minutes_received: bool
    resources: list[str]
    unclear: list[dict[str, str]]      # replies not read with confidence: who, what was asked, of whom


def meeting_status(config: Config, meeting: Meeting, state: MeetingState, now: datetime,
                   community: CommunityState | None = None) -> MeetingStatus:
    steps = []
    for step in Step:
        record = state.step(step)
        due = meeting.due_at(step)
        if meeting.cancelled and (record is None or record.detail == "meeting cancelled"):
            status, detail = "cancelled", ""
        elif record is not None:
            status, detail = record.status.value, record.detail
        else:
            status, detail = ("due" if due <= now else "upcoming"), ""
        steps.append(StepLine(step.value, due.astimezone(config.community.timezone).isoformat(), status, detail))
    members = config.roster.active()
    names = {m.key: m.name for m in members}
    unmailed = community.unmailed if community is not None else frozenset()
    replied = [u.member_name for u in state.updates]
    left = [u.member_name for u in state.updates
            if community is not None and has_left(config, community, u.member_email.casefold())]
    answered = state.answered()
    tally = {"accepted": 0, "declined": 0, "tentative": 0}
    for _, answer in state.rsvps:
        tally[answer] = tally.get(answer, 0) + 1
    return MeetingStatus(
        date=meeting.key,
        start=meeting.start.isoformat(),
        chair=meeting.chair.name if meeting.chair else "",
        cancelled=meeting.cancelled,
        steps=steps,
        replied=sorted(replied),
        replied_left=sorted(left),
        skipped=sorted(names.get(k, k) for k in state.skipped),
        away=sorted(names.get(k, k) for k in state.away),
        bounced=sorted(names.get(k, k) for k in state.bounced),
        no_answer=sorted(m.name for m in members if m.key not in answered and m.key not in unmailed),
        rsvps=tally,
        rsvp_by_member={names.get(k, k): v for k, v in state.rsvps},
        agenda_revision=state.agenda.revision,
        agenda_approved=state.agenda.approved,
        minutes_received=state.minutes is not None,
        resources=[f"{r.filename} ({r.shared_by})" for r in state.resources],
        unclear=[{"name": u.name, "email": u.sender, "request": u.request.value, "asked": u.asked.value,
                  "question": u.question, "excerpt": u.excerpt, "at": u.at.astimezone(config.community.timezone).isoformat()}
                 for u in state.unclear],
    )


def collect(config: Config, states: StateStore, now: datetime, meeting_key: str | None = None,
            daemon: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything ``status`` shows, as plain data (the JSON output), read through the Store contract.

    ``daemon``: what the daemon reports of its parts (its heartbeat file, or itself for the staff
    ``status`` command): the intake's last good contact and last error, the OAuth2 sign-in's health.
    """
    community = states.community()
    installed = community.installed_at
    if meeting_key:
        meetings = [meeting_by_key(config, meeting_key)]
    else:   # meetings held before mailflow was installed are none of its business
        meetings = [m for m in occurrences(config, after=now - timedelta(days=45), count=3)
                    if installed is None or m.start >= installed]
    result = []
    for meeting in meetings:
        state = states.meeting(meeting.key)
        result.append(asdict(meeting_status(config, seated(config, meeting, state, now), state, now, community)))
    zone = config.community.timezone
    waiting: dict[str, Any] = {}
    for h in states.held():      # the latest record of each message: what staff did with it
        waiting[h.sha256] = h
    held = [{"id": h.held_id, "sha256": h.sha256, "reason": h.reason, "sender": h.sender, "subject": h.subject,
             "at": h.at.astimezone(zone).isoformat(), "raw": h.raw} for h in waiting.values() if h.outcome is None]
    outbox = {state.value: n for state, n in states.outbox.counts().items() if n}
    pause = states.outbox.pause()
    paused = None if pause is None else {"since": pause.since.astimezone(zone).isoformat(),
                                         "retry_at": pause.until.astimezone(zone).isoformat(), "reason": pause.reason}
    return {"outbox_paused": paused, "now": now.astimezone(zone).isoformat(), "timezone": zone.key, "meetings": result, "held": held,
            "held_concluded": sum(1 for h in waiting.values() if h.outcome is not None),
            "outbox": outbox, "deliveries": delivery_trouble(states, now, zone),
            "bounces": bounce_status(config, community, now),
            "daemon": {k: v for k, v in daemon.items() if k != "sign_in"} if daemon else None,
            "sign_in": sign_in_status(config, daemon), "unsubscribed": unsubscribed_status(config, community)}


def sign_in_status(config: Config, daemon: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """With ``auth = "oauth2"``: the provider, which servers use it, and what the running daemon last said of
    its tokens (obtained, expires, the last refusal and when; never a token or a secret). None without OAuth2."""
    if config.oauth2 is None:
        return None
    servers = [name for name, s in (("imap", config.imap), ("smtp", config.smtp)) if s.auth is AuthMethod.OAUTH2]
    shown = daemon.get("sign_in") if daemon else None
    known = shown if isinstance(shown, Mapping) else {}
    return {"provider": config.oauth2.label, "servers": servers, "running": bool(known),
            **{key: known.get(key) for key in ("obtained_at", "expires_at", "failing", "last_error", "error_at")}}


TROUBLE_DAYS = 30     # failed deliveries older than this are no longer shown


def delivery_trouble(states: StateStore, now: datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Messages waiting to be retried (with the reason and next try) and recent ones given up on."""
    found = []
    for r in states.outbox.records():
        if r.state is State.DEFERRED or (r.state is State.FAILED and r.first_attempt is not None
                                         and now - r.first_attempt <= timedelta(days=TROUBLE_DAYS)):
            found.append({"state": r.state.value, "recipient": r.recipient, "kind": r.kind.value,
                          "meeting": r.meeting_key, "reason": r.last_error, "attempts": r.attempts,
                          "next_try": r.next_attempt.astimezone(zone).isoformat()
                          if r.state is State.DEFERRED and r.next_attempt else None})
    return sorted(found, key=lambda d: (d["state"], d["next_try"] or "", d["recipient"]))


def unsubscribed_status(config: Config, community: CommunityState) -> list[dict[str, str]]:
    """Members who asked by mail to leave (they get no mail; the roster is staff's to edit)."""
    zone = config.community.timezone
    people = []
    for key, at in community.unsubscribed:
        member = config.roster.get(key)
        people.append({"name": member.name if member else key, "email": member.email if member else key,
                       "since": at.astimezone(zone).isoformat()})
    return people


def bounce_status(config: Config, community: CommunityState, now: datetime) -> dict[str, Any]:
    """Members whose delivery is suspended (with the evidence), and the live bounce scores of the others."""
    zone, today = config.community.timezone, now.astimezone(config.community.timezone).date()

    def who(key: str) -> dict[str, str]:
        member = config.roster.get(key)
        return {"name": member.name if member else key, "email": member.email if member else key}

    suspended, scores = [], []
    for record in community.bounces:
        if record.suspended_at is not None:
            suspended.append({**who(record.member), "since": record.suspended_at.astimezone(zone).isoformat(),
                              "score": record.score, "evidence": [
                                  {"at": b.at.astimezone(zone).isoformat(), "detail": b.detail} for b in record.evidence]})
        elif (score := live_score(config.bounce, record, today)) > 0:
            scores.append({**who(record.member), "score": score, "last": record.last.isoformat()})
    return {"threshold": config.bounce.threshold, "suspended": suspended, "scores": scores}


def _daemon_lines(report: Mapping[str, Any] | None, zone: ZoneInfo) -> list[str]:
    """The daemon's own health as its heartbeat reports it: the IMAP intake's last contact and last error."""
    if not report:
        return ["Daemon: no heartbeat in the state folder (is `mailflow run` running?)"]
    lines = []
    if report.get("tick"):
        lines.append(f"Daemon: last tick {_shown(str(report['tick']), zone)} (pid {report.get('pid', '?')})")
    intake = report.get("intake")
    if isinstance(intake, Mapping):
        ok = _shown(str(intake["last_ok"]), zone) if intake.get("last_ok") else "never"
        line = f"IMAP intake: last successful contact {ok}"
        if intake.get("failing"):
            line += f"; FAILING ({intake['failing']} attempts in a row)"
        if intake.get("last_error"):
            line += f"; last error {_shown(str(intake['error_at']), zone)}: {intake['last_error']}"
        lines.append(line)
    steps = report.get("steps")
    if isinstance(steps, Mapping):
        lines.append(f"Steps: FAILING since {_shown(str(steps['failing_since']), zone)} ({steps['failures']} tries, "
                     f"tried again with backoff; see the log): {steps['last_error']}")
    return lines


def _sign_in_lines(sign_in: Mapping[str, Any] | None, zone: ZoneInfo) -> list[str]:
    """The OAuth2 sign-in: the provider, the current token's times, the last refusal."""
    if not sign_in:
        return []
    servers = " and ".join(s.upper() for s in sign_in["servers"]) or "no server"
    head = f"Sign-in to {sign_in['provider']}, OAuth2 for {servers}"
    if not sign_in["running"]:
        return [f"{head}: no report from a running daemon"]
    if sign_in["obtained_at"]:
        head += (f": token obtained {_shown(sign_in['obtained_at'], zone)}, "
                 f"expires {_shown(sign_in['expires_at'], zone)}")
    else:
        head += ": no token obtained yet"
    lines = [head + ("; FAILING" if sign_in["failing"] else "")]
    if sign_in["last_error"]:
        lines.append(f"  last error {_shown(sign_in['error_at'], zone)}: {sign_in['last_error']}")
    return lines


def _shown(moment: str, zone: ZoneInfo) -> str:
    """2027-01-05 10:00 PST: how status shows a time (the community's zone, named)."""
    try:
        return f"{datetime.fromisoformat(moment).astimezone(zone):%Y-%m-%d %H:%M %Z}"
    except (TypeError, ValueError):
        return moment


def render_text(data: dict[str, Any]) -> str:
    zone = ZoneInfo(data["timezone"])
    lines = [f"mailflow status at {_shown(data['now'], zone)} ({zone.key})", ""]
    for m in data["meetings"]:
        title = f"Meeting {m['date']} (starts {_shown(m['start'], zone)}, chair {m['chair'] or 'none'})"
        lines += [title + ("  CANCELLED" if m["cancelled"] else ""), "-" * len(title)]
        for s in m["steps"]:
            mark = {"done": "✓", "missed": "✗", "skipped": "-", "waiting": "…", "due": "!", "upcoming": " ",
                    "cancelled": "-"}
            lines.append(f"  {mark.get(s['status'], '?')} {s['step']:<17} {_shown(s['due'], zone)}  {s['status']}"
                         + (f" ({s['detail']})" if s["detail"] else ""))
        gone = set(m.get("replied_left") or ())
        lines.append(f"  updates ({len(m['replied'])}): "
                     + (", ".join(n + (" (left the roster)" if n in gone else "") for n in m["replied"]) or "-"))
        lines.append(f"  skipped: {', '.join(m['skipped']) or '-'}   away: {', '.join(m['away']) or '-'}"
                     f"   bounced: {', '.join(m['bounced']) or '-'}")
        lines.append(f"  no answer ({len(m['no_answer'])}): {', '.join(m['no_answer']) or '-'}")
        r = m["rsvps"]
        lines.append(f"  RSVPs: {r.get('accepted', 0)} accepted, {r.get('tentative', 0)} tentative, "
                     f"{r.get('declined', 0)} declined")
        lines.append(f"  agenda: revision {m['agenda_revision']}, "
                     f"{'approved' if m['agenda_approved'] else 'not approved'}; "
                     f"minutes: {'received' if m['minutes_received'] else 'not yet'}")
        if m["resources"]:
            lines.append(f"  resources: {', '.join(m['resources'])}")
        lines.append(f"  unclear ({len(m['unclear'])}): " + ("-" if not m["unclear"] else ""))
        for u in m["unclear"]:
            lines.append(f"    {_shown(u['at'], zone)}  {u['name']} <{u['email']}> ({u['request']}): "
                         f"{u['excerpt'][:60]!r} -- asked {'staff' if u['asked'] == 'staff' else 'them'}: "
                         f"{u['question']}")
        lines.append("")
    lines += _daemon_lines(data.get("daemon"), zone)
    lines += _sign_in_lines(data.get("sign_in"), zone)
    lines.append(f"Held mail waiting for staff: {len(data['held'])}"
                 + (f" ({data['held_concluded']} concluded)" if data.get("held_concluded") else "")
                 + ("   (mailflow held show ID / release ID / discard ID)" if data["held"] else ""))
    for h in data["held"]:
        lines.append(f"  {h.get('id', h['sha256'][:12])}  {_shown(h['at'], zone)}  {h['sender'] or '?'}  "
                     f"{h['subject'][:40]!r}: {h['reason']}  [{h['raw']}]")
    trouble = data.get("deliveries") or []
    if trouble:
        lines.append(f"Deliveries in trouble: {len(trouble)}")
    for d in trouble:
        when = f", next try {_shown(d['next_try'], zone)}" if d["next_try"] else ""
        lines.append(f"  {d['state']:<8} {d['kind']} to {d['recipient']} ({d['attempts']} attempts{when}): "
                     f"{d['reason'] or '?'}")
    bounces = data["bounces"]
    lines.append(f"Suspended for bounces: {len(bounces['suspended'])}"
                 + ("   (re-enable: mailflow member enable EMAIL)" if bounces["suspended"] else ""))
    for b in bounces["suspended"]:
        lines.append(f"  {b['name']} <{b['email']}> since {_shown(b['since'], zone)} (score {b['score']})")
    if bounces["scores"]:
        lines.append(f"Bounce scores (suspended at {bounces['threshold']}): " + ", ".join(
            f"{b['name']} {b['score']} (last {b['last']})" for b in bounces["scores"]))
    leaving = data.get("unsubscribed") or []
    lines.append(f"Unsubscribed by mail: {len(leaving)}"
                 + ("   (mark them departed in the roster when they have left)" if leaving else ""))
    for u in leaving:
        lines.append(f"  {u['name']} <{u['email']}> since {_shown(u['since'], zone)}")
    outbox = data["outbox"]
    lines.append("Outbox: " + (", ".join(f"{n} {state}" for state, n in sorted(outbox.items())) or "empty"))
    paused = data.get("outbox_paused")
    if paused:
        lines.append(f"  PAUSED since {paused['since']}: the mail server refuses our account ({paused['reason']}); "
                     f"nothing is sent until it accepts it (next try {paused['retry_at']}). Fix the password, "
                     "then reload mailflow.")
    return "\n".join(lines)
