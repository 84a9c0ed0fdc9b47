"""python manage.py audit: table, JSON, exit codes."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.checks.servers import add_good_domain, rsa_public_key_b64


def _audit(capsys, *args):
    with pytest.raises(SystemExit) as exited:
        call_command("audit", *args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exited.value.code, out.out, out.err


def test_json_output_is_only_json_and_exit_zero_when_all_good(lab, capsys):
    add_good_domain(lab, "acme.test", subdomains=("app",), dkim={"s1": rsa_public_key_b64(2048)})
    code, out, err = _audit(
        capsys, "acme.test", "--subdomain", "app", "--dkim-selector", "s1", "--json"
    )
    doc = json.loads(out)
    assert code == 0, [c for c in doc["checks"] if c["status"] in ("fail", "error")]
    assert doc["domain"] == "acme.test" and doc["duration_ms"] >= 0
    assert {"id", "target", "status", "summary", "evidence"} <= set(doc["checks"][0])
    assert any(
        c["id"] == "dns.subdomain.resolves" and c["target"] == "app.acme.test"
        for c in doc["checks"]
    )


def test_table_output_and_exit_one_on_failure(lab, capsys):
    add_good_domain(lab, "acme.test")
    lab.web.certs["acme.test"] = (("acme.test",), "expired")
    code, out, err = _audit(capsys, "acme.test")
    assert code == 1
    assert "FAIL  tls.expiry" in out and "failed" in out


def test_bad_usage_exits_two(capsys):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "audit", "not a domain"], capture_output=True, text=True
    )
    assert result.returncode == 2
    result = subprocess.run([sys.executable, "manage.py", "audit"], capture_output=True, text=True)
    assert result.returncode == 2
