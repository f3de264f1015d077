"""A live `mailflow run` for the catalogue tests, and what its users see of it.

The daemon is a real process on an injected clock (MAILFLOW_CLOCK), its community's mailboxes on
the test Dovecot, its mail relayed by aiosmtpd into them. The test plays the members (answering
what they received, with whatever bytes the case needs) and reads the outcome the way staff do:
`mailflow status`, `held`, `log` and `export`, and the mail that reached the SMTP server.
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from cyclestage import DovecotStage, write_community
from test_daemon import launch, wait_for

from mailflow.adapters.clock import parse_clock
from mailflow.schedule import load
from mailflow.schedule.calendar import meeting_by_key
from mailflow.schedule.config import Config, Step
from mailflow_demo.personas import Received, read

MEETING = "2027-01-12"


@dataclass
class Live:
    """A community, its mail servers and its running daemon."""

    community: Any
    stage: DovecotStage
    config: Config
    env: dict[str, str]
    log: Path
    spec: str
    daemon: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    # --- the daemon ---

    def start(self, program: Path | None = None) -> None:
        """`mailflow run`, or ``program run`` (a script that injects a fault at our own seam, then runs it)."""
        env = {**self.env, **self.extra_env}
        if program is None:
            self.daemon = launch(self.community.toml, env, self.log)
            return
        with self.log.open("ab") as out:
            self.daemon = subprocess.Popen([sys.executable, str(program), "run", "--config", str(self.community.toml)],
                                           stdout=out, stderr=out, env={**os.environ, **env})

    def ready(self, timeout: float = 40.0) -> None:
        assert wait_for(lambda: "mailflow ready" in self.log_text(), timeout), self.log_text()[-3000:]

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            assert self.daemon.wait(30) == 0, self.log_text()[-3000:]

    def kill(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait(10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def now(self) -> datetime:
        return parse_clock(self.spec).now()

    # --- mail ---

    def sent(self, kind: str | None = None, to: str | None = None) -> list[tuple[str, EmailMessage]]:
        """(recipient, message) of what reached the SMTP server, of one kind and to one person if given."""
        out = []
        for _, rcpts, raw in self.stage.sent():
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if (kind is None or msg["X-Mailflow-Kind"] == kind) and (to is None or rcpts[0] == to):
                out.append((rcpts[0], msg))
        return out

    def got(self, member: str, kind: str) -> Received:
        """What ``member`` received last of ``kind`` (to answer it)."""
        for _, rcpts, raw in reversed(self.stage.sent()):
            if rcpts[0] == member and f"X-Mailflow-Kind: {kind}".encode() in raw:
                return read(raw)
        raise AssertionError(f"{member} got no {kind}")

    def deliver(self, raw: bytes) -> None:
        self.stage.deliver(raw)

    def in_folder(self, folder: str) -> int:
        with self.stage.dovecot.imap(self.community.service) as client:
            if not client.folder_exists(folder):
                return 0
            return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    # --- what staff see ---

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "mailflow", *args, "--config", str(self.community.toml)],
                              capture_output=True, text=True, env={**os.environ, **self.env}, timeout=60)
        if check:
            assert done.returncode == 0, (args, done.stderr[-2000:])
        return done

    def status(self) -> dict[str, Any]:
        return json.loads(self.cli("status", "--json").stdout)

    def held(self) -> list[dict[str, Any]]:
        return json.loads(self.cli("held", "list", "--json").stdout)

    def audit(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.cli("log", "--json").stdout.splitlines() if line.strip()]

    def updates(self, out: Path, meeting: str = MEETING) -> dict[str, str]:
        """Each member's update text as `mailflow export` writes it (updates.csv), by the member's email."""
        self.cli("export", "--meeting", meeting, "--out", str(out))
        found = next(out.rglob("updates.csv"))
        with found.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
        emails = {m.name: m.email for m in self.config.roster.members}
        return {emails[row["member"]]: row["text"] for row in rows}


def live_community(tmp_path: Path, dovecot: Any, *, step: Step = Step.CALL_FOR_UPDATES,
                   before: timedelta = timedelta(minutes=2), speed: float = 60, extra: str = "",
                   toml_edit: Any = None) -> Live:
    """A community whose daemon starts ``before`` the ``step`` of the January meeting, ``speed`` times fast."""
    community = write_community(tmp_path, dovecot, extra=extra)
    stage = DovecotStage(dovecot, community.service)
    text = community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}")
    community.toml.write_text(toml_edit(text) if toml_edit else text)
    config = load(community.toml)
    start = meeting_by_key(config, MEETING).due_at(step) - before
    spec = f"{start.isoformat()}@{speed}@{time.time() + 0.5}"
    env = {**stage.environ, "MAILFLOW_CLOCK": spec}
    return Live(community, stage, config, env, tmp_path / "daemon.log", spec)


def reply_bytes(sender: str, got: Received, body: bytes, *, charset: str = "utf-8", message_id: str | None = "",
                headers: dict[str, str] | None = None, subject: str | None = None, date: str = "") -> bytes:
    """A plain-text reply to ``got`` with exactly ``body`` as its bytes (charset as labelled). ``message_id``
    "" makes a fresh one, None leaves the header out; ``date`` "" is now."""
    lines = [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += [f"From: {sender}", f"To: {got.reply_to}", f"Subject: {subject or 'Re: ' + got.subject}",
              f"Date: {date or format_datetime(datetime.now().astimezone())}"]
    if message_id is not None:
        lines.append(f"Message-ID: {message_id or make_msgid(domain=sender.rpartition('@')[2])}")
    if got.message_id:
        lines += [f"In-Reply-To: {got.message_id}", f"References: {got.message_id}"]
    lines += ["MIME-Version: 1.0", f"Content-Type: text/plain; charset={charset}",
              "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def mime_reply(sender: str, got: Received, text: str, attachments: list[tuple[str, str, bytes]],
               *, headers: dict[str, str] | None = None) -> bytes:
    """A reply to ``got`` with ``text`` and files attached as (name, content type, bytes)."""
    msg = EmailMessage()
    for name, value in (headers or {}).items():
        msg[name] = value
    msg["From"] = sender
    msg["To"] = got.reply_to
    msg["Subject"] = "Re: " + got.subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if got.message_id:
        msg["In-Reply-To"] = got.message_id
        msg["References"] = got.message_id
    msg.set_content(text + "\n")
    for filename, ctype, data in attachments:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=email.policy.SMTP)
