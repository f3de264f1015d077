"""The schedule file (TOML) and its roster, loaded once into a typed, frozen Config or refused."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.errors import ConfigError
from mailflow.schedule.calendar import parse_rule, produces
from mailflow.schedule.config import (
    DEFAULT_OFFSETS,
    AlertSettings,
    AttachmentPolicy,
    AuthMethod,
    BouncePolicy,
    BusinessDays,
    ChairPolicy,
    Community,
    Config,
    ImapSettings,
    MeetingRule,
    ReplyAddressStyle,
    ResourceLibrary,
    Roster,
    RoundtablePolicy,
    ServerSettings,
    SilentChair,
    SmtpSettings,
    StaffMember,
    Step,
    Timeline,
    Tls,
)
from mailflow.schedule.keys import MISSING, KeyLines, Table, format_offset
from mailflow.schedule.oauth2 import check_server_auth, load_oauth2
from mailflow.schedule.overrides import read_overrides
from mailflow.schedule.recurrence import rule_problem
from mailflow.schedule.roster import load_roster

ROOT_KEYS = (
    "community", "meetings", "timeline", "chair", "roundtable", "attachments", "imap", "smtp",
    "state", "templates", "roster", "credentials_file", "oauth2", "bounce", "staff", "resources", "alerts",
)
SERVER_KEYS = ("host", "port", "tls", "user", "auth", "secret_env", "timeout_seconds", "allow_plaintext", "ca_file")
IMAP_KEYS = ("folder", "processed_folder", "held_folder", "idle_renew_seconds", "max_message_bytes")
SMTP_KEYS = ("max_connections", "max_per_minute", "message_deadline_seconds", "give_up_after", "first_retry", "max_retry")
ALERT_KEYS = ("digest_every", "max_per_hour")
DEFAULT_PORTS = {
    ("imap", Tls.IMPLICIT): 993, ("imap", Tls.STARTTLS): 143, ("imap", Tls.NONE): 143,
    ("smtp", Tls.IMPLICIT): 465, ("smtp", Tls.STARTTLS): 587, ("smtp", Tls.NONE): 25,
}
STEP_ORDER = ", ".join(step.toml_key for step in Step)
BUSINESS_KEYS = ("business_days", "country", "subdivision", "extra_closed_days")


def load(path: Path) -> Config:
    """Read the schedule file at ``path`` and the roster it names; raise ConfigError if either is wrong."""
    path = Path(path)
    lines = KeyLines(text := _read(path))
    root = Table(str(path), lines, "", _parse(text, path), path.parent)
    root.expect(*ROOT_KEYS)
    community = _community(root.table("community"), _country(root), root.tables("staff"))
    roster = load_roster(root.path_value("roster"))
    timeline = _timeline(root.table("timeline"))
    imap, smtp = _imap(_required(root, "imap")), _smtp(_required(root, "smtp"))
    config = Config(
        path=path,
        community=community,
        meetings=_meetings(root.table("meetings"), community.timezone, roster, timeline),
        timeline=timeline,
        chair=_chair(root.table("chair"), roster),
        roundtable=_roundtable(root.table("roundtable")),
        attachments=_attachments(root.table("attachments")),
        imap=imap,
        smtp=smtp,
        state_dir=root.table("state").expect("dir").path_value("dir", path.parent / "state"),
        templates_dir=root.table("templates").expect("dir").path_value("dir", None),
        roster=roster,
        credentials_file=root.path_value("credentials_file", None),
        bounce=_bounce(root.table("bounce")),
        resources=_resources(root.table("resources")),
        alerts=_alerts(root.table("alerts")),
        lines=lines,
        oauth2=load_oauth2(root, imap, smtp),
    )
    return config


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), "--config", str(path),
                          "an existing schedule file (pass --config PATH or set MAILFLOW_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "--config", str(path), f"a readable UTF-8 TOML file ({exc})") from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = str(exc).split(" (at line")[0]
        line = int(found[1]) if found else None
        hint = _syntax_hint(text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else "")
        raise ConfigError(str(path), "(syntax)", reason, "valid TOML (https://toml.io)" + hint, line) from None


def _syntax_hint(line: str) -> str:
    """The usual slips in a schedule file: a time or a date written without quotes or zero padding."""
    key, _, value = line.partition("=")
    value, name = value.strip(), key.strip() or "start"
    if re.match(r"\d{1,2}:\d{2}(?!:\d)", value):
        clock = re.match(r"\d{1,2}:\d{2}", value)[0]  # type: ignore[index]
        return f"; quote times: {name} = \"{clock.zfill(5)}\""
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}\b", value):
        return f"; write dates with two-digit months and days, e.g. {name} = 2027-01-12"
    return ""


def _required(root: Table, name: str) -> Table:
    if not root.has(name):
        raise root.error(name, MISSING, f"a table [{name}] (this table is required)")
    return root.table(name)


def _country(root: Table) -> str | None:
    """timeline.country as written (checked with the timeline): it ranks the zones a refused name suggests."""
    timeline = root.data.get("timeline")
    country = timeline.get("country") if isinstance(timeline, dict) else None
    return country if isinstance(country, str) else None


def _community(t: Table, country: str | None, people: list[Table]) -> Community:
    if not t.data:
        raise t.error("name", MISSING, "a table [community] with name, address, timezone and staff")
    t.expect("name", "address", "timezone", "staff", "minutes_recipients", "list_id", "reply_style",
             "secret_env", "authserv_id")
    staff = _staff(t, people)
    return Community(
        name=t.text("name"),
        address=t.email("address"),
        timezone=t.zone("timezone", country=country),
        staff=staff,
        minutes_recipients=t.emails("minutes_recipients", ()),
        list_id=t.text("list_id", ""),
        reply_style=t.choice("reply_style", ReplyAddressStyle, ReplyAddressStyle.PLUS),
        secret_env=t.env_name("secret_env", "MAILFLOW_SECRET"),
        authserv_id=t.text("authserv_id", None),
    )


def _staff(community: Table, people: list[Table]) -> tuple[StaffMember, ...]:
    """[[staff]] entries (name, address, role); the older [community] staff list of addresses still reads."""
    if people and community.has("staff"):
        raise community.error("staff", list(community.data["staff"]),
                              "no list here when [[staff]] entries name the staff (keep one of the two)")
    if not people:
        addresses = community.emails("staff", ())
        if not addresses:
            raise community.error("staff", MISSING, "[[staff]] entries with name and address (at least one)")
        return tuple(StaffMember(address.partition("@")[0], address) for address in addresses)
    found: list[StaffMember] = []
    for t in people:
        t.expect("name", "address", "role")
        person = StaffMember(t.text("name"), t.email("address"), t.text("role", "staff"))
        if any(other.key == person.key for other in found):
            raise t.error("address", person.email, "an address no other [[staff]] entry has")
        found.append(person)
    return tuple(found)


def _resources(t: Table) -> ResourceLibrary:
    t.expect("base_url")
    url = t.get("base_url", None, _base_url, "an http:// or https:// address where staff publish `mailflow export`")
    return ResourceLibrary(base_url=url)


def _base_url(value: object) -> str:
    text = _typed_text(value)
    if not re.match(r"https?://[^\s/]+(/\S*)?$", text):
        raise ValueError(value)
    return text.rstrip("/")


def _meetings(t: Table, zone: ZoneInfo, roster: Roster, timeline: Timeline) -> MeetingRule:
    t.expect("rrule", "first", "start", "duration_minutes", "video_link", "override")
    first, start = t.day("first"), t.clock("start")
    text = t.text("rrule")
    if problem := rule_problem(text):
        raise t.error("rrule", text, problem)
    try:
        parse_rule(text, first, start)
    except ValueError:
        raise t.error("rrule", text, "an RFC 5545 RRULE of at most one meeting a day, e.g. "
                                     "'FREQ=MONTHLY;BYDAY=2TU' (no BYHOUR/BYMINUTE/BYSECOND/DTSTART)") from None
    duration = t.minutes("duration_minutes", timedelta(minutes=60))
    rule = MeetingRule(rrule=text, first=first, start=start, duration=duration, video_link=_link(t))
    if not produces(rule, first):
        raise t.error("first", first.isoformat(), f"a date the rule {text!r} gives: the first meeting")
    return replace(rule, overrides=read_overrides(t, zone, roster, rule, timeline))


def _link(t: Table) -> str:
    link: str = t.text("video_link")
    if not re.match(r"https?://\S+$", link):
        raise t.error("video_link", link, "an http:// or https:// link to the video meeting")
    return link


def _timeline(t: Table) -> Timeline:
    t.expect(*(step.toml_key for step in Step), *BUSINESS_KEYS)
    offsets = tuple((step, t.offset(step.toml_key, DEFAULT_OFFSETS[step])) for step in Step)
    for (before, early), (after, late) in zip(offsets, offsets[1:], strict=False):
        if late < early:
            _refuse_order(t, before, early, after, late)
    _refuse_sign(t, dict(offsets))
    return Timeline(offsets=offsets, business_days=_business_days(t))


def _business_days(t: Table) -> BusinessDays | None:
    """On unless business_days = false; public holidays only where a country is named."""
    country = t.get("country", None, _known_country,
                    "an ISO 3166 country code the holidays package knows, like 'CA' (https://pypi.org/project/holidays/)")
    subdivision = t.get("subdivision", None, lambda v: _typed_text(v).upper(), "a subdivision code like 'BC'")
    if subdivision is not None:
        if country is None:
            raise t.error("subdivision", subdivision, "timeline.country as well (the subdivision is part of a country)")
        if subdivision not in (known := _subdivisions(country)):
            raise t.error("subdivision", subdivision, f"one of {country}'s subdivisions: {', '.join(known)}")
    dates: list[object] = t.get("extra_closed_days", [], lambda v: list(v) if isinstance(v, list) else _refuse(v),
                                "a list of dates")
    extra = frozenset(_closed_day(t, index, value) for index, value in enumerate(dates, 1))
    if not t.boolean("business_days", True):
        return None
    return BusinessDays(country=country, subdivision=subdivision, extra_closed=extra)


def _known_country(value: object) -> str:
    from holidays import list_supported_countries  # lazy: only files naming a country pay for it

    code = _typed_text(value).upper()
    if code not in list_supported_countries():
        raise ValueError(value)
    return code


def _subdivisions(country: str) -> list[str]:
    from holidays import list_supported_countries

    return list(list_supported_countries()[country])


def _closed_day(t: Table, index: int, value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    raise t.error(f"extra_closed_days[{index}]", value, "a date like 2027-12-24")


def _typed_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(value)
    return value.strip()


def _refuse(value: object) -> list[object]:
    raise TypeError(value)


def _refuse_order(t: Table, before: Step, early: timedelta, after: Step, late: timedelta) -> None:
    order = f"the steps run in the order {STEP_ORDER}"
    if t.has(after.toml_key) or not t.has(before.toml_key):
        raise t.error(after.toml_key, format_offset(late),
                      f"an offset no earlier than timeline.{before.toml_key} ({format_offset(early)!r}): {order}")
    raise t.error(before.toml_key, format_offset(early),
                  f"an offset no later than timeline.{after.toml_key} ({format_offset(late)!r}): {order}")


def _refuse_sign(t: Table, offsets: dict[Step, timedelta]) -> None:
    if offsets[Step.DAY_OF_REMINDER] >= timedelta(0):
        raise t.error(Step.DAY_OF_REMINDER.toml_key, format_offset(offsets[Step.DAY_OF_REMINDER]),
                      "an offset before the meeting start, e.g. '-2h'")
    if offsets[Step.MINUTES_REQUEST] <= timedelta(0):
        raise t.error(Step.MINUTES_REQUEST.toml_key, format_offset(offsets[Step.MINUTES_REQUEST]),
                      "an offset after the meeting start, e.g. '+1d'")


def _chair(t: Table, roster: Roster) -> ChairPolicy:
    t.expect("rotation", "on_silence")
    rotation = t.emails("rotation")
    emails = []
    for index, email in enumerate(rotation, 1):
        member = roster.get(email)
        if member is None:
            raise t.error(f"rotation[{index}]", email, f"a member on the roster {roster.path}")
        emails.append(member.email)
    if not any(roster.get(email).active for email in emails):  # type: ignore[union-attr]
        raise t.error("rotation", list(rotation), f"at least one active member of the roster {roster.path}")
    return ChairPolicy(rotation=tuple(emails), on_silence=t.choice("on_silence", SilentChair, SilentChair.SEND))


def _roundtable(t: Table) -> RoundtablePolicy:
    t.expect("words_per_minute", "minutes_per_update", "focus_minutes")
    default = RoundtablePolicy()
    return RoundtablePolicy(
        words_per_minute=t.integer("words_per_minute", default.words_per_minute, minimum=1),
        minutes_per_update=t.number("minutes_per_update", default.minutes_per_update),
        focus_minutes=t.integer("focus_minutes", default.focus_minutes),
    )


def _attachments(t: Table) -> AttachmentPolicy:
    t.expect("max_bytes", "allowed_types", "packet_total_bytes")
    default = AttachmentPolicy()
    kinds = t.texts("allowed_types", default.allowed_types)
    for index, kind in enumerate(kinds, 1):
        if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", kind):
            raise t.error(f"allowed_types[{index}]", kind, "a MIME type like 'application/pdf'")
    return AttachmentPolicy(
        max_bytes=t.integer("max_bytes", default.max_bytes, minimum=1),
        allowed_types=tuple(kind.lower() for kind in kinds),
        packet_total_bytes=t.integer("packet_total_bytes", default.packet_total_bytes),
    )


def _bounce(t: Table) -> BouncePolicy:
    t.expect("threshold", "stale_after")
    default = BouncePolicy()
    stale = t.offset("stale_after", default.stale_after, signed=False)
    if stale < timedelta(days=1):
        raise t.error("stale_after", t.data["stale_after"], "a duration of at least one day, e.g. '90d'")
    return BouncePolicy(threshold=t.integer("threshold", default.threshold, minimum=1, maximum=100),
                        stale_after=stale)


def _server(t: Table, kind: str, default_tls: Tls) -> dict[str, Any]:
    tls = t.choice("tls", Tls, default_tls)
    allow_plaintext = t.boolean("allow_plaintext", False)
    if tls is Tls.NONE and not allow_plaintext:
        raise t.error("tls", tls.value, "'implicit' or 'starttls' ('none' needs allow_plaintext = true, "
                                        "for loopback test servers only)")
    ca_file = t.path_value("ca_file", None)
    if ca_file is not None and not ca_file.is_file():
        raise t.error("ca_file", str(ca_file), "an existing CA bundle file (PEM)")
    auth = t.choice("auth", AuthMethod, AuthMethod.PASSWORD)
    check_server_auth(t, auth)
    return dict(
        host=t.text("host"), port=t.integer("port", DEFAULT_PORTS[kind, tls], minimum=1, maximum=65535),
        tls=tls, user=t.text("user"), auth=auth,
        secret_env=t.env_name("secret_env", ServerSettings.secret_env),
        timeout_seconds=t.number("timeout_seconds", ServerSettings.timeout_seconds),
        allow_plaintext=allow_plaintext, ca_file=ca_file,
    )


def _imap(t: Table) -> ImapSettings:
    t.expect(*SERVER_KEYS, *IMAP_KEYS)
    common = _server(t, "imap", Tls.IMPLICIT)
    return ImapSettings(
        **common,
        folder=t.text("folder", ImapSettings.folder),
        processed_folder=t.text("processed_folder", ImapSettings.processed_folder),
        held_folder=t.text("held_folder", ImapSettings.held_folder),
        idle_renew_seconds=t.integer("idle_renew_seconds", ImapSettings.idle_renew_seconds, minimum=60, maximum=1740),
        max_message_bytes=t.integer("max_message_bytes", ImapSettings.max_message_bytes, minimum=1),
    )


def _smtp(t: Table) -> SmtpSettings:
    t.expect(*SERVER_KEYS, *SMTP_KEYS)
    common = _server(t, "smtp", Tls.STARTTLS)
    return SmtpSettings(
        **common,
        max_connections=t.integer("max_connections", SmtpSettings.max_connections, minimum=1, maximum=64),
        max_per_minute=t.integer("max_per_minute", SmtpSettings.max_per_minute, minimum=0, maximum=100_000),
        message_deadline_seconds=t.number("message_deadline_seconds", SmtpSettings.message_deadline_seconds),
        give_up_after=t.offset("give_up_after", SmtpSettings.give_up_after, signed=False),
        first_retry=t.offset("first_retry", SmtpSettings.first_retry, signed=False),
        max_retry=t.offset("max_retry", SmtpSettings.max_retry, signed=False),
    )


def _alerts(t: Table) -> AlertSettings:
    t.expect(*ALERT_KEYS)
    return AlertSettings(
        every=t.offset("digest_every", AlertSettings.every, signed=False),
        max_per_hour=t.integer("max_per_hour", AlertSettings.max_per_hour, minimum=1, maximum=1000),
    )
