"""A process that uses a Store, for the kill and lock tests: holds the lock, tries it, or writes until killed."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from tinydb.table import Document

from mailflow.adapters.store import Store
from mailflow.errors import MailflowError

PARTITION = "soak/partition"
BLOB = "soak/latest.bin"
OTHER = "soak/other"          # transaction mode: a second partition written with the first
BLOB_DIR = "blobs"            # transaction mode: blobs written with the partitions
LINES = "soak/lines.log"      # transaction mode: two lines appended in each transaction (after its commit)
LOGGED = "soak/logged"        # log mode: documents changed through the update log
LOGGED_DOCS = 8
FOLD_EVERY = 20
WINDOW = 8            # documents kept in the partition
CHILD_LIFETIME = 5.0  # seconds: a writer nobody killed stops by itself


def document(n: int) -> dict[str, object]:
    """Document number ``n``: 0.5 to 7 KB of text derived from n, with its checksum."""
    seed = hashlib.sha256(str(n).encode()).hexdigest()
    text = (seed * 120)[: 500 + (n % 44) * 150]
    return {"n": n, "text": text, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def expected_state(n: int) -> dict[str, Any]:
    """The whole partition, as JSON, after the writer's n-th write (n = 0: before any write)."""
    if n == 0:
        return {}
    docs = {str(i): document(i) for i in range(max(1, n - WINDOW + 1), n + 1)}
    return {"docs": docs, "meta": {"1": {"n": n}}}


def blob(n: int) -> bytes:
    """The blob written after write n: its number on the first line, then bytes derived from n."""
    return b"%d\n" % n + hashlib.sha512(str(n).encode()).digest() * (1 + n % 64)


def state_number(store: Store) -> int:
    """The writer's counter as the store holds it."""
    meta = store.db(PARTITION).table("meta").get(doc_id=1)
    return 0 if meta is None else int(meta["n"])


def write_forever(root: Path) -> None:
    """Open the store and apply writes n+1, n+2, ... one batch each, announcing each on stdout."""
    deadline = time.monotonic() + CHILD_LIFETIME
    with Store.open(root) as store:
        n = state_number(store)
        while time.monotonic() < deadline:
            n += 1
            with store.batch(PARTITION) as db:
                db.table("docs").insert(Document(document(n), doc_id=n))
                if n > WINDOW:
                    db.table("docs").remove(doc_ids=[n - WINDOW])
                db.table("meta").upsert(Document({"n": n}, doc_id=1))
            os.write(1, b"committed %d\n" % n)
            store.put_blob(BLOB, blob(n))


def transact_forever(root: Path) -> None:
    """Like write_forever, but each write n is one transaction: two partitions and two blobs together."""
    deadline = time.monotonic() + CHILD_LIFETIME
    with Store.open(root, blob_dirs=(BLOB_DIR,)) as store:
        n = state_number(store)
        while time.monotonic() < deadline:
            n += 1
            with store.transaction():
                with store.batch(PARTITION) as db:
                    db.table("docs").insert(Document(document(n), doc_id=n))
                    if n > WINDOW:
                        db.table("docs").remove(doc_ids=[n - WINDOW])
                    db.table("meta").upsert(Document({"n": n}, doc_id=1))
                store.put_blob(f"{BLOB_DIR}/latest.bin", blob(n))
                store.put_blob(f"{BLOB_DIR}/{n % 5}.bin", blob(n))
                store.db(OTHER).table("meta").upsert(Document({"n": n}, doc_id=1))
                store.append_lines(LINES, [b"%d a" % n])
                store.append_lines(LINES, [b"%d b" % n])
            os.write(1, b"committed %d\n" % n)


def logged_state(store: Store) -> list[int]:
    """The counter each logged document holds."""
    return [int(doc["n"]) for doc in store.db(LOGGED).table("docs").all()]


def log_forever(root: Path) -> None:
    """Write n+1, n+2, ... as one logged update of every document each, folding now and then."""
    deadline = time.monotonic() + CHILD_LIFETIME
    with Store.open(root) as store:
        if not store.db(LOGGED).table("docs").all():
            with store.batch(LOGGED) as db:
                db.table("docs").insert_multiple({"n": 0, "text": ""} for _ in range(LOGGED_DOCS))
        n = max(logged_state(store))
        while time.monotonic() < deadline:
            n += 1
            text = document(n)["text"]
            store.log_updates(LOGGED, "docs", {i: {"n": n, "text": text} for i in range(1, LOGGED_DOCS + 1)})
            os.write(1, b"committed %d\n" % n)
            if n % FOLD_EVERY == 0:
                store.fold()


WRITERS = {"batch": write_forever, "transaction": transact_forever, "log": log_forever}


def fork_server(root: Path, mode: str = "batch") -> None:
    """For each "go" line on stdin fork a writer, report its pid, and report when it has died."""
    writer = WRITERS[mode]
    for line in sys.stdin:
        if line.strip() != "go":
            continue
        announced, announce = os.pipe()     # the child writes nothing before its pid is out (on a loaded
        pid = os.fork()                     # machine its "committed" line could come first)
        if pid == 0:
            try:
                os.close(announce)
                os.read(announced, 1)
                writer(root)
            finally:
                os._exit(0)
        os.close(announced)
        os.write(1, b"child %d\n" % pid)
        try:
            os.write(announce, b"!")
        except BrokenPipeError:
            pass                            # killed already, before it wrote anything: a round all the same
        os.close(announce)
        _pid, status = os.waitpid(pid, 0)
        os.write(1, b"dead %d %d\n" % (pid, status))


def hold(root: Path) -> None:
    """Hold the store's lock until killed."""
    with Store.open(root):
        os.write(1, b"locked\n")
        time.sleep(600)


def try_open(root: Path) -> int:
    """Open the store once, as the daemon would at start-up: exit 0 if it opened, 1 with the error if not."""
    try:
        with Store.open(root):
            print("opened")
    except MailflowError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    command, root = argv[0], Path(argv[1])
    if command == "fork-server":
        fork_server(root, *argv[2:])
    elif command == "hold":
        hold(root)
    elif command == "try-open":
        return try_open(root)
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
