"""Run in a fresh interpreter by the memory measure: peak RSS while engine.accept ingests one big reply."""

from __future__ import annotations

import gc
import hashlib
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkout  # noqa: E402

checkout.use()

import data  # noqa: E402  (found through the path set just above)

from mailflow.schedule.config import Step  # noqa: E402


def status(field: str) -> int:
    """A VmRSS/VmHWM line of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def main(folder: Path, attachment_bytes: int) -> None:
    community = data.write_community(folder, members=20, attachment_max=30_000_000)
    config = data.load_config(community.toml)
    meeting = data.meeting(config, "2027-01-12")
    parts, clock = data.open_engine(config, meeting.due_at(Step.INVITATION))
    calls = data.calls_for_updates(config, meeting, parts, clock)
    now = meeting.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=1)
    clock.set(now)
    member = sorted(calls)[0]
    got = data.read(calls[member])
    raw = data.persona_for(config, member, 0).reply(
        got, "Here is the full regional report we discussed.", now, html=True,
        attachments=(("regional-report.pdf", "application/pdf", data.big_pdf(attachment_bytes)),))
    path = folder / "big.eml"
    path.write_bytes(raw)
    message_bytes = len(raw)
    del raw, got
    parts.engine.accept(data.replies_for(config, calls, now, 1, seed=3)[0])   # warm every code path
    gc.collect()
    idle = status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")      # reset VmHWM to the current RSS
    raw = path.read_bytes()                             # what the IMAP fetch would hand over
    disposition = parts.engine.accept(raw)
    peak = status("VmHWM")
    sha = hashlib.sha256(raw).hexdigest()
    held = [h for h in parts.states.held() if h.sha256 == sha]
    print(json.dumps({"idle_bytes": idle, "peak_bytes": peak, "delta_bytes": peak - idle,
                      "attachment_bytes": attachment_bytes, "message_bytes": message_bytes,
                      "disposition": disposition.value, "held_reason": held[0].reason if held else ""}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
