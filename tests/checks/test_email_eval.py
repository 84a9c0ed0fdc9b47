"""SPF, DMARC and DKIM: parsers under hypothesis, lookup counting on real include trees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checks.evaluation import Status, spf
from checks.evaluation import email as email_eval
from checks.evaluation.dmarc import DmarcFacts, evaluate, parse_dmarc
from checks.probes import email as email_probe
from tests.checks.servers import rsa_public_key_b64

label = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
domain = st.builds(lambda a, b: f"{a}.{b}", label, st.sampled_from(["com", "test", "io"]))
mechanism = st.one_of(
    st.builds(lambda q, d: f"{q}include:{d}", st.sampled_from(["", "+", "~", "-", "?"]), domain),
    st.builds(
        lambda a, b, c, d, n: f"ip4:{a}.{b}.{c}.{d}/{n}",
        *[st.integers(0, 255)] * 4,
        st.integers(8, 32),
    ),
    st.just("mx"),
    st.just("a"),
    st.builds(lambda d: f"a:{d}", domain),
    st.builds(lambda d: f"exists:{d}", domain),
)


@given(st.text(max_size=200))
def test_spf_parser_never_raises(text):
    spf.parse_spf(text)


@given(st.lists(mechanism, max_size=12), st.sampled_from(["-all", "~all", "?all", "+all", ""]))
def test_generated_spf_records_parse_cleanly(terms, tail):
    record = spf.parse_spf(" ".join(["v=spf1", *terms, tail]))
    assert record.errors == ()
    assert len(record.terms) == len(terms) + (1 if tail else 0)
    expected = sum(1 for t in terms if not t.startswith("ip4"))
    assert len(record.lookup_terms) == expected


@given(st.text(max_size=200))
def test_dmarc_parser_never_raises(text):
    parse_dmarc(text)


@given(
    st.sampled_from(["none", "quarantine", "reject"]),
    st.sampled_from(["", "none", "reject"]),
    domain,
)
def test_generated_dmarc_records(p, sp, rua):
    record = parse_dmarc(
        f"v=DMARC1; p={p};" + (f" sp={sp};" if sp else "") + f" rua=mailto:d@{rua}"
    )
    assert record.errors == ()
    assert record.policy == p and record.subdomain_policy == (sp or p)
    assert record.addresses("rua") == [f"d@{rua}"]


def test_spf_syntax_errors():
    assert spf.parse_spf("v=spf1 ip4:300.1.1.1 -all").errors
    assert spf.parse_spf("v=spf1 include: -all").errors
    assert spf.parse_spf("v=spf1 foo -all").errors
    assert spf.parse_spf("v=spf2 -all").errors
    assert spf.parse_spf("v=spf1 redirect=a.test redirect=b.test").errors


def _txt(lab, name, value):
    lab.zone.add(name, "TXT", value)


def test_nested_includes_redirect_and_mx_are_counted(lab):
    _txt(lab, "count.test", "v=spf1 mx a include:one.test redirect=four.test")
    lab.zone.add("count.test", "MX", "10 mx.count.test.")
    lab.zone.add("count.test", "A", "192.0.2.1")
    _txt(lab, "one.test", "v=spf1 include:two.test include:three.test ~all")
    _txt(lab, "two.test", "v=spf1 ip4:192.0.2.0/24 -all")
    _txt(lab, "three.test", "v=spf1 a:host.three.test -all")
    lab.zone.add("host.three.test", "A", "192.0.2.3")
    _txt(lab, "four.test", "v=spf1 -all")
    tree = email_probe.spf_tree("count.test")
    # mx, a, include:one, redirect + include:two, include:three + a:host
    assert spf.count_lookups(tree) == 7
    result = spf.evaluate("count.test", tree)
    assert result.status == Status.PASS, result.summary
    assert any("include:three.test" in line for line in result.evidence["tree"])


def test_more_than_ten_lookups_fails(lab):
    _txt(lab, "many.test", "v=spf1 " + " ".join(f"include:i{i}.test" for i in range(11)) + " -all")
    for i in range(11):
        _txt(lab, f"i{i}.test", "v=spf1 ip4:192.0.2.1 -all")
    result = spf.evaluate("many.test", email_probe.spf_tree("many.test"))
    assert result.status == Status.FAIL and "11 DNS lookups" in result.summary


def test_include_loop_is_detected(lab):
    _txt(lab, "la.test", "v=spf1 include:lb.test -all")
    _txt(lab, "lb.test", "v=spf1 include:la.test -all")
    result = spf.evaluate("la.test", email_probe.spf_tree("la.test"))
    assert result.status == Status.FAIL and "loop" in result.summary


def test_void_lookups_over_two_fail(lab):
    _txt(lab, "void.test", "v=spf1 a:n1.void.test a:n2.void.test mx:n3.void.test -all")
    result = spf.evaluate("void.test", email_probe.spf_tree("void.test"))
    assert result.status == Status.FAIL and "find nothing" in result.summary


def test_plus_all_fails_and_question_all_warns(lab):
    _txt(lab, "plus.test", "v=spf1 +all")
    _txt(lab, "q.test", "v=spf1 ?all")
    assert spf.evaluate("plus.test", email_probe.spf_tree("plus.test")).status == Status.FAIL
    assert spf.evaluate("q.test", email_probe.spf_tree("q.test")).status == Status.WARN


def test_two_spf_records_fail_and_none_fails(lab):
    _txt(lab, "two.test", "v=spf1 -all")
    _txt(lab, "two.test", "v=spf1 ~all")
    assert "exactly one" in spf.evaluate("two.test", email_probe.spf_tree("two.test")).summary
    lab.zone.add("nospf.test", "A", "192.0.2.1")
    assert spf.evaluate("nospf.test", email_probe.spf_tree("nospf.test")).status == Status.FAIL


def test_spf_servfail_is_error_not_missing(lab):
    lab.zone.servfail.add("sf.test")
    result = spf.evaluate("sf.test", email_probe.spf_tree("sf.test"))
    assert result.status == Status.ERROR and "Could not tell" in result.summary


def test_dmarc_falls_back_to_organisational_domain(lab):
    _txt(lab, "_dmarc.org.test", "v=DMARC1; p=quarantine; rua=mailto:r@org.test")
    facts = email_probe.dmarc("mail.org.test")
    assert facts.found_at == "_dmarc.org.test"
    assert evaluate(facts).status == Status.PASS


def test_dmarc_external_report_address_needs_authorisation(lab):
    _txt(lab, "_dmarc.ext.test", "v=DMARC1; p=reject; rua=mailto:r@reports.test,mailto:s@ok.test")
    _txt(lab, "ext.test._report._dmarc.ok.test", "v=DMARC1")
    facts = email_probe.dmarc("ext.test")
    assert facts.authorised == {"reports.test": False, "ok.test": True}
    assert evaluate(facts).status == Status.WARN


def test_dmarc_policies():
    def ev(record):
        return evaluate(DmarcFacts("d.test", "_dmarc.d.test", (record,), None, {})).status

    assert ev("v=DMARC1; p=none; rua=mailto:a@d.test") == Status.WARN
    assert ev("v=DMARC1; p=reject; rua=mailto:a@d.test") == Status.PASS
    assert ev("v=DMARC1; p=maybe") == Status.FAIL
    assert evaluate(DmarcFacts("d.test", None, (), None, {})).status == Status.FAIL


def test_dkim_key_sizes_and_revocation(lab):
    for selector, bits in (("big", 2048), ("mid", 1024), ("small", 512)):
        _txt(lab, f"{selector}._domainkey.k.test", f"v=DKIM1; k=rsa; p={rsa_public_key_b64(bits)}")
    _txt(lab, "gone._domainkey.k.test", "v=DKIM1; p=")
    _txt(lab, "junk._domainkey.k.test", "v=DKIM1; p=bm90IGEga2V5")
    status = {
        s: email_eval.dkim("k.test", s, email_probe.dkim("k.test", s)).status
        for s in ("big", "mid", "small", "gone", "junk", "absent")
    }
    assert status == {
        "big": Status.PASS,
        "mid": Status.WARN,
        "small": Status.FAIL,
        "gone": Status.WARN,
        "junk": Status.FAIL,
        "absent": Status.FAIL,
    }


def test_mx_null_cname_and_missing(lab):
    lab.zone.add("null.test", "MX", "0 .")
    lab.zone.add("alias.test", "MX", "10 mx.alias.test.")
    lab.zone.add("mx.alias.test", "CNAME", "real.alias.test")
    lab.zone.add("real.alias.test", "A", "192.0.2.9")
    lab.zone.add("nomx.test", "A", "192.0.2.9")
    from checks import net

    def run(d):
        facts = net.dns_query(d, "MX")
        return email_eval.mx(d, facts, email_probe.mx_hosts(d, facts))

    assert run("null.test").status == Status.PASS
    assert "CNAME" in run("alias.test").summary
    assert run("nomx.test").status == Status.FAIL


def test_dmarc_tree_walk_finds_the_nearest_parent_record(lab):
    _txt(lab, "_dmarc.shop.example.co.uk", "v=DMARC1; p=reject; rua=mailto:r@example.co.uk")
    facts = email_probe.dmarc("eu.mail.shop.example.co.uk")
    assert facts.found_at == "_dmarc.shop.example.co.uk"
    assert facts.authorised == {}  # same organisation: no authorisation record needed


def test_dmarc_tree_walk_never_asks_the_top_level_domain(lab):
    _txt(lab, "_dmarc.uk", "v=DMARC1; p=reject")
    assert email_probe.dmarc("nothing.example.uk").found_at is None


def test_organisational_domain_knows_country_second_levels():
    assert email_probe.organisational_domain("mail.example.co.uk") == "example.co.uk"
    assert email_probe.organisational_domain("a.b.shop.com.au") == "shop.com.au"
    assert email_probe.organisational_domain("mail.acme.test") == "acme.test"
    assert email_probe.organisational_domain("acme.io") == "acme.io"


def test_two_companies_under_co_uk_are_different_organisations(lab):
    _txt(lab, "_dmarc.alpha.co.uk", "v=DMARC1; p=reject; rua=mailto:r@beta.co.uk")
    facts = email_probe.dmarc("alpha.co.uk")
    assert facts.authorised == {"beta.co.uk": False}


def test_tree_walk_is_bounded():
    names = email_probe._walk("a.b.c.d.e.f.g.h.i.j.example.test")
    assert len(names) <= 8
    assert names[0] == "a.b.c.d.e.f.g.h.i.j.example.test"
    assert names[1] == "f.g.h.i.j.example.test"  # seven labels
    assert names[-1] == "example.test"
