"""Loopback sites for browser runs. The allowed site listens on 127.0.0.2 (the tests put
that one address in LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES); the "private" server on
127.0.0.3 stands for the worker's own network and must never be reached while the guard
is on: it counts every hit."""

from __future__ import annotations

import random
import struct
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ALLOWED_IP = "127.0.0.2"
PRIVATE_IP = "127.0.0.3"


def _png(width: int, height: int, seed: int = 7) -> bytes:
    """A valid PNG of random pixels: it does not compress, so it stays multi-MB."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 1))
        + chunk(b"IEND", b"")
    )


BIG_PNG = _png(1400, 1000)  # about 4 MB
# 1.5 MB of script that also keeps the main thread busy when it runs.
SLOW_JS = (
    "var t0=Date.now();while(Date.now()-t0<1200){}\n" + "/*" + "x" * 1_500_000 + "*/\n"
).encode()

FAST = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme coaching</title>
<meta name="description" content="Coaching for founders."></head>
<body><h1>Acme coaching</h1><p>Book a call with us.</p></body></html>"""

HEAVY = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme offers</title>
<script src="/slow.js"></script></head>
<body><h1>Offers</h1><img src="/big.png" alt="Team" width="1400" height="1000">
<img src="http://{private}/pixel.png" alt="" width="1" height="1"></body></html>"""

HOME = """<!doctype html><html lang="en"><head><title>Acme</title></head>
<body><h1>Acme</h1><a href="/contact">Contact us</a>{extra}</body></html>"""

CONTACT = """<!doctype html><html lang="en"><head><title>Contact</title></head><body>
<form method="post" action="/lead"><label>Name <input name="name"></label>
<label>Email <input name="email" type="email"></label>{button}</form></body></html>"""

THANKS = (
    "<!doctype html><html><head><title>Thanks</title></head>"
    "<body><p>Thanks, we will call you today.</p></body></html>"
)


class Site:
    """A threaded HTTP server on ``ip`` whose pages the test can change (``mode``)."""

    def __init__(self, ip: str) -> None:
        self.ip = ip
        self.mode = "ok"
        self.hits: Counter[str] = Counter()
        self.leads: list[dict] = []
        self.private_host = ""
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                owner.handle(self, b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                owner.handle(self, self.rfile.read(length))

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.httpd = ThreadingHTTPServer((ip, 0), Handler)
        self.httpd.handle_error = lambda *args: None  # a browser that was reaped mid-request
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def host(self) -> str:
        return f"{self.ip}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, req: BaseHTTPRequestHandler, body: bytes) -> None:
        path = req.path.split("?")[0]
        with self.lock:
            self.hits[path] += 1
        status, ctype, data, headers = 200, "text/html; charset=utf-8", b"", {}
        if path == "/":
            data = HOME.format(extra="").encode() if self.mode != "fast" else FAST.encode()
        elif path == "/fast":
            data = FAST.encode()
        elif path == "/heavy":
            data = HEAVY.format(private=self.private_host).encode()
        elif path == "/slow.js":
            time.sleep(1.5)  # the server is slow too: the page waits for it before painting
            ctype, data = "application/javascript", SLOW_JS
        elif path == "/big.png":
            ctype, data = "image/png", BIG_PNG
        elif path == "/pixel.png":
            ctype, data = "image/png", _png(1, 1)
        elif path == "/to-private":
            status, headers = 302, {"Location": f"http://{self.private_host}/"}
        elif path == "/with-private-image":
            data = HOME.format(
                extra=f'<img src="http://{self.private_host}/pixel.png" alt="">'
            ).encode()
        elif path == "/contact":
            button = "" if self.mode == "no-button" else "<button>Send</button>"
            data = CONTACT.format(button=button).encode()
        elif path == "/lead" and req.command == "POST":
            fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            with self.lock:
                self.leads.append({"fields": fields, "headers": dict(req.headers)})
            if self.mode == "500":
                status, data = 500, b"<h1>Server error</h1>"
            else:
                status, headers = 303, {"Location": "/thanks"}
        elif path == "/thanks":
            data = THANKS.encode()
        elif path == "/favicon.ico":
            status = 204
        else:
            status, data = 404, b"not found"
        req.send_response(status)
        for name, value in headers.items():
            req.send_header(name, value)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(data)))
        req.send_header("Cache-Control", "no-store")
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(data)
