"""Browser runs benchmark, loopback only: one Lighthouse mobile audit, one five-step journey,
50 journey monitors at a 15-minute interval on one consumer (a controlled clock: each
15-second slot's scheduler run is real, the waiting between slots is skipped), and
Chromium processes left after 100 runs.

    uv run python bench/browser_bench.py                      # everything
    uv run python bench/browser_bench.py --skip-lighthouse --journeys 10

The site runs in a child process on 127.0.0.2 (tests/browser/sites.py), the one address
allowed through the guard (LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES); every other private
address stays refused, as in production. A fresh SQLite database in a temporary folder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _serve(ports) -> None:
    from tests.browser.sites import ALLOWED_IP, Site

    site = Site(ALLOWED_IP)
    ports.put(site.port)
    while True:
        time.sleep(3600)


def _chromiums(home: str) -> tuple[int, int]:
    """(live, zombie) Chromium processes of this benchmark's runs: those whose environment
    has the benchmark's own HOME (other suites on the machine run browsers too), or
    zombies whose parent is this process."""
    live = zombie = 0
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            stat = (entry / "stat").read_text()
            environ = (entry / "environ").read_bytes() if "chrom" in comm else b""
        except OSError:
            continue
        if "chrom" not in comm:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        ours = f"HOME={home}".encode() in environ.split(b"\0") or ppid == me
        if state == "Z" and ppid == me:
            zombie += 1
        elif ours:
            live += 1
    return live, zombie


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=50)
    parser.add_argument(
        "--runs", type=int, default=100, help="journey runs before counting Chromium"
    )
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="browser-bench-")
    os.environ["HOME"] = var  # passed to every browser run: how its processes are counted
    os.environ.setdefault("LAUNCHREADY_VAR_DIR", var)
    os.environ.setdefault("DEBUG", "1")
    os.environ["LAUNCHREADY_ALLOW_PRIVATE_TARGETS"] = "0"
    os.environ["LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES"] = "127.0.0.2"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchready.settings")

    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    base = f"http://127.0.0.2:{port}"

    import django

    django.setup()
    from django.core.management import call_command

    from checks.browser import lighthouse
    from checks.browser.journey import StepSpec, run_journey
    from checks.browser.journeys import journey_steps_set, steps_parse
    from checks.monitoring import services
    from checks.monitoring.models import Monitor
    from clients.models import Client

    call_command("migrate", verbosity=0)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    if not args.skip_lighthouse:
        started = time.monotonic()
        facts = lighthouse.audit(f"{base}/fast")
        print(
            f"Lighthouse mobile audit of a loopback page: {time.monotonic() - started:.1f} s "
            f"(performance {facts.performance}, error {facts.error}) target < 25 s"
        )

    five = [
        StepSpec("visit", f"{base}/"),
        StepSpec("click", "Contact us"),
        StepSpec("fill", "Email", "bench+{marker}@acme.test"),
        StepSpec("submit", "Send"),
        StepSpec("expect_text", "Thanks"),
    ]
    times = []
    runs = 0
    for _ in range(3):
        facts = run_journey(five, artefact_dir=Path(var) / "five")
        runs += 1
        assert facts.ok, facts.error
        times.append(facts.elapsed_ms / 1000)
    print(
        f"five-step journey: median {statistics.median(times):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in times)} target < 5 s"
    )

    # 50 journey monitors at 15 minutes, one consumer, a controlled clock.
    client = Client.objects.create(name="Bench client", business_type="b2b", maturity="launch")
    t0 = services.slot_floor(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    text = "\n".join(
        [f"visit {base}/", "click Contact us", "fill Email = b+{marker}@acme.test", "submit Send",
         "expect text Thanks"]
    )  # fmt: skip
    for i in range(args.journeys):
        m = services.monitor_create(
            client=client, by=None, now=t0, name=f"J{i}", kind="journey", url=f"{base}/",
            interval_seconds=900, timeout_seconds=10, alert_emails="ops@bench.test",
        )  # fmt: skip
        journey_steps_set(monitor=m, steps=steps_parse(text))
    slot = timedelta(seconds=services.SLOT_SECONDS)
    consumer_free = t0  # simulated time at which the one consumer is free again
    lags, busy = [], []
    now = t0
    while now < t0 + timedelta(seconds=900):
        start = max(now, consumer_free)
        wall = time.monotonic()
        due = list(
            Monitor.objects.filter(enabled=True, next_due_at__lte=start).values_list(
                "next_due_at", flat=True
            )
        )
        report = services.monitors_run_due(now=start)
        took = time.monotonic() - wall
        runs += report.claimed
        busy.append(took)
        # A journey's lag is at most: the run's start behind its due time (the consumer was
        # still busy with an earlier slot) plus the whole run (it started within it).
        lags += [(start - due_at).total_seconds() + took for due_at in due]
        consumer_free = start + timedelta(seconds=took)
        now += slot
    late = max(lags) if lags else 0.0
    print(
        f"{args.journeys} journeys at 15 min on one consumer: {len(lags)} runs, scheduling lag "
        f"(upper bound) max {late:.1f} s, p50 {statistics.median(lags):.1f} s; slot runs took max "
        f"{max(busy):.1f} s, median {statistics.median(busy):.1f} s (target lag < 30 s)"
    )

    while runs < args.runs:
        run_journey(five[:2], artefact_dir=Path(var) / "more")
        runs += 1
    time.sleep(1)
    live, zombie = _chromiums(var)
    print(f"Chromium processes after {runs} runs: {live} alive, {zombie} zombies (target 0)")
    server.terminate()


if __name__ == "__main__":
    main()
