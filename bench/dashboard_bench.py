"""Dashboard and sprint-page speed with 500 clients, through Django's test client.

    uv run python bench/dashboard_bench.py [--clients 500] [--requests 100]

Seeds a throw-away SQLite database (or DATABASE_URL if set), then reports median and
p95 server time and the query count of: a trivial staff view (base template, same
middleware and session), the consultant dashboard, and one busy sprint page (two
finished check runs over four domains, 60 findings, 300 log lines) on stage 2, the
stage with the most checks. Targets: dashboard p95 <= 3x the trivial view's with at most
12 queries; sprint page p95 <= 4x with at most 15 queries.
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


def setup_django(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchready.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ["LAUNCHREADY_VAR_DIR"] = var_dir
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    import django

    django.setup()


def setup_database(var_dir: str) -> None:
    """The throw-away settings, then the schema and the static files pages link to."""
    setup_django(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


def seed(n_clients: int) -> None:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from clients import services
    from clients.models import BusinessType, Client, Impact, ItemState, Maturity
    from clients.notifications import services as notifications

    user = get_user_model().objects.create_user("bench", password="bench-password-1", is_staff=True)
    types = list(BusinessType.values)
    maturities = list(Maturity.values)
    now = timezone.now()
    for i in range(n_clients):
        client = Client.objects.create(
            name=f"Client {i:04d}", business_type=types[i % 4], maturity=maturities[i % 3]
        )
        sprint = services.sprint_start(
            client=client, by=user, started_at=now - timedelta(hours=i % 60)
        )
        stage = sprint.stages.get(number=1)
        for item in list(stage.items.all())[: i % 4]:
            services.item_set_state(item=item, by=user, state=ItemState.DONE)
        if i % 3 == 0:
            services.finding_create(
                sprint=sprint, by=user, stage=stage, title="Blocker", impact=Impact.BLOCKER
            )
        if i % 2 == 0:
            services.finding_create(
                sprint=sprint, by=user, stage=stage, title="Cleanup", impact=Impact.CLEANUP
            )
        if i % 5 == 0:
            # An unread founder message: the dashboard shows a badge from the same query.
            entry = services.comment_add(sprint=sprint, by=user, text="A question from the founder")
            notifications.inbox_message_received(sprint=sprint, at=entry.created_at)


def make_busy(sprint, n_findings: int = 60, n_log: int = 300) -> None:
    """The sprint page's worst case: many findings, log lines and check results."""
    from django.contrib.auth import get_user_model

    from checks.catalogue import CHECKS
    from checks.models import CheckResult, CheckRun
    from clients import services
    from clients.jobs.models import JobStatus
    from clients.models import Impact

    user = get_user_model().objects.get(username="bench")
    stages = list(sprint.stages.all())
    impacts = [Impact.BLOCKER, Impact.TRUST, Impact.CLEANUP]
    for i in range(n_findings):
        services.finding_create(
            sprint=sprint, by=user, stage=stages[i % 7], title=f"Finding {i}", impact=impacts[i % 3]
        )
    for i in range(n_log):
        services.comment_add(sprint=sprint, by=user, text=f"Note {i}")
    targets = ["busy.test", "www.busy.test", "app.busy.test", "api.busy.test"]
    for _ in range(2):
        run = CheckRun.objects.create(sprint=sprint, status=JobStatus.DONE)
        CheckResult.objects.bulk_create(
            CheckResult(
                run=run,
                check_id=cid,
                target=target,
                status=["pass", "fail", "warn", "error"][(i + j) % 4],
                summary="Could not tell: busy.test does not resolve" if (i + j) % 4 == 3 else "ok",
                evidence={"reason": "busy.test does not resolve"} if (i + j) % 4 == 3 else {},
            )
            for i, cid in enumerate(CHECKS)
            for j, target in enumerate(targets)
        )


def measure(client, urls: dict[str, str], n: int) -> dict[str, dict]:
    """Request the URLs in turn, n rounds: interleaving them means a noisy neighbour
    on a shared machine slows all views alike instead of skewing one of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {name: [] for name in urls}
    queries: dict[str, int] = {}
    for url in urls.values():
        client.get(url)  # warm caches and template loading
    for _ in range(n):
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries[name] = len(ctx.captured_queries)
    out = {}
    for name, samples in times.items():
        samples.sort()
        out[name] = {
            "median_ms": statistics.median(samples),
            "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
            "queries": queries[name],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_database(var_dir)
        from django.test import Client as TestClient
        from django.test.utils import override_settings

        # No setup_test_environment(): its instrumented template rendering is test-only
        # overhead a production server does not pay.
        started = time.perf_counter()
        seed(args.clients)
        print(
            f"seeded {args.clients} clients with active sprints in "
            f"{time.perf_counter() - started:.1f} s"
        )
        from clients.models import Sprint

        sprint = Sprint.objects.order_by("deadline").first()
        make_busy(sprint)
        with override_settings(ROOT_URLCONF="bench.urls_trivial"):
            client = TestClient()
            client.post("/accounts/login/", {"username": "bench", "password": "bench-password-1"})
            urls = {
                "trivial view": "/bench/trivial/",
                "dashboard": "/dashboard/",
                "sprint page": f"/sprints/{sprint.code}/?stage=2",
            }
            rows = measure(client, urls, args.requests)
        print(f"{'view':<14}{'median ms':>11}{'p95 ms':>9}{'queries':>9}")
        for name, row in rows.items():
            print(f"{name:<14}{row['median_ms']:>11.1f}{row['p95_ms']:>9.1f}{row['queries']:>9}")
        trivial = rows["trivial view"]["p95_ms"]
        print(
            f"dashboard p95 / trivial p95 = {rows['dashboard']['p95_ms'] / trivial:.2f}x "
            f"(target <= 3x); dashboard queries {rows['dashboard']['queries']} (target <= 12, "
            "constant)"
        )
        print(
            f"sprint page p95 / trivial p95 = {rows['sprint page']['p95_ms'] / trivial:.2f}x "
            f"(target <= 4x); sprint page queries {rows['sprint page']['queries']} (target <= "
            "15, constant)"
        )


if __name__ == "__main__":
    main()
