"""`mailflow run` with a fault injected at our own seam: its message handling crashes on marked messages.

For the poison-message test (catalogue F19). Everything else is the real daemon; only two of our own
functions, as the inbox calls them, are wrapped: reading raises on a message with the header
``X-Test-Poison: read``, applying raises on a reply whose text holds ``POISON-APPLY``. The daemon's reader
process is this script too (``--reader``), reading with the same fault.
"""

from __future__ import annotations

import sys

from mailflow.adapters import reader_process
from mailflow.app import inbox
from mailflow.cli import main

_understand, _on_reply = inbox.understand, inbox.on_reply


def understand(raw: bytes):  # type: ignore[no-untyped-def]
    if b"\nX-Test-Poison: read" in raw:
        raise RuntimeError("the reader crashed on this message (injected)")
    return _understand(raw)


def on_reply(situation, state, event):  # type: ignore[no-untyped-def]
    if "POISON-APPLY" in event.text:
        raise KeyError("the handler crashed applying this reply (injected)")
    return _on_reply(situation, state, event)


if sys.argv[1:] == ["--reader"]:
    reader_process.understand = understand     # type: ignore[assignment]
    reader_process.main()
    sys.exit(0)
reader_process.CHILD = (sys.executable, __file__, "--reader")
inbox.understand = understand     # type: ignore[assignment]
inbox.on_reply = on_reply         # type: ignore[assignment]
sys.exit(main())
