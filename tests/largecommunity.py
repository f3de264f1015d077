"""A large community of numbered members (m0001@...) for tests that load the daemon with many members."""

from __future__ import annotations

from pathlib import Path


def member(n: int) -> str:
    """The n-th member's address (1-based)."""
    return f"m{n:04d}@members.example.org"


def write_large_community(folder: Path, *, members: int, name: str, secret_prefix: str, service: str,
                          imap_port: int, smtp_port: int, smtp_extra: str = "") -> Path:
    """A schedule file (monthly, second Tuesday from 2027-01-12) and a roster of ``members`` numbered members;
    the passwords are read from ``{secret_prefix}_IMAP_PASSWORD`` and ``{secret_prefix}_SMTP_PASSWORD``."""
    rows = ["name,email,role,division,joined,status"]
    rows += [f"Member {n},{member(n)},Physician Lead,North Division,2025-06-10,active" for n in range(1, members + 1)]
    (folder / "members.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    toml = folder / "cop.toml"
    toml.write_text(f"""roster = "members.csv"

[community]
name = "{name}"
address = "{service}"
timezone = "America/Vancouver"
staff = ["staff@example.test"]

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = 2027-01-12
start = "12:00"
duration_minutes = 60
video_link = "https://video.example.org/j/123"

[chair]
rotation = ["{member(1)}", "{member(2)}"]

[imap]
host = "127.0.0.1"
port = {imap_port}
tls = "none"
allow_plaintext = true
user = "{service}"
secret_env = "{secret_prefix}_IMAP_PASSWORD"
timeout_seconds = 5

[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
allow_plaintext = true
user = "bot@example.test"
secret_env = "{secret_prefix}_SMTP_PASSWORD"
{smtp_extra}
[state]
dir = "{folder / 'state'}"
""", encoding="utf-8")
    return toml
