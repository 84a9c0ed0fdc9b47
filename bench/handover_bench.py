"""Handover speed: issue (render + sign + store) and verify, for a sprint with full data.

    uv run python bench/handover_bench.py [--runs 5] [--tsa]

Seeds a throw-away SQLite database with one finished sprint carrying accounts, domains,
findings, a check run, monitors, the secrets inventory and deploy events (the same data
as tests/handover), makes a self-signed signer, then times issuing and verifying.
With --tsa, signatures carry an RFC 3161 timestamp from a loopback TSA (tests/handover/tsa.py)
and verification validates it. Targets: issue under 2 s, verify under 1 s (median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard_bench import setup_django  # noqa: E402 (same throw-away settings)


def seed():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from clients import services
    from clients.models import BusinessType, Client, Domain, DomainRole, Maturity
    from tests.handover import conftest as data

    call_command("migrate", verbosity=0)
    call_command("handover_keygen", "--if-missing", verbosity=0, stdout=open(os.devnull, "w"))
    consultant = get_user_model().objects.create_user(
        "consultant",
        password="bench-password-1",
        is_staff=True,
        first_name="Sam",
        last_name="Rivera",
        email="sam@launchready.example",
    )
    client = Client.objects.create(
        name="Acme Coaching", business_type=BusinessType.COACH, maturity=Maturity.LAUNCH
    )
    Domain.objects.create(client=client, hostname="acme.test", role=DomainRole.CANONICAL)
    Domain.objects.create(client=client, hostname="www.acme.test", role=DomainRole.WWW)
    sprint = services.sprint_start(client=client, by=consultant)
    # The same full sprint the tests use (the fixture function called directly).
    return data.full_sprint.__wrapped__(sprint, client, consultant), consultant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--tsa", action="store_true", help="Timestamp with a loopback RFC 3161 authority."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        os.environ.setdefault("SITE_URL", "https://launchready.example")
        tsa = None
        if args.tsa:
            from tests.handover.tsa import start_tsa

            tsa = start_tsa(Path(var_dir))
            os.environ["HANDOVER_TSA_URL"] = tsa.url
            os.environ["HANDOVER_TSA_TRUST_FILES"] = str(tsa.root_pem)
        setup_django(var_dir)
        from handover.services import handover_issue
        from handover.verification import verify_pdf

        sprint, consultant = seed()
        handover_issue(sprint=sprint, by=consultant)  # warm-up: fonts, stylesheet, key
        issue_times, issue_cpu, verify_times, verify_cpu, sizes = [], [], [], [], []
        for _ in range(args.runs):
            start, cpu = time.perf_counter(), time.process_time()
            issued = handover_issue(sprint=sprint, by=consultant)
            issue_times.append(time.perf_counter() - start)
            issue_cpu.append(time.process_time() - cpu)
            data = issued.file.read()
            sizes.append(len(data))
            start, cpu = time.perf_counter(), time.process_time()
            verdict = verify_pdf(data)
            verify_times.append(time.perf_counter() - start)
            verify_cpu.append(time.process_time() - cpu)
            assert verdict.current, verdict
            assert (verdict.timestamp is not None) == bool(tsa), verdict
        load = os.getloadavg()[0]
        print(
            f"handover bench{' with a loopback TSA' if tsa else ''}: {args.runs} runs, "
            f"{sizes[-1] / 1024:.0f} KiB per PDF, "
            f"{os.cpu_count()} CPUs, load average {load:.1f}"
        )
        rows = (
            ("issue (render+sign+store)", issue_times, issue_cpu, 2.0),
            ("verify", verify_times, verify_cpu, 1.0),
        )
        for label, times, cpu, target in rows:
            median, worst = statistics.median(times), max(times)
            verdict = "OK" if median < target else "OVER TARGET"
            print(
                f"  {label:<27} median {median * 1000:6.0f} ms   max {worst * 1000:6.0f} ms   "
                f"CPU median {statistics.median(cpu) * 1000:6.0f} ms   target < {target:.0f} s  "
                f"{verdict}"
            )


if __name__ == "__main__":
    main()
