"""Browser runs benchmark, loopback only: one Lighthouse mobile audit, one five-step journey,
50 journey monitors at a 15-minute interval on one consumer (a controlled clock: each
15-second slot's scheduler run is real, the waiting between slots is skipped), and
Chromium processes left after 100 runs.

    uv run python bench/browser_bench.py                      # everything
    uv run python bench/browser_bench.py --lighthouse-runs 8 --skip-journeys
    uv run python bench/browser_bench.py --skip-lighthouse --rounds 2

Every figure is printed with the load average at that moment (the machine is shared), and
each Lighthouse audit of ours is paired with a run of the plain Lighthouse CLI on the same
page (same flags as Lighthouse's defaults, no proxy, no skipped audits) for comparison.
A journey's time is split into its phases (proxy start, worker import, Playwright driver,
browser launch, steps, screenshot, and the process start/exit and reaping around them).

The site runs in a child process on 127.0.0.2 (tests/browser/sites.py), the one address
allowed through the guard (LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES); every other private
address stays refused, as in production. A fresh SQLite database in a temporary folder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
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


def _load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _plain_lighthouse(url: str) -> float:
    """One run of the Lighthouse CLI as a person would start it: no guard proxy, the
    default audits; the machine's speed at this moment, to compare ours against."""
    from django.conf import settings

    argv = [
        settings.BROWSER_LIGHTHOUSE_BIN,
        url,
        "--output=json",
        "--output-path=/dev/null",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    env = {**os.environ, "CHROME_PATH": settings.BROWSER_CHROMIUM_PATH}
    started = time.monotonic()
    subprocess.run(argv, env=env, check=False, capture_output=True, timeout=180)  # noqa: S603
    return time.monotonic() - started


def _summary(values: list[float]) -> str:
    runs = ", ".join(f"{v:.1f}" for v in values)
    return f"median {statistics.median(values):.1f} s, max {max(values):.1f} s (runs {runs})"


def lighthouse_figures(base: str, runs: int) -> None:
    from checks.browser import lighthouse

    ours, plain = [], []
    for _ in range(runs):
        facts = lighthouse.audit(f"{base}/fast")
        assert facts.error is None, facts.error
        ours.append(facts.elapsed_s)
        print(f"  Lighthouse audit {facts.elapsed_s:.1f} s (performance {facts.performance}), "
              f"{_load()}", flush=True)  # fmt: skip
        plain.append(_plain_lighthouse(f"{base}/fast"))
        print(f"  plain Lighthouse CLI {plain[-1]:.1f} s, {_load()}", flush=True)
    print(f"Lighthouse mobile audit of a loopback page: {_summary(ours)}; target < 25 s; {_load()}")
    print(f"plain Lighthouse CLI, same page: {_summary(plain)}; {_load()}")


PHASES = (
    "proxy_ms", "import_ms", "driver_ms", "launch_ms", "page_ms", "steps_ms", "screenshot_ms"
)  # fmt: skip


def journey_figures(base: str, var: str, rounds: int) -> int:
    from checks.browser.journey import StepSpec, run_journey

    five = [
        StepSpec("visit", f"{base}/"),
        StepSpec("click", "Contact us"),
        StepSpec("fill", "Email", "bench+{marker}@acme.test"),
        StepSpec("submit", "Send"),
        StepSpec("expect_text", "Thanks"),
    ]
    times = []
    for _ in range(rounds * 3):
        facts = run_journey(five, artefact_dir=Path(var) / "five")
        assert facts.ok, facts.error
        times.append(facts.elapsed_ms / 1000)
        meta = facts.meta
        known = sum(int(meta.get(k) or 0) for k in PHASES)  # the rest: Python start, exit, reaping
        phases = ", ".join(f"{k[:-3]} {meta[k]}" for k in PHASES if k in meta)
        phases += " (steps " + "/".join(str(s["ms"]) for s in facts.steps) + ")"
        print(f"  five-step journey {facts.elapsed_ms} ms: {phases}, process start/exit and "
              f"reaping {facts.elapsed_ms - known} ms; {_load()}", flush=True)  # fmt: skip
    print(f"five-step journey: {_summary(times)}; target < 5 s; {_load()}")
    return len(times)


def schedule_figures(base: str, journeys: int) -> int:
    """50 journey monitors at 15 minutes, one consumer, a controlled clock."""
    from checks.browser.journeys import journey_steps_set, steps_parse
    from checks.monitoring import services
    from checks.monitoring.models import Monitor
    from clients.models import Client

    client = Client.objects.create(name="Bench client", business_type="b2b", maturity="launch")
    t0 = services.slot_floor(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    text = "\n".join(
        [f"visit {base}/", "click Contact us", "fill Email = b+{marker}@acme.test", "submit Send",
         "expect text Thanks"]
    )  # fmt: skip
    for i in range(journeys):
        m = services.monitor_create(
            client=client, by=None, now=t0, name=f"J{i}", kind="journey", url=f"{base}/",
            interval_seconds=900, timeout_seconds=10, alert_emails="ops@bench.test",
        )  # fmt: skip
        journey_steps_set(monitor=m, steps=steps_parse(text))
    slot = timedelta(seconds=services.SLOT_SECONDS)
    consumer_free = t0  # simulated time at which the one consumer is free again
    lags, busy = [], []
    now = t0
    runs = 0
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
    lags.sort()
    p95 = lags[max(0, round(0.95 * len(lags)) - 1)] if lags else 0.0
    print(
        f"{journeys} journeys at 15 min on one consumer: {len(lags)} runs, scheduling lag "
        f"(upper bound) max {max(lags, default=0.0):.1f} s, p95 {p95:.1f} s, p50 "
        f"{statistics.median(lags) if lags else 0.0:.1f} s; slot runs took max {max(busy):.1f} s, "
        f"median {statistics.median(busy):.1f} s (target lag < 30 s); {_load()}"
    )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="audits (and CLI runs)")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of three journeys")
    parser.add_argument("--skip-journeys", action="store_true")
    parser.add_argument("--journeys", type=int, default=50, help="monitors for the schedule")
    parser.add_argument("--skip-schedule", action="store_true")
    parser.add_argument(
        "--runs", type=int, default=100, help="journey runs before counting Chromium"
    )
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

    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    base = f"http://127.0.0.2:{port}"

    import django

    django.setup()
    from django.core.management import call_command

    from checks.browser.journey import StepSpec, run_journey

    call_command("migrate", verbosity=0)
    print(f"at start: {_load()}, {os.cpu_count()} cores", flush=True)

    if not args.skip_lighthouse:
        lighthouse_figures(base, args.lighthouse_runs)
    if args.skip_journeys:
        server.terminate()
        return
    runs = journey_figures(base, var, args.rounds)
    if not args.skip_schedule:
        runs += schedule_figures(base, args.journeys)
    short = [StepSpec("visit", f"{base}/"), StepSpec("click", "Contact us")]
    while runs < args.runs:
        run_journey(short, artefact_dir=Path(var) / "more")
        runs += 1
    time.sleep(1)
    live, zombie = _chromiums(var)
    print(f"Chromium processes after {runs} runs: {live} alive, {zombie} zombies (target 0); "
          f"{_load()}")  # fmt: skip
    server.terminate()


if __name__ == "__main__":
    main()
