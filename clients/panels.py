"""Extension points on the screens the clients app owns.

Apps that come later (checks, monitoring, secrets, handover) add sections to the
dashboard, client page, sprint page and founder portal by registering a renderer in
their AppConfig.ready(); clients never imports them.

Slots and the keyword arguments renderers receive:
- "dashboard": request
- "client": request, client
- "sprint": request, sprint, stage (the stage being viewed)
- "portal": request, sprint
- "item_badges": request, sprint, items -> returns {item.pk: html}
- "founder_labels": findings -> returns {finding.pk: plain title} for findings an app
  filed itself (the portal shows these instead of the consultant's short title)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

_REGISTRY: dict[str, list[tuple[int, Callable[..., Any]]]] = defaultdict(list)


def register(slot: str, renderer: Callable[..., Any], *, order: int = 50) -> None:
    entries = _REGISTRY[slot]
    if all(existing is not renderer for _, existing in entries):
        entries.append((order, renderer))
        entries.sort(key=lambda entry: entry[0])


def render_panels(slot: str, **kwargs: Any) -> list[SafeString]:
    """HTML sections for a slot, in order; renderers returning '' are skipped."""
    out = []
    for _, renderer in _REGISTRY[slot]:
        html = renderer(**kwargs)
        if html:
            out.append(mark_safe(html))  # renderers return template output  # noqa: S308
    return out


def item_badges(**kwargs: Any) -> dict[int, list[SafeString]]:
    merged: dict[int, list[SafeString]] = defaultdict(list)
    for _, renderer in _REGISTRY["item_badges"]:
        for pk, html in renderer(**kwargs).items():
            if html:
                merged[pk].append(mark_safe(html))  # noqa: S308
    return merged


def founder_labels(findings: list[Any]) -> dict[int, str]:
    merged: dict[int, str] = {}
    for _, renderer in _REGISTRY["founder_labels"]:
        merged.update(renderer(findings=findings))
    return merged
