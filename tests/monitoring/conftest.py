"""Real HTTP(S) servers on loopback that tests switch off and on, and a monitor factory."""

from __future__ import annotations

import ssl
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checks.monitoring import services

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)  # a Monday, on the scheduler's grid


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        server: LoopbackServer = self.server.owner  # type: ignore[attr-defined]
        with server.lock:
            server.hits[self.path] += 1
        body = server.body.encode()
        self.send_response(server.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args) -> None:
        pass


class LoopbackServer:
    """An HTTP server on 127.0.0.1 that keeps its port across stop()/start()."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.port = 0
        self.status = 200
        self.body = "<h1>Book a call</h1>"
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/"

    def start(self) -> LoopbackServer:
        ThreadingHTTPServer.allow_reuse_address = True
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        if self.tls:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        httpd.owner = self  # type: ignore[attr-defined]
        self.port = httpd.server_address[1]
        self._httpd = httpd
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = True
    settings.SITE_URL = "https://launchready.test"


@pytest.fixture
def site():
    server = LoopbackServer().start()
    yield server
    server.stop()


def make_cert(tmp_path, *, not_before: datetime, not_after: datetime):
    """A test CA and a leaf for 127.0.0.1 with the given validity. Returns (ca_pem, ctx)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Launch Ready Test CA")])
    now = datetime.now(UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    return str(ca_path), ctx


@pytest.fixture
def make_monitor(client_a, consultant):
    def make(url: str, *, now: datetime = T0, client=None, **fields):
        fields.setdefault("name", "Homepage")
        fields.setdefault("alert_emails", "founder@acme.test, ops@launchready.test")
        fields.setdefault("timeout_seconds", 5)
        return services.monitor_create(
            client=client or client_a, by=consultant, now=now, url=url, **fields
        )

    return make
