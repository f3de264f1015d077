"""``mailflow demo``: one whole meeting cycle of the example community in under a minute.

It starts embedded loopback mail servers (pymap for IMAP, aiosmtpd for SMTP), runs the real
daemon (the same SMTP and IMAP adapters, engine and store) through one cycle with a manual
clock, lets a dozen simulated members answer in their mail clients' styles, and writes every
message sent to ``DIR/messages/*.eml`` with an ``index.html`` that shows them in order.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from mailflow.schedule import load
from mailflow.schedule.config import Config, ImapSettings, SmtpSettings, Tls
from mailflow_demo.mailservers import DemoMailServers
from mailflow_demo.rehearsal import SampleCommunity, Transcript, pick_meeting, rehearse, sample_pdf


def example_config_path() -> Path:
    """The example community: beside the package in a checkout, else installed under sys.prefix."""
    for folder in (Path(__file__).resolve().parents[1] / "config", Path(sys.prefix) / "share" / "mailflow" / "config"):
        if (folder / "cop.example.toml").is_file():
            return folder / "cop.example.toml"
    raise FileNotFoundError("the example configuration is not installed (config/cop.example.toml)")


class DemoStage:
    """The embedded servers, seen as a rehearsal's stage."""

    def __init__(self, servers: DemoMailServers, config: Config) -> None:
        self.servers = servers
        address = config.community.address
        self.imap = ImapSettings(servers.host, servers.imap_port, Tls.NONE, address,
                                 secret_env="MAILFLOW_DEMO_PASSWORD", allow_plaintext=True,
                                 timeout_seconds=10.0, idle_renew_seconds=60)
        self.smtp = SmtpSettings(servers.host, servers.smtp_port, Tls.NONE, address,
                                 secret_env="MAILFLOW_DEMO_PASSWORD", allow_plaintext=True,
                                 timeout_seconds=10.0, message_deadline_seconds=10.0)
        self.environ = {"MAILFLOW_DEMO_PASSWORD": servers.password,
                        config.community.secret_env: secrets.token_urlsafe(32)}
        self.address = address

    def sent(self) -> list[tuple[str, tuple[str, ...], bytes]]:
        return [(mail_from, tuple(rcpts), raw) for mail_from, rcpts, raw in self.servers.sent()]

    def deliver(self, raw: bytes) -> None:
        self.servers.deliver(self.address, raw)


def run_demo(out: Path, *, config_path: Path | None = None, today: datetime | None = None,
             progress: Callable[[str], None] = print) -> Transcript:
    """Run the demo and write ``out``; returns what happened.

    ``out`` keeps the demo's schedule file, roster, credentials and state (so that ``mailflow status``,
    ``held``, ``log`` and ``export`` can be tried on them with ``--config out/cop.toml``), every message
    sent (``index.html``, ``messages/``) and the export of the meeting (``library/``).
    """
    started = time.monotonic()
    source = config_path or example_config_path()
    config = load(source)
    today = today or datetime.now(UTC)
    out.mkdir(parents=True, exist_ok=True)
    state = _fresh_state(out / "state")
    config = replace(config, state_dir=state, credentials_file=None)
    meeting = pick_meeting(config, today)
    progress(f"mailflow demo: {config.community.name}, {len(config.roster.active())} active members")
    progress(f"one cycle of the meeting on {meeting.start:%A %d %B %Y at %H:%M %Z}"
             f" (chair: {meeting.chair.name if meeting.chair else 'none'}), on a compressed clock\n")
    with DemoMailServers(config.community.address) as servers:
        stage = DemoStage(servers, config)
        community = SampleCommunity(config, sample_pdf(), desk=True)
        transcript = asyncio.run(rehearse(config, stage, community, meeting, progress))
    kept = keep_config(out, source, config, stage.environ[config.community.secret_env])
    status = _status_text(config, transcript)
    write_output(out, transcript, config)
    library = _export(load(kept), out / "library", transcript)
    progress("")
    progress(status)
    progress(f"\n{len(transcript.sent)} messages sent, {len(transcript.replies)} replies handled "
             f"in {time.monotonic() - started:.1f} s")
    progress(f"open {out / 'index.html'} to read them (each links to its .eml), and {library} for the "
             f"meeting's archive and resource library")
    progress(f"try the staff desk on what the demo left: mailflow status --config {kept}")
    progress(f"  (also: mailflow held list --all, mailflow log, mailflow actions, mailflow export --all --out DIR,"
             f" each with --config {kept})")
    return transcript


def _fresh_state(state: Path) -> Path:
    """The demo's state folder, emptied of an earlier run (only if it is a mailflow state folder)."""
    if state.exists():
        if not (state / "mailflow.lock").exists():
            raise FileExistsError(f"{state} exists and is not a mailflow state folder: choose another --out")
        shutil.rmtree(state)
    return state


def keep_config(out: Path, source: Path, config: Config, secret: str) -> Path:
    """The schedule file, roster and credentials the demo ran with, beside its state: ``out/cop.toml``."""
    roster = out / ("members" + config.roster.path.suffix)
    shutil.copyfile(config.roster.path, roster)
    credentials = out / "credentials"
    credentials.touch(mode=0o600)
    credentials.chmod(0o600)
    credentials.write_text(f"{config.community.secret_env}={secret}\n", encoding="utf-8")
    text = source.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^roster = "[^"]*"', f'roster = "{roster.name}"\ncredentials_file = "credentials"', text, count=1)
    text = re.sub(r'(?m)^(\[state\]\s*\n(?:#[^\n]*\n)*)dir = "[^"]*"', r'\1dir = "state"', text, count=1)
    text = ("# Written by `mailflow demo`: the example community as the demo ran it (its mail servers are gone;\n"
            "# status, held, log, actions and export work on the state folder beside this file).\n" + text)
    kept = out / "cop.toml"
    kept.write_text(text, encoding="utf-8")
    return kept


def _export(config: Config, folder: Path, transcript: Transcript) -> Path:
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.export import export

    at = transcript.sent[-1].at if transcript.sent else transcript.meeting.start
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        return export(config, states, folder, at).index


def _status_text(config: Config, transcript: Transcript) -> str:
    from mailflow.adapters.heartbeat import read
    from mailflow.adapters.state_store import TinyDBStateStore
    from mailflow.app.status import collect, render_text

    with TinyDBStateStore.open(config.state_dir, exclusive=False) as states:
        return render_text(collect(config, states, transcript.sent[-1].at if transcript.sent else
                                   transcript.meeting.start, transcript.meeting.key, daemon=read(config.state_dir)))


# --- the output folder -------------------------------------------------------------------------

def write_output(out: Path, transcript: Transcript, config: Config) -> None:
    messages = out / "messages"
    replies = out / "replies"
    for folder in (messages, replies):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.eml"):
            old.unlink()
    cards = []
    for number, sent in enumerate(transcript.sent, start=1):
        name = f"{number:03d}-{sent.kind}-{_slug(sent.to)}.eml"
        (messages / name).write_bytes(sent.raw)
        cards.append(_card(number, sent.at, sent.kind, sent.to, sent.subject, f"messages/{name}", sent.raw, config))
    answers = []
    for number, (at, who, what, raw) in enumerate(transcript.replies, start=1):
        name = f"{number:03d}-{_slug(who)}.eml"
        (replies / name).write_bytes(raw)
        answers.append(f"<li><a href=\"replies/{name}\">{html.escape(who)}</a> {html.escape(what)} "
                       f"<span class=\"when\">{html.escape(_local(at, config))}</span></li>")
    (out / "index.html").write_text(_page(config, transcript, cards, answers), encoding="utf-8")


def _card(number: int, at: datetime, kind: str, to: str, subject: str, href: str, raw: bytes,
          config: Config) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    html_part = msg.get_body(("html",))
    text_part = msg.get_body(("plain",))
    body_html = html_part.get_content() if html_part is not None else ""
    body_text = text_part.get_content() if text_part is not None else ""
    files = [name for part in msg.iter_attachments() if (name := part.get_filename())]
    extra = f"<div class=\"files\">attached: {html.escape(', '.join(files))}</div>" if files else ""
    return f"""
<section class="card" id="m{number}">
  <header><span class="n">{number}</span> <span class="kind">{html.escape(kind.replace('_', ' '))}</span>
    <span class="when">{html.escape(_local(at, config))}</span></header>
  <div class="meta"><b>To:</b> {html.escape(to)}<br><b>Subject:</b> {html.escape(subject)}
    <br><a href="{html.escape(href)}">{html.escape(href.split('/')[-1])}</a></div>
  {extra}
  <iframe sandbox="" loading="lazy" title="message {number}" srcdoc="{html.escape(body_html, quote=True)}"></iframe>
  <details><summary>plain text</summary><pre>{html.escape(body_text)}</pre></details>
</section>"""


def _page(config: Config, transcript: Transcript, cards: list[str], answers: list[str]) -> str:
    meeting = transcript.meeting
    title = f"mailflow demo — {config.community.name}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f3f4f6; color: #1f2937; }}
main {{ max-width: 880px; margin: 0 auto; padding: 24px 16px 64px; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }} .lead {{ color: #4b5563; margin: 0 0 20px; }}
.card {{ background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; margin: 14px 0; padding: 14px 16px; }}
.card header {{ display: flex; gap: 10px; align-items: baseline; }}
.n {{ color: #9ca3af; font-variant-numeric: tabular-nums; }} .kind {{ font-weight: 600; text-transform: capitalize; }}
.when {{ color: #6b7280; margin-left: auto; font-size: 13px; }}
.meta {{ font-size: 13px; color: #374151; margin: 6px 0 8px; word-break: break-all; }}
.files {{ font-size: 13px; color: #065f46; margin-bottom: 8px; }}
iframe {{ width: 100%; height: 420px; border: 1px solid #e5e7eb; border-radius: 6px; background: #fff; }}
pre {{ white-space: pre-wrap; font-size: 13px; background: #f9fafb; padding: 10px; border-radius: 6px; }}
ul.replies li {{ margin: 4px 0; }} ul.replies .when {{ margin-left: 8px; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p class="lead">One cycle of the meeting on {html.escape(_local(meeting.start, config))}:
{len(cards)} messages sent by mailflow, in order, and the {len(answers)} replies the simulated members sent.
Each message links to its exact bytes (.eml). The meeting's archive and resource library, as
<code>mailflow export</code> writes it: <a href="library/index.html">library/index.html</a>.</p>
<h2>Replies from the simulated members</h2>
<ul class="replies">{''.join(answers)}</ul>
<h2>Messages sent</h2>
{''.join(cards)}
</main></body></html>
"""


def _local(at: datetime, config: Config) -> str:
    return at.astimezone(config.community.timezone).strftime("%a %d %b %Y %H:%M %Z")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "x"
