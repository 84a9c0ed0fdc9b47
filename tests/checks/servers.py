"""Real servers on loopback for the checks tests and the benchmark: an authoritative
DNS server answering from in-memory zones (dnslib), a silent DNS server, and HTTP and
HTTPS servers whose behaviour and certificate are chosen per hostname, with
certificates issued by a test CA generated at start-up."""

from __future__ import annotations

import datetime as dt
import gzip
import socket
import socketserver
import ssl
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer

WEB_IP = "127.0.0.2"
LEGACY_IP = "127.0.0.3"  # a second HTTPS server that still speaks TLS 1.0

# ---------------------------------------------------------------- certificates


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class TestCA:
    """Root -> intermediate -> leaves. The bundle file holds only the root, so a
    server that forgets to send the intermediate is not trusted."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.now = dt.datetime.now(dt.UTC)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = self._cert(
            _name("Launch Ready Test Root"), self.root_key.public_key(), None, ca=True
        )
        self.inter_key = ec.generate_private_key(ec.SECP256R1())
        self.inter = self._cert(
            _name("Launch Ready Test Intermediate"),
            self.inter_key.public_key(),
            (self.root, self.root_key),
            ca=True,
        )
        self.bundle = directory / "ca.pem"
        self.bundle.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        self._contexts: dict[tuple, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def _cert(
        self, subject, public_key, issuer, *, ca=False, sans=(), not_before=None, not_after=None
    ):
        # issuer: None for the self-signed root, else the (certificate, key) that signs.
        issuer_name, key = (
            (subject, self.root_key) if issuer is None else (issuer[0].subject, issuer[1])
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - dt.timedelta(days=30))
            .not_valid_after(not_after or self.now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if sans:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
            )
        return builder.sign(key, hashes.SHA256())

    def leaf(self, names: tuple[str, ...], kind: str = "valid"):
        now = self.now
        not_before, not_after = now - dt.timedelta(days=30), now + dt.timedelta(days=335)
        if kind == "expired":
            not_before, not_after = now - dt.timedelta(days=100), now - dt.timedelta(days=2)
        elif kind == "expiring":
            not_before, not_after = now - dt.timedelta(days=85), now + dt.timedelta(days=5)
        elif kind == "wronghost":
            names = ("other.invalid",)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._cert(
            _name(names[0]),
            key.public_key(),
            (self.inter, self.inter_key),
            sans=names,
            not_before=not_before,
            not_after=not_after,
        )
        return key, cert

    def context(
        self, names: tuple[str, ...], kind: str = "valid", *, legacy: bool = False
    ) -> ssl.SSLContext:
        with self._lock:
            cache_key = (names, kind, legacy)
            if cache_key not in self._contexts:
                key, cert = self.leaf(names, kind)
                pem = cert.public_bytes(serialization.Encoding.PEM)
                if kind != "nointermediate":
                    pem += self.inter.public_bytes(serialization.Encoding.PEM)
                path = self.dir / f"leaf-{len(self._contexts)}.pem"
                path.write_bytes(
                    pem
                    + key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                )
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                if legacy:
                    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        ctx.minimum_version = ssl.TLSVersion.TLSv1
                ctx.load_cert_chain(path)
                self._contexts[cache_key] = ctx
            return self._contexts[cache_key]


def rsa_public_key_b64(bits: int) -> str:
    """A DKIM p= value for an RSA key of ``bits``."""
    import base64

    if bits < 1024:  # cryptography refuses to generate weak keys; build the public half
        public = rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0xF1).public_key()
    else:
        public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


# ---------------------------------------------------------------- DNS


class ZoneResolver(BaseResolver):
    """Answers for every name it holds, like a recursive resolver would after asking the
    authorities: CNAMEs are chased inside the data; unknown names are NXDOMAIN."""

    def __init__(self) -> None:
        self.records: dict[str, list[tuple[str, str]]] = {}
        self.servfail: set[str] = set()

    def add(self, name: str, rtype: str, value: str) -> None:
        self.records.setdefault(name.rstrip(".").lower(), []).append((rtype, value))

    def clear(self) -> None:
        self.records.clear()
        self.servfail.clear()

    def _exists(self, name: str) -> bool:
        return name in self.records or any(n.endswith("." + name) for n in self.records)

    def resolve(self, request, handler):
        reply = request.reply()
        reply.header.aa = 1
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        for _ in range(10):
            if name in self.servfail:
                reply.header.rcode = RCODE.SERVFAIL
                return reply
            records = self.records.get(name, [])
            cnames = [v for t, v in records if t == "CNAME"]
            if cnames and qtype != "CNAME":
                reply.add_answer(*RR.fromZone(f"{name}. 300 IN CNAME {cnames[0]}."))
                name = cnames[0].rstrip(".").lower()
                continue
            for rtype, value in records:
                if rtype == qtype:
                    if rtype == "TXT":
                        value = " ".join(
                            '"' + value[i : i + 250].replace('"', '\\"') + '"'
                            for i in range(0, max(len(value), 1), 250)
                        )
                    elif rtype in {"CNAME", "NS", "MX"} or (rtype == "CAA" and False):
                        value = (
                            value
                            if value.endswith(".") or rtype == "MX" and value.strip() == "0 ."
                            else value + "."
                        )
                    reply.add_answer(*RR.fromZone(f"{name}. 300 IN {rtype} {value}"))
            if not self._exists(name):  # also after a CNAME, as real resolvers answer
                reply.header.rcode = RCODE.NXDOMAIN
            return reply
        return reply


class RefusingResolver(BaseResolver):
    """A DNS server that answers every query at once with REFUSED."""

    def resolve(self, request, handler):
        reply = request.reply()
        reply.header.rcode = RCODE.REFUSED
        return reply


class _Silent:
    """A UDP socket that reads nothing and never answers."""

    def __init__(self, ip: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 0))
        self.port = self.sock.getsockname()[1]


# ---------------------------------------------------------------- HTTP(S)


@dataclass
class Request:
    scheme: str
    host: str
    path: str
    method: str
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    drip: bool = False  # one byte a second, forever
    huge: int = 0  # stream this many bytes of body
    gzip: bool = False
    raw: bytes | None = None  # sent as is, instead of a well-formed response


Handler = Callable[[Request], Response]


class _HTTPHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.tls:
            self.request = self.server.wrap(self.request)
        super().setup()

    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1").strip()
        if not line:
            return
        method, target, _ = line.split(" ", 2)
        headers = {}
        while True:
            h = self.rfile.readline(8192).decode("latin-1").strip()
            if not h:
                break
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        host = headers.get("host", "").split(":")[0].lower()
        scheme = "https" if self.server.tls else "http"
        resp = self.server.web.dispatch(Request(scheme, host, target, method, headers))
        if resp.raw is not None:
            try:
                self.wfile.write(resp.raw)
            except (OSError, ssl.SSLError):
                pass
            return
        body = resp.body
        if resp.gzip and "gzip" in headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            resp.headers.append(("Content-Encoding", "gzip"))
        out = f"HTTP/1.1 {resp.status} X\r\n"
        length = resp.huge or (None if resp.drip else len(body))
        for k, v in resp.headers:
            out += f"{k}: {v}\r\n"
        if length is not None:
            out += f"Content-Length: {length}\r\n"
        out += "Connection: close\r\n\r\n"
        try:
            if resp.drip:
                for ch in out.encode():
                    self.wfile.write(bytes([ch]))
                    self.wfile.flush()
                    time.sleep(1)
                return
            if not resp.huge:
                self.wfile.write(out.encode("latin-1") + (b"" if method == "HEAD" else body))
                return
            self.wfile.write(out.encode("latin-1"))
            if resp.huge:
                block = b"x" * 65536
                for _ in range(resp.huge // len(block)):
                    self.wfile.write(block)
                return
            if method != "HEAD":
                self.wfile.write(body)
        except (OSError, ssl.SSLError):
            return


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 drops SYNs under the benchmark
    allow_reuse_address = True

    def __init__(self, addr, web: WebServers, tls: bool, legacy: bool = False) -> None:
        self.web, self.tls, self.legacy = web, tls, legacy
        super().__init__(addr, _HTTPHandler)

    def wrap(self, sock):
        base = self.web.ca.context(("default.test",), legacy=self.legacy)

        def pick(ssl_sock, server_name, _ctx):
            if server_name:
                ssl_sock.context = self.web.tls_context(server_name, legacy=self.legacy)

        base.sni_callback = pick
        sock.settimeout(10)
        return base.wrap_socket(sock, server_side=True)

    def handle_error(
        self, request, client_address
    ) -> None:  # quiet: hostile tests abort handshakes
        pass


class WebServers:
    """One HTTP and one HTTPS server on WEB_IP (plus a legacy TLS server on LEGACY_IP, same
    port). Behaviour per host: ``routes[host] = handler``; certificate per host:
    ``certs[host] = (names, kind)``, default a valid certificate for the host alone."""

    def __init__(self, ca: TestCA) -> None:
        self.ca = ca
        self.routes: dict[str, Handler] = {}
        self.certs: dict[str, tuple[tuple[str, ...], str]] = {}
        self.http = _Server((WEB_IP, 0), self, tls=False)
        self.https = _Server((WEB_IP, 0), self, tls=True)
        self.legacy = _Server(
            (LEGACY_IP, self.https.server_address[1]), self, tls=True, legacy=True
        )
        for server in (self.http, self.https, self.legacy):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def http_port(self) -> int:
        return self.http.server_address[1]

    @property
    def https_port(self) -> int:
        return self.https.server_address[1]

    def tls_context(self, host: str, *, legacy: bool = False) -> ssl.SSLContext:
        names, kind = self.certs.get(host, ((host,), "valid"))
        return self.ca.context(tuple(names), kind, legacy=legacy)

    def dispatch(self, req: Request) -> Response:
        handler = self.routes.get(req.host)
        if handler is None:
            return Response(404, [("Content-Type", "text/plain")], b"no such site")
        return handler(req)

    def clear(self) -> None:
        self.routes.clear()
        self.certs.clear()

    def stop(self) -> None:
        for server in (self.http, self.https, self.legacy):
            server.shutdown()
            server.server_close()


class Lab:
    """Everything the probes talk to, started once per test session."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="launchready-lab-")
        self.ca = TestCA(Path(self.tmp.name))
        self.zone = ZoneResolver()
        self.dns = DNSServer(
            self.zone,
            address="127.0.0.1",
            port=0,
            logger=DNSLogger(
                log="-recv,-send,-request,-reply,-truncated,-error,-data", logf=lambda s: None
            ),
        )
        self.dns.start_thread()
        self.silent = _Silent("127.0.0.1")
        self.refusing = DNSServer(
            RefusingResolver(),
            address="127.0.0.1",
            port=0,
            logger=DNSLogger(
                log="-recv,-send,-request,-reply,-truncated,-error,-data", logf=lambda s: None
            ),
        )
        self.refusing.start_thread()
        self.web = WebServers(self.ca)

    @property
    def dns_port(self) -> int:
        return self.dns.server.server_address[1]

    @property
    def refusing_port(self) -> int:
        return self.refusing.server.server_address[1]

    def settings_values(self) -> dict:
        return {
            "LAUNCHREADY_DNS_NAMESERVERS": [f"127.0.0.1:{self.dns_port}"],
            "LAUNCHREADY_CA_BUNDLE": str(self.ca.bundle),
            "LAUNCHREADY_HTTP_PORT": self.web.http_port,
            "LAUNCHREADY_HTTPS_PORT": self.web.https_port,
            "LAUNCHREADY_ALLOW_PRIVATE_TARGETS": True,
        }

    def reset(self) -> None:
        from checks.net import clear_dns_cache

        clear_dns_cache()
        self.zone.clear()
        self.web.clear()

    def stop(self) -> None:
        self.dns.stop()
        self.refusing.stop()
        self.web.stop()
        self.silent.sock.close()
        self.tmp.cleanup()


# ---------------------------------------------------------------- a well-run site


def good_site(canonical_host: str, *, latency: float = 0.0) -> Handler:
    """A site done right: every entry point 301s straight to https://canonical_host with
    path and query kept; pages carry the security headers; static assets are cached."""

    def handle(req: Request) -> Response:
        if latency:
            time.sleep(latency)
        hsts = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if req.scheme != "https" or req.host != canonical_host:
            headers = [("Location", f"https://{canonical_host}{req.path}")]
            if req.scheme == "https":
                headers.append(hsts)
            return Response(301, headers)
        path = req.path.split("?")[0]
        if path.startswith("/static/"):
            return Response(
                200,
                [("Content-Type", "text/css"), ("Cache-Control", "public, max-age=31536000"), hsts],
                b"body{color:#111}" * 200,
                gzip=True,
            )
        if path == "/healthz":
            return Response(200, [("Content-Type", "text/plain"), hsts], b"ok")
        if path not in {"/", "/pricing"}:
            return Response(404, [("Content-Type", "text/plain"), hsts], b"not found")
        page = (
            f'<html><head><link rel="stylesheet" href="/static/app.css"><script src="https://{canonical_host}/static/app.js"></script></head>'
            "<body><h1>Welcome</h1>" + "<p>Lorem ipsum dolor sit amet.</p>" * 80 + "</body></html>"
        ).encode()
        return Response(
            200,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                hsts,
                ("Content-Security-Policy", "default-src 'self'"),
                ("X-Content-Type-Options", "nosniff"),
                ("X-Frame-Options", "DENY"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("Cache-Control", "private, no-store"),
                ("Set-Cookie", "sessionid=abc; Secure; HttpOnly; SameSite=Lax; Path=/"),
            ],
            page,
            gzip=True,
        )

    return handle


def add_good_domain(
    lab: Lab, domain: str, *, subdomains: tuple[str, ...] = (), dkim: dict[str, str] | None = None
) -> None:
    """DNS, certificates and sites for a domain with nothing to complain about."""
    zone, web = lab.zone, lab.web
    names = (domain, f"www.{domain}", *(f"{s}.{domain}" for s in subdomains))
    for name in names:
        zone.add(name, "A", WEB_IP)
        web.routes[name] = good_site(domain)
        web.certs[name] = (names, "valid")
    zone.add(domain, "NS", f"ns1.{domain}")
    zone.add(domain, "NS", f"ns2.{domain}")
    zone.add(domain, "CAA", '0 issue "letsencrypt.org"')
    zone.add(domain, "MX", f"10 mx.{domain}.")
    zone.add(f"mx.{domain}", "A", WEB_IP)
    zone.add(domain, "TXT", "v=spf1 mx include:_spf.mail.test -all")
    zone.add("_spf.mail.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.add(f"_dmarc.{domain}", "TXT", f"v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@{domain}")
    for selector, key in (dkim or {}).items():
        zone.add(f"{selector}._domainkey.{domain}", "TXT", f"v=DKIM1; k=rsa; p={key}")
