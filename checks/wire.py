"""HTTP/1.1 response reading for ``checks.net``: every read re-arms the socket timeout
with what is left of one total deadline, and bodies stop at a byte cap."""

from __future__ import annotations

import time
import zlib


class _Failure(Exception):
    """A network exchange that went wrong in a way worth one sentence."""


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"gave up after the {self.seconds:g} s deadline")
        return remaining


class _Partial(Exception):
    """Headers arrived but the body did not finish: keep what we saw."""

    def __init__(self, status: int, headers: tuple, cause: BaseException) -> None:
        self.status, self.headers, self.cause = status, headers, cause
        super().__init__(str(cause))


_MAX_HEAD = 64 * 1024


def _read_response(sock, deadline: _Deadline, max_bytes: int, method: str):
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        if len(buf) > _MAX_HEAD:
            raise _Failure("response headers larger than 64 KB")
        chunk = _recv(sock, deadline)
        if not chunk:
            raise _Failure("the server closed the connection before sending a response")
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        raise _Failure(f"not an HTTP response: {lines[0][:80]!r}") from None
    headers = tuple(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in lines[1:] if ":" in line)
    )
    lookup = {k.lower(): v for k, v in headers}
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return status, headers, b"", False
    try:
        if "chunked" in lookup.get("transfer-encoding", "").lower():
            body, truncated = _read_chunked(sock, deadline, bytearray(rest), max_bytes)
        else:
            length = int(lookup["content-length"]) if "content-length" in lookup else None
            body, truncated = _read_plain(sock, deadline, bytearray(rest), max_bytes, length)
    except (OSError, TimeoutError) as exc:
        raise _Partial(status, headers, exc) from None
    return status, headers, body, truncated


def _recv(sock, deadline: _Deadline) -> bytes:
    # Re-arming the socket timeout with what is left of the deadline is what stops a
    # server that drips a byte a second from holding us forever.
    sock.settimeout(deadline.left())
    return sock.recv(65536)


def _read_plain(sock, deadline, buf: bytearray, max_bytes: int, length: int | None):
    while length is None or len(buf) < length:
        if len(buf) > max_bytes:
            return bytes(buf[:max_bytes]), True
        chunk = _recv(sock, deadline)
        if not chunk:
            break
        buf += chunk
    if len(buf) > max_bytes:
        return bytes(buf[:max_bytes]), True
    return bytes(buf if length is None else buf[:length]), False


def _read_chunked(sock, deadline, buf: bytearray, max_bytes: int):
    body = bytearray()
    while True:
        while b"\r\n" not in buf:
            chunk = _recv(sock, deadline)
            if not chunk:
                return bytes(body), False
            buf += chunk
        size_line, _, rest = bytes(buf).partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            raise _Failure("malformed chunked body") from None
        buf = bytearray(rest)
        if size == 0:
            return bytes(body), False
        while len(buf) < size + 2:
            if len(body) + len(buf) > max_bytes:
                return bytes((body + buf)[:max_bytes]), True
            chunk = _recv(sock, deadline)
            if not chunk:
                return bytes(body + buf), False
            buf += chunk
        body += buf[:size]
        buf = buf[size + 2 :]
        if len(body) > max_bytes:
            return bytes(body[:max_bytes]), True


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
