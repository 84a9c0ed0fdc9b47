"""Every check id is the playbook's, documented, and produced by a full audit."""

from __future__ import annotations

import json
from pathlib import Path

from checks.audit import DomainSpec, audit_domain
from checks.catalogue import BROWSER_CHECKS, CHECKS
from tests.checks.servers import add_good_domain, rsa_public_key_b64

ROOT = Path(__file__).resolve().parents[2]


def test_playbook_check_ids_outside_other_apps_are_all_implemented():
    playbook = json.loads((ROOT / "clients/playbook/playbook.json").read_text())
    ids = {cid for s in playbook["stages"] for i in s["items"] for cid in i.get("check_ids", [])}
    ours = {cid for cid in ids if cid.split(".")[0] in {"dns", "redirect", "tls", "http", "email"}}
    assert ours <= set(CHECKS)


def test_every_check_is_documented():
    doc = (ROOT / "docs/checks.md").read_text()
    assert all(f"`{cid}`" in doc for cid in CHECKS)


def test_a_full_audit_emits_every_check(lab):
    add_good_domain(lab, "acme.test", subdomains=("app",), dkim={"s1": rsa_public_key_b64(2048)})
    lab.zone.add("shop.acme.test", "CNAME", "gone.vendor.test")
    results = audit_domain(
        DomainSpec(
            "acme.test",
            subdomains=("app.acme.test", "shop.acme.test"),
            dkim_selectors=("s1",),
            redirects=(("http://acme.test/old", "https://acme.test/old"),),
            health_path="/healthz",
        )
    )
    assert {r.check_id for r in results} == set(CHECKS) - BROWSER_CHECKS
    dangling = [
        r for r in results if r.check_id == "dns.cname.dangling" and r.target == "shop.acme.test"
    ]
    assert dangling[0].status == "fail"


def test_every_check_declares_the_facts_it_depends_on_and_the_docs_say_so():
    from checks.catalogue import DEPENDS

    assert set(DEPENDS) == set(CHECKS)
    doc = (ROOT / "docs/checks.md").read_text()
    for cid, info in CHECKS.items():
        assert info.depends, cid
        section = doc.split(f"### `{cid}`", 1)[1].split("###", 1)[0]
        assert f"- Depends on: {', '.join(info.depends)}" in section, cid
