"""A community on the test Dovecot: schedule file, roster, and a rehearsal stage (Dovecot + aiosmtpd)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness_dovecot import Dovecot
from harness_smtp import SMTP_PASSWORD, LMTPRelayHandler, SmtpServer

from mailflow.schedule.config import ImapSettings, SmtpSettings, Tls

SECRET = "whole-cycle-test-secret-0123456789"
NAMES = [
    ("Dr. Amrit Sandhu", "Physician Lead", "Fraser Northwest Division"),
    ("Marie-Claire Tremblay", "Executive Director", "Vancouver Division"),
    ("Dr. Jordan O'Neill", "Physician Lead", "Kootenay Boundary Division"),
    ("Priya Natarajan", "PMH Facilitator", "Surrey-North Delta Division"),
    ("Tom Whitehorse", "PMH Facilitator", "Thompson Region Division"),
    ("Dr. Helen Cho", "Physician Lead", "South Island Division"),
    ("Grace Okafor", "Executive Director", "Chilliwack Division"),
    ("Luis Ferreira", "PMH Facilitator", "Comox Valley Division"),
    ('Dr. Sarah "Sally" Bennett', "Physician Lead", "North Shore Division"),
    ("Dr. Michel Gagnon", "Physician Lead", "White Rock, South Surrey Division"),
    ("Aisha Rahman", "PMH Facilitator", "Northern Interior Division"),
    ("Kenji Watanabe", "Executive Director", "Richmond Division"),
]

PARIS_MEMBER, PARIS = "Luis Ferreira", "Europe/Paris"


@dataclass(frozen=True)
class Community:
    toml: Path
    service: str
    staff: tuple[str, ...]
    leader: str                      # a minutes recipient who is not a member
    members: tuple[str, ...]         # roster order; the last one has departed


def write_community(folder: Path, dovecot: Dovecot, *, chair_first: bool = True, state: Path | None = None,
                    extra: str = "") -> Community:
    """A schedule file and an Excel-style roster (BOM, CRLF, quotes) whose addresses are Dovecot users."""
    service, staff1, staff2, leader = (dovecot.new_user() for _ in range(4))
    members = tuple(dovecot.new_user() for _ in NAMES)
    rows = ["name,email,role,division,joined,status,timezone"]
    for (name, role, division), address in zip(NAMES, members, strict=False):
        departed = name.startswith("Kenji")
        joined = "2026-11-10" if name.startswith("Aisha") else "2025-01-14"
        quoted = '"' + name.replace('"', '""') + '"'
        zone = PARIS if name == PARIS_MEMBER else ""   # one member reads times in their own zone
        rows.append(f'{quoted},{address},{role},"{division}",{joined},{"departed" if departed else "active"},{zone}')
    (folder / "members.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    rotation = ", ".join(f'"{m}"' for m in members[:-1])
    toml = folder / "cop.toml"
    toml.write_text(f"""roster = "members.csv"

[community]
name = "Test Community of Practice"
address = "{service}"
timezone = "America/Vancouver"
staff = ["{staff1}", "{staff2}"]
minutes_recipients = ["{leader}"]
list_id = "test-cop.example.test"

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2026-11-10
start = "12:00"
duration_minutes = 60
video_link = "https://video.example.org/j/123"

[chair]
rotation = [{rotation}]

[imap]
host = "127.0.0.1"
port = {dovecot.port}
tls = "none"
allow_plaintext = true
user = "{service}"
secret_env = "TEST_IMAP_PASSWORD"
timeout_seconds = 5
idle_renew_seconds = 60

[smtp]
host = "127.0.0.1"
port = 2525
tls = "none"
allow_plaintext = true
user = "bot@example.test"
secret_env = "TEST_SMTP_PASSWORD"

[state]
dir = "{state or folder / 'state'}"
{extra}
""", encoding="utf-8")
    return Community(toml, service, (staff1, staff2), leader, members)


class DovecotStage:
    """Dovecot holds every mailbox; aiosmtpd relays the daemon's mail into them over LMTP."""

    def __init__(self, dovecot: Dovecot, service: str) -> None:
        self.dovecot = dovecot
        self.service = service
        self.server = SmtpServer(handler=LMTPRelayHandler(dovecot.lmtp_socket)).start()
        self.imap = ImapSettings("127.0.0.1", dovecot.port, Tls.NONE, service, secret_env="TEST_IMAP_PASSWORD",
                                 allow_plaintext=True, timeout_seconds=5.0, idle_renew_seconds=60)
        self.smtp: SmtpSettings = self.server.settings(secret_env="TEST_SMTP_PASSWORD")
        self.environ = {"TEST_IMAP_PASSWORD": dovecot.password, "TEST_SMTP_PASSWORD": SMTP_PASSWORD,
                        "MAILFLOW_SECRET": SECRET}

    def sent(self) -> list[tuple[str, tuple[str, ...], bytes]]:
        return [(r.mail_from, r.rcpt_tos, r.data) for r in self.server.received]

    def deliver(self, raw: bytes) -> None:
        self.dovecot.deliver(self.service, raw)

    def close(self) -> None:
        self.server.stop()
