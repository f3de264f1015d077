"""The intake's sink and cursor, as the daemon gives them: mail is read in the intake's own thread and
recorded on the store thread (the store's one user); each recording wakes the outbox for the answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mailflow.app.engine import Engine
from mailflow.app.storethread import StoreThread
from mailflow.ports import Disposition


class IntakeLink:
    """:class:`mailflow.ports.Sink` and :class:`mailflow.ports.CursorStore` for the IMAP intake."""

    def __init__(self, store_thread: StoreThread, engine: Callable[[], Engine], poke_outbox: Callable[[], None]):
        self._store_thread = store_thread
        self._engine = engine
        self._poke_outbox = poke_outbox

    def accept(self, raw: bytes) -> Disposition:
        """The intake's sink (called in the intake thread): read here, recorded on the store thread."""
        engine = self._engine()
        disposition = self._store_thread.call(engine.accept, raw, engine.read(raw))
        self._poke_outbox()
        return disposition

    def accept_many(self, raws: Sequence[bytes]) -> list[Disposition]:
        """The intake's sink for a catch-up pass: read here (in the intake's thread, while the store thread
        may be storing a step), then recorded in one store transaction on the store thread."""
        engine = self._engine()
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
