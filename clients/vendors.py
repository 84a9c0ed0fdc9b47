"""The vendor catalogue kept in the playbook: where each common provider's support and
status page are, so the handover can tell a founder whom to call. An account's own
``support_contact`` (edited per client) wins over the catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from clients.models import ServiceAccount
from clients.services import PLAYBOOK_PATH


@dataclass(frozen=True)
class VendorSupport:
    name: str
    kinds: tuple[str, ...]
    support_url: str = ""
    support_phone: str = ""
    status_page: str = ""

    @property
    def contact(self) -> str:
        return " · ".join(p for p in (self.support_phone, self.support_url) if p)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def catalogue() -> dict[str, VendorSupport]:
    data = json.loads(PLAYBOOK_PATH.read_text(encoding="utf-8"))
    out = {}
    for row in data.get("vendors", []):
        entry = VendorSupport(
            name=row["name"],
            kinds=tuple(row.get("kinds", [])),
            support_url=row.get("support_url", ""),
            support_phone=row.get("support_phone", ""),
            status_page=row.get("status_page", ""),
        )
        out[_key(entry.name)] = entry
    return out


def vendor_support(vendor: str) -> VendorSupport | None:
    """The catalogue entry for a vendor name as typed on an account ("Cloudflare",
    "cloudflare.com")."""
    key = _key(vendor)
    entries = catalogue()
    if key in entries:
        return entries[key]
    return next(
        (e for k, e in entries.items() if key.startswith(k) or k.startswith(key) and len(key) >= 4),
        None,
    )


def support_contact(account: ServiceAccount) -> str:
    """What to print as the account's support: the client's own entry, else the catalogue's."""
    if account.support_contact:
        return account.support_contact
    entry = vendor_support(account.vendor)
    return entry.contact if entry else ""


def status_page(account: ServiceAccount) -> str:
    entry = vendor_support(account.vendor)
    return entry.status_page if entry else ""
