"""Removing a domain, a service account, a secret record or an allowlist entry: a
confirmation page (no script needed), one service per action that logs it, an undo for
the undo window, a purge after it; removed rows are hidden everywhere (a sweep over every
page and the handover); undo of anything the user may not see is 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from huey.api import PeriodicTask

from checks.secrets.models import AllowlistEntry, SecretRecord
from clients import services
from clients.models import Activity, Domain, ServiceAccount
from clients.softdelete import LiveManager, soft_delete_models
from tests.guard.crawl import app_pages


@dataclass(frozen=True)
class Kind:
    model: type
    make: object  # (client) -> object with a unique marker in its text
    marker: str
    delete_url: str
    restore_url: str
    page: str  # URL name of the page that lists it, taking the client code
    log_kind: str


KINDS = {
    "domain": Kind(
        Domain,
        lambda c: Domain.objects.create(client=c, hostname="gone-marker.test", role="other"),
        "gone-marker.test",
        "clients:domain_delete",
        "clients:domain_restore",
        "clients:client_detail",
        "domain.deleted",
    ),
    "account": Kind(
        ServiceAccount,
        lambda c: ServiceAccount.objects.create(client=c, kind="dns", vendor="GoneMarkerDNS"),
        "GoneMarkerDNS",
        "clients:account_delete",
        "clients:account_restore",
        "clients:client_detail",
        "account.deleted",
    ),
    "record": Kind(
        SecretRecord,
        lambda c: SecretRecord.objects.create(client=c, name="GONE_MARKER_KEY", kind="api_key"),
        "GONE_MARKER_KEY",
        "secrets:secrets_record_delete",
        "secrets:secrets_record_restore",
        "secrets:secrets_inventory",
        "secrets.record_deleted",
    ),
    "allowlist": Kind(
        AllowlistEntry,
        lambda c: AllowlistEntry.objects.create(
            client=c, fingerprint="f" * 64, reason="gone marker fixture"
        ),
        "gone marker fixture",
        "secrets:secrets_allow_delete",
        "secrets:secrets_allow_restore",
        "secrets:secrets_inventory",
        "secrets.allowlist_deleted",
    ),
}


def test_the_soft_delete_models_are_the_four_staff_can_remove():
    assert set(soft_delete_models()) == {Domain, ServiceAccount, SecretRecord, AllowlistEntry}


@pytest.mark.parametrize("model", soft_delete_models(), ids=lambda m: m.__name__)
def test_every_soft_delete_models_default_manager_hides_removed_rows(model, client_a):
    assert isinstance(model._default_manager, LiveManager)
    assert model._default_manager is model.objects
    kind = next(k for k in KINDS.values() if k.model is model)
    row = kind.make(client_a)
    model.all_objects.filter(pk=row.pk).update(deleted_at=timezone.now())
    assert not model.objects.filter(pk=row.pk).exists()
    related = model._meta.get_field("client").remote_field.related_name
    assert row.pk not in getattr(client_a, related).values_list("pk", flat=True)
    assert model.all_objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("name", list(KINDS))
def test_delete_asks_to_confirm_then_removes_logs_and_offers_undo(
    name, staff_client, client_a, sprint_a
):
    kind = KINDS[name]
    row = kind.make(client_a)
    delete_url = reverse(kind.delete_url, args=[row.code])

    confirm = staff_client.get(delete_url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert '<form method="post"' in page and "Keep it" in page and "onclick" not in page
    assert kind.model.objects.filter(pk=row.pk).exists()  # a GET removes nothing

    done = staff_client.post(delete_url, follow=True)
    assert done.status_code == 200
    assert not kind.model.objects.filter(pk=row.pk).exists()
    entry = Activity.objects.filter(sprint=sprint_a, kind=kind.log_kind).get()
    assert entry.visible_to_founder is False
    restore_url = reverse(kind.restore_url, args=[row.code])
    listing = done.content.decode()
    flash = listing.split('<ul class="messages"', 1)[1].split("</ul>", 1)[0]
    assert "You can undo it for" in flash
    assert f'action="{restore_url}"' in flash and ">Undo</button>" in flash

    back = staff_client.post(restore_url, follow=True)
    assert back.status_code == 200 and "Put back" in back.content.decode()
    assert kind.model.objects.filter(pk=row.pk).exists()
    assert Activity.objects.filter(
        sprint=sprint_a, kind=kind.log_kind.replace("deleted", "restored")
    ).exists()
    assert f'action="{restore_url}"' not in back.content.decode()


@pytest.mark.parametrize("name", list(KINDS))
@pytest.mark.parametrize("how", ["delete page", "delete selected"])
def test_an_admin_delete_is_soft_logged_and_undoable(name, how, client, client_a, sprint_a):
    from django.contrib.auth.models import User

    admin_user = User.objects.create_superuser("root", "root@example.test", "pw-not-used-1")
    client.force_login(admin_user)
    kind = KINDS[name]
    row = kind.make(client_a)
    meta = kind.model._meta
    if how == "delete page":
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[row.pk])
        answer = client.post(url, {"post": "yes"})
    else:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        form = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
        answer = client.post(url, form)
    assert answer.status_code == 302
    assert not kind.model.objects.filter(pk=row.pk).exists()
    assert kind.model.all_objects.get(pk=row.pk).deleted_at is not None
    entry = Activity.objects.get(sprint=sprint_a, kind=kind.log_kind)
    assert entry.actor == admin_user
    page = client.get(reverse(kind.page, args=[client_a.code])).content.decode()
    assert reverse(kind.restore_url, args=[row.code]) in page


def test_admin_cannot_hard_delete_a_domain_through_the_clients_inline():
    from clients.admin import ClientAdmin

    inline = next(i for i in ClientAdmin.inlines if i.model is Domain)
    assert inline.can_delete is False


@pytest.mark.parametrize("name", list(KINDS))
def test_undo_after_the_window_is_refused_and_the_purge_removes_the_row(
    name, staff_client, client_a, sprint_a, settings
):
    kind = KINDS[name]
    row = kind.make(client_a)
    # Followed, so the flash message (and its Undo button) is shown and used up here;
    # a flash seen late offers Undo too, and is answered "too late" below.
    staff_client.post(reverse(kind.delete_url, args=[row.code]), follow=True)
    late = timezone.now() - timedelta(seconds=settings.UNDO_WINDOW_SECONDS + 1)
    kind.model.all_objects.filter(pk=row.pk).update(deleted_at=late)

    page = staff_client.get(reverse(kind.page, args=[client_a.code])).content.decode()
    assert reverse(kind.restore_url, args=[row.code]) not in page
    refused = staff_client.post(reverse(kind.restore_url, args=[row.code]), follow=True)
    assert "Too late to undo" in refused.content.decode()
    assert not kind.model.objects.filter(pk=row.pk).exists()

    assert services.removed_purge() == 1
    assert not kind.model.all_objects.filter(pk=row.pk).exists()
    assert staff_client.post(reverse(kind.restore_url, args=[row.code])).status_code == 404


def test_the_purge_keeps_rows_still_inside_the_window(client_a, consultant):
    domain = KINDS["domain"].make(client_a)
    services.domain_delete(domain=domain, by=consultant)
    assert services.removed_purge() == 0
    assert Domain.all_objects.filter(pk=domain.pk).exists()


def test_the_purge_is_a_periodic_huey_task():
    from clients.tasks import purge_removed

    assert issubclass(purge_removed.task_class, PeriodicTask)
    assert purge_removed.s().validate_datetime(timezone.now().replace(second=0))


def test_undo_is_refused_when_the_name_was_taken_again(staff_client, client_a, sprint_a):
    domain = KINDS["domain"].make(client_a)
    staff_client.post(reverse("clients:domain_delete", args=[domain.code]))
    staff_client.post(
        reverse("clients:domain_add", args=[client_a.code]),
        {"hostname": "gone-marker.test", "role": "other", "purpose": "", "redirect_to": ""},
    )
    assert Domain.objects.filter(hostname="gone-marker.test").count() == 1
    answer = staff_client.post(reverse("clients:domain_restore", args=[domain.code]), follow=True)
    assert "was added again" in answer.content.decode()
    assert Domain.objects.filter(hostname="gone-marker.test").count() == 1


@pytest.mark.parametrize("name", list(KINDS))
def test_undo_of_anything_the_user_may_not_see_is_404(
    name, client, staff_client, consultant, founder, client_a, client_b
):
    kind = KINDS[name]
    theirs = kind.make(client_b)
    staff_client.post(reverse(kind.delete_url, args=[theirs.code]))
    client.force_login(founder)
    assert client.post(reverse(kind.restore_url, args=[theirs.code])).status_code == 404
    assert client.get(reverse(kind.delete_url, args=[theirs.code])).status_code == 404
    # A row that was never removed has nothing to undo, even for staff.
    client.force_login(consultant)
    live = kind.make(client_a)
    assert client.post(reverse(kind.restore_url, args=[live.code])).status_code == 404
    assert kind.model.all_objects.get(pk=theirs.pk).deleted_at is not None


def test_undo_urls_do_not_cross_kinds(staff_client, client_a, consultant):
    account = KINDS["account"].make(client_a)
    services.service_account_delete(account=account, by=consultant)
    assert (
        staff_client.post(reverse("clients:domain_restore", args=[account.code])).status_code == 404
    )


def test_removing_a_suspected_secret_keeps_its_rotate_finding_open(
    staff_client, client_a, sprint_a
):
    from checks.secrets import services as secret_services

    record = SecretRecord(client=client_a, name="STRIPE_SECRET_KEY", kind="api_key")
    record.exposure = "suspected"
    secret_services.secret_record_save(record=record, by=None)
    staff_client.post(reverse("secrets:secrets_record_delete", args=[record.code]))
    finding = sprint_a.findings.get(source=secret_services.SUSPECTED_SOURCE)
    assert finding.status == "open"


# ---------------------------------------------------------------- the sweep


def test_removed_rows_show_on_no_page_and_not_in_the_handover(
    client, consultant, founder, client_a, sprint_a
):
    """Every named URL (GET) as staff and as the client's founder, every admin changelist,
    and the handover built from the data: none shows a removed row. The rows are removed
    past their undo window (so no "undo" list names them) without a log entry."""
    from handover.sections import build_handover

    late = timezone.now() - timedelta(days=1)
    for kind in KINDS.values():
        row = kind.make(client_a)
        kind.model.all_objects.filter(pk=row.pk).update(deleted_at=late)
    markers = [kind.marker for kind in KINDS.values()]

    pages = app_pages(client_a, sprint_a, consultant)
    pages += [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in soft_delete_models()
        if m in admin.site._registry
    ]
    assert len(pages) > 30
    seen = 0
    for user in (consultant, founder):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code != 200 or not hasattr(response, "content"):
                continue
            body = response.content.decode(errors="replace")
            seen += 1
            for marker in markers:
                assert marker not in body, (user.username, url, marker)
    assert seen > 30

    handover = build_handover(sprint_a)
    text = repr(handover)
    for marker in markers:
        assert marker not in text
