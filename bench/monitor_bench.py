"""Uptime monitoring benchmark: N monitors at a 60 s interval against a local HTTP
server, run by one consumer process the way the Huey periodic task runs it.

    uv run python bench/monitor_bench.py                 # 5,000 monitors, 3 minutes
    uv run python bench/monitor_bench.py --monitors 500 --minutes 1

Loopback only. A fresh SQLite database in a temporary folder (or DATABASE_URL if set).
Each run starts on a 15-second slot boundary, as the Huey-triggered runs do, and calls
the same service the task calls (`monitors_run_due`): claim, probe through checks/net
with MONITOR_CONCURRENCY threads, record, alert. Reports probes per minute, scheduling
lag (probe start minus due time), CPU and memory of the consumer process, and the
storage a year of hourly rollups takes for one monitor (measured with SQLite's dbstat).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        body = b"<html><body><h1>Book a call</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _serve(port_queue) -> None:
    ThreadingHTTPServer.request_queue_size = 2048
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=5000)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="monitor-bench-")
    os.environ.setdefault("LAUNCHREADY_VAR_DIR", var)
    os.environ.setdefault("DEBUG", "1")
    os.environ["LAUNCHREADY_ALLOW_PRIVATE_TARGETS"] = "1"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.concurrency:
        os.environ["MONITOR_CONCURRENCY"] = str(args.concurrency)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchready.settings")

    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=10)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from checks.monitoring import histogram, services
    from checks.monitoring.models import Monitor, ProbeResult, Rollup
    from clients.models import Client

    call_command("migrate", verbosity=0)
    client = Client.objects.create(name="Bench client", business_type="b2b", maturity="launch")
    slot = services.SLOT_SECONDS
    first_due = services.slot_floor(datetime.now(UTC)) + timedelta(seconds=2 * slot)
    Monitor.objects.bulk_create(
        [
            Monitor(
                client=client,
                name=f"M{i}",
                url=f"http://127.0.0.1:{port}/m/{i}",
                interval_seconds=60,
                timeout_seconds=10,
                alert_emails="ops@bench.test",
                # As if created at different moments: spread over the minute's slots.
                next_due_at=first_due + timedelta(seconds=slot * (i % (60 // slot))),
            )
            for i in range(args.monitors)
        ],
        batch_size=1000,
    )
    print(
        f"{args.monitors} monitors at 60 s, concurrency {settings.MONITOR_CONCURRENCY}, "
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, {os.cpu_count()} "
        "CPUs"
    )

    lags: list[float] = []
    rows = []
    due = first_due
    for run in range(args.minutes * 60 // slot):
        wait = due.timestamp() - time.time()
        if wait > 0:
            time.sleep(wait)  # the cron trigger: the run starts when the slot opens
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        report = services.monitors_run_due()
        wall = time.monotonic() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        lags += report.lags_s
        rows.append(
            (run + 1, report.claimed, wall, cpu, _pct(report.lags_s, 95) if report.lags_s else 0)
        )
        print(
            f"run {run + 1}: probed {report.claimed} in {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"({cpu / slot * 100:.0f}% of one core over the slot), lag p50 "
            f"{statistics.median(report.lags_s) if report.lags_s else 0:.2f} s p95 "
            f"{rows[-1][4]:.2f} s "
            f"max {max(report.lags_s, default=0):.2f} s, RSS {_rss_mb():.0f} MB"
        )
        due += timedelta(seconds=slot)

    failures = ProbeResult.objects.filter(ok=False).count()
    print()
    per_minute = sum(r[1] for r in rows) / args.minutes
    print(f"probes per minute: {per_minute:.0f} ({len(rows)} runs, one per {slot} s slot)")
    print(
        f"scheduling lag (probe start - due time): p50 {statistics.median(lags):.2f} s, p95 "
        f"{_pct(lags, 95):.2f} s, max {max(lags):.2f} s"
    )
    print(
        f"run wall time: mean {statistics.mean(r[2] for r in rows):.1f} s; CPU per run: mean "
        f"{statistics.mean(r[3] for r in rows):.1f} s"
    )
    print(
        f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; failed "
        f"probes: {failures}"
    )

    # Storage: a year of hourly rollups for one monitor, with this run's real histograms.
    services.rollups_build(now=datetime.now(UTC) + timedelta(hours=1), hours=2)
    texts = list(Rollup.objects.values_list("histogram", flat=True)[:1000]) or [""]
    sample = max(texts, key=len)
    latencies = [
        v for v in ProbeResult.objects.values_list("latency_ms", flat=True)[:10000] if v is not None
    ]
    wider = histogram.encode(histogram.counts_from([35] * 20 + [80] * 25 + [140] * 10 + [900] * 5))
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'monitoring_rollup' AND sql IS NOT "
                "NULL"
            )
            schema = [r[0] for r in cursor.fetchall()]
        else:
            schema = None
    if schema:
        for label, text in (("this run's histograms", sample), ("a wider 4-bucket spread", wider)):
            path = Path(var) / f"year-{len(text)}.sqlite3"
            db = sqlite3.connect(path)
            for statement in schema:
                db.execute(
                    statement.replace(
                        'REFERENCES "monitoring_monitor" ("id") DEFERRABLE INITIALLY DEFERRED', ""
                    )
                )
            db.executemany(
                "INSERT INTO monitoring_rollup (monitor_id, hour, total, failures, histogram) "
                "VALUES (1, ?, 60, 0, ?)",
                [(h, text) for h in range(24 * 365)],
            )
            db.commit()
            used = db.execute(
                "SELECT SUM(pgsize - unused) FROM dbstat WHERE name LIKE '%rollup%' OR name LIKE "
                "'sqlite_autoindex%'"
            ).fetchone()[0]
            print(
                f"a year of hourly rollups, one monitor ({label}, {text!r}): {used / 1024:.0f} KiB "
                "(SQLite, table + index)"
            )
    if latencies:
        print(
            f"loopback probe latency: p50 {statistics.median(latencies):.0f} ms, p95 "
            f"{_pct(latencies, 95):.0f} ms"
        )
    server.terminate()


if __name__ == "__main__":
    main()
