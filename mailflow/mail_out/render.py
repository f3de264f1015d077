"""Rendering a message kind from its Jinja2 templates: subject, plain text and inlined HTML."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import jinja2
from markupsafe import Markup, escape

from mailflow.core.kinds import MessageKind
from mailflow.errors import MailflowError
from mailflow.mail_out import wrapping
from mailflow.ports import Rendered
from mailflow.schedule.calendar import Meeting

TEXT_WIDTH = 72

BASE_KEYS = ("community", "recipient", "meeting", "reply_address", "now")

# Each kind and the context keys it needs besides BASE_KEYS; a test renders every one.
KINDS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.INVITATION: ("updated", "reinstated", "was"),
    MessageKind.FOCUS_PLANNING: ("suggested_topics", "future_items", "draft_due"),
    MessageKind.CALL_FOR_UPDATES: ("is_new_member", "open_actions", "reply_by", "words_limit"),
    MessageKind.REMINDER: ("reply_by",),
    MessageKind.AGENDA_DRAFT: ("agenda", "packet_due", "on_silence", "packet_sent_at", "attached", "listed", "links"),
    MessageKind.AGENDA_PACKET: ("agenda", "attached", "listed", "links", "addendum_at"),
    MessageKind.AGENDA_ADDENDUM: ("agenda", "packet_sent_at", "day_of_reminder"),
    MessageKind.DAY_OF_REMINDER: ("late_updates",),
    MessageKind.MINUTES_REQUEST: ("agenda",),
    MessageKind.MINUTES_DIGEST: ("minutes", "attached", "listed", "links", "next_meeting", "next_focus",
                                 "suggested_topics", "open_actions", "unsent_updates"),
    MessageKind.CHAIR_HANDOVER: ("previous_agenda", "previous_minutes", "open_actions", "future_items",
                                    "deadlines"),
    MessageKind.WELCOME: ("next_meeting",),
    MessageKind.MEETING_CANCELLED: (),
    MessageKind.INVITATION_WITHDRAWN: (),
    MessageKind.NOTICE_RECORDED: ("recorded", "update", "question", "words_limit", "undoable", "addendum_at"),
    MessageKind.NOTICE_QUESTION: ("question", "excerpt"),
    MessageKind.NOTICE_UNDONE: ("replied_at", "reverted", "kept", "agenda_moved"),
    MessageKind.NOTICE_UNSUBSCRIBED: ("at",),
    MessageKind.NOTICE_ATTACHMENT_REFUSED: ("filename", "reason", "size", "limit"),
    MessageKind.NOTICE_MESSAGE_TOO_LARGE: ("size", "limit"),
    MessageKind.NOTICE_RESOURCE: ("filename", "resource", "available", "fits", "link", "limit"),
    MessageKind.ALERT_HELD_MAIL: ("reason", "sender", "subject", "held_id"),
    MessageKind.ALERT_STEP_MISSED: ("step", "due", "reason"),
    MessageKind.ALERT_DELIVERY_FAILED: ("reason", "error", "sender", "count"),   # sender: who it failed for
    MessageKind.ALERT_INTAKE_STALLED: ("error", "minutes_down"),
    MessageKind.ALERT_SIGN_IN_FAILED: ("provider", "error", "advice"),
    MessageKind.ALERT_CHAIR_SILENT: ("reason",),
    MessageKind.ALERT_CHAIR_CHANGED: ("old_chair", "new_chair", "new_chair_email", "reason", "focus_sent",
                                      "draft_sent", "reinvited"),
    MessageKind.ALERT_MEMBER_SUSPENDED: ("member_name", "member_email", "score", "threshold", "evidence", "chairs"),
    MessageKind.ALERT_MEMBER_UNSUBSCRIBED: ("member_name", "member_email", "at", "chairs", "rejoined"),
    MessageKind.ALERT_REPLY_UNCLEAR: ("question", "excerpt", "sender", "sender_name", "request"),
    MessageKind.ALERT_MEMBER_QUESTION: ("excerpt", "sender", "sender_name", "request", "recorded"),
    MessageKind.DESK_ANSWER: ("answers", "commands"),
    MessageKind.ALERT_OUTBOX_PAUSED: ("error", "since"),
    MessageKind.ALERT_STORE_FAILING: ("error", "since"),
    MessageKind.ALERT_DIGEST: ("items", "more", "kinds"),
}

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_BULLET = re.compile(r"\s*(?:[-*•]\s+|\d+[.)]\s+|(?:>\s?)+)?")


class RenderError(MailflowError):
    """A template is missing, broken, or was given the wrong context; the message says which."""

    def __init__(self, kind: str, problem: str) -> None:
        self.kind = kind
        self.problem = problem
        super().__init__(f"cannot render {kind!r}: {problem}")


def check_escaping(folder: Path) -> None:
    """Refuse a staff HTML template that turns escaping off (``|safe``, ``{% autoescape false %}``): member
    text (names, updates, file names) would reach the HTML as markup. Raises RenderError naming the file."""
    env = jinja2.Environment(autoescape=True)
    for path in sorted(folder.glob("*.html.j2")):
        try:
            tree = env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError:
            continue                       # rendering it names the syntax error
        for node in tree.find_all((jinja2.nodes.Filter, jinja2.nodes.EvalContextModifier)):
            if isinstance(node, jinja2.nodes.Filter) and node.name != "safe":
                continue
            how = "|safe" if isinstance(node, jinja2.nodes.Filter) else "an autoescape block"
            raise RenderError(path.name.removesuffix(".html.j2"), f"{path}, line {node.lineno}: {how} turns HTML "
                              "escaping off, so member text would reach the HTML as markup; remove it")


def packaged_templates_dir() -> Path:
    """Our own templates: next to the package in a checkout, else installed under sys.prefix."""
    candidates = (
        Path(__file__).resolve().parents[2] / "templates",
        Path(sys.prefix) / "share" / "mailflow" / "templates",
    )
    for candidate in candidates:
        if (candidate / "_layout.txt.j2").is_file():
            return candidate
    raise RenderError("*", "packaged templates not found in " + " or ".join(map(str, candidates)))


# ---- filters: dates in the community's zone, sizes, links, paragraphs ----------------------

def _zone_label(moment: datetime) -> str:
    abbreviation = moment.tzname() or ""
    if abbreviation[:1] in "+-":      # zones without a letter abbreviation, e.g. "-03"
        offset = moment.strftime("%z")
        abbreviation = f"UTC{offset[:3]}:{offset[3:]}"
    key = getattr(moment.tzinfo, "key", None)
    return f"{abbreviation} ({key})" if key and key != abbreviation else abbreviation


def _day(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


@dataclass(frozen=True)
class DateFilters:
    """Formats instants in the community's zone, always naming the zone.

    For a reader in another zone (the roster's timezone column), times are in the reader's zone,
    with the community's beside them: "Tuesday 12 January 2027, 21:00 CET (Europe/Paris; 12:00 PST
    in America/Vancouver)". The calendar part is not affected: calendars convert on their own.
    """

    zone: object                  # the community's tzinfo
    reader: object | None = None  # the recipient's, when it differs

    def for_reader(self, reader: object | None) -> DateFilters:
        if reader is None or getattr(reader, "key", reader) == getattr(self.zone, "key", self.zone):
            return self if self.reader is None else replace(self, reader=None)
        return replace(self, reader=reader)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment.isoformat()} in a template")
        # through UTC, so a wall time in a spring-forward gap (02:30) reads as the instant it is (03:30)
        return moment.astimezone(UTC).astimezone(self.reader or self.zone)  # type: ignore[arg-type]

    def _home(self, moment: datetime) -> datetime:
        return moment.astimezone(UTC).astimezone(self.zone)  # type: ignore[arg-type]

    def _beside(self, label: str, moment: datetime, clock: str) -> str:
        """``label`` ("CET (Europe/Paris)") with the community's time added inside its brackets."""
        if self.reader is None:
            return label
        home, local = self._home(moment), self.local(moment)
        day = "" if home.date() == local.date() else f"{_DAYS[home.weekday()]} {home.day} {_MONTHS[home.month - 1]}, "
        beside = f"{day}{clock} {_zone_label(home).split(' (')[0]} in {getattr(self.zone, 'key', self.zone)}"
        return f"{label[:-1]}; {beside})" if label.endswith(")") else f"{label} ({beside})"

    def day(self, moment: datetime) -> str:
        """Tuesday 12 January 2027"""
        return _day(self.local(moment))

    def moment(self, moment: datetime) -> str:
        """Tuesday 12 January 2027, 12:00 PST (America/Vancouver)"""
        local = self.local(moment)
        return f"{_day(local)}, {local:%H:%M} {self._beside(_zone_label(local), moment, f'{self._home(moment):%H:%M}')}"

    def clock(self, moment: datetime) -> str:
        """12:00 PST; for a reader elsewhere 21:00 CET (12:00 PST)"""
        local = self.local(moment)
        text = f"{local:%H:%M} {_zone_label(local).split(' (')[0]}"
        if self.reader is None:
            return text
        home = self._home(moment)
        return f"{text} ({home:%H:%M} {_zone_label(home).split(' (')[0]})"

    def when(self, meeting: Meeting) -> str:
        """Tuesday 12 January 2027, 12:00–13:00 PST (America/Vancouver)"""
        start, end = self.local(meeting.start), self.local(meeting.end)
        home = f"{self._home(meeting.start):%H:%M}–{self._home(meeting.end):%H:%M}"
        if start.date() != end.date():
            return (f"{_day(start)}, {start:%H:%M} – {_day(end)}, {end:%H:%M} "
                    f"{self._beside(_zone_label(end), meeting.start, home)}")
        return f"{_day(start)}, {start:%H:%M}–{end:%H:%M} {self._beside(_zone_label(start), meeting.start, home)}"


# The zone of the recipient being rendered for: set by Renderer.render, read by the date filters
# (a context variable, not the template context, so that imported macros format for them too).
_READER: ContextVar[object | None] = ContextVar("mailflow_reader_zone", default=None)


def _reader_filters(dates: DateFilters) -> dict[str, object]:
    """The date filters, each formatting for the recipient being rendered for (their zone, if they have one)."""
    @lru_cache(maxsize=256)     # a step formats the same few instants for each of its members
    def formatted(name: str, reader: object | None, value: object) -> str:
        """Sound to cache: a DateFilters method is a function of the zones and the value alone."""
        text: str = getattr(dates.for_reader(reader), name)(value)
        return text

    def bound(name: str) -> object:
        def apply(value: object) -> str:
            reader = _READER.get()
            try:
                hash(value)
            except TypeError:           # a value that cannot be a cache key is formatted as it comes
                return formatted.__wrapped__(name, reader, value)
            return formatted(name, reader, value)
        return apply

    return {"date": bound("day"), "datetime": bound("moment"), "time": bound("clock"), "when": bound("when")}


def filesize(size: int) -> str:
    """340 KB, 2.4 MB, 10 MB: binary units, as mail clients and file managers show them."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"


def minutes(value: float) -> str:
    """5 min, 2.5 min"""
    return f"{value:g} min"


def safe_url(url: str | None) -> str:
    """The URL when it is http(s) or mailto, else "" (a template then shows no link)."""
    if not url:
        return ""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "mailto") else ""


_URL_BREAK = re.compile(r"(?<=[/?&=#])(?=[^/?&=#])")


def link_text(url: str | None) -> Markup:
    """A safe URL as link text that a narrow screen wraps only after ``/``, ``?``, ``&``, ``=`` or ``#``
    (``<wbr>``), never inside a meeting number; the anchor's style asks browsers not to break anywhere else."""
    safe = safe_url(url)
    return Markup("<wbr>").join(escape(part) for part in _URL_BREAK.split(safe))


def lang_code(code: str | None) -> str:
    """A BCP 47 language tag fit for a ``lang`` attribute ("fr", "pt-BR"), else ""."""
    return code if code and re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?", code) else ""


def paragraphs(text: str) -> Markup:
    """Escaped HTML paragraphs from plain text: blank lines split, single newlines break."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    html = (Markup("<br>\n").join(escape(line) for line in block.split("\n")) for block in blocks)
    return Markup("\n").join(Markup("<p>%s</p>") % block for block in html)


def wrap_text(body: str, width: int = TEXT_WIDTH) -> str:
    """Wraps lines over ``width`` at spaces, keeping bullets and indents; never breaks a URL."""
    out: list[str] = []
    for line in body.split("\n"):
        if len(line) <= width:
            out.append(line)
        else:
            out.extend(_wrap_line(line, width))
    return "\n".join(out)


@lru_cache(maxsize=4096)      # each line is wrapped on its own, and a step's messages share most of theirs
def _wrap_line(line: str, width: int) -> tuple[str, ...]:
    """One line over ``width``, wrapped at spaces with its bullet or indent kept."""
    lead = _BULLET.match(line)
    prefix = lead.group(0) if lead else ""
    hang = prefix if ">" in prefix else " " * len(prefix)
    if len(prefix) >= width // 2:
        prefix = hang = ""
    return tuple(wrapping.wrap(line[len(prefix):], width, prefix, hang))


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, one final newline."""
    lines = [line if line == "-- " else line.rstrip() for line in text.strip("\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


# ---- the renderer ---------------------------------------------------------------------------

class _Environment(jinja2.Environment):
    """A jinja2 Environment whose templates' globals are one plain dict each.

    jinja2 gives each template a ChainMap over the environment's globals, and reads it whole for every context
    it makes (each render, each block, each ``{% import %}``): a Python-level walk of the chain that cost a
    fifth of rendering a receipt. The dict holds the same names and values, overlaid the same way; what it
    no longer reflects is a change to the environment's globals after a template is loaded, which jinja2
    says to avoid and nothing here makes (``_environment`` sets filters and tests, never globals)."""

    def make_globals(self, d: MutableMapping[str, object] | None) -> MutableMapping[str, object]:
        return {**self.globals, **(d or {})}


def _environment(search: list[str], dates: DateFilters, html: bool) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        auto_reload=False,     # a reload builds a new Renderer; no stat of every template per message
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_reader_filters(dates))
    env.tests["unlinked"] = lambda sha, links: not safe_url(links.get(sha))    # a file with no link to get it
    env.filters.update(
        filesize=filesize, minutes=minutes, safe_url=safe_url, paragraphs=paragraphs, link_text=link_text,
        lang_code=lang_code,
    )
    return env


class Renderer:
    """Renders kinds from staff templates (when given) over the packaged ones, file by file."""

    def __init__(self, timezone: object, templates_dir: Path | None = None) -> None:
        search = [str(packaged_templates_dir())]
        if templates_dir is not None:
            search.insert(0, str(templates_dir))
        dates = DateFilters(timezone)
        self._text = _environment(search, dates, html=False)
        self._html = _environment(search, dates, html=True)
        self._inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)

    def render(self, kind: MessageKind, context: Mapping[str, object]) -> Rendered:
        """Subject, wrapped plain text and CSS-inlined HTML for ``kind``."""
        self._check(kind, context)
        reader = _READER.set(getattr(context.get("recipient"), "timezone", None))
        current = f"{kind}.txt.j2"
        try:
            text_template = self._text.get_template(current)
            current = text_template.filename or current
            subject_block = text_template.blocks.get("subject")
            if subject_block is None:
                raise RenderError(kind, f"{kind}.txt.j2 has no {{% block subject %}}")
            values = dict(context)
            subject = " ".join("".join(subject_block(text_template.new_context(values))).split())
            values["email_subject"] = subject
            text = _tidy(wrap_text(text_template.render(values)))
            current = f"{kind}.html.j2"
            html_template = self._html.get_template(current)
            current = html_template.filename or current
            html = html_template.render(values)
        except jinja2.TemplateSyntaxError as error:
            raise RenderError(kind, f"{error.filename or current}, line {error.lineno}: {error.message}") from error
        except jinja2.TemplateError as error:
            raise RenderError(kind, f"{current}: {type(error).__name__}: {error}") from error
        finally:
            _READER.reset(reader)
        return Rendered(subject=subject, text=text, html=self._inliner.inline(html))

    def summary(self, kind: MessageKind, context: Mapping[str, object]) -> tuple[str, str]:
        """The subject and the body block alone, as plain text: one item of an alert digest.

        Not wrapped: the digest's text is wrapped as a whole, and its HTML keeps each paragraph one
        paragraph (a line wrapped here would become a forced break there)."""
        self._check(kind, context)
        reader = _READER.set(getattr(context.get("recipient"), "timezone", None))
        try:
            template = self._text.get_template(f"{kind}.txt.j2")
            blocks = {name: template.blocks.get(name) for name in ("subject", "body")}
            missing = [name for name, block in blocks.items() if block is None]
            if missing:
                raise RenderError(kind, f"{kind}.txt.j2 has no {{% block {missing[0]} %}}")
            values = dict(context)
            parts = ["".join(block(template.new_context(values))) for block in blocks.values() if block]
        except jinja2.TemplateError as error:
            raise RenderError(kind, f"{type(error).__name__}: {error}") from error
        finally:
            _READER.reset(reader)
        return " ".join(parts[0].split()), _tidy(parts[1])

    @staticmethod
    def _check(kind: MessageKind, context: Mapping[str, object]) -> None:
        if kind not in KINDS:
            raise RenderError(kind, f"unknown kind; known kinds: {', '.join(KINDS)}")
        missing = [key for key in (*BASE_KEYS, *KINDS[kind]) if key not in context]
        if missing:
            raise RenderError(kind, f"context lacks {', '.join(missing)}")
