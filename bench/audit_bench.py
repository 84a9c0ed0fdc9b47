"""Full-audit speed against the loopback lab the tests use (no internet traffic).

    uv run python bench/audit_bench.py [--domains 100] [--parallel 8]

Starts the loopback DNS server, HTTP and HTTPS servers (test CA), serves N well-run
domains, then reports the wall time of one full audit (every check, one domain) and of
N domains in one run (domains audited `--parallel` at a time, each with its own bounded
pool of probe threads), then one audit with a black-hole resolver (reads queries, never
answers) and one with a refusing resolver (answers REFUSED at once). Targets: one domain
< 1 s; 100 domains < 20 s on 2 cores; black-hole < 15 s and refusing < 2 s, with no
check saying pass in either.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_lab(conn, domains: list[str]) -> None:
    """Child process: the loopback servers, so they do not share the checker's GIL (as
    real targets would not)."""
    from tests.checks.servers import Lab, add_good_domain, rsa_public_key_b64

    lab = Lab()
    key = rsa_public_key_b64(2048)
    for domain in domains:
        add_good_domain(lab, domain, subdomains=("app",), dkim={"s1": key})
    conn.send(
        {
            **lab.settings_values(),
            "black-hole": f"127.0.0.1:{lab.silent.port}",
            "refusing": f"127.0.0.1:{lab.refusing_port}",
        }
    )
    conn.recv()  # wait until the parent is done
    lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--single", type=int, default=5, help="repetitions of the one-domain audit")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchready.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ.setdefault("LAUNCHREADY_VAR_DIR", tempfile.mkdtemp(prefix="audit-bench-"))
    import django

    django.setup()
    from django.conf import settings

    from checks import net
    from checks.audit import DomainSpec, audit_domain

    domains = [f"site{i}.test" for i in range(args.domains)]
    ctx = multiprocessing.get_context("fork")
    parent_conn, child_conn = ctx.Pipe()
    child = ctx.Process(target=serve_lab, args=(child_conn, ["one.test", *domains]), daemon=True)
    child.start()
    values = parent_conn.recv()
    failing_resolvers = {kind: values.pop(kind) for kind in ("black-hole", "refusing")}
    for name, value in values.items():
        setattr(settings, name, value)

    def spec(domain: str) -> DomainSpec:
        return DomainSpec(
            domain, subdomains=(f"app.{domain}",), dkim_selectors=("s1",), health_path="/healthz"
        )

    audit_domain(spec("one.test"))  # warm-up: certificates are minted on first use
    singles = []
    for _ in range(args.single):
        net.clear_dns_cache()  # each repetition starts cold, as a new run would
        start = time.perf_counter()
        results = audit_domain(spec("one.test"))
        singles.append(time.perf_counter() - start)
    bad = [r for r in results if r.status in ("fail", "error")]
    print(
        f"one domain: {len(results)} results, median {statistics.median(singles):.2f} s, "
        f"worst {max(singles):.2f} s over {args.single} runs (target < 1 s); fail/error: {len(bad)}"
    )

    net.clear_dns_cache()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        all_results = list(pool.map(lambda d: audit_domain(spec(d), max_workers=8), domains))
    wall = time.perf_counter() - start
    total = sum(len(r) for r in all_results)
    bad_rows = [r for rs in all_results for r in rs if r.status in ("fail", "error")]
    bad = len(bad_rows)
    for r in bad_rows[:10]:
        print(f"  {r.status} {r.check_id} {r.target}: {r.summary}")
    print(
        f"{args.domains} domains: {total} results in {wall:.1f} s wall "
        f"({args.parallel} domains at a time, {os.cpu_count()} cores; target < 20 s); fail/error: "
        f"{bad}"
    )
    for kind, target in (("black-hole", 15), ("refusing", 2)):
        settings.LAUNCHREADY_DNS_NAMESERVERS = [failing_resolvers[kind]]
        net.clear_dns_cache()
        start = time.perf_counter()
        results = audit_domain(spec("one.test"))
        took = time.perf_counter() - start
        passes = [
            r.check_id
            for r in results
            if r.status == "pass" and r.evidence.get("network") is not False
        ]
        print(
            f"{kind} resolver: one audit in {took:.2f} s (target < {target} s); "
            f"{sum(r.status == 'error' for r in results)} of {len(results)} results error, pass: "
            f"{len(passes)} {passes}"
        )
    parent_conn.send("stop")
    child.join(timeout=10)


if __name__ == "__main__":
    main()
