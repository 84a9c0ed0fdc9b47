"""Idempotent demo data: a consultant and four clients in different situations."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clients import demo, services
from clients.models import (
    AccountKind,
    BusinessType,
    Client,
    Decision,
    Domain,
    DomainRole,
    Impact,
    ItemState,
    Maturity,
    ServiceAccount,
    Sprint,
)

DEFAULT_PASSWORD = "launchready-demo"  # noqa: S105 (documented demo password)

CLIENTS = [
    {
        "name": "Brightpath Coaching",
        "business_type": BusinessType.COACH,
        "maturity": Maturity.LAUNCH,
        "contact": ("Maya Okafor", "maya@brightpath.example"),
        "domains": [
            ("brightpath.example", DomainRole.CANONICAL, "Marketing site and booking page", ""),
            ("www.brightpath.example", DomainRole.WWW, "", ""),
            ("book.brightpath.example", DomainRole.APP, "Booking and payments", ""),
            (
                "brightpath-coaching.example",
                DomainRole.OLD,
                "Old domain",
                "https://brightpath.example/",
            ),
        ],
        # Overdue: started 52 hours ago, still in stage 4.
        "started_hours_ago": 52,
        "advance_to": 4,
        "findings": [
            (
                "Booking confirmation emails land in spam",
                Impact.TRUST,
                2,
                Decision.MUST_NOW,
                "SPF record has 12 DNS lookups; receivers give up after 10.",
                "Some clients may not get their booking confirmation.",
            ),
        ],
    },
    {
        "name": "Northwind Advisory",
        "business_type": BusinessType.B2B,
        "maturity": Maturity.DEMO,
        "contact": ("Tom Brandt", "tom@northwind.example"),
        "domains": [
            ("northwind.example", DomainRole.CANONICAL, "Company site", ""),
            ("www.northwind.example", DomainRole.WWW, "", ""),
            ("portal.northwind.example", DomainRole.APP, "Client portal", ""),
            ("api.northwind.example", DomainRole.API, "Portal API", ""),
        ],
        "started_hours_ago": 20,
        "advance_to": 3,
        "findings": [
            (
                "Portal admin is open to the whole internet",
                Impact.BLOCKER,
                3,
                Decision.MUST_NOW,
                "https://portal.northwind.example/admin/ answers 200 with a login form, no IP "
                "limit.",
                "Anyone can try passwords on your admin page. We will put it behind an extra lock.",
            ),
            (
                "Database backups have never been restored",
                Impact.BLOCKER,
                3,
                Decision.MUST_NOW,
                "Nightly dumps exist; no restore test on record.",
                "If the database is lost we do not yet know the backup works.",
            ),
            (
                "Old staging subdomain still resolves",
                Impact.CLEANUP,
                2,
                Decision.CAN_WAIT,
                "staging-old.northwind.example points at a deleted server.",
                "A leftover address that should be removed.",
            ),
        ],
    },
    {
        "name": "Ask Ada Chat",
        "business_type": BusinessType.CHATBOT,
        "maturity": Maturity.LAUNCH,
        "contact": ("Ada Lindqvist", "ada@askada.example"),
        "phone": "+46 70 123 45 67",
        "developer": "Jonas Berg (jonas@askada.example, +46 70 765 43 21)",
        "extra_accounts": [
            (
                AccountKind.AI,
                "OpenAI",
                "Answers the chat questions",
                "https://platform.openai.com/",
            ),
            (AccountKind.CODE, "GitHub", "The chat app's code", "https://github.com/askada"),
            (
                AccountKind.MAILBOX,
                "Google Workspace",
                "The team's mailboxes",
                "https://admin.google.com/",
            ),
        ],
        "domains": [
            ("askada.example", DomainRole.CANONICAL, "Landing page and chat widget", ""),
            ("www.askada.example", DomainRole.WWW, "", ""),
            ("api.askada.example", DomainRole.API, "Chat API", ""),
        ],
        # About to hand over: stage 7, 40 hours in.
        "started_hours_ago": 40,
        "advance_to": 7,
        "findings": [
            (
                "No spending cap on the AI provider key",
                Impact.TRUST,
                5,
                Decision.ACCEPTED,
                "Provider dashboard shows no monthly limit.",
                "A burst of abuse could run up a large bill.",
            ),
        ],
    },
    {
        "name": "Ledgerline Ops",
        "business_type": BusinessType.INTERNAL,
        "maturity": Maturity.IDEA,
        "contact": ("Priya Raman", "priya@ledgerline.example"),
        "domains": [
            ("ledgerline.example", DomainRole.CANONICAL, "Internal tool", ""),
            ("app.ledgerline.example", DomainRole.APP, "Team dashboard", ""),
        ],
        "started_hours_ago": 3,
        "advance_to": 1,
        "findings": [],
    },
]

ACCOUNTS = [
    (AccountKind.REGISTRAR, "Namecheap", "Owns the domain names"),
    (AccountKind.DNS, "Cloudflare", "DNS, SSL and caching in front of the site"),
    (AccountKind.HOSTING, "Render", "Runs the web app"),
    (AccountKind.EMAIL, "Postmark", "Sends booking and password emails"),
]


class Command(BaseCommand):
    help = (
        "Create demo data (idempotent): one consultant and four clients with founders and sprints."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print only a JSON summary on stdout.",
        )

    def handle(self, *args, password: str, as_json: bool, **options):
        summary = self._seed(password)
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(f"Consultant: {summary['staff'][0]['username']} / {password}")
            for founder in summary["founders"]:
                self.stdout.write(
                    f"Founder:    {founder['username']} / {password}  ({founder['client']})"
                )

    @transaction.atomic
    def _seed(self, password: str) -> dict:
        user_model = get_user_model()
        services.playbook_ensure_loaded()
        staff, _ = user_model.objects.get_or_create(
            username="consultant",
            defaults={
                "email": "consultant@launchready.example",
                "first_name": "Sam",
                "last_name": "Rivera",
            },
        )
        staff.is_staff = staff.is_superuser = True
        staff.set_password(password)
        staff.save()
        founders = []
        now = timezone.now()
        for spec in CLIENTS:
            client, created = Client.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "business_type": spec["business_type"],
                    "maturity": spec["maturity"],
                    "contact_name": spec["contact"][0],
                    "contact_email": spec["contact"][1],
                },
            )
            if created:
                developer = spec.get("developer", f"{spec['contact'][0]} ({spec['contact'][1]})")
                client.contact_phone = spec.get("phone", "")
                client.deploy_owner = client.rollback_owner = developer
                client.alerts_owner = client.renewals_owner = (
                    f"{spec['contact'][0]} ({spec['contact'][1]})"
                )
                client.save()
            for hostname, role, purpose, redirect_to in spec["domains"]:
                Domain.objects.get_or_create(
                    hostname=hostname,
                    defaults={
                        "client": client,
                        "role": role,
                        "purpose": purpose,
                        "redirect_to": redirect_to,
                    },
                )
            if created:
                # Every client has the usual four accounts, some have a few more.
                usual = [(k, v, p, f"https://{v.lower()}.com") for k, v, p in ACCOUNTS]
                for kind, vendor, purpose, login in usual + spec.get("extra_accounts", []):
                    ServiceAccount.objects.create(
                        client=client,
                        kind=kind,
                        vendor=vendor,
                        purpose=purpose,
                        owner_name=spec["contact"][0],
                        owner_email=spec["contact"][1],
                        login_location=f"{login} (account {spec['contact'][1]})",
                        renewal_date=(now + timedelta(days=300)).date()
                        if kind == AccountKind.REGISTRAR
                        else None,
                    )
            membership = services.founder_add(
                client=client,
                by=staff,
                email=spec["contact"][1],
                full_name=spec["contact"][0],
                password=password,
            )
            membership.user.set_password(password)
            membership.user.save()
            sprint = client.sprints.order_by("-started_at").first()
            if sprint is None:
                sprint = self._demo_sprint(client, spec, staff, now)
            founders.append(
                {"username": membership.user.username, "client": client.name, "sprint": sprint.code}
            )
        return {"staff": [{"username": staff.username}], "founders": founders}

    def _demo_sprint(self, client: Client, spec: dict, staff, now) -> Sprint:
        sprint = services.sprint_start(
            client=client, by=staff, started_at=now - timedelta(hours=spec["started_hours_ago"])
        )
        for number in range(1, spec["advance_to"]):
            stage = sprint.stages.get(number=number)
            for item in stage.items.all():
                services.item_set_state(item=item, by=staff, state=ItemState.DONE)
            services.stage_advance(sprint=sprint, by=staff)
            sprint.refresh_from_db()
        current = sprint.stages.get(number=sprint.current_stage)
        for item in list(current.items.all())[:2]:
            services.item_set_state(item=item, by=staff, state=ItemState.DONE)
        for title, impact, stage_number, decision, evidence, plain in spec["findings"]:
            services.finding_create(
                sprint=sprint,
                by=staff,
                stage=sprint.stages.get(number=stage_number),
                title=title,
                impact=impact,
                decision=decision,
                evidence=evidence,
                founder_explanation=plain,
                decision_reason="Cap will be set after the first invoice shows real usage."
                if decision == Decision.ACCEPTED
                else "",
            )
        demo.fill(sprint=sprint, by=staff, now=now)
        return sprint
