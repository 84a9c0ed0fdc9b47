"""The check panel's repeated rows (results needing attention, "could not tell" groups,
changes since the last run, the table of all results), built in Python for a measured
reason: a stage with a few dozen checks over four domains has a few hundred result rows,
and nested template tags over them were the largest cost of the sprint page
(bench/dashboard_bench.py). Every value from a check or a person goes through escape()
(tests/clients/test_sprint_rows.py plants ``<script>`` in each text column)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

_PILL = {"fail": " pill-bad", "warn": " pill-open", "pass": " pill-verified"}


@dataclass(slots=True)
class ResultRow:
    """One stored check result, as the panel reads it (lighter than a model instance;
    ``title``, ``plain`` and ``advice`` come from the catalogue)."""

    run_id: int
    check_id: str
    target: str
    status: str
    summary: str
    evidence: Any
    title: str = ""
    plain: str = ""
    advice: str = ""


def _value(v: Any) -> str:
    if isinstance(v, dict) and v:
        items = "".join(f"<li>{escape(str(k))}: {escape(str(x))}</li>" for k, x in v.items())
        return f"<ul>{items}</ul>"
    if isinstance(v, list):
        return "<ul>" + "".join(f"<li><code>{escape(str(x))}</code></li>" for x in v) + "</ul>"
    return escape(str(v))


def _evidence(r: ResultRow) -> str:
    if not r.evidence:
        return ""
    pairs = r.evidence.items() if isinstance(r.evidence, dict) else []
    body = "".join(f"<dt>{escape(str(k))}</dt><dd>{_value(v)}</dd>" for k, v in pairs)
    return (
        f'<details class="small"><summary>Evidence <code>{escape(r.check_id)}</code></summary>'
        f"<dl>{body}</dl></details>"
    )


def problem_rows(results: list[ResultRow]) -> SafeString:
    """Failed and warning results, each with its summary, advice and evidence."""
    out = []
    for r in results:
        pill = " pill-bad" if r.status == "fail" else " pill-open" if r.status == "warn" else ""
        advice = (
            f'<p class="small muted">{escape(r.advice)}</p>'
            if r.status == "fail" and r.advice
            else ""
        )
        out.append(
            f'<li class="check-result check-{escape(r.status)}">\n'
            f'<p><span class="pill{pill}">{escape(r.status)}</span> '
            f'<strong>{escape(r.title)}</strong> <span class="small muted">'
            f"{escape(r.target)}</span></p>\n<p>{escape(r.summary)}</p>\n{advice}\n"
            f"{_evidence(r)}\n</li>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def unknown_rows(results: list[ResultRow]) -> SafeString:
    """The checks of one "could not tell" group, for its disclosure."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<li>{escape(r.title)} <span class="muted">{escape(r.target)}</span> '
            f"<code>{escape(r.check_id)}</code></li>"
            for r in results
        )
    )


def change_rows(changes: list[Any]) -> SafeString:
    out = []
    for c in changes:
        if c.after == "pass":
            now = '<span class="text-good">now passes</span>'
        elif c.after == "fail":
            now = '<span class="text-bad">now fails</span>'
        elif c.after:
            now = f"now {escape(c.after)}"
        else:
            now = "gone"
        was = f" (was {escape(c.before)})" if c.before else " (new)"
        out.append(f"\n<li>{now}{was}: <code>{escape(c.check_id)}</code> {escape(c.target)}</li>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped


def result_rows(results: list[ResultRow]) -> SafeString:
    """Every result, one table row each."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<tr><td><span class="pill{_PILL.get(r.status, "")}">{escape(r.status)}</span></td>'
            f"<td><code>{escape(r.check_id)}</code></td><td>{escape(r.target)}</td>"
            f"<td>{escape(r.summary)}</td></tr>"
            for r in results
        )
    )
