"""Extension point for `seed_demo`: apps that own data the clients app cannot see
(check runs, monitors, secrets, the handover draft) register a filler in their
AppConfig.ready(); seed_demo calls every filler for each demo sprint it creates.
Fillers receive keyword arguments ``sprint``, ``by`` (the demo consultant) and ``now``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FILLERS: list[tuple[int, Callable[..., Any]]] = []


def register(filler: Callable[..., Any], *, order: int = 50) -> None:
    if all(existing is not filler for _, existing in _FILLERS):
        _FILLERS.append((order, filler))
        _FILLERS.sort(key=lambda entry: entry[0])


def fill(**kwargs: Any) -> None:
    for _, filler in _FILLERS:
        filler(**kwargs)
