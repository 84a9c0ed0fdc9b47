"""Fixed-bucket latency histograms: what an hourly rollup stores instead of raw latencies.

Buckets are fixed (never change these edges without migrating stored rollups): bucket i
holds latencies in [EDGES[i-1], EDGES[i]) ms, bucket 0 is [0, EDGES[0]), the last bucket
is everything from EDGES[-1] up. Percentiles use the nearest-rank definition and
interpolate inside the bucket holding that rank, so an estimate is always within one
bucket's width of the percentile of the raw values.

Stored form is sparse text, "index:count" pairs joined by commas ("5:58,6:2"): an hour
of a healthy site touches two or three buckets, so a rollup row stays tiny.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

EDGES: tuple[int, ...] = (
    2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 125, 150, 175, 200, 250, 300, 350, 400, 500,
    600, 700, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000, 15000,
    20000, 30000, 60000,
)  # fmt: skip
BUCKETS = len(EDGES) + 1


def bucket_of(latency_ms: float) -> int:
    return bisect_right(EDGES, latency_ms)


def bucket_bounds(index: int) -> tuple[float, float]:
    low = 0.0 if index == 0 else float(EDGES[index - 1])
    high = float(EDGES[index]) if index < len(EDGES) else math.inf
    return low, high


def counts_from(latencies: Iterable[float]) -> list[int]:
    counts = [0] * BUCKETS
    for value in latencies:
        counts[bucket_of(value)] += 1
    return counts


def encode(counts: list[int]) -> str:
    return ",".join(f"{i}:{c}" for i, c in enumerate(counts) if c)


def decode(text: str) -> list[int]:
    counts = [0] * BUCKETS
    if text:
        for pair in text.split(","):
            index, count = pair.split(":")
            counts[int(index)] += int(count)
    return counts


def merge(into: list[int], other: list[int]) -> list[int]:
    for i, count in enumerate(other):
        into[i] += count
    return into


def percentile(counts: list[int], p: float) -> float | None:
    """Estimate the p-th percentile (0 < p <= 100) from bucket counts; None when empty."""
    total = sum(counts)
    if total == 0:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            low, high = bucket_bounds(index)
            if math.isinf(high):
                return low
            # Spread the bucket's values evenly across its width; rank-th sits at this share.
            return low + (high - low) * (rank - seen - 0.5) / count
        seen += count
    return None  # unreachable: rank <= total


def raw_percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of raw values: what the histogram estimate approximates."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]
