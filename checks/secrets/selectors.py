"""What the secrets app tells other apps (the handover): names, places, owners and
dates. Never a value, a note, a hit or a fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from checks.secrets.models import DeployEvent, DeployResult, EnvVar, SecretRecord
from clients.models import Client


@dataclass(frozen=True)
class SecretRow:
    name: str
    where: str
    owner: str
    last_rotated: date | None
    next_rotation: date | None
    note: str


@dataclass(frozen=True)
class EnvVarRow:
    name: str
    phase: str
    sensitive: bool
    stored_in: str
    owner: str


@dataclass(frozen=True)
class EnvGroup:
    environment: str
    variables: list[EnvVarRow]


@dataclass(frozen=True)
class DeployRow:
    when: datetime | None
    environment: str
    summary: str


def secret_rows(client: Client) -> list[SecretRow] | None:
    """Names, where kept, owners and rotation dates; None when nothing is recorded."""
    rows = []
    for s in SecretRecord.objects.filter(client=client).order_by("name"):
        where = s.get_storage_display() + (f" ({s.storage_detail})" if s.storage_detail else "")
        rows.append(SecretRow(s.name, where, s.owner, s.last_rotated, s.rotation_due, s.unlocks))
    return rows or None


def env_groups(client: Client, hosting_vendor: str = "") -> list[EnvGroup] | None:
    """Variable names per environment, and where each is stored."""
    stored = {s.name: s.get_storage_display() for s in SecretRecord.objects.filter(client=client)}
    default_store = f"{hosting_vendor} environment settings" if hosting_vendor else ""
    groups: dict[str, list[EnvVarRow]] = {}
    for v in EnvVar.objects.filter(client=client).order_by("name"):
        row = EnvVarRow(
            v.name, v.get_phase_display(), v.sensitive, stored.get(v.name, default_store), v.owner
        )
        for env in v.environments or ["(no environment set)"]:
            groups.setdefault(str(env), []).append(row)
    return [EnvGroup(env, rows) for env, rows in sorted(groups.items())] or None


def deploys_let_through(client: Client, since: datetime) -> list[DeployRow] | None:
    """Deploys the gate let through since ``since`` (for "what changed"), at most ten."""
    events = DeployEvent.objects.filter(client=client, created_at__gte=since, result="ok")
    rows = [
        DeployRow(e.created_at, e.environment or "—", e.version or "")
        for e in events.order_by("created_at")[:10]
    ]
    return rows or None


def recent_deploys(client: Client) -> list[DeployRow] | None:
    """The last eight calls to the deploy gate, with their answer."""
    rows = []
    for e in DeployEvent.objects.filter(client=client).order_by("-created_at")[:8]:
        summary = e.get_result_display() + (f", version {e.version}" if e.version else "")
        if e.missing:
            summary += f" (missing: {', '.join(map(str, e.missing))})"
        rows.append(DeployRow(e.created_at, e.environment or "—", summary))
    return rows or None


@dataclass(frozen=True)
class GateCall:
    """One call to the deploy gate and its answer (for the weekly report)."""

    created_at: datetime
    environment: str
    version: str
    result: str
    result_label: str

    @property
    def allowed(self) -> bool:
        return self.result == DeployResult.OK


def gate_calls(client: Client, start: datetime, end: datetime) -> list[GateCall]:
    """Every call to the deploy gate in [start, end), oldest first."""
    events = DeployEvent.objects.filter(client=client, created_at__gte=start, created_at__lt=end)
    return [
        GateCall(e.created_at, e.environment, e.version, e.result, e.get_result_display())
        for e in events.order_by("created_at")
    ]
