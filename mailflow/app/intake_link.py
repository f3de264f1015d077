"""The intake's sink and cursor, as the daemon gives them: mail is read outside the store thread (in the
intake's own thread, or a batch by a reader process on the other core while the store thread records the
messages before) and recorded on the store thread (the store's one user); each recording wakes the outbox
for the answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from mailflow.app.engine import Engine
from mailflow.app.inbox import Reading
from mailflow.app.storethread import StoreThread
from mailflow.app.understood import Understood
from mailflow.core.intent import Intent
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import Reply
from mailflow.ports import Disposition


class BatchReader(Protocol):
    """Reads a batch of messages elsewhere (mailflow.adapters.reader_process.ReaderProcess): each message's
    reading, with ``read_intent(reply, request)`` for the requests its reply tokens name, worked out with it."""

    def read_many(self, raws: Sequence[bytes]) -> Iterator[tuple[Reading, Mapping[Request, tuple[Intent, ...]]]]: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


class IntakeLink:
    """:class:`mailflow.ports.Sink` and :class:`mailflow.ports.CursorStore` for the IMAP intake."""

    def __init__(self, store_thread: StoreThread, engine: Callable[[], Engine], poke_outbox: Callable[[], None],
                 reader: BatchReader | None = None):
        self._store_thread = store_thread
        self._engine = engine
        self._poke_outbox = poke_outbox
        self.reader = reader

    def accept(self, raw: bytes) -> Disposition:
        """The intake's sink (called in the intake thread): read here, recorded on the store thread."""
        engine = self._engine()
        disposition = self._store_thread.call(engine.accept, raw, engine.read(raw))
        self._poke_outbox()
        return disposition

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        """The intake's sink for a catch-up pass: recorded in one store transaction on the store thread. With a
        reader, each message is read by it while the store thread records the ones before (the transaction
        takes each reading as it comes); without, all are read first, here in the intake's thread (while
        the store thread may be storing a step)."""
        engine = self._engine()
        readings: Iterable[Reading | Understood]
        if self.reader is not None:
            readings = (Understood(reading, intents) if intents and isinstance(reading, Reply) else reading
                        for reading, intents in self.reader.read_many(raws))
        else:
            readings = [engine.read(raw) for raw in raws]
        dispositions = self._store_thread.call(engine.accept_many, raws, readings)
        self._poke_outbox()
        return dispositions

    def oversize(self, headers: bytes, size: int) -> None:
        self._store_thread.call(self._engine().oversize, headers, size)
        self._poke_outbox()

    def load(self) -> tuple[int, int] | None:
        """The intake's cursor, kept in the store (it touches no state a step decides on: it may run
        between a step's chunks, so the intake reads new mail while the step is stored)."""
        return self._store_thread.call(self._engine().load_cursor, interleave=True)

    def save(self, uidvalidity: int, uid: int) -> None:
        self._store_thread.call(self._engine().save_cursor, uidvalidity, uid, interleave=True)
