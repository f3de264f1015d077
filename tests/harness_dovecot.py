"""Throwaway Dovecot (IMAP + LMTP on loopback) and a cuttable TCP proxy, as pytest fixtures."""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import selectors
import shutil
import signal
import smtplib
import socket
import ssl
import string
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

__all__ = ["Dovecot", "TcpProxy", "dovecot", "run_dovecot", "tcp_proxy"]

DOVECOT = Path("/usr/sbin/dovecot")
DOVEADM = Path("/usr/bin/doveadm")
POOL_SIZE = 2000
READY_SECONDS = 10.0

CONFIG = string.Template("""\
# Throwaway Dovecot 2.3 instance for mailflow's tests; includes nothing from /etc/dovecot.
instance_name = mailflow-test-$TAG
base_dir  = $SANDBOX/run
state_dir = $SANDBOX/state
log_path  = $SANDBOX/log/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$SANDBOX/cert.pem
ssl_key = <$SANDBOX/key.pem
disable_plaintext_auth = no
default_internal_user  = $INTERNAL_USER
default_internal_group = $INTERNAL_GROUP
default_login_user     = $LOGIN_USER
$AUTH
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
mailbox_idle_check_interval = 1 secs

namespace inbox {
  inbox = yes
  separator = /
}
protocol imap {
  mail_max_userip_connections = 200
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
""")

# Passwords only (the password doubles as an "XOAUTH2 token": the fixed-token tests need no provider).
# A refused login is answered at once (no failure delay, no penalty): tests count retries, not waits.
PASSWORD_AUTH = string.Template("""\
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN $SANDBOX/users
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$SANDBOX/mail/%d/%n
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
""")

# Tokens checked by the provider's RFC 7662 introspection (MAIL-TESTING.md section 12.3); passwords
# still work for the tests' own PLAIN logins. Each passdb takes only its own mechanisms, or a
# password would pass as a token and the other way round.
OAUTH2_AUTH = string.Template("""\
auth_mechanisms = xoauth2 oauthbearer plain login
auth_verbose = yes
auth_failure_delay = 0 secs
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $SANDBOX/dovecot-oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $SANDBOX/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $SANDBOX/users
  default_fields = home=$SANDBOX/mail/%d/%n
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
""")

OAUTH2_EXT = string.Template("""\
introspection_mode = post
introspection_url = $URL
username_attribute = email
active_attribute = active
active_value = true
timeout_msecs = 2000
""")


def _free_ports(count: int) -> list[int]:
    """Ports the kernel just handed out on 127.0.0.1 (free now; a clash later is retried)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True)
class _Identity:
    internal_user: str
    internal_group: str
    login_user: str
    uid: int
    gid: int


def _identity() -> _Identity:
    """Root runs Dovecot's services as dovecot/dovenull; anyone else runs everything as themselves."""
    if os.geteuid() == 0:
        owner = pwd.getpwnam("dovecot")
        return _Identity("dovecot", "dovecot", "dovenull", owner.pw_uid, owner.pw_gid)
    me = pwd.getpwuid(os.geteuid())
    group = me.pw_name
    return _Identity(me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid)


def _end_group(pgid: int, first: signal.Signals) -> None:
    """The master is gone; its children (imap sessions, log, stats) may not be: end them too,
    as a service manager would. Dovecot was started in its own session, so its group is its pid."""
    for sig in (first, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 1.0
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.01)
        if not _group_alive(pgid):
            return


def _group_alive(pgid: int) -> bool:
    """Any live (non-zombie) process in the group? Orphaned zombies may never be reaped here."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _die_with_parent() -> None:
    """Linux: SIGTERM Dovecot if the test process dies without tearing down (kill -9, OOM)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _make_certificate(sandbox: Path) -> None:
    """A self-signed certificate for 127.0.0.1/localhost (EC: generated in milliseconds)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(sandbox / "key.pem"), "-out", str(sandbox / "cert.pem")],
        check=True, capture_output=True,
    )


class Dovecot:
    """One Dovecot instance in a temp dir; isolate tests by address (``new_user``), not by server."""

    host = "127.0.0.1"

    def __init__(self, introspection_url: str | None = None) -> None:
        """``introspection_url``: tokens (XOAUTH2, OAUTHBEARER) are checked there, not as passwords."""
        self.introspection_url = introspection_url
        self.sandbox = Path(tempfile.mkdtemp(prefix="mailflow-dovecot-"))
        self.conf = self.sandbox / "dovecot.conf"
        self.log_path = self.sandbox / "log" / "dovecot.log"
        self.lmtp_socket = self.sandbox / "run" / "lmtp"
        self.cert = self.sandbox / "cert.pem"
        self.password = secrets.token_urlsafe(12)
        self._passwords: dict[str, str] = {}    # users whose password a test changed
        self.port = self.tls_port = self.lmtp_port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr = self.sandbox / "log" / "stderr.log"
        self._users = [f"member{n:03d}@example.test" for n in range(1, POOL_SIZE + 1)]
        self._next_user = 0
        self._lock = threading.Lock()
        self._prepare()

    # --- lifecycle -------------------------------------------------------------------------

    def _prepare(self) -> None:
        ident = _identity()
        for sub in ("run", "state", "log", "mail"):
            (self.sandbox / sub).mkdir()
        os.chmod(self.sandbox, 0o755)
        if os.geteuid() == 0:
            os.chown(self.sandbox / "mail", ident.uid, ident.gid)
        ids = f":{ident.uid}:{ident.gid}::" if self.introspection_url else ""   # passwd-file userdb needs them
        self._ids = ids
        self._write_users()
        if self.introspection_url:
            (self.sandbox / "dovecot-oauth2.conf.ext").write_text(OAUTH2_EXT.substitute(URL=self.introspection_url))
        _make_certificate(self.sandbox)
        os.chmod(self.sandbox / "key.pem", 0o644)   # read by the unprivileged login process

    def _write_users(self) -> None:
        """The passwd-file passdb (Dovecot reads it again when it changes)."""
        lines = (f"{user}:{{PLAIN}}{self._passwords.get(user, self.password)}{self._ids}\n" for user in self._users)
        partial = self.sandbox / "users.new"
        partial.write_text("".join(lines))
        os.replace(partial, self.sandbox / "users")

    def set_password(self, user: str, password: str) -> None:
        """Change ``user``'s password in the passdb, as an administrator would; sessions open now stay."""
        with self._lock:
            self._passwords[user] = password
            self._write_users()

    def _render(self) -> None:
        ident = _identity()
        auth = (OAUTH2_AUTH if self.introspection_url else PASSWORD_AUTH).substitute(
            SANDBOX=self.sandbox, MAIL_UID=ident.uid, MAIL_GID=ident.gid)
        self.conf.write_text(CONFIG.substitute(
            AUTH=auth,
            TAG=self.sandbox.name, SANDBOX=self.sandbox, IMAP_PORT=self.port, IMAPS_PORT=self.tls_port,
            LMTP_PORT=self.lmtp_port, INTERNAL_USER=ident.internal_user,
            INTERNAL_GROUP=ident.internal_group, LOGIN_USER=ident.login_user,
            MAIL_UID=ident.uid, MAIL_GID=ident.gid))

    def start(self) -> None:
        """Start on the same ports as before (new ones the first time); return once a LOGIN works."""
        first = not self.port
        if first:
            self.port, self.tls_port, self.lmtp_port = _free_ports(3)
        for _ in range(40):
            self._render()
            offset = self._output_size()
            self._spawn()
            if self._wait_ready():
                return
            if "Address already in use" not in self._output_since(offset):
                raise RuntimeError(f"Dovecot did not start; log:\n{self.log_tail()}")
            if first:   # someone took a port between bind(0) and now: pick others
                self.port, self.tls_port, self.lmtp_port = _free_ports(3)
            else:       # a restart: the old processes still hold the ports for a few ms
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot never got its ports; log:\n{self.log_tail()}")

    def _spawn(self) -> None:
        with open(self._stderr, "ab") as err:
            self._process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                stdout=err, stderr=err, start_new_session=True, preexec_fn=_die_with_parent)

    def _output_size(self) -> tuple[int, ...]:
        return tuple(p.stat().st_size if p.exists() else 0 for p in (self._stderr, self.log_path))

    def _output_since(self, offsets: tuple[int, ...]) -> str:
        text = ""
        for path, offset in zip((self._stderr, self.log_path), offsets, strict=False):
            if path.exists():
                text += path.read_bytes()[offset:].decode(errors="replace")
        return text

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                return False
            try:
                with self.imap(self._users[0]):
                    return True
            except (OSError, IMAPClient.Error):
                time.sleep(0.01)
        raise RuntimeError(f"Dovecot not ready after {READY_SECONDS} s; log:\n{self.log_tail()}")

    def stop(self, *, kill: bool = False) -> None:
        """SIGTERM (clients get BYE; ~1.1 s) or SIGKILL (connections just drop); wait until gone."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _end_group(process.pid, signal.SIGKILL if kill else signal.SIGTERM)

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        self.stop(kill=True)   # throwaway data: no need for the 1.1 s graceful shutdown
        shutil.rmtree(self.sandbox, ignore_errors=True)

    # --- mail ------------------------------------------------------------------------------

    def new_user(self) -> str:
        """A fresh address from the pool created before start (adding users later costs <= 1 s)."""
        with self._lock:
            if self._next_user + 1 >= len(self._users):
                raise RuntimeError(f"user pool of {POOL_SIZE} exhausted: raise POOL_SIZE")
            self._next_user += 1
            return self._users[self._next_user]

    def deliver(self, rcpt: str, raw: bytes, sender: str = "sender@example.org") -> None:
        """Deliver over LMTP (unix socket), as an MTA would; raises on refusal."""
        with smtplib.LMTP(str(self.lmtp_socket)) as lmtp:
            refused = lmtp.sendmail(sender, [rcpt], raw)
        assert not refused, refused

    def imap(self, user: str) -> IMAPClient:
        """A logged-in plain-text IMAPClient for assertions (use as a context manager)."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        try:
            client.login(user, self._passwords.get(user, self.password))
        except BaseException:
            client.shutdown()
            raise
        return client

    def doveadm(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run ``doveadm -c CONF ARGS`` (works on the storage even while Dovecot is stopped)."""
        return subprocess.run([str(DOVEADM), "-c", str(self.conf), *args], input=input,
                              capture_output=True, check=True, timeout=30)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def log_tail(self, lines: int = 60) -> str:
        text = ""
        for path in (self._stderr, self.log_path):
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


class _AttachLog:
    """Pytest plugin: a failing test that used Dovecot gets the log lines written during it."""

    def __init__(self, server: Dovecot, fixture: str = "dovecot") -> None:
        self.server = server
        self.fixture = fixture
        self.offset = pytest.StashKey[int]()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
        report = yield
        if self.fixture not in getattr(item, "fixturenames", ()):
            return report
        if call.when == "setup":
            item.stash[self.offset] = self.server.log_size()
        if report.failed:
            text = self.server.log_since(item.stash.get(self.offset, 0))
            report.sections.append((f"{self.fixture} log", text[-20_000:] or "(empty)"))
        return report


def _require_dovecot() -> None:
    if DOVECOT.exists():
        return
    message = (f"{DOVECOT} not found: install Debian's dovecot-imapd and dovecot-lmtpd "
               "(scripts/test does it)")
    if os.environ.get("CI") == "true":
        pytest.fail(message + " -- CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def dovecot(request: pytest.FixtureRequest) -> Iterator[Dovecot]:
    """A Dovecot for the whole session (per xdist worker); tests take fresh users from its pool."""
    yield from run_dovecot(request, Dovecot(), "dovecot")


def run_dovecot(request: pytest.FixtureRequest, server: Dovecot, fixture: str) -> Iterator[Dovecot]:
    """Start ``server``, attach its log to failing tests that use ``fixture``, and clean up."""
    plugin = _AttachLog(server, fixture)
    try:
        _require_dovecot()
        server.start()
        request.config.pluginmanager.register(plugin, f"mailflow-dovecot-log-{id(server)}")
        yield server
    finally:
        if request.config.pluginmanager.is_registered(plugin):
            request.config.pluginmanager.unregister(plugin)
        server.close()


# --- TCP proxy -------------------------------------------------------------------------------


class _Pipe:
    """One proxied connection: client <-> upstream, pumped by the proxy's thread."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.frozen = False
        self.trickle: float | None = None   # seconds per byte, server -> client
        self.backlog = b""                  # server -> client bytes held back while trickling
        self.next_drip = 0.0
        self.closed = False


class TcpProxy:
    """A loopback TCP proxy a test can cut, freeze, slow down or have rewrite bytes.

    Triggers fire once, on the first matching chunk: ``cut_on_server(b"BODY[]")`` drops the
    connection after forwarding the server's chunk up to the marker (the client sees half a
    response); ``cut_on_client(b"UID MOVE")`` drops it before the client's command reaches the server;
    ``trickle_on_server(marker, seconds_per_byte)`` switches that connection to dribbling bytes.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._pipes: list[_Pipe] = []
        self._lock = threading.Lock()
        self._server_cut: bytes | None = None
        self._client_cut: bytes | None = None
        self._trickle: tuple[bytes, float] | None = None
        self.rewrite: tuple[bytes, bytes] | None = None   # server -> client replace (e.g. drop MOVE)
        self.client_log = bytearray()                     # everything clients sent
        self.connections = 0
        self.cuts = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)
        self._thread.start()

    # --- controls (any thread) ---

    def cut_on_server(self, marker: bytes) -> None:
        with self._lock:
            self._server_cut = marker

    def cut_on_client(self, marker: bytes) -> None:
        with self._lock:
            self._client_cut = marker

    def trickle_on_server(self, marker: bytes, seconds_per_byte: float) -> None:
        with self._lock:
            self._trickle = (marker, seconds_per_byte)

    def cut_all(self) -> None:
        with self._lock:
            for pipe in self._pipes:
                self._close(pipe)

    def freeze_all(self) -> None:
        """Existing connections go silent both ways but stay open (a dead peer, no FIN)."""
        with self._lock:
            for pipe in self._pipes:
                pipe.frozen = True

    def close(self) -> None:
        self._stopping = True
        self._thread.join(timeout=5)
        with self._lock:
            for pipe in self._pipes:
                self._close(pipe)
        self._selector.close()
        self._listener.close()

    # --- pump (proxy thread) ---

    def _serve(self) -> None:
        while not self._stopping:
            events = self._selector.select(timeout=0.01)
            with self._lock:
                for key, _ in events:
                    if key.data is None:
                        self._accept()
                    else:
                        pipe, from_client = key.data
                        if not pipe.closed:
                            self._pump(pipe, from_client)
                self._drip()
                self._pipes = [p for p in self._pipes if not p.closed]

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        client.setblocking(False)
        upstream.setblocking(False)
        pipe = _Pipe(client, upstream)
        self._pipes.append(pipe)
        self.connections += 1
        self._selector.register(client, selectors.EVENT_READ, (pipe, True))
        self._selector.register(upstream, selectors.EVENT_READ, (pipe, False))

    def _pump(self, pipe: _Pipe, from_client: bool) -> None:
        if pipe.frozen:
            return
        source = pipe.client if from_client else pipe.upstream
        try:
            data = source.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(pipe)
            return
        if from_client:
            self._from_client(pipe, data)
        else:
            self._from_server(pipe, data)

    def _from_client(self, pipe: _Pipe, data: bytes) -> None:
        self.client_log += data
        if self._client_cut and self._client_cut in data:
            self._client_cut = None
            self.cuts += 1
            self._close(pipe)
            return
        self._send(pipe.upstream, data, pipe)

    def _from_server(self, pipe: _Pipe, data: bytes) -> None:
        if self.rewrite:
            data = data.replace(*self.rewrite)
        if self._server_cut and self._server_cut in data:
            end = data.index(self._server_cut) + len(self._server_cut) + 20
            self._server_cut = None
            self.cuts += 1
            self._send(pipe.client, data[:end], pipe)
            self._close(pipe)
            return
        if self._trickle and self._trickle[0] in data:
            pipe.trickle = self._trickle[1]
            self._trickle = None
        if pipe.trickle is not None:
            pipe.backlog += data
            return
        self._send(pipe.client, data, pipe)

    def _drip(self) -> None:
        now = time.monotonic()
        for pipe in self._pipes:
            if pipe.trickle is not None and pipe.backlog and not pipe.closed and now >= pipe.next_drip:
                self._send(pipe.client, pipe.backlog[:1], pipe)
                pipe.backlog = pipe.backlog[1:]
                pipe.next_drip = now + pipe.trickle

    def _send(self, sock: socket.socket, data: bytes, pipe: _Pipe) -> None:
        try:
            sock.setblocking(True)
            sock.sendall(data)
            sock.setblocking(False)
        except OSError:
            self._close(pipe)

    def _close(self, pipe: _Pipe) -> None:
        if pipe.closed:
            return
        pipe.closed = True
        for sock in (pipe.client, pipe.upstream):
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


@pytest.fixture
def tcp_proxy(dovecot: Dovecot) -> Iterator[TcpProxy]:
    """A proxy in front of the session Dovecot's plain IMAP port; closed after the test."""
    proxy = TcpProxy(dovecot.host, dovecot.port)
    yield proxy
    proxy.close()
