"""The one network boundary of Launch Ready: every DNS query, HTTP request and TLS
handshake the checks (and uptime monitoring) make goes through here.

Settings, read at call time so tests can change them with the ``settings`` fixture:

- ``LAUNCHREADY_DNS_NAMESERVERS``: list of ``"ip"`` or ``"ip:port"`` (``"[v6]:port"``);
  empty means the system resolver configuration.
- ``LAUNCHREADY_CA_BUNDLE``: path to a PEM file of extra trusted CAs (tests use it).
- ``LAUNCHREADY_HTTP_PORT`` / ``LAUNCHREADY_HTTPS_PORT``: ports used for URLs that name
  no port (default 80 / 443).
- ``LAUNCHREADY_ALLOW_PRIVATE_TARGETS``: default False; loopback, private, link-local,
  multicast and reserved addresses are refused (after every DNS answer and every
  redirect), so nobody can point the checker at the server's own network.
- ``LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES``: addresses or networks exempt from that
  refusal while it is on (one staging host); every other private address stays refused.

Public API
----------
``nameservers() -> list[tuple[str, int]]``, ``ca_bundle() -> str | None``,
``http_port() -> int``, ``https_port() -> int``, ``allow_private_targets() -> bool``
    The settings above, parsed.
``make_resolver(timeout=3.0) -> dns.resolver.Resolver``
    A stub resolver using the configured nameservers, with a total lifetime.
``address_refusal(ip) -> str | None`` / ``guard_address(ip) -> None``
    Why an address may not be contacted (None when it may); ``guard_address`` raises
    ``TargetRefused`` instead.
``host_refusal(host) -> str | None`` / ``url_refusal(url) -> str | None``
    The same rules for a name or a URL, checked before anything is saved (monitors,
    webhooks, scan sources): a literal address, or every address the name resolves to.
``dns_query(name, rdtype, *, timeout=3.0) -> DnsFacts``
    One lookup; ``status`` is ``"ok"``, ``"nxdomain"``, ``"nodata"`` or ``"error"``
    (SERVFAIL, timeout, refused) with ``error`` saying why. Never raises.
``resolve_addresses(name, *, timeout=3.0) -> AddressFacts``
    A and AAAA together.
``ascii_name(name) -> str``
    The name by IDNA 2008 with UTS #46 mapping (what browsers resolve); every lookup,
    URL host and SNI goes through it. Raises ``UnicodeError`` for an invalid label.
``http_request(url, *, method="GET", timeout=5.0, max_bytes=1_000_000, headers=None,
address=None, verify=True, content=None) -> HttpFacts``
    httpx's protocol layer (httpcore + h11) speaks HTTP/1.1; this module keeps the
    guarantees on top of it. Resolves the name itself (or uses ``address``), guards the
    address, connects to that IP with SNI and Host set to the name, and enforces
    ``timeout`` as a total deadline for the whole exchange (a server dripping one byte
    a second ends at the deadline). Never follows redirects. Network failures come
    back as facts with ``error`` set; it never raises for them. Bodies over
    ``max_bytes`` stop reading and set ``error`` (the status and headers are kept).
    gzip/deflate bodies are decoded, the decoded size capped at ``max_bytes`` too
    (``content_encoding`` keeps what the server said). ``content`` is a request body
    (webhooks post JSON).
``tls_inspect(host, *, address=None, port=None, timeout=5.0) -> TlsFacts``
    Handshake facts: whether the chain verifies against the system store plus
    ``LAUNCHREADY_CA_BUNDLE``, the leaf certificate's names and validity, protocol.
``audit_budget(*, seconds, dns_seconds, give_up_after=3)`` (context manager)
    One audit's budget: every lookup, request and handshake made inside it (and in
    threads started with ``contextvars.copy_context()``) ends by the audit's deadline;
    lookups share the DNS budget, and after ``give_up_after`` consecutive timeouts or
    refusals the nameservers are taken as failing and the remaining lookups are answered
    with that error at once instead of each waiting out its own timeout.
``tls_accepts(host, version, *, address=None, port=None, timeout=5.0) -> bool | None``
    Whether the server completes a handshake limited to ``version`` ("TLSv1",
    "TLSv1.1"); None when it could not tell.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpcore
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from django.conf import settings

from checks.netdns import (  # noqa: F401 - the DNS half of the public API
    DNS_CACHE_SECONDS,
    AddressFacts,
    Budget,
    DnsFacts,
    _budget,
    allow_private_targets,
    ascii_name,
    audit_budget,
    ca_bundle,
    clear_dns_cache,
    current_budget,
    dns_query,
    http_port,
    https_port,
    make_resolver,
    nameservers,
    resolve_addresses,
)

USER_AGENT = "LaunchReady-Checks/1.0 (+https://launchready.example/checks)"


class TargetRefused(ValueError):
    """An address the checker must not contact."""


class _Failure(Exception):
    """A network exchange that went wrong in a way worth one sentence."""


class _Deadline:
    """One total deadline for an exchange, never later than the audit's own."""

    def __init__(self, seconds: float) -> None:
        budget = _budget.get()
        self.audit_clipped = budget is not None and budget.end - time.monotonic() < seconds
        if budget is not None:
            seconds = max(0.0, min(seconds, budget.end - time.monotonic()))
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"gave up after the {self.seconds:g} s deadline")
        return remaining


# ---------------------------------------------------------------- guard


def address_refusal(ip: str) -> str | None:
    """Why ``ip`` may not be contacted, or None when it may."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return f"{ip!r} is not an IP address"
    if allow_private_targets():
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if any(addr in network for network in _allowed_networks()):
        return None
    for flag, label in (
        ("is_loopback", "loopback"),
        ("is_private", "private"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_unspecified", "unspecified"),
    ):
        if getattr(addr, flag):
            return f"refused to contact {ip}: it is a {label} address"
    if not addr.is_global:
        return f"refused to contact {ip}: it is not a public address"
    return None


def host_refusal(host: str, *, timeout: float = 3.0) -> str | None:
    """Why ``host`` may not be contacted, in the words the probe uses, or None: a literal
    address judged by ``address_refusal``, ``localhost`` names (RFC 6761) as loopback, and
    a name by every address it resolves to. A name that does not resolve (yet) is not
    refused here: the probe guards whatever it resolves to later."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host:
        return None
    if allow_private_targets():
        return None
    if is_ip(host):
        return address_refusal(host)
    if host == "localhost" or host.endswith(".localhost"):
        return address_refusal("127.0.0.1")
    try:
        facts = resolve_addresses(ascii_name(host), timeout=timeout)
    except UnicodeError:
        return None  # not a name DNS can hold; the URL's own validation says so
    return next(filter(None, (address_refusal(a) for a in facts.addresses)), None)


def url_refusal(url: str, *, timeout: float = 3.0) -> str | None:
    """``host_refusal`` for the host of ``url``."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return None
    return host_refusal(host, timeout=timeout)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES, parsed (read at call time, like the rest)."""
    raw = getattr(settings, "LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES", None) or []
    return [ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip()]


def guard_address(ip: str) -> None:
    """Raise TargetRefused unless ``ip`` is a public address (or private ones are allowed)."""
    reason = address_refusal(ip)
    if reason:
        raise TargetRefused(reason)


# ---------------------------------------------------------------- TLS


@dataclass(frozen=True)
class CertFacts:
    subject_cn: str | None
    sans: tuple[str, ...]
    issuer: str
    not_before: datetime
    not_after: datetime
    self_signed: bool

    def days_left(self, now: datetime) -> float:
        return (self.not_after - now).total_seconds() / 86400

    @property
    def lifetime_days(self) -> float:
        return (self.not_after - self.not_before).total_seconds() / 86400


@dataclass(frozen=True)
class TlsFacts:
    host: str
    address: str | None
    protocol: str | None = None
    verified: bool = False
    verify_error: str | None = None
    cert: CertFacts | None = None
    error: str | None = None


def cert_facts(der: bytes) -> CertFacts:
    cert = x509.load_der_x509_certificate(der)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        sans = tuple(n.lower() for n in ext.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        sans = ()
    return CertFacts(
        subject_cn=str(cns[0].value) if cns else None,
        sans=sans,
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=cert.issuer == cert.subject,
    )


def _verifying_context() -> ssl.SSLContext:
    return _verifying_context_for(ca_bundle())


@functools.lru_cache(maxsize=8)
def _verifying_context_for(bundle: str | None) -> ssl.SSLContext:
    # Loading the system trust store costs tens of milliseconds; contexts are safe to
    # share between threads, so build one per bundle.
    ctx = ssl.create_default_context()
    if bundle:
        ctx.load_verify_locations(cafile=bundle)
    # Hostname coverage is judged by evaluation from the SANs, so each fact stands alone.
    ctx.check_hostname = False
    return ctx


def _open_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _pick_address(host: str, address: str | None, deadline: _Deadline) -> str:
    if address is None and is_ip(host):
        address = host.strip("[]")
    elif address is None:
        facts = resolve_addresses(host, timeout=min(deadline.left(), 3.0))
        if not facts.addresses:
            raise _Failure(facts.error or f"{host} does not resolve to any address")
        address = facts.addresses[0]
    guard_address(address)
    return address


def _connect(address: str, port: int, deadline: _Deadline) -> socket.socket:
    return connect_guarded(address, port, timeout=deadline.left())


def connect_guarded(address: str, port: int, *, timeout: float) -> socket.socket:
    """A TCP connection to an address the caller has already guarded (never a name, so
    nothing is resolved again); the socket is closed if connecting fails."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _handshake(
    sock: socket.socket, ctx: ssl.SSLContext, host: str, deadline: _Deadline
) -> ssl.SSLSocket:
    sni = None if is_ip(host) else host
    tls = ctx.wrap_socket(sock, server_hostname=sni, do_handshake_on_connect=False)
    tls.settimeout(deadline.left())
    tls.do_handshake()
    return tls


def is_ip(host: str) -> bool:
    """Is this an IP address literal (IPv6 with or without brackets) rather than a name?"""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _network_reason(exc: BaseException, deadline: _Deadline | None = None) -> str:
    if isinstance(exc, socket.timeout | TimeoutError) and deadline is not None:
        if deadline.audit_clipped:
            return "no complete answer before the audit's deadline (CHECKS_AUDIT_DEADLINE_SECONDS)"
        return f"no complete answer within the {deadline.seconds:g} s deadline"
    if isinstance(exc, TargetRefused | _Failure):
        return str(exc)
    if isinstance(exc, httpcore.RemoteProtocolError | httpcore.LocalProtocolError):
        return f"not a well-formed HTTP response: {exc}"
    if isinstance(exc, httpcore.TimeoutException):
        return "timed out"
    if isinstance(exc, httpcore.NetworkError) and exc.__context__ is not None:
        return _network_reason(exc.__context__, deadline)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed: {exc.reason or exc}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return str(exc) if "deadline" in str(exc) else "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    return f"{exc.__class__.__name__}: {exc}"


def tls_inspect(
    host: str, *, address: str | None = None, port: int | None = None, timeout: float = 5.0
) -> TlsFacts:
    """A verifying handshake (trusted?); when it fails, a second, open one reads the
    certificate anyway so its names and dates can still be judged."""
    deadline = _Deadline(timeout)
    port = port or https_port()
    try:
        host = ascii_name(host)  # SNI too: Python's ssl would encode a U-label by IDNA 2003
        address = _pick_address(host, address, deadline)
    except (TargetRefused, _Failure, TimeoutError, UnicodeError) as exc:
        return TlsFacts(host, address, error=_network_reason(exc, deadline))
    verify_error = None
    try:
        with (
            _connect(address, port, deadline) as sock,
            _handshake(sock, _verifying_context(), host, deadline) as tls,
        ):
            # A trusted handshake already gives us the certificate: one handshake, not two.
            der, protocol = tls.getpeercert(binary_form=True), tls.version()
        return TlsFacts(
            host, address, protocol=protocol, verified=True, cert=cert_facts(der) if der else None
        )
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message
    except (OSError, TimeoutError) as exc:
        return TlsFacts(host, address, error=_network_reason(exc, deadline))
    try:
        with (
            _connect(address, port, deadline) as sock,
            _handshake(sock, _open_context(), host, deadline) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
            protocol = tls.version()
    except (OSError, TimeoutError) as exc:
        return TlsFacts(host, address, error=_network_reason(exc, deadline))
    return TlsFacts(
        host,
        address,
        protocol=protocol,
        verified=False,
        verify_error=verify_error,
        cert=cert_facts(der) if der else None,
    )


_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}


def tls_accepts(
    host: str,
    version: str,
    *,
    address: str | None = None,
    port: int | None = None,
    timeout: float = 5.0,
) -> bool | None:
    """Does the server complete a handshake at exactly ``version``? None: could not tell."""
    deadline = _Deadline(timeout)
    ctx = _open_context()
    try:
        # OpenSSL 3 disables old protocols at the default security level; lower it only
        # for this probe so we can ask the server the question at all.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # asking about them is the point
            ctx.minimum_version = ctx.maximum_version = _VERSIONS[version]
        host = ascii_name(host)
        address = _pick_address(host, address, deadline)
        with (
            _connect(address, port or https_port(), deadline) as sock,
            _handshake(sock, ctx, host, deadline),
        ):
            return True
    except ssl.SSLError as exc:
        if "NO_PROTOCOLS_AVAILABLE" in str(exc) or "no protocols available" in str(exc):
            return None
        return False
    except ConnectionResetError:
        return False
    except (OSError, TimeoutError, TargetRefused, _Failure, ValueError):
        return None


# ---------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class HttpFacts:
    url: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    elapsed_ms: float | None = None
    peer_ip: str | None = None
    tls: TlsFacts | None = None
    content_encoding: str | None = None
    error: str | None = None
    truncated: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _PinnedStream(httpcore.NetworkStream):
    """httpcore's view of one socket. Every read and write is re-armed with what is
    left of the exchange's total deadline, whatever timeout httpcore asks for: that is
    what stops a server dripping a byte a second from holding us forever."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock, self.deadline = sock, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.sock.settimeout(self.deadline.left())
        return self.sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.sock.settimeout(self.deadline.left())
        try:
            self.sock.sendall(buffer)
        except TimeoutError:
            raise
        except OSError as exc:
            # httpcore reads the response after a failed write (a server may answer and
            # close before reading a body it does not want); it only knows its own type.
            raise httpcore.WriteError(str(exc)) from exc

    def close(self) -> None:
        self.sock.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _PinnedStream(
            _handshake(self.sock, ssl_context, server_hostname or "", self.deadline), self.deadline
        )

    def get_extra_info(self, info: str):
        if info == "ssl_object" and isinstance(self.sock, ssl.SSLSocket):
            return self.sock
        if info == "socket":
            return self.sock
        if info == "is_readable":
            return False
        return None


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the address the guard approved, whatever name httpcore was given:
    the name is never resolved again (no DNS-rebinding window)."""

    def __init__(self, address: str, deadline: _Deadline) -> None:
        self.address, self.deadline = address, deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _PinnedStream(_connect(self.address, port, self.deadline), self.deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise _Failure("unix sockets are not a network target")

    def sleep(self, seconds: float) -> None:
        raise _Failure("no retries at this boundary")


class _Partial(Exception):
    """Headers arrived but the body did not finish: keep what we saw."""

    def __init__(self, status: int, headers: tuple, cause: BaseException) -> None:
        self.status, self.headers, self.cause = status, headers, cause
        super().__init__(str(cause))


def _exchange(
    *,
    method: str,
    scheme: str,
    host: str,
    port: int,
    target: str,
    headers: list[tuple[str, str]],
    content: bytes | None,
    address: str,
    ctx: ssl.SSLContext | None,
    deadline: _Deadline,
    max_bytes: int,
) -> tuple[int, tuple[tuple[str, str], ...], bytes, bool, TlsFacts | None]:
    """One request through httpcore: one connection, HTTP/1.1 only, no retries, no
    redirects, nothing kept between calls."""
    url = httpcore.URL(
        scheme=scheme.encode(),
        host=host.encode("ascii"),
        port=port,
        target=target.encode("latin-1"),
    )
    with (
        httpcore.HTTPConnection(
            httpcore.Origin(scheme.encode(), host.encode("ascii"), port),
            ssl_context=ctx,
            network_backend=_PinnedBackend(address, deadline),
            http1=True,
            http2=False,
            retries=0,
        ) as pool,
        pool.stream(
            method.encode("ascii"),
            url,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            content=content,
            extensions={"sni_hostname": None if is_ip(host) else host},
        ) as response,
    ):
        status = response.status
        resp_headers = tuple(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers
        )
        tls_facts = None
        stream = response.extensions.get("network_stream")
        tls_sock = stream.get_extra_info("ssl_object") if stream is not None else None
        if tls_sock is not None:
            der = tls_sock.getpeercert(binary_form=True)
            tls_facts = TlsFacts(
                host,
                address,
                protocol=tls_sock.version(),
                verified=ctx is not None and ctx.verify_mode != ssl.CERT_NONE,
                cert=cert_facts(der) if der else None,
            )
        body, truncated = bytearray(), False
        try:
            for chunk in response.iter_stream():
                body += chunk
                if len(body) > max_bytes:
                    truncated = True
                    break
        except (OSError, TimeoutError, httpcore.ReadError, httpcore.RemoteProtocolError) as exc:
            raise _Partial(status, resp_headers, exc) from None
    return status, resp_headers, bytes(body[:max_bytes]), truncated, tls_facts


def http_request(
    url: str,
    *,
    method: str = "GET",
    timeout: float = 5.0,
    max_bytes: int = 1_000_000,
    headers: dict[str, str] | None = None,
    address: str | None = None,
    verify: bool = True,
    content: bytes | None = None,
) -> HttpFacts:
    """One HTTP/1.1 exchange with a total deadline; see the module docstring."""
    start = time.monotonic()
    deadline = _Deadline(timeout)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = ascii_name(parts.hostname or "")
        explicit_port = parts.port
    except ValueError:  # UnicodeError (an invalid label) is one too
        host, explicit_port = "", None
    if scheme not in {"http", "https"} or not host:
        return HttpFacts(url, error=f"not an http(s) URL: {url}")
    port = explicit_port or (https_port() if scheme == "https" else http_port())
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = {
        "Host": host if explicit_port is None else f"{host}:{explicit_port}",
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
        **(headers or {}),
    }
    if content is not None:
        request_headers["Content-Length"] = str(len(content))
    ctx = None
    if scheme == "https":
        ctx = _verifying_context() if verify else _open_context()
    try:
        address = _pick_address(host, address, deadline)
        status, resp_headers, body, truncated, tls_facts = _exchange(
            method=method,
            scheme=scheme,
            host=host,
            port=port,
            target=target,
            headers=list(request_headers.items()),
            content=content,
            address=address,
            ctx=ctx,
            deadline=deadline,
            max_bytes=max_bytes,
        )
    except _Partial as partial:
        return HttpFacts(
            url,
            status=partial.status,
            headers=partial.headers,
            peer_ip=address,
            error=_network_reason(partial.cause, deadline),
            truncated=True,
            elapsed_ms=(time.monotonic() - start) * 1000,
        )
    except (
        OSError,
        TimeoutError,
        TargetRefused,
        _Failure,
        httpcore.TimeoutException,
        httpcore.NetworkError,
        httpcore.ProtocolError,
        UnicodeError,
    ) as exc:
        return HttpFacts(
            url,
            peer_ip=address,
            error=_network_reason(exc, deadline),
            elapsed_ms=(time.monotonic() - start) * 1000,
        )
    encoding = next((v for k, v in resp_headers if k.lower() == "content-encoding"), None)
    error = f"body larger than {max_bytes} bytes; stopped reading" if truncated else None
    if encoding and not truncated:
        body, decode_error = _decode(body, encoding.strip().lower(), max_bytes)
        error = error or decode_error
    return HttpFacts(
        url,
        status=status,
        headers=resp_headers,
        body=body,
        elapsed_ms=(time.monotonic() - start) * 1000,
        peer_ip=address,
        tls=tls_facts,
        content_encoding=encoding,
        error=error,
        truncated=truncated,
    )


def _decode(body: bytes, encoding: str, max_bytes: int) -> tuple[bytes, str | None]:
    if encoding not in {"gzip", "x-gzip", "deflate"}:
        return body, None
    wbits = 47 if "gzip" in encoding else 15  # 32+15 auto-detects the gzip header
    try:
        decoder = zlib.decompressobj(wbits)
        # Capped output: a small compressed bomb must not expand without bound.
        out = decoder.decompress(body, max_bytes)
        if decoder.unconsumed_tail:
            return out, f"decoded body larger than {max_bytes} bytes; stopped decoding"
        return out, None
    except zlib.error as exc:
        return body, f"could not decode {encoding} body: {exc}"


def now_utc() -> datetime:
    return datetime.now(UTC)
