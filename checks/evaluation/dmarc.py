"""DMARC (RFC 7489): a pure tag parser and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from checks.evaluation import Result, errored, failed, passed, warned

POLICIES = {"none", "quarantine", "reject"}


@dataclass(frozen=True)
class DmarcRecord:
    tags: dict[str, str]
    errors: tuple[str, ...]

    @property
    def policy(self) -> str | None:
        return self.tags.get("p")

    @property
    def subdomain_policy(self) -> str | None:
        return self.tags.get("sp") or self.policy

    def addresses(self, tag: str) -> list[str]:
        return [
            a.strip()[7:].split("!")[0]
            for a in self.tags.get(tag, "").split(",")
            if a.strip().lower().startswith("mailto:")
        ]


def is_dmarc(txt: str) -> bool:
    return txt.replace(" ", "").lower().startswith("v=dmarc1")


def parse_dmarc(txt: str) -> DmarcRecord:
    """Parse tags; never raises. v=DMARC1 must come first and p= is required."""
    tags: dict[str, str] = {}
    errors: list[str] = []
    parts = [p.strip() for p in txt.split(";") if p.strip()]
    for i, part in enumerate(parts):
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep:
            errors.append(f"malformed tag {part!r}")
            continue
        if i == 0 and (name != "v" or value.upper() != "DMARC1"):
            errors.append("the record must start with v=DMARC1")
        if name in tags:
            errors.append(f"{name}= appears twice")
        tags[name] = value if name not in {"p", "sp"} else value.lower()
    if "p" not in tags:
        errors.append("p= (the policy) is missing")
    elif tags["p"] not in POLICIES:
        errors.append(f"p={tags['p']} is not none, quarantine or reject")
    if "sp" in tags and tags["sp"] not in POLICIES:
        errors.append(f"sp={tags['sp']} is not none, quarantine or reject")
    if "pct" in tags and (not tags["pct"].isdigit() or int(tags["pct"]) > 100):
        errors.append("pct= must be 0 to 100")
    return DmarcRecord(tags, tuple(errors))


@dataclass(frozen=True)
class DmarcFacts:
    domain: str
    found_at: str | None  # _dmarc.<domain> or of the nearest parent that has a record
    records: tuple[str, ...]
    error: str | None
    authorised: dict[str, bool | None]  # external report domain -> has it authorised us?


def evaluate(facts: DmarcFacts) -> Result:
    if facts.error:
        return errored("email.dmarc", facts.domain, facts.error)
    if not facts.records:
        return failed(
            "email.dmarc",
            facts.domain,
            "No DMARC record at _dmarc (nor at the organisational domain).",
        )
    if len(facts.records) > 1:
        return failed(
            "email.dmarc",
            facts.domain,
            f"{len(facts.records)} DMARC records; receivers ignore them all.",
            records=list(facts.records),
        )
    record = parse_dmarc(facts.records[0])
    ev = {
        "record": facts.records[0],
        "found_at": facts.found_at,
        "policy": record.policy,
        "subdomain_policy": record.subdomain_policy,
        "rua": record.addresses("rua"),
        "ruf": record.addresses("ruf"),
        "external_authorised": facts.authorised,
    }
    if record.errors:
        return failed(
            "email.dmarc", facts.domain, "DMARC is invalid: " + "; ".join(record.errors) + ".", **ev
        )
    unknown = [d for d, ok in facts.authorised.items() if ok is None]
    if unknown:
        return errored(
            "email.dmarc",
            facts.domain,
            f"the report authorisation lookup for {unknown[0]} failed",
            failed_input="report authorisation lookups",
            **ev,
        )
    unauthorised = [d for d, ok in facts.authorised.items() if ok is False]
    if record.policy == "none":
        return warned(
            "email.dmarc",
            facts.domain,
            "DMARC policy is none: forged mail is only reported, not stopped. Move to quarantine, "
            "then reject.",
            **ev,
        )
    if unauthorised:
        return warned(
            "email.dmarc",
            facts.domain,
            f"Reports go to {', '.join(unauthorised)}, which has not authorised them, so they will "
            "not be sent.",
            **ev,
        )
    if not ev["rua"]:
        return warned(
            "email.dmarc",
            facts.domain,
            f"DMARC policy {record.policy}, but no rua= address receives reports.",
            **ev,
        )
    inherited = (
        f" (inherited from {facts.found_at})" if facts.found_at != f"_dmarc.{facts.domain}" else ""
    )
    return passed(
        "email.dmarc",
        facts.domain,
        f"DMARC policy {record.policy}, subdomains {record.subdomain_policy}{inherited}.",
        **ev,
    )
