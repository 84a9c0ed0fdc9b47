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
``dns_query(name, rdtype, *, timeout=3.0) -> DnsFacts``
    One lookup; ``status`` is ``"ok"``, ``"nxdomain"``, ``"nodata"`` or ``"error"``
    (SERVFAIL, timeout, refused) with ``error`` saying why. Never raises.
``resolve_addresses(name, *, timeout=3.0) -> AddressFacts``
    A and AAAA together.
``http_request(url, *, method="GET", timeout=5.0, max_bytes=1_000_000, headers=None,
address=None, verify=True) -> HttpFacts``
    Resolves the name itself (or uses ``address``), guards the address, connects to
    that IP with SNI and Host set to the name, and enforces ``timeout`` as a total
    deadline for the whole exchange (a server dripping one byte a second ends at the
    deadline). Never follows redirects. Network failures come back as facts with
    ``error`` set; it never raises for them. Bodies over ``max_bytes`` stop reading
    and set ``error`` (the status and headers are kept). gzip/deflate bodies are
    decoded (``content_encoding`` keeps what the server said).
``tls_inspect(host, *, address=None, port=None, timeout=5.0) -> TlsFacts``
    Handshake facts: whether the chain verifies against the system store plus
    ``LAUNCHREADY_CA_BUNDLE``, the leaf certificate's names and validity, protocol.
``tls_accepts(host, version, *, address=None, port=None, timeout=5.0) -> bool | None``
    Whether the server completes a handshake limited to ``version`` ("TLSv1",
    "TLSv1.1"); None when it could not tell.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from django.conf import settings

from checks.wire import _Deadline, _decode, _Failure, _Partial, _read_response

USER_AGENT = "LaunchReady-Checks/1.0 (+https://launchready.example/checks)"


class TargetRefused(ValueError):
    """An address the checker must not contact."""


# ---------------------------------------------------------------- settings


def nameservers() -> list[tuple[str, int]]:
    out = []
    for entry in getattr(settings, "LAUNCHREADY_DNS_NAMESERVERS", []) or []:
        entry = entry.strip()
        if entry.startswith("["):  # [v6]:port
            host, _, port = entry[1:].partition("]:")
            out.append((host, int(port or 53)))
        elif entry.count(":") == 1:
            host, port = entry.split(":")
            out.append((host, int(port)))
        else:
            out.append((entry, 53))
    return out


def ca_bundle() -> str | None:
    return getattr(settings, "LAUNCHREADY_CA_BUNDLE", None) or None


def http_port() -> int:
    return int(getattr(settings, "LAUNCHREADY_HTTP_PORT", 80))


def https_port() -> int:
    return int(getattr(settings, "LAUNCHREADY_HTTPS_PORT", 443))


def allow_private_targets() -> bool:
    return bool(getattr(settings, "LAUNCHREADY_ALLOW_PRIVATE_TARGETS", False))


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


def guard_address(ip: str) -> None:
    """Raise TargetRefused unless ``ip`` is a public address (or private ones are allowed)."""
    reason = address_refusal(ip)
    if reason:
        raise TargetRefused(reason)


# ---------------------------------------------------------------- DNS


def make_resolver(timeout: float = 3.0) -> dns.resolver.Resolver:
    servers = nameservers()
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in servers]
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 2.0)
    resolver.retry_servfail = False
    resolver.cache = None
    return resolver


@dataclass(frozen=True)
class DnsFacts:
    name: str
    rdtype: str
    status: str  # ok | nxdomain | nodata | error
    records: tuple[str, ...] = ()
    cname_chain: tuple[str, ...] = ()  # CNAME targets seen on the way, in order
    ttl: int | None = None
    error: str | None = None

    @property
    def exists(self) -> bool:
        return self.status == "ok"


# A few seconds of memory for answers: one audit asks for the same names dozens of
# times (every HTTP request resolves its host). Bounded by the record's TTL; errors are
# never cached. ``clear_dns_cache()`` forgets everything (tests call it between cases).
DNS_CACHE_SECONDS = 5.0
_dns_cache: dict[tuple, tuple[float, DnsFacts]] = {}
_dns_cache_lock = threading.Lock()


def clear_dns_cache() -> None:
    with _dns_cache_lock:
        _dns_cache.clear()


def dns_query(name: str, rdtype: str, *, timeout: float = 3.0) -> DnsFacts:
    """Look one name up. NXDOMAIN and empty answers are facts; SERVFAIL, timeouts and
    refusals are errors ("could not tell"), never "missing"."""
    name = name.rstrip(".").lower()
    key = (tuple(nameservers()), name, rdtype)
    now = time.monotonic()
    with _dns_cache_lock:
        hit = _dns_cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
    facts = _dns_query(name, rdtype, timeout)
    if facts.status != "error":
        ttl = DNS_CACHE_SECONDS if facts.ttl is None else min(facts.ttl, DNS_CACHE_SECONDS)
        with _dns_cache_lock:
            if len(_dns_cache) > 10_000:
                _dns_cache.clear()
            _dns_cache[key] = (now + ttl, facts)
    return facts


def _dns_query(name: str, rdtype: str, timeout: float) -> DnsFacts:
    resolver = make_resolver(timeout)
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN as exc:
        # Keep the CNAME chain: an alias pointing at a name that does not exist is
        # exactly the dangling-record takeover risk the checks look for.
        responses = list(exc.responses().values())
        chain = _cname_chain(responses[0], name) if responses else ()
        return DnsFacts(name, rdtype, "nxdomain", cname_chain=chain)
    except dns.resolver.LifetimeTimeout:
        return DnsFacts(
            name, rdtype, "error", error=f"no answer from the DNS servers within {timeout:g} s"
        )
    except dns.resolver.NoNameservers as exc:
        return DnsFacts(name, rdtype, "error", error=_no_nameservers_reason(exc))
    except dns.exception.DNSException as exc:
        return DnsFacts(
            name, rdtype, "error", error=f"DNS lookup failed: {exc.__class__.__name__}: {exc}"
        )
    chain = _cname_chain(answer.response, name)
    if answer.rrset is None:
        return DnsFacts(name, rdtype, "nodata", cname_chain=chain)
    records = tuple(sorted(_rdata_text(r) for r in answer.rrset))
    return DnsFacts(name, rdtype, "ok", records=records, cname_chain=chain, ttl=answer.rrset.ttl)


def _no_nameservers_reason(exc: dns.resolver.NoNameservers) -> str:
    errors = exc.kwargs.get("errors") or []
    for *_, answer in errors:
        if isinstance(answer, dns.message.Message):
            return f"the DNS server answered {dns.rcode.to_text(answer.rcode())}"
    if errors:
        return f"the DNS servers failed: {errors[0][3]}"
    return "the DNS servers could not answer (SERVFAIL)"


def _rdata_text(rdata) -> str:
    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")
    return rdata.to_text().lower() if rdata.rdtype in _LOWER else rdata.to_text()


_LOWER = {dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.MX}


def _cname_chain(response: dns.message.Message, name: str) -> tuple[str, ...]:
    chain, current = [], dns.name.from_text(name)
    for _ in range(16):
        rrset = next(
            (r for r in response.answer if r.rdtype == dns.rdatatype.CNAME and r.name == current),
            None,
        )
        if rrset is None:
            break
        current = rrset[0].target
        chain.append(current.to_text().rstrip(".").lower())
    return tuple(chain)


@dataclass(frozen=True)
class AddressFacts:
    name: str
    a: DnsFacts
    aaaa: DnsFacts

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a.records + self.aaaa.records

    @property
    def error(self) -> str | None:
        # One family failing while the other answered is still an answer.
        if self.addresses:
            return None
        return self.a.error or self.aaaa.error


def resolve_addresses(name: str, *, timeout: float = 3.0) -> AddressFacts:
    return AddressFacts(
        name, dns_query(name, "A", timeout=timeout), dns_query(name, "AAAA", timeout=timeout)
    )


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
    if address is None:
        try:
            ipaddress.ip_address(host)
            address = host
        except ValueError:
            facts = resolve_addresses(host, timeout=min(deadline.left(), 3.0))
            if not facts.addresses:
                raise _Failure(facts.error or f"{host} does not resolve to any address") from None
            address = facts.addresses[0]
    guard_address(address)
    return address


def _connect(address: str, port: int, deadline: _Deadline) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(deadline.left())
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _handshake(
    sock: socket.socket, ctx: ssl.SSLContext, host: str, deadline: _Deadline
) -> ssl.SSLSocket:
    sni = None if _is_ip(host) else host
    tls = ctx.wrap_socket(sock, server_hostname=sni, do_handshake_on_connect=False)
    tls.settimeout(deadline.left())
    tls.do_handshake()
    return tls


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _network_reason(exc: BaseException, deadline: _Deadline | None = None) -> str:
    if isinstance(exc, socket.timeout | TimeoutError) and deadline is not None:
        return f"no complete answer within the {deadline.seconds:g} s deadline"
    if isinstance(exc, TargetRefused | _Failure):
        return str(exc)
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
        address = _pick_address(host, address, deadline)
    except (TargetRefused, _Failure, TimeoutError) as exc:
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


def http_request(
    url: str,
    *,
    method: str = "GET",
    timeout: float = 5.0,
    max_bytes: int = 1_000_000,
    headers: dict[str, str] | None = None,
    address: str | None = None,
    verify: bool = True,
) -> HttpFacts:
    """One HTTP/1.1 exchange with a total deadline; see the module docstring."""
    start = time.monotonic()
    deadline = _Deadline(timeout)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in {"http", "https"} or not host:
        return HttpFacts(url, error=f"not an http(s) URL: {url}")
    port = parts.port or (https_port() if scheme == "https" else http_port())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    tls_facts = None
    try:
        address = _pick_address(host, address, deadline)
        sock: socket.socket = _connect(address, port, deadline)
        try:
            if scheme == "https":
                ctx = _verifying_context() if verify else _open_context()
                sock = _handshake(sock, ctx, host, deadline)
                der = sock.getpeercert(binary_form=True)
                tls_facts = TlsFacts(
                    host,
                    address,
                    protocol=sock.version(),
                    verified=verify,
                    cert=cert_facts(der) if der else None,
                )
            host_header = host if parts.port is None else f"{host}:{parts.port}"
            request_headers = {
                "Host": host_header,
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Encoding": "gzip, deflate",
                "Connection": "close",
                **(headers or {}),
            }
            head = f"{method} {path} HTTP/1.1\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in request_headers.items()
            )
            sock.settimeout(deadline.left())
            sock.sendall((head + "\r\n").encode("latin-1"))
            status, resp_headers, body, truncated = _read_response(
                sock, deadline, max_bytes, method
            )
        finally:
            sock.close()
    except (OSError, TimeoutError, TargetRefused, _Failure) as exc:
        return HttpFacts(
            url,
            peer_ip=address,
            tls=tls_facts,
            error=_network_reason(exc, deadline),
            elapsed_ms=(time.monotonic() - start) * 1000,
        )
    except _Partial as partial:
        return HttpFacts(
            url,
            status=partial.status,
            headers=partial.headers,
            peer_ip=address,
            tls=tls_facts,
            error=_network_reason(partial.cause, deadline),
            truncated=True,
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


def now_utc() -> datetime:
    return datetime.now(UTC)
