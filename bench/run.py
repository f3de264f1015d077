"""Benchmark runner: mailflow against the raw speed of its building blocks (issues 7 and 12).

    python bench/run.py [--quick] [--json PATH] [--only parse,store,...]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent

import checkout  # noqa: E402  (bench/, the script's folder)

checkout.use()

import data  # noqa: E402  (found through the path set just above)
import measures  # noqa: E402
from measures import Result  # noqa: E402

from mailflow.schedule.config import Step  # noqa: E402

ORDER = ("parse", "ingest", "latency", "send", "store", "memory", "startup", "wake", "loop_lag", "restart",
         "send_10k")
FULL_ONLY = ("send_10k",)
NEEDS_DOVECOT = ("ingest", "latency", "loop_lag", "restart", "wake", "send_10k")


@dataclass(frozen=True)
class Sizes:
    """How much work each measure does."""

    parse_messages: int
    parse_rounds: int
    ingest_messages: int
    latency_deliveries: int
    send_members: int
    store_fresh: int
    startup_runs: int
    restart_runs: int
    wakes: int


QUICK = Sizes(parse_messages=200, parse_rounds=3, ingest_messages=200, latency_deliveries=12,
              send_members=1_000, store_fresh=80, startup_runs=7, restart_runs=3, wakes=50)
FULL = Sizes(parse_messages=1_000, parse_rounds=5, ingest_messages=1_000, latency_deliveries=40,
             send_members=1_000, store_fresh=100, startup_runs=15, restart_runs=7, wakes=200)
HISTORY_MEETINGS = 36           # three years of monthly meetings...
HISTORY_MEMBERS = 30            # ...of a 30-member community
WAKE_FILES = 40_000             # files in the state folder when the outbox wake is timed
LAG_MEMBERS = 1_000             # the step composed and sent while the loop's lag is sampled
LAG_REPLIES = 20                # replies arriving meanwhile
MEMORY_ACCEPTED = 18_500_000    # the biggest attachment whose message fits the 25 MiB message cap
MEMORY_LITERAL = 25_000_000     # the 25 MB attachment (its message is over the cap)


def parse_replies(work: Path, count: int) -> list[bytes]:
    """Replies to the engine's own calls for updates, 100 members (most answer several times, each time
    in other words)."""
    community = data.write_community(work / "parse", members=100)
    config = data.load_config(community.toml)
    meeting = data.meeting(config, "2027-01-12")
    parts, clock = data.open_engine(config, meeting.due_at(Step.INVITATION))
    calls = data.calls_for_updates(config, meeting, parts, clock)
    parts.states.close()
    now = meeting.due_at(Step.CALL_FOR_UPDATES) + timedelta(hours=2)
    return data.replies_for(config, calls, now, count, seed=1)


def run(only: tuple[str, ...], sizes: Sizes, work: Path, progress) -> dict[str, Result]:
    import mailbox

    results: dict[str, Result] = {}
    if "parse" in only:
        progress("parse")
        replies = parse_replies(work, 20 + sizes.parse_messages * sizes.parse_rounds)
        results["parse"] = measures.measure_parse(replies, sizes.parse_rounds)
    dovecot = mailbox.start_dovecot() if set(only) & set(NEEDS_DOVECOT) else None
    try:
        results.update(_measures(only, sizes, work, progress, dovecot))
    finally:
        if dovecot is not None:
            dovecot.close()
    return results


def _measures(only: tuple[str, ...], sizes: Sizes, work: Path, progress, dovecot) -> dict[str, Result]:  # type: ignore[no-untyped-def]
    import mailbox

    import bigsend
    import daemonrun
    import history

    results: dict[str, Result] = {}
    if "ingest" in only or "latency" in only:
        running = mailbox.Running(work, dovecot, members=100)
        try:
            n = sizes.ingest_messages
            replies = running.replies(2 * n + sizes.latency_deliveries, seed=2, serial_base=10_000)
            running.start()
            if "ingest" in only:
                progress("ingest")
                results["ingest"] = mailbox.measure_ingest(running, replies[:n], replies[n:2 * n])
            if "latency" in only:
                progress("latency")
                results["latency"] = mailbox.measure_latency(running, replies[2 * n:])
        finally:
            running.close()
    if "send" in only:
        progress("send")
        results["send"] = daemonrun.measure_send(work, sizes.send_members)
    if "store" in only:
        progress("store")
        results["store"] = measures.measure_store(work, sizes.store_fresh)
    if "memory" in only:
        progress("memory")
        results["memory"] = measures.memory_result(work, MEMORY_ACCEPTED, MEMORY_LITERAL)
    if "startup" in only:
        progress("startup")
        results["startup"] = measures.measure_startup(sizes.startup_runs)
    if "restart" in only or "wake" in only:
        progress("history")
        past = history.build(work / "history", meetings=HISTORY_MEETINGS, members=HISTORY_MEMBERS,
                             service=dovecot.new_user(), imap_port=dovecot.port, smtp_port=9)
        if "restart" in only:
            progress("restart")
            results["restart"] = history.measure_restart(past, dovecot.password, sizes.restart_runs)
        if "wake" in only:
            progress("wake")
            results["wake"] = history.measure_wake(past, WAKE_FILES, sizes.wakes)
    if "loop_lag" in only:
        progress("loop_lag")
        results["loop_lag"] = daemonrun.measure_loop_lag(work, dovecot, LAG_MEMBERS, LAG_REPLIES)
    if "send_10k" in only:
        progress("send_10k")
        results["send_10k"] = bigsend.measure_send_10k(work, dovecot)
    return results


def _load() -> list[float]:
    """The load average (1, 5, 15 min): the cores are shared, and what else ran moves every wall time."""
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, object]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_gib": round(memory / 2**30, 1), "python": platform.python_version(),
            "platform": platform.platform(), "reply_reader": checkout.reader(),
            "processor": platform.processor() or platform.machine()}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def table(results: dict[str, Result]) -> str:
    rows = [("measure", "value", "unit", "floor", "ratio", "target", "met")]
    for name in ORDER:
        if name in results:
            r = results[name]
            rows.append((name, _fmt(r.value), r.unit, _fmt(r.floor), _fmt(r.ratio), r.target,
                         "yes" if r.met else "NO"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller N (under 5 minutes on 2 cores)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", default=",".join(ORDER), help="comma-separated measures (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = set(only) - set(ORDER)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}; choose from {', '.join(ORDER)}")
    logging.disable(logging.WARNING)      # the engine logs every message at INFO/WARNING
    sizes = QUICK if args.quick else FULL
    if args.quick:
        only = tuple(name for name in only if name not in FULL_ONLY)
    work = measures.tempdir()
    load_before = _load()
    began = time.perf_counter()

    def progress(name: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {name}", file=sys.stderr, flush=True)

    try:
        results = run(only, sizes, work, progress)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - began
    print(table(results))
    info = machine()
    print(f"\n{info['cores']} cores, Python {info['python']}, {'--quick' if args.quick else 'full'} run "
          f"in {total:.0f} s; load average {load_before[0]} before, {_load()[0]} after")
    if args.json:
        out = {name: results[name].to_json() for name in ORDER if name in results}
        out["machine"] = {**info, "mode": "quick" if args.quick else "full", "seconds": round(total, 1),
                          "load_before": load_before, "load_after": _load()}
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
