"""perf.lighthouse: the mobile performance score against the client's maturity target.
Pure: facts in, Result out."""

from __future__ import annotations

from typing import Any

from checks.evaluation import Result, errored, failed, passed

CHECK_ID = "perf.lighthouse"
DEFAULT_TARGET = 85


def lighthouse_verdict(facts: Any, *, target: int = DEFAULT_TARGET) -> Result:
    """``facts`` is a checks.browser.lighthouse.LighthouseFacts (duck-typed: url, error,
    performance, scores, lcp_ms, cls, tbt_ms, opportunities). Pass at or above the
    target, fail below it with the three biggest opportunities in plain words, error
    when Lighthouse could not run or gave no performance score: never a pass by default."""
    url = facts.url
    if facts.error:
        return errored(CHECK_ID, url, facts.error)
    score = facts.performance
    if score is None:
        return errored(CHECK_ID, url, "Lighthouse gave no performance score")
    top = [o.plain for o in facts.opportunities[:3]]
    evidence = {
        "form_factor": facts.form_factor,
        "scores": dict(facts.scores),
        "lcp_ms": facts.lcp_ms,
        "cls": facts.cls,
        "tbt_ms": facts.tbt_ms,
        "target_score": target,
        "opportunities": top,
    }
    metrics = _metrics(facts)
    if score >= target:
        return passed(
            CHECK_ID,
            url,
            f"Performance {score} on {facts.form_factor} (target {target}). {metrics}",
            **evidence,
        )
    fixes = " ".join(f"{n}. {text}" for n, text in enumerate(top, start=1))
    summary = f"Performance {score} on {facts.form_factor}, below the target of {target}. {metrics}"
    if fixes:
        summary += f" Biggest gains: {fixes}"
    return failed(CHECK_ID, url, summary, **evidence)


def _metrics(facts: Any) -> str:
    parts = []
    if facts.lcp_ms is not None:
        parts.append(f"largest content shown after {facts.lcp_ms / 1000:.1f} s")
    if facts.tbt_ms is not None:
        parts.append(f"page blocked for {facts.tbt_ms} ms")
    if facts.cls is not None:
        parts.append(f"layout shift {facts.cls:g}")
    return (parts and (parts[0][0].upper() + "; ".join(parts)[1:] + ".")) or ""
