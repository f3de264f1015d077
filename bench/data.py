"""Generated benchmark data: a community of N members on disk, and realistic replies to what the engine sent."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from mailflow.adapters.clock import ManualClock
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.app.wiring import Parts, open_parts
from mailflow.schedule import load
from mailflow.schedule.calendar import Meeting, meeting_by_key
from mailflow.schedule.config import Config, Step
from mailflow_demo.personas import Persona, Received, read
from mailflow_demo.rehearsal import sample_pdf

SECRET = b"bench-secret-0123456789abcdef-fixed"
FIRST_MEETING = "2026-01-13"          # second Tuesday: the rule's first meeting
STYLES = ("gmail", "outlook", "iphone", "outlook_fr", "gmail", "outlook", "thunderbird", "outlook_nosep",
          "apple", "gmail")
FIRST = ("Amrit", "Marie-Claire", "Jordan", "Priya", "Tom", "Helen", "Grace", "Luis", "Sarah", "Michel",
         "Aisha", "Kenji", "Chloé", "Dev", "Eli", "Fatima", "Gurpreet", "Hannah", "Ibrahim", "Jasmine")
LAST = ("Sandhu", "Tremblay", "O'Neill", "Natarajan", "Whitehorse", "Cho", "Okafor", "Ferreira", "Bennett",
        "Gagnon", "Rahman", "Watanabe", "Nguyen", "Martin", "Singh", "Roy", "Leblanc", "Wong", "Smith", "Côté")
ROLES = ("Physician Lead", "Executive Director", "PMH Facilitator")
DIVISIONS = ("Fraser Northwest", "Vancouver", "Kootenay Boundary", "Surrey-North Delta", "Thompson Region",
             "South Island", "Chilliwack", "Comox Valley", "North Shore", "Richmond", "Northern Interior")
WORDS = ["clinic", "patients", "referral", "housing", "food", "security", "screening", "social", "worker", "navigator", "division", "PCN", "pilot", "partners", "community", "income", "benefits", "pharmacy", "transportation", "consent", "privacy", "template", "MOA", "physicians", "funding", "evaluation", "outreach", "seniors", "families", "shelter", "legal", "clinic", "tenant", "rights", "intake", "form", "follow-up", "weekly", "call", "budget", "board", "network", "workshop", "data", "dashboard", "survey", "results", "access", "after-hours", "language", "interpreter", "newcomers", "youth", "mental", "health", "wellness", "plan", "timeline"]
SIGNATURE = ("Thanks,\n{name}\n{role}, {division} Division of Family Practice\nT 604-555-{phone:04d}\n\n"
             "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended only for "
             "the named recipient. If you received it in error, please delete it.")


@dataclass(frozen=True)
class Community:
    """A schedule file and roster written for the benchmark."""

    toml: Path
    service: str
    members: tuple[str, ...]


def member_address(n: int) -> str:
    return f"m{n:05d}@members.example.org"


def write_community(folder: Path, *, members: int, service: str = "cop@example.test", imap_port: int = 143,
                    smtp_port: int = 25, attachment_max: int | None = None, seed: int = 7) -> Community:
    """A schedule file (monthly, second Tuesday from 2026-01-13) and a roster of ``members`` rows."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    addresses = tuple(member_address(n) for n in range(1, members + 1))
    rows = ["name,email,role,division,joined,status"]
    for address in addresses:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        rows.append(f'"{name}",{address},{rng.choice(ROLES)},"{rng.choice(DIVISIONS)} Division",2025-06-10,active')
    (folder / "members.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    rotation = ", ".join(f'"{a}"' for a in addresses[:12])
    attachments = f"[attachments]\nmax_bytes = {attachment_max}\n" if attachment_max else ""
    toml = folder / "cop.toml"
    toml.write_text(f"""roster = "members.csv"

[community]
name = "Benchmark Community of Practice"
address = "{service}"
timezone = "America/Vancouver"
staff = ["staff@example.test"]
list_id = "bench-cop.example.test"

[meetings]
rrule = "FREQ=MONTHLY;BYDAY=2TU"
first = {FIRST_MEETING}
start = "12:00"
duration_minutes = 60
video_link = "https://video.example.org/j/123"

[chair]
rotation = [{rotation}]

{attachments}
[imap]
host = "127.0.0.1"
port = {imap_port}
tls = "none"
allow_plaintext = true
user = "{service}"
secret_env = "BENCH_IMAP_PASSWORD"
timeout_seconds = 10
idle_renew_seconds = 60

[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
allow_plaintext = true
user = "bot@example.test"
secret_env = "BENCH_SMTP_PASSWORD"

[state]
dir = "{folder / 'state'}"
""", encoding="utf-8")
    return Community(toml, service, addresses)


def open_engine(config: Config, at: datetime) -> tuple[Parts, ManualClock]:
    """Store, outbox, composer and engine on the config's state directory, with a manual clock at ``at``."""
    clock = ManualClock(at)
    return open_parts(config, clock, SECRET, states=TinyDBStateStore.open(config.state_dir)), clock


def sent_requests(parts: Parts, kind: str, meeting_key: str) -> dict[str, bytes]:
    """The bytes the engine queued of ``kind`` for ``meeting_key``, by recipient."""
    return {r.recipient: parts.outbox.raw(r) for r in parts.outbox.records()
            if r.kind == kind and r.meeting_key == meeting_key}


def calls_for_updates(config: Config, meeting: Meeting, parts: Parts, clock: ManualClock) -> dict[str, bytes]:
    """Tick through the invitation and the call for updates of ``meeting``; the calls, by member."""
    for step in (Step.INVITATION, Step.CALL_FOR_UPDATES):
        clock.set(meeting.due_at(step))
        parts.engine.tick(meeting.due_at(step))
    return sent_requests(parts, "call-for-updates", meeting.key)


# --- replies ------------------------------------------------------------------------------------


def paragraph(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    sentences, out = [], []
    for word in chosen:
        out.append(word)
        if len(out) >= rng.randint(8, 18):
            sentences.append(" ".join(out).capitalize() + ".")
            out = []
    if out:
        sentences.append(" ".join(out).capitalize() + ".")
    return " ".join(sentences)


def update_text(rng: random.Random) -> str:
    """A roundtable update: labelled or free text, 40-160 words."""
    if rng.random() < 0.5:
        return (f"Challenge: {paragraph(rng, rng.randint(15, 50))}\nSuccess: {paragraph(rng, rng.randint(15, 50))}\n"
                f"How members can help: {paragraph(rng, rng.randint(10, 40))}")
    return "\n\n".join(paragraph(rng, rng.randint(20, 60)) for _ in range(rng.randint(1, 3)))


def earlier_thread(rng: random.Random, chars: int) -> str:
    """Older quoted history: forwarded discussion below the message being answered."""
    blocks = []
    total = 0
    while total < chars:
        who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        block = (f"\n-----Original Message-----\nFrom: {who} <{who.split()[0].lower()}@divisions.example.org>\n"
                 f"Sent: Tuesday, March 3, 2026 9:{rng.randint(10, 59)} AM\nSubject: RE: referral pathways\n\n"
                 + "\n\n".join(paragraph(rng, rng.randint(40, 90)) for _ in range(rng.randint(2, 4))) + "\n")
        blocks.append(block)
        total += len(block)
    return "".join(blocks)


def pdf(rng: random.Random, size: int) -> bytes:
    """A valid PDF of about ``size`` bytes (text pages; incompressible enough to be realistic)."""
    lines = []
    body = 0
    while body < size:
        line = f"BT /F1 10 Tf 72 {rng.randint(60, 740)} Td ({paragraph(rng, 12)}) Tj ET"
        lines.append(line)
        body += len(line) + 1
    return sample_pdf("\n".join(lines).encode("latin-1", "replace"))


def big_pdf(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes whose stream is pseudo-random (like a scanned document)."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Length 0 >>\nstream\n"
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    filler = random.Random(25).randbytes(size - len(head) - len(tail))
    return head + filler + tail


_MESSAGE_ID = re.compile(rb"^Message-ID: <[^>]*>", re.MULTILINE | re.IGNORECASE)


def reply_to(got: Received, persona: Persona, rng: random.Random, now: datetime, serial: int,
             *, min_bytes: int = 5_000, max_bytes: int = 50_000, pdf_share: float = 0.3) -> bytes:
    """One realistic reply of about min..max bytes: new text, signature, quoted history, maybe HTML and a PDF."""
    target = rng.randint(min_bytes, max_bytes)
    html = rng.random() < 0.6
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    budget = target - len(got.text) * (2 if html else 1) - 1_500
    if rng.random() < pdf_share:
        size = rng.randint(2_000, max(2_500, min(30_000, int(budget * 0.6))))
        attachments = ((f"resource-{serial}.pdf", "application/pdf", pdf(rng, size)),)
        budget -= int(size * 1.37)
    history = earlier_thread(rng, max(0, budget // (2 if html else 1) - 600))
    text = update_text(rng)
    raw = persona.reply(replace(got, text=got.text + history), text, now, html=html, attachments=attachments)
    # make_msgid mixes in the clock and pid: a fixed Message-ID keeps the bytes reproducible
    return _MESSAGE_ID.sub(b"Message-ID: <bench.%d@members.example.org>" % serial, raw, count=1)


def persona_for(config: Config, email: str, index: int) -> Persona:
    member = config.roster.get(email)
    assert member is not None
    signature = SIGNATURE.format(name=member.name, role=member.role, division=member.division.split(" Division")[0],
                                 phone=index % 10_000)
    return Persona(member.name, member.email, STYLES[index % len(STYLES)], signature)


def replies_for(config: Config, requests: dict[str, bytes], now: datetime, count: int, seed: int,
                serial_base: int = 0, **sizes: float) -> list[bytes]:
    """``count`` replies, members in roster order (wrapping: a member answers again), fixed seed."""
    rng = random.Random(seed)
    members = sorted(requests)
    parsed = {m: read(requests[m]) for m in members[:count]}
    out = []
    for i in range(count):
        email = members[i % len(members)]
        got = parsed.get(email) or parsed.setdefault(email, read(requests[email]))
        out.append(reply_to(got, persona_for(config, email, i), rng, now + timedelta(minutes=i), serial_base + i,
                            **sizes))
    return out


def meeting(config: Config, key: str) -> Meeting:
    return meeting_by_key(config, key)


def load_config(toml: Path) -> Config:
    return load(toml)
