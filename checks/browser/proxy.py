"""The browser's way out: a forward proxy on loopback, one per run, that every request of
the run's Chromium goes through (``--proxy-server`` with ``--proxy-bypass-list=<-loopback>``,
so not even loopback is fetched directly).

For each request it resolves the host itself, applies checks/net.py's address guard
(loopback, private, link-local and reserved addresses are refused unless
``LAUNCHREADY_ALLOW_PRIVATE_TARGETS`` is on or the address is in
``LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES``) and connects to the address it just checked, so
a name that resolves differently a moment later (DNS rebinding) cannot steer it. Plain
HTTP is forwarded request by request; HTTPS is a CONNECT tunnel to the checked address
(the browser verifies the certificate end to end). Redirects and subresources are new
requests to the proxy, so each is guarded on its own. A refused request gets a 403 and is
recorded in ``refused`` for the run's facts.
"""

from __future__ import annotations

import contextvars
import selectors
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from checks import net

HEAD_LIMIT = 64 * 1024
CONNECT_TIMEOUT = 10.0
_HOP_HEADERS = {b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization", b"te"}


@dataclass(frozen=True)
class Refusal:
    host: str
    port: int
    reason: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}: {self.reason}"


class _Refused(Exception):
    pass


def guarded_address(host: str, *, timeout: float = 3.0) -> str:
    """The address to connect to for ``host``, resolved and guarded; raises _Refused."""
    host = host.strip("[]")
    if not net.is_ip(host):
        try:
            name = net.ascii_name(host)
        except UnicodeError as exc:
            raise _Refused(f"not a valid host name ({exc})") from None
        facts = net.resolve_addresses(name, timeout=timeout)
        if not facts.addresses:
            raise _Refused(facts.error or f"{host} does not resolve to any address")
        host = facts.addresses[0]
    reason = net.address_refusal(host)
    if reason:
        raise _Refused(reason)
    return host


def page_refusal(url: str) -> str | None:
    """The refusal this proxy would give the page's own address, in its words
    (``host:port: reason``), or None: checked before a browser is started for the page.
    Redirects and subresources are still guarded here one request at a time; a name that
    does not resolve is left to the browser."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    reason = net.host_refusal(host)
    if not reason:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 443 if parts.scheme == "https" else 80
    return str(Refusal(host, port, reason))


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client = self.request
        client.settimeout(CONNECT_TIMEOUT)
        try:
            head = _read_head(client)
        except (OSError, ValueError):
            return
        if not head:
            return
        head_bytes, rest = head
        lines = head_bytes.split(b"\r\n")
        try:
            method, target, version = lines[0].split(b" ", 2)
        except ValueError:
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            return
        try:
            if method == b"CONNECT":
                host, _, port_s = target.decode("latin-1").rpartition(":")
                port = int(port_s)
                upstream = self.server.owner.open(host, port)
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
            else:
                url = urlsplit(target.decode("latin-1"))
                if url.scheme != "http" or not url.hostname:
                    client.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    return
                host, port = url.hostname, url.port or net.http_port()
                upstream = self.server.owner.open(host, port)
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                out = [b" ".join((method, path.encode("latin-1"), version))]
                for line in lines[1:]:
                    name = line.split(b":", 1)[0].strip().lower()
                    if line and name not in _HOP_HEADERS:
                        out.append(line)
                out.append(b"Connection: close")
                upstream.sendall(b"\r\n".join(out) + b"\r\n\r\n" + rest)
        except _Refused as exc:
            body = f"Refused by Launch Ready's network guard: {exc}\n".encode()
            client.sendall(
                b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                b"X-LaunchReady-Guard: refused\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            return
        except (OSError, ValueError) as exc:
            reason = net._network_reason(exc)
            self.server.owner.failures.append(reason)
            try:
                client.sendall(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            except OSError:
                pass
            return
        with upstream:
            _relay(client, upstream, self.server.owner.deadline)


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: GuardProxy

    def process_request(self, request, client_address) -> None:
        # Handler threads see the run's settings overrides and network budget.
        ctx = contextvars.copy_context()
        thread = threading.Thread(
            target=ctx.run, args=(self.process_request_thread, request, client_address)
        )
        thread.daemon = True
        thread.start()

    def handle_error(self, request, client_address) -> None:
        pass


class GuardProxy:
    """``with GuardProxy(deadline_s=60) as proxy:`` then point Chromium at ``proxy.url``."""

    def __init__(self, *, deadline_s: float) -> None:
        self.deadline = time.monotonic() + deadline_s
        self.refused: list[Refusal] = []
        self.failures: list[str] = []
        self.contacted: list[tuple[str, str, int]] = []  # (host, address, port)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def mark(self) -> int:
        """Where the next run's refusals start (runs sharing the proxy go one at a time)."""
        with self._lock:
            return len(self.refused)

    def guard_refusals(self, since: int = 0) -> tuple[str, ...]:
        """Requests refused for their address (not names that did not resolve: Chromium's
        own background requests to its vendor fail that way offline), in order, once each;
        those after ``since`` (a ``mark()``) only."""
        seen: dict[str, None] = {}
        with self._lock:
            refused = self.refused[since:]
        for r in refused:
            if r.reason.startswith("refused to contact"):
                seen.setdefault(str(r), None)
        return tuple(seen)

    def open(self, host: str, port: int) -> socket.socket:
        """Resolve, guard, and connect to the guarded address (never the name again)."""
        try:
            address = guarded_address(host)
        except _Refused as exc:
            with self._lock:
                self.refused.append(Refusal(host, port, str(exc)))
            raise
        with self._lock:
            self.contacted.append((host, address, port))
        timeout = max(0.1, min(CONNECT_TIMEOUT, self.deadline - time.monotonic()))
        return net.connect_guarded(address, port, timeout=timeout)

    def __enter__(self) -> GuardProxy:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        ctx = contextvars.copy_context()
        self._thread = threading.Thread(
            target=ctx.run, args=(server.serve_forever, 0.1), daemon=True, name="guard-proxy"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)


def _read_head(sock: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(8192)
        if not chunk:
            return None
        data += chunk
        if len(data) > HEAD_LIMIT:
            raise ValueError("request head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _relay(a: socket.socket, b: socket.socket, deadline: float) -> None:
    """Copy bytes both ways until one side closes or the run's deadline passes."""
    sel = selectors.DefaultSelector()
    a.setblocking(False)
    b.setblocking(False)
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            events = sel.select(timeout=min(left, 30.0))
            if not events:
                return  # 30 s without a byte either way: the browser gave up on it
            for key, _ in events:
                src: socket.socket = key.fileobj  # type: ignore[assignment]
                dst: socket.socket = key.data
                try:
                    chunk = src.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                dst.setblocking(True)
                dst.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    dst.sendall(chunk)
                except OSError:
                    return
                finally:
                    dst.setblocking(False)
    finally:
        sel.close()
