"""``mailflow export``: an archive of every meeting, and the community's resource library in one page.

Per meeting (``DIR/2027-01-12/``): the agenda as the chair approved it and the packet as members
got it (HTML and text, rendered by the same templates), ``updates.csv`` (member, division, text,
date), the minutes (``minutes.txt``/``.html``) and ``actions.csv``, and ``resources/`` holding each
shared file under its own name, made safe. ``DIR/index.html`` lists every resource, newest first,
searchable by file name and member in the page itself (no server, no network).
"""

from __future__ import annotations

import csv
import html
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from mailflow.app.runner import CycleRunner
from mailflow.core.cycle import send_draft, send_packet
from mailflow.core.decision import Recipient
from mailflow.core.digest import digest_sends
from mailflow.core.kinds import MessageKind
from mailflow.core.library import export_names
from mailflow.core.resources import Resource
from mailflow.core.state import MeetingState
from mailflow.errors import MailflowError
from mailflow.mail_out.render import Renderer
from mailflow.ports import StateStore
from mailflow.schedule.calendar import UnknownMeeting, meeting_by_key
from mailflow.schedule.config import Config

INDEX = "index.html"


class ExportError(MailflowError):
    """The export cannot be written (an unknown meeting, an output folder that cannot be made)."""


@dataclass(frozen=True)
class LibraryRow:
    """One shared file in the index."""

    meeting: str
    name: str               # its name in the export
    href: str               # relative to DIR
    shared_by: str
    shared_by_email: str
    shared_at: datetime
    size: int


@dataclass(frozen=True)
class Exported:
    meetings: tuple[str, ...]
    files: int
    index: Path


def export(config: Config, states: StateStore, out: Path, now: datetime, meeting_key: str | None = None) -> Exported:
    """Write the archive of one meeting (or of every meeting the store knows) and the index under ``out``."""
    installed = states.community().installed_at
    known = [key for key in states.meeting_keys() if not _before(config, key, installed)]
    if meeting_key is not None and meeting_key not in known:
        raise ExportError(f"the state holds nothing for a meeting on {meeting_key!r}; meetings: "
                          + (", ".join(known) or "none yet"))
    chosen = [meeting_key] if meeting_key else known
    runner = CycleRunner(config, states, None)  # type: ignore[arg-type]  # only reads: windows and situations
    renderer = Renderer(config.community.timezone, config.templates_dir)
    files = 0
    rows: list[LibraryRow] = []
    for key in known:
        state = states.meeting(key)
        if key in chosen:
            files += _meeting(config, states, runner, renderer, state, out / key, now)
        rows += _library_rows(state, key)
    out.mkdir(parents=True, exist_ok=True)
    index = out / INDEX
    index.write_text(library_page(config.community.name, rows, now), encoding="utf-8")
    return Exported(tuple(chosen), files, index)


def _before(config: Config, key: str, installed: datetime | None) -> bool:
    """A meeting held before mailflow was installed: nothing of it is ours to archive."""
    try:
        return installed is not None and meeting_by_key(config, key).start < installed
    except UnknownMeeting:
        return False


def _meeting(config: Config, states: StateStore, runner: CycleRunner, renderer: Renderer, state: MeetingState,
             folder: Path, now: datetime) -> int:
    window = runner.window_for(state.key, now)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    files = shared(state)
    names = export_names(files)
    if files:
        (folder / "resources").mkdir(exist_ok=True)
    for resource in files:
        target = folder / "resources" / names[resource.sha256]
        target.write_bytes(states.file(resource.path))
        os.utime(target, (resource.shared_at.timestamp(), resource.shared_at.timestamp()))
        written += 1
    _write(folder / "updates.csv", _updates_csv(state, config))
    _write(folder / "actions.csv", _actions_csv(states, state.key))
    written += 2
    if window is None:
        return written
    situation = runner.situation(window, states.community())
    reader = Recipient("members", config.community.address)
    base = {"community": config.community, "recipient": reader, "meeting": window.meeting,
            "reply_address": config.community.address, "now": now}
    # the contexts the daemon builds for these kinds, so the archive says what the mail said
    _, drafts = send_draft(situation, state)
    _, packets = send_packet(situation, state, state.packet_sent_at or now)
    parts: dict[str, tuple[MessageKind, Mapping[str, object]]] = {}
    if drafts:
        parts["agenda"] = (MessageKind.AGENDA_DRAFT, drafts[0].context)
    if packets:
        parts["packet"] = (MessageKind.AGENDA_PACKET, packets[0].context)
    if state.minutes is not None:
        digests = digest_sends(situation, state, state.minutes, max(state.minutes_revision, 1))
        if digests:
            parts["minutes"] = (MessageKind.MINUTES_DIGEST, digests[0].context)
    for name, (kind, context) in parts.items():
        rendered = renderer.render(kind, {**base, **context})
        _write(folder / f"{name}.txt", f"{rendered.subject}\n\n{rendered.text}")
        _write(folder / f"{name}.html", rendered.html)
        written += 2
    return written


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[_cell(v) for v in row] for row in rows])  # Excel's dialect
    return "\ufeff" + buffer.getvalue()


def _cell(value: str) -> str:
    """A member's text never becomes a spreadsheet formula ("=HYPERLINK(...)"): such a cell starts with '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _updates_csv(state: MeetingState, config: Config) -> str:
    zone = config.community.timezone
    rows = [["member", "division", "text", "date"]]
    rows += [[u.member_name, u.division, u.text, u.received.astimezone(zone).isoformat(timespec="minutes")]
             for u in sorted(state.updates, key=lambda u: u.received)]
    return _csv(rows)


def _actions_csv(states: StateStore, key: str) -> str:
    register = [a for a in states.community().actions if a.meeting_key == key]
    if not register:
        minutes = states.meeting(key).minutes
        register = list(minutes.actions) if minutes else []
    rows = [["number", "owner", "action", "opened", "status", "closed_by", "closed_at"]]
    rows += [[str(a.number or ""), a.who, a.what, a.opened.date().isoformat() if a.opened else "",
              "done" if a.done else "open", a.done_by, a.done_at.date().isoformat() if a.done_at else ""]
             for a in register]
    return _csv(rows)


def shared(state: MeetingState) -> tuple[Resource, ...]:
    """Every file shared for a meeting: with the updates, then with the minutes (each once)."""
    seen = {r.sha256 for r in state.resources}
    extra = tuple(r for r in (state.minutes.resources if state.minutes else ()) if r.sha256 not in seen)
    return state.resources + tuple({r.sha256: r for r in extra}.values())


def _library_rows(state: MeetingState, key: str) -> list[LibraryRow]:
    files = shared(state)
    names = export_names(files)
    return [LibraryRow(key, names[r.sha256], f"{key}/resources/{quote(names[r.sha256])}", r.shared_by,
                       r.shared_by_email, r.shared_at, r.size) for r in files]


def library_page(community: str, rows: list[LibraryRow], now: datetime) -> str:
    """The index: every shared file, newest first, filtered as you type (name, member, meeting)."""
    from mailflow.mail_out.render import filesize

    newest = sorted(rows, key=lambda r: (r.meeting, r.shared_at), reverse=True)
    meetings = sorted({r.meeting for r in rows}, reverse=True)
    body = "\n".join(
        f'<tr data-search="{html.escape((r.name + " " + r.shared_by + " " + r.shared_by_email + " " + r.meeting).casefold())}">'
        f'<td>{html.escape(r.meeting)}</td><td><a href="{html.escape(r.href)}">{html.escape(r.name)}</a></td>'
        f'<td>{html.escape(r.shared_by)}</td><td>{html.escape(filesize(r.size))}</td></tr>' for r in newest)
    links = " · ".join(f'<a href="{m}/packet.html">{m}</a>' for m in meetings)
    title = html.escape(f"{community}: resource library")
    script = """
const box = document.getElementById("search");
const rows = Array.from(document.querySelectorAll("#library tbody tr"));
const count = document.getElementById("count");
function filter() {
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const row of rows) {
    const hit = words.every(w => row.dataset.search.includes(w));
    row.hidden = !hit;
    if (hit) shown++;
  }
  count.textContent = shown + " of " + rows.length + " files";
}
box.addEventListener("input", filter);
filter();
"""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2937; background: #f9fafb; }}
main {{ max-width: 960px; margin: 0 auto; padding: 24px 16px 64px; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }} .lead {{ color: #4b5563; }}
input[type=search] {{ width: 100%; font-size: 16px; padding: 8px 10px; border: 1px solid #d1d5db; border-radius: 6px; }}
table {{ width: 100%; border-collapse: collapse; margin-top: 12px; background: #fff; }}
th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; }}
th {{ font-size: 13px; color: #6b7280; }} #count {{ color: #6b7280; font-size: 13px; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="lead">Every file members shared, newest first. Exported {html.escape(now.isoformat(timespec="minutes"))}.
Meetings: {links or "none yet"}</p>
<label for="search">Search by file name, member or meeting</label>
<input id="search" type="search" placeholder="e.g. referral map, Priya, 2027-01" autocomplete="off">
<p id="count"></p>
<table id="library"><thead><tr><th>Meeting</th><th>File</th><th>Shared by</th><th>Size</th></tr></thead>
<tbody>
{body}
</tbody></table>
<script>{script}</script>
</main></body></html>
"""

