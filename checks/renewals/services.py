"""Every upcoming renewal of every client, in one list: domain registrations (RDAP when
it answered, else as recorded), TLS certificates (the last check run and the monitors),
and outside accounts (their recorded renewal dates). Also the RDAP refresh and the
iCalendar feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from checks.models import CheckResult, CheckRun
from checks.monitoring.models import Monitor
from checks.probes.email import organisational_domain
from checks.renewals import rdap
from checks.renewals.models import CalendarFeed, Registration
from clients.jobs.models import JobStatus
from clients.models import Client, Domain, ServiceAccount

KINDS = {"domain": "Domain registration", "certificate": "TLS certificate", "account": "Account"}
ALARM_DAYS = (30, 7)


@dataclass(frozen=True)
class Renewal:
    kind: str  # one of KINDS
    client_id: int
    client_name: str
    client_code: str
    subject: str
    due: date | None
    source: str
    uid: str
    link: str

    def days_left(self, today: date) -> int | None:
        return None if self.due is None else (self.due - today).days

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _domains(clients: dict[int, Client]) -> list[Renewal]:
    out: dict[tuple[int, str], Renewal] = {}
    domains = Domain.objects.filter(client_id__in=clients).select_related("registration")
    for domain in domains.order_by("hostname"):
        name = organisational_domain(domain.hostname)
        reg = getattr(domain, "registration", None)
        due, source = None, "not known yet"
        if reg is not None and reg.rdap_expires_at is not None:
            due, source = reg.rdap_expires_at.date(), "RDAP"
        elif reg is not None and reg.recorded_expires_on is not None:
            due, source = reg.recorded_expires_on, "recorded"
        key = (domain.client_id, name)
        known = out.get(key)
        if known is not None and (known.due is not None or due is None):
            continue
        client = clients[domain.client_id]
        out[key] = Renewal(
            kind="domain",
            client_id=client.pk,
            client_name=client.name,
            client_code=client.code,
            subject=f"{name} registration",
            due=due,
            source=source,
            uid=f"domain-{client.code}-{name}",
            link=reverse("clients:client_detail", args=[client.code]),
        )
    return list(out.values())


def _certificates(clients: dict[int, Client]) -> list[Renewal]:
    """Each host's certificate from the latest finished check run of each client, and
    from each https monitor; the same host and date from both is listed once."""
    found: dict[tuple[int, str], tuple[date, str]] = {}
    latest_runs = {}
    runs = (
        CheckRun.objects.filter(sprint__client_id__in=clients, status=JobStatus.DONE)
        .order_by("sprint__client_id", "-finished_at")
        .values_list("pk", "sprint__client_id")
    )
    for pk, client_id in runs:
        latest_runs.setdefault(client_id, pk)
    results = CheckResult.objects.filter(run_id__in=latest_runs.values(), check_id="tls.expiry")
    run_client = {pk: client_id for client_id, pk in latest_runs.items()}
    for result in results:
        not_after = (result.evidence or {}).get("not_after")
        if not not_after:
            continue
        try:
            due = datetime.fromisoformat(not_after).date()
        except ValueError:
            continue
        host = result.target.split(" (", 1)[0]
        key = (run_client[result.run_id], host)
        if key not in found or due < found[key][0]:
            found[key] = (due, "last check")
    monitors = Monitor.objects.filter(client_id__in=clients, cert_not_after__isnull=False)
    for monitor in monitors.only("client_id", "url", "cert_not_after"):
        host = (monitor.url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]).lower()
        due = monitor.cert_not_after.date()
        key = (monitor.client_id, host)
        if key not in found or due < found[key][0]:
            found[key] = (due, "uptime monitor")
    out = []
    for (client_id, host), (due, source) in found.items():
        client = clients[client_id]
        out.append(
            Renewal(
                kind="certificate",
                client_id=client_id,
                client_name=client.name,
                client_code=client.code,
                subject=f"TLS certificate for {host}",
                due=due,
                source=source,
                uid=f"cert-{client.code}-{host}-{due.isoformat()}",
                link=reverse("monitoring:monitor_list", args=[client.code]),
            )
        )
    return out


def _accounts(clients: dict[int, Client]) -> list[Renewal]:
    accounts = ServiceAccount.objects.filter(client_id__in=clients, renewal_date__isnull=False)
    out = []
    for account in accounts:
        client = clients[account.client_id]
        out.append(
            Renewal(
                kind="account",
                client_id=client.pk,
                client_name=client.name,
                client_code=client.code,
                subject=f"{account.vendor} ({account.get_kind_display()})",
                due=account.renewal_date,
                source="recorded",
                uid=f"account-{account.code}",
                link=reverse("clients:client_detail", args=[client.code]),
            )
        )
    return out


def renewals_list(
    *, clients: QuerySet[Client] | Iterable[Client], kind: str | None = None, today: date
) -> list[Renewal]:
    """Renewals of these clients, overdue first, then by date; undated ones last. Anything
    due beyond RENEWALS_HORIZON_DAYS is left out."""
    by_id = {c.pk: c for c in clients}
    out: list[Renewal] = []
    if kind in (None, "domain"):
        out += _domains(by_id)
    if kind in (None, "certificate"):
        out += _certificates(by_id)
    if kind in (None, "account"):
        out += _accounts(by_id)
    horizon = today + timedelta(days=settings.RENEWALS_HORIZON_DAYS)
    out = [r for r in out if r.due is None or r.due <= horizon]
    return sorted(
        out,
        key=lambda r: (
            0 if r.due is not None and r.due < today else (1 if r.due is not None else 2),
            r.due or date.max,
            r.client_name,
            r.subject,
        ),
    )


# ---------------------------------------------------------------- RDAP


def registration_refresh(*, domain: Domain, now: datetime | None = None) -> Registration:
    """Ask RDAP for the registrable domain's expiry; keep the last good answer when the
    registry cannot be reached (the error is shown beside it)."""
    now = now or timezone.now()
    reg, _ = Registration.objects.get_or_create(domain=domain)
    facts = rdap.lookup(organisational_domain(domain.hostname))
    reg.rdap_checked_at = now
    reg.rdap_error = facts.error[:300]
    if facts.expires_at is not None:
        reg.rdap_expires_at = facts.expires_at
    reg.save(update_fields=["rdap_checked_at", "rdap_error", "rdap_expires_at"])
    return reg


def registrations_refresh_due(*, now: datetime | None = None, max_age_hours: int = 20) -> int:
    """One RDAP lookup per registrable domain not looked up for `max_age_hours`."""
    now = now or timezone.now()
    seen: set[str] = set()
    done = 0
    for domain in Domain.objects.select_related("registration").order_by("pk"):
        name = organisational_domain(domain.hostname)
        if name in seen:
            continue
        seen.add(name)
        reg = getattr(domain, "registration", None)
        if (
            reg
            and reg.rdap_checked_at
            and now - reg.rdap_checked_at < timedelta(hours=max_age_hours)
        ):
            continue
        registration_refresh(domain=domain, now=now)
        done += 1
    return done


# ---------------------------------------------------------------- feeds


def feed_create(*, owner, client: Client | None, label: str = "") -> CalendarFeed:
    return CalendarFeed.objects.create(owner=owner, client=client, label=label)


def feed_revoke(*, feed: CalendarFeed, now: datetime | None = None) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def feed_touch(*, feed: CalendarFeed, now: datetime) -> None:
    """Note when a calendar app last fetched the feed (one column, no log: it is a read
    by a calendar app, not a change anyone made)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    feed.last_fetched_at = now


def feed_clients(feed: CalendarFeed) -> QuerySet[Client]:
    """What a feed may show: the owner's clients as of now (a staff member who lost staff
    rights, or a founder who left the client, sees nothing), narrowed to its client."""
    from clients.access import clients_for_user

    owner = feed.owner
    if not owner.is_active:
        return Client.objects.none()
    qs = clients_for_user(owner)
    return qs.filter(pk=feed.client_id) if feed.client_id else qs


def feed_ics(*, feed: CalendarFeed, today: date, now: datetime, base_url: str) -> bytes:
    """One all-day event per dated renewal, each with alarms 30 and 7 days before."""
    cal = Calendar()
    cal.add("prodid", "-//Launch Ready//Renewals//EN")
    cal.add("version", "2.0")
    name = f"Renewals: {feed.client.name}" if feed.client_id else "Renewals: all clients"
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT6H")
    for renewal in renewals_list(clients=feed_clients(feed), today=today):
        if renewal.due is None:
            continue
        event = Event()
        event.add("uid", f"{renewal.uid}@launchready")
        event.add("dtstamp", now)
        event.add("dtstart", renewal.due)
        event.add("dtend", renewal.due + timedelta(days=1))
        event.add("summary", f"{renewal.client_name}: {renewal.subject} renews")
        event.add(
            "description",
            f"{renewal.kind_label}, date {renewal.source}. {base_url}{renewal.link}",
        )
        event.add("categories", [renewal.kind_label])
        event.add("transp", "TRANSPARENT")
        for days in ALARM_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{renewal.subject} renews in {days} days")
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
