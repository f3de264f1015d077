"""The demo's IMAP server: pymap's in-memory backend, with IDLE that reports pending changes promptly
and responses written whole (the pieces of pymap the demo needs to behave like a real server)."""

from __future__ import annotations

import ssl
from argparse import Namespace
from asyncio import StreamReader, StreamWriter
from collections.abc import Iterable
from contextlib import AsyncExitStack, closing
from typing import Any, TypeVar, cast

from proxyprotocol.sock import SocketInfo
from proxyprotocol.version import ProxyProtocolVersion
from pymap.backend.dict import Config as DictConfig
from pymap.concurrent import Event, Subsystem
from pymap.context import connection_exit
from pymap.imap import IMAPConnection, IMAPServer
from pymap.imap.state import ConnectionState
from pymap.parsing.command import Command, CommandSelect
from pymap.parsing.command.select import IdleCommand
from pymap.parsing.response import CommandResponse, UntaggedResponse
from pysasl.hashing import Cleartext

from mailflow_demo.loopback import HOST, SERVER_NAME

T = TypeVar("T")
IDLE_FIRST_REPORT_DELAY = 0.1   # seconds between "+ Idling." and changes that were already pending


class DemoImapConfig(DictConfig):
    """pymap's dict-backend config with a fixed greeting name."""

    @property
    def greeting(self) -> bytes:
        return b"Server ready " + SERVER_NAME.encode("ascii")


def imap_config() -> DemoImapConfig:
    """Plain-text IMAP on loopback, cleartext passwords in memory, no thread pools, no demo data."""
    return DemoImapConfig(
        Namespace(), host=HOST, port=0, demo_data=False, demo_user="", demo_password="",
        tls_enabled=False, reject_dnsbl=False, hash_context=Cleartext(),
        cpu_subsystem=Subsystem.for_asyncio(),   # the default is a ThreadPoolExecutor never shut down
        subsystem=Subsystem.for_asyncio(),
        proxy_protocol=ProxyProtocolVersion.get(None),
        ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),   # unused (tls off); skips CERT_FILE env
    )


class _PromptIdleState(ConnectionState):
    """pymap's connection state, showing mailbox changes when Dovecot would (the intake expects it).

    pymap 0.36 brings a selected mailbox up to date only at NOOP, SELECT and changes made while
    IDLE waits. So a SEARCH right after new mail would not list it, and the IDLE after that
    would not report it until the next change (up to the intake's IDLE renewal, minutes).
    Here every selected-state command syncs first (not IDLE: its tagged reply waits for DONE),
    and IDLE reports what is already pending at once. For INBOX that check and pymap's own wait
    have no await between them, so no change slips through the gap.

    A pending report waits ``IDLE_FIRST_REPORT_DELAY`` after "+ Idling.": sent in the same
    segment, imaplib would buffer it with the continuation line, where imapclient's
    ``idle_check()`` (it polls the socket) never looks.
    """

    _idle_done: Event | None = None

    async def do_command(self, cmd: Command) -> CommandResponse:
        if (isinstance(cmd, CommandSelect) and not isinstance(cmd, IdleCommand)
                and self._session is not None and self._selected is not None):
            self._selected = await self.session.check_mailbox(self._selected)
        return await super().do_command(cmd)

    async def receive_updates(self, cmd: IdleCommand, done: Event) -> Iterable[UntaggedResponse]:
        first = done is not self._idle_done
        self._idle_done = done
        selected = await self.session.check_mailbox(self.selected)
        self._selected, untagged = selected.fork(cmd)
        pending = list(untagged)
        if pending:
            if first:
                await done.wait(timeout=IDLE_FIRST_REPORT_DELAY)
            return pending
        if done.is_set():
            return []
        return await super().receive_updates(cmd, done)


class _WholeResponseWriter:
    """Hands pymap's many small writes for one response to the socket as one write, at drain().

    pymap writes ``* 9 FETCH ``, ``(``, ``FLAGS (\\Recent)``, ``)\r\n`` separately, and each
    becomes its own TCP segment. imapclient's ``idle_check()`` reads non-blocking and aborts
    on half a line ("unterminated line"), so the pieces must travel together.
    """

    def __init__(self, writer: StreamWriter) -> None:
        self._writer = writer
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        self._pending += data

    def writelines(self, lines: Iterable[bytes]) -> None:
        for line in lines:
            self._pending += line

    async def drain(self) -> None:
        self._flush()
        await self._writer.drain()

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write(bytes(self._pending))
            self._pending.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


class DemoImapServer(IMAPServer):
    """pymap's per-connection entry point (as in ``IMAPServer.__call__``) with the state above."""

    async def __call__(self, reader: StreamReader, writer: StreamWriter,
                       sock_info: SocketInfo) -> None:
        whole = cast(StreamWriter, _WholeResponseWriter(writer))
        conn = IMAPConnection(self.commands, self._config, reader, whole, sock_info)
        state = _PromptIdleState(self._login, self._config)
        async with AsyncExitStack() as stack:
            connection_exit.set(stack)
            stack.enter_context(closing(conn))
            await conn.run(state)
