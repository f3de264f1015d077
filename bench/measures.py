"""The in-process measures: parse, store, send, memory and startup, each against its floor."""

from __future__ import annotations

import compileall
import email
import email.policy
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import data

from mailflow.mail_in.replies import understand
from mailflow.schedule.calendar import occurrences
from mailflow.schedule.config import Step

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


@dataclass
class Result:
    """One measure: its value and unit, and where they exist its floor and target."""

    name: str
    value: float
    unit: str
    target: str
    met: bool
    floor: float | None = None
    details: dict[str, object] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None

    def to_json(self) -> dict[str, object]:
        """Every measure has the same keys first: value, unit, floor, ratio (null without a floor), target, met."""
        floor = round(self.floor, 4) if self.floor else None
        ratio = round(self.value / self.floor, 4) if self.floor else None
        out: dict[str, object] = {"value": round(self.value, 4), "unit": self.unit, "floor": floor, "ratio": ratio}
        out.update(target=self.target, met=self.met, **self.details)
        return out


# --- parse ---------------------------------------------------------------------------------------


def stdlib_parse(raw: bytes) -> int:
    """The floor: the standard library's fastest full read of a reply.

    compat32 parse (the policy mailflow parses with), the headers a reader needs, a walk of the
    MIME tree, and each leaf decoded once (transfer encoding, then charset for text parts).
    """
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    _ = (msg["From"], msg["Subject"], msg["Date"], msg["Message-ID"], msg.get("In-Reply-To", ""),
         msg.get("References", ""))
    size = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text":
            try:
                size += len(payload.decode(part.get_content_charset() or "us-ascii", "replace"))
            except LookupError:       # a charset Python does not know
                size += len(payload.decode("latin-1"))
        else:
            size += len(payload)
    return size


def stdlib_parse_default(raw: bytes) -> int:
    """For information: the same read with ``policy.default`` (parsed header objects, get_content)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    _ = (msg["From"].addresses, str(msg["Subject"]), msg["Date"].datetime, str(msg["Message-ID"]),
         str(msg.get("In-Reply-To", "")), str(msg.get("References", "")))
    size = 0
    for part in msg.walk():
        if not part.is_multipart():
            size += len(part.get_content())
    return size


def _rate(fn, rounds: list[list[bytes]]) -> tuple[float, list[float]]:
    rates = []
    for items in rounds:
        start = time.perf_counter()
        for raw in items:
            fn(raw)
        rates.append(len(items) / (time.perf_counter() - start))
    return max(rates), rates


def measure_parse(replies: list[bytes], rounds: int) -> Result:
    """Replies per second through understand() vs the stdlib compat32 parse + walk + decode floor (best round).

    Each round reads replies no earlier round read (``replies`` holds ``rounds`` sets, plus 20 to warm up):
    a reply read twice could be answered from a cache (understanding caches a reading for the requests
    one reply answers), which would measure the cache, not the reading.
    """
    warm, rest = replies[:20], replies[20:]
    for raw in warm:                  # warm imports and regex caches for all three
        understand(raw)
        stdlib_parse(raw)
        stdlib_parse_default(raw)
    size = len(rest) // rounds
    sets = [rest[i * size:(i + 1) * size] for i in range(rounds)]
    value, value_runs = _rate(understand, sets)
    floor, floor_runs = _rate(stdlib_parse, sets)
    default, default_runs = _rate(stdlib_parse_default, sets)
    sizes = sorted(len(r) for r in rest)
    return Result("parse", value, "msgs/s", "ratio >= 0.5", value / floor >= 0.5, floor, {
        "floor_is": "stdlib compat32 parse + walk + decode each leaf once",
        "messages": size, "rounds": rounds, "median_bytes": statistics.median(sizes),
        "each_round_reads": "replies no earlier round read",
        "runs": [round(r, 1) for r in value_runs], "floor_runs": [round(r, 1) for r in floor_runs],
        "policy_default_msgs_s": round(default, 1), "ratio_to_policy_default": round(value / default, 3),
        "policy_default_runs": [round(r, 1) for r in default_runs],
    })


# --- store ---------------------------------------------------------------------------------------

PER_MEETING = 100          # replies applied to each past meeting (a 100-member community answering)


def _history_template(folder: Path, members: int) -> tuple[Path, str, list[str]]:
    """A real state: the engine applies one reply from each member to the first meeting.

    Returns the state directory, the meeting key and the sha256 of every applied reply.
    """
    community = data.write_community(folder, members=members)
    config = data.load_config(community.toml)
    first = data.meeting(config, data.FIRST_MEETING)
    parts, clock = data.open_engine(config, first.due_at(Step.INVITATION))
    calls = data.calls_for_updates(config, first, parts, clock)
    now = first.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=3)
    clock.set(now)
    replies = data.replies_for(config, calls, now, PER_MEETING, seed=11, min_bytes=3_000, max_bytes=12_000,
                               pdf_share=0.1)
    for raw in replies:
        parts.engine.accept(raw)
    parts.states.close()
    return config.state_dir, first.key, [hashlib.sha256(r).hexdigest() for r in replies]


def _clone_meetings(state: Path, template_key: str, shas: list[str], keys: list[str]) -> None:
    """Copy the template meeting's state, outbox and blobs to each of ``keys`` under fresh names.

    Each clone gets its own reply hashes (raw/ and inbox/ blobs, the applied set) and its own
    outbox message ids; outgoing records are marked sent, as they would be by then.
    """
    meeting_json = (state / "meetings" / f"{template_key}.json").read_text()
    queue_json = (state / "outbox" / "queue" / f"{template_key}.json").read_text()
    queue = json.loads(queue_json)
    for _n, key in enumerate(keys, start=1):
        renamed = {sha: hashlib.sha256(f"{key}:{sha}".encode()).hexdigest() for sha in shas}
        text = meeting_json.replace(template_key, key)
        for old, new in renamed.items():
            text = text.replace(old, new)
            for kind, suffix in (("raw", ".eml"), ("inbox", ".rec")):
                source = state / kind / old[:2] / f"{old}{suffix}"
                target = state / kind / new[:2] / f"{new}{suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        (state / "meetings" / f"{key}.json").write_text(text)
        tables = json.loads(json.dumps(queue).replace(template_key, key))
        for doc in tables.get("messages", {}).values():
            doc["state"] = "sent"
            old_id = doc["message_id"].replace(key, template_key)
            old_blob = state / "outbox" / "eml" / (hashlib.sha256(old_id.encode()).hexdigest() + ".eml")
            new_blob = state / "outbox" / "eml" / (hashlib.sha256(doc["message_id"].encode()).hexdigest() + ".eml")
            if old_blob.exists():
                new_blob.write_bytes(old_blob.read_bytes().replace(template_key.encode(), key.encode()))
        (state / "outbox" / "queue" / f"{key}.json").write_text(json.dumps(tables))


def _apply_fresh(state_toml: Path, meeting_key: str, fresh: int) -> dict[str, list[float]]:
    """Open the state, tick the current meeting's invitation and call, then time ``fresh`` accepts."""
    config = data.load_config(state_toml)
    current = data.meeting(config, meeting_key)
    start = time.perf_counter()
    parts, clock = data.open_engine(config, current.due_at(Step.INVITATION))
    open_seconds = time.perf_counter() - start
    calls = data.calls_for_updates(config, current, parts, clock)
    now = current.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=3)
    clock.set(now)
    replies = data.replies_for(config, calls, now, fresh, seed=99, serial_base=900_000)
    cpu, wall = [], []
    for raw in replies:
        c0, w0 = time.process_time(), time.perf_counter()
        parts.engine.accept(raw)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    parts.states.close()
    return {"cpu": cpu, "wall": wall, "open": [open_seconds]}


def measure_store(work: Path, fresh: int, small: int = 1_000, large: int = 10_000) -> Result:
    """Cost of applying a reply with ``large`` replies stored ÷ with ``small`` stored (100 per meeting)."""
    members = PER_MEETING
    template = work / "store-template"
    state, key, shas = _history_template(template, members)
    results = {}
    for stored in (small, large):
        folder = work / f"store-{stored}"
        shutil.copytree(template, folder)
        toml = folder / "cop.toml"
        toml.write_text(toml.read_text().replace(str(template), str(folder)))
        config = data.load_config(toml)
        meetings = [m for m in occurrences(config, after=data.meeting(config, key).start - timedelta(days=1),
                                           count=stored // PER_MEETING + 1)]
        _clone_meetings(folder / "state", key, shas, [m.key for m in meetings[1:-1]])
        results[stored] = _apply_fresh(toml, meetings[-1].key, fresh)
        shutil.rmtree(folder, ignore_errors=True)

    def typical(samples: list[float]) -> float:
        return statistics.median(samples)

    cpu_ratio = typical(results[large]["cpu"]) / typical(results[small]["cpu"])
    wall_ratio = typical(results[large]["wall"]) / typical(results[small]["wall"])
    min_ratio = min(results[large]["cpu"]) / min(results[small]["cpu"])
    details = {
        "layout": f"{members}-member community, {PER_MEETING} replies applied per past meeting "
                  f"({small // PER_MEETING} vs {large // PER_MEETING} meetings); fresh replies go to the next meeting",
        "fresh_replies": fresh,
        f"cpu_ms_{small}": round(typical(results[small]["cpu"]) * 1e3, 2),
        f"cpu_ms_{large}": round(typical(results[large]["cpu"]) * 1e3, 2),
        f"wall_ms_{small}": round(typical(results[small]["wall"]) * 1e3, 2),
        f"wall_ms_{large}": round(typical(results[large]["wall"]) * 1e3, 2),
        "ratio_wall_median": round(wall_ratio, 3),
        "ratio_cpu_min": round(min_ratio, 3),
        f"store_open_s_{small}": round(results[small]["open"][0], 3),
        f"store_open_s_{large}": round(results[large]["open"][0], 3),
    }
    return Result("store", cpu_ratio, "x (CPU, median)", "ratio <= 1.5", cpu_ratio <= 1.5, None, details)


# --- memory --------------------------------------------------------------------------------------


def measure_memory(work: Path, attachment_bytes: int) -> dict[str, object]:
    """Run bench/memory_child.py in a fresh interpreter; it reports idle and peak RSS around accept()."""
    out = subprocess.run([sys.executable, str(BENCH / "memory_child.py"), str(work / f"memory-{attachment_bytes}"),
                          str(attachment_bytes)], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_result(work: Path, accepted_bytes: int, literal_bytes: int) -> Result:
    literal = measure_memory(work, literal_bytes)
    accepted = measure_memory(work, accepted_bytes)
    ratio = accepted["delta_bytes"] / accepted["attachment_bytes"]
    met = ratio <= 4 and literal["delta_bytes"] / literal["attachment_bytes"] <= 4
    return Result("memory", accepted["delta_bytes"] / 1e6, "MB over idle", "<= 4x the attachment", met, None, {
        "attachment_mb": round(accepted["attachment_bytes"] / 1e6, 2),
        "ratio_to_attachment": round(ratio, 2),
        "disposition": accepted["disposition"],
        "message_mb": round(accepted["message_bytes"] / 1e6, 2),
        "literal_25mb": {
            "attachment_mb": round(literal["attachment_bytes"] / 1e6, 2),
            "message_mb": round(literal["message_bytes"] / 1e6, 2),
            "delta_mb": round(literal["delta_bytes"] / 1e6, 1),
            "ratio_to_attachment": round(literal["delta_bytes"] / literal["attachment_bytes"], 2),
            "disposition": literal["disposition"], "held_reason": literal.get("held_reason", ""),
        },
    })


# --- startup -------------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """Compile mailflow's modules to bytecode, as ``pip install`` does for an installed package.

    A start-up measure times what a deployed mailflow does; when PYTHONDONTWRITEBYTECODE is set (as
    on some development machines) a source checkout would otherwise compile every module at every start.
    """
    compileall.compile_dir(str(REPO / "mailflow"), quiet=1)


def measure_startup(runs: int) -> Result:
    """Wall time of ``mailflow check --config config/cop.example.toml`` in a fresh interpreter."""
    compile_bytecode()
    command = [sys.executable, "-P", "-m", "mailflow", "check", "--config", str(REPO / "config" / "cop.example.toml")]
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=REPO, timeout=60)
        times.append(time.perf_counter() - start)
    times = times[1:]                  # the first run warms the page cache
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    value = statistics.median(times)
    return Result("startup", value, "s", "<= 0.5 s", value <= 0.5, None, {
        "runs": runs, "min_s": round(min(times), 3), "max_s": round(max(times), 3),
        "bare_python_s": round(statistics.median(bare), 3),
    })


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="mailflow-bench-"))

