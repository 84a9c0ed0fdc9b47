"""RFC 7208 rules on the loopback DNS server, and the lookup and void counters checked
against an independent count on generated include trees (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import net
from checks.evaluation import Status, spf
from checks.probes import email as email_probe


def _rule(result, name: str) -> dict:
    return next(r for r in result.evidence["rules"] if r["rule"].startswith(name))


def test_redirect_is_ignored_when_the_record_has_all(lab):
    """6.1: "redirect" is ignored when there is an "all" mechanism, and so is every
    lookup behind it: here 12 includes that would break the limit."""
    lab.zone.add("both.test", "TXT", "v=spf1 include:ok.test -all redirect=heavy.test")
    lab.zone.add("ok.test", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    lab.zone.add(
        "heavy.test", "TXT", "v=spf1 " + " ".join(f"include:h{i}.test" for i in range(12)) + " -all"
    )
    tree = email_probe.spf_tree("both.test")
    assert [c.domain for c in tree.children] == ["ok.test"]  # the redirect was never followed
    assert spf.count_lookups(tree) == 1
    result = spf.evaluate("both.test", tree)
    assert result.status == Status.WARN
    assert _rule(result, "redirect ignored")["status"] == "warn"
    assert _rule(result, "lookup limit")["status"] == "pass"


def test_redirect_without_all_is_followed_and_counted(lab):
    lab.zone.add("redir.test", "TXT", "v=spf1 ip4:192.0.2.9 redirect=ok.test")
    lab.zone.add("ok.test", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    tree = email_probe.spf_tree("redir.test")
    assert [c.domain for c in tree.children] == ["ok.test"]
    assert spf.count_lookups(tree) == 1
    assert spf.evaluate("redir.test", tree).status == Status.PASS


def test_mx_with_more_than_ten_hosts_is_a_permanent_error(lab):
    """4.6.4: one mx mechanism may not lead to more than 10 address lookups."""
    lab.zone.add("bigmx.test", "TXT", "v=spf1 mx -all")
    for i in range(11):
        lab.zone.add("bigmx.test", "MX", f"{i} mx{i}.bigmx.test.")
        lab.zone.add(f"mx{i}.bigmx.test", "A", "192.0.2.1")
    result = spf.evaluate("bigmx.test", email_probe.spf_tree("bigmx.test"))
    assert result.status == Status.FAIL
    assert "11 MX hosts" in result.summary
    assert _rule(result, "mx address lookups")["status"] == "fail"


def test_mx_with_ten_hosts_is_fine(lab):
    lab.zone.add("tenmx.test", "TXT", "v=spf1 mx -all")
    for i in range(10):
        lab.zone.add("tenmx.test", "MX", f"{i} mx{i}.tenmx.test.")
    result = spf.evaluate("tenmx.test", email_probe.spf_tree("tenmx.test"))
    assert result.status == Status.PASS, result.summary


def test_ptr_warns(lab):
    """5.5: ptr "SHOULD NOT be used"."""
    lab.zone.add("ptr.test", "TXT", "v=spf1 ptr -all")
    result = spf.evaluate("ptr.test", email_probe.spf_tree("ptr.test"))
    assert result.status == Status.WARN
    assert _rule(result, "ptr")["status"] == "warn"
    assert spf.count_lookups(email_probe.spf_tree("ptr.test")) == 1


def test_a_lookup_that_fails_makes_the_verdict_error_not_pass(lab):
    lab.zone.add("sfa.test", "TXT", "v=spf1 a:broken.sfa.test -all")
    lab.zone.servfail.add("broken.sfa.test")
    result = spf.evaluate("sfa.test", email_probe.spf_tree("sfa.test"))
    assert result.status == Status.ERROR
    assert "SERVFAIL" in result.summary


def test_every_rule_is_a_sub_result_with_its_own_status(lab):
    lab.zone.add("fine.test", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    result = spf.evaluate("fine.test", email_probe.spf_tree("fine.test"))
    assert result.status == Status.PASS
    assert {r["status"] for r in result.evidence["rules"]} == {"pass"}
    assert len(result.evidence["rules"]) == 7


# ------------------------------------------------------------ property test
#
# A generated tree: each node is a domain with some terms; includes and a redirect
# point at child nodes that are generated too (or at names with no SPF record). The
# reference counts below are written from the RFC's text, independently of
# checks.evaluation.spf: they walk the generated plan, not the probe's SpfNode.

QUALIFIERS = ["", "~", "-", "?"]


@st.composite
def plans(draw, depth=0, prefix="n"):
    terms = []
    children = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(
                [
                    "ip4",
                    "a-hit",
                    "a-void",
                    "mx-void",
                    "mx-hit",
                    "exists-void",
                    "include",
                    "include-missing",
                    "ptr",
                ]
            )
        )
        name = f"{prefix}{i}"
        if kind == "include" and depth < 2:
            children.append(("include", draw(plans(depth + 1, f"{name}x"))))
            terms.append(("include", f"{name}x.spf.test"))
        elif kind == "include-missing":
            terms.append(("include-missing", f"{name}m.spf.test"))
        elif kind != "include":
            terms.append((kind, f"{name}t.spf.test"))
    ending = draw(st.sampled_from(["-all", "~all", "none", "redirect", "redirect+all"]))
    redirect = None
    if ending.startswith("redirect") and depth < 2:
        redirect = draw(plans(depth + 1, f"{prefix}r"))
    return {
        "domain": f"{prefix}.spf.test",
        "terms": terms,
        "children": children,
        "ending": ending,
        "redirect": redirect,
    }


def _install(zone, plan) -> None:
    words = ["v=spf1"]
    for kind, name in plan["terms"]:
        if kind == "ip4":
            words.append("ip4:192.0.2.1")
        elif kind == "a-hit":
            zone.add(name, "A", "192.0.2.2")
            words.append(f"a:{name}")
        elif kind == "a-void":
            words.append(f"a:{name}")
        elif kind == "mx-hit":
            zone.add(name, "MX", f"10 mail.{name}.")
            words.append(f"mx:{name}")
        elif kind == "mx-void":
            words.append(f"mx:{name}")
        elif kind == "exists-void":
            words.append(f"exists:{name}")
        elif kind in {"include", "include-missing"}:
            words.append(f"include:{name}")
        elif kind == "ptr":
            words.append("ptr")
    for _, child in plan["children"]:
        _install(zone, child)
    if plan["ending"] in {"-all", "~all"}:
        words.append(plan["ending"])
    if plan["ending"] == "redirect+all":
        words.append("-all")
    if plan["redirect"] is not None:
        words.append(f"redirect={plan['redirect']['domain']}")
        _install(zone, plan["redirect"])
    zone.add(plan["domain"], "TXT", " ".join(words))


def _reference(plan) -> tuple[int, int]:
    """(DNS-querying terms, void lookups) per RFC 7208 4.6.4 and 6.1."""
    lookups = voids = 0
    for kind, _ in plan["terms"]:
        if kind != "ip4":
            lookups += 1
        if kind in {"a-void", "mx-void", "exists-void", "include-missing"}:
            voids += 1
    for _, child in plan["children"]:
        child_lookups, child_voids = _reference(child)
        lookups, voids = lookups + child_lookups, voids + child_voids
    has_all = plan["ending"] in {"-all", "~all", "redirect+all"}
    if plan["redirect"] is not None and not has_all:
        child_lookups, child_voids = _reference(plan["redirect"])
        lookups, voids = lookups + 1 + child_lookups, voids + child_voids
    elif plan["redirect"] is not None:
        pass  # 6.1: ignored, with everything behind it
    return lookups, voids


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans())
def test_lookup_and_void_counters_agree_with_an_independent_count(lab, plan):
    lab.zone.clear()
    net.clear_dns_cache()
    _install(lab.zone, plan)
    tree = email_probe.spf_tree(plan["domain"])
    assert (spf.count_lookups(tree), spf.count_voids(tree)) == _reference(plan)
