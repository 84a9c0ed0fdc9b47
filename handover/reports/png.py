"""A small PNG writer (zlib + struct, no dependency) and the sparkline drawn with it.

Mail clients do not show SVG (Gmail and Outlook drop it), so the weekly report's charts
are PNGs attached inline by Content-ID. Truecolour, 8 bits, filter 0 per row: a 552x92
sparkline is a few kilobytes."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
LINE: RGB = (59, 91, 219)
TARGET: RGB = (230, 119, 0)
BAD: RGB = (201, 42, 42)
GRID: RGB = (227, 230, 235)
EMPTY: RGB = (222, 226, 230)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode(width: int, height: int, pixels: bytes | bytearray) -> bytes:
    """PNG bytes of an RGB image given as width*height*3 bytes, rows top to bottom."""
    if len(pixels) != width * height * 3:
        raise ValueError("pixels must hold width * height RGB triples")
    stride = width * 3
    raw = b"".join(b"\x00" + bytes(pixels[y * stride : (y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


class Canvas:
    def __init__(self, width: int, height: int, background: RGB = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def set(self, x: int, y: int, colour: RGB) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i : i + 3] = bytes(colour)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: RGB) -> None:
        for y in range(max(0, y0), min(self.height, y1)):
            for x in range(max(0, x0), min(self.width, x1)):
                self.set(x, y, colour)

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: RGB, thick: int = 1) -> None:
        """Bresenham, drawn `thick` pixels high."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            for t in range(thick):
                self.set(x0, y0 + t, colour)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def png(self) -> bytes:
        return encode(self.width, self.height, self.pixels)


def sparkline(
    values: Sequence[float | None],
    *,
    failures: Sequence[int] = (),
    target: float | None = None,
    width: int = 552,
    height: int = 92,
) -> bytes:
    """A latency line (gaps where nothing was measured), a dashed target line, and a red
    tick under every slot that had failed probes. Sized as the email shows it (552x92)."""
    canvas = Canvas(width, height)
    pad, base = 4, height - 10
    measured = [v for v in values if v is not None]
    top = max([*measured, target or 0, 1.0]) * 1.15
    n = max(1, len(values) - 1)

    def x(i: int) -> int:
        return pad + round(i * (width - 2 * pad) / n)

    def y(v: float) -> int:
        return base - round(v / top * (base - pad))

    canvas.line(pad, base, width - pad, base, GRID)
    if target is not None:
        ty = y(target)
        for x0 in range(pad, width - pad, 12):
            canvas.line(x0, ty, min(x0 + 6, width - pad), ty, TARGET)
    previous: tuple[int, int] | None = None
    for i, v in enumerate(values):
        if v is None:
            previous = None
            continue
        point = (x(i), y(v))
        if previous is not None:
            canvas.line(*previous, *point, LINE, thick=2)
        else:
            canvas.rect(point[0] - 1, point[1] - 1, point[0] + 2, point[1] + 2, LINE)
        previous = point
    for i, count in enumerate(failures):
        if count:
            canvas.rect(x(i) - 1, base + 2, x(i) + 2, height - 1, BAD)
    if not measured:
        canvas.rect(pad, base - 2, width - pad, base, EMPTY)
    return canvas.png()
