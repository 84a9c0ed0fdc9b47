"""Issue 13: the consultant's and founder's workflow as a new user finds it."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from checks.secrets.models import DeployToken
from clients import services
from clients.models import (
    Activity,
    Decision,
    Finding,
    Impact,
    ItemState,
    Outcome,
    StageStatus,
)


def _to_stage_7(sprint, by):
    for _ in range(6):
        services.stage_advance(sprint=sprint, by=by, override_reason="test")
    sprint.refresh_from_db()


def _blocker(sprint, by, stage_number=1, **extra):
    return services.finding_create(
        sprint=sprint,
        by=by,
        stage=sprint.stages.get(number=stage_number),
        title=extra.pop("title", "Admin login has no second factor"),
        impact=Impact.BLOCKER,
        **extra,
    )


# ---------------------------------------------------------------- accepted risks


def test_accepted_risk_blocker_does_not_block_later_stages(sprint_a, consultant):
    _blocker(
        sprint_a, consultant, decision=Decision.ACCEPTED, decision_reason="Goes live in phase 2"
    )
    stage = sprint_a.stages.get(number=1)
    services.stage_items_complete(stage=stage, by=consultant)
    assert services.stage_gate_reasons(sprint=sprint_a) == []
    services.stage_advance(sprint=sprint_a, by=consultant)
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 2
    assert sprint_a.stages.get(number=1).override_reason == ""


def test_unaccepted_blocker_still_blocks(sprint_a, consultant):
    _blocker(sprint_a, consultant)
    services.stage_items_complete(stage=sprint_a.stages.get(number=1), by=consultant)
    assert services.stage_gate_reasons(sprint=sprint_a) == ["1 launch blocker still open"]


def test_accepted_risks_are_listed_at_the_gate(staff_client, sprint_a, consultant):
    _blocker(
        sprint_a, consultant, decision=Decision.ACCEPTED, decision_reason="Goes live in phase 2"
    )
    page = staff_client.get(reverse("clients:sprint_detail", args=[sprint_a.code])).content.decode()
    gate = page[page.index('id="advance"') :]
    assert "Accepted risks" in gate and "Goes live in phase 2" in gate


def test_accepted_risks_outcome_keeps_each_findings_own_reason(sprint_a, consultant):
    _to_stage_7(sprint_a, consultant)
    own = _blocker(
        sprint_a,
        consultant,
        title="Chat widget unauthenticated",
        decision=Decision.ACCEPTED,
        decision_reason="Goes live in phase 2",
    )
    silent = _blocker(sprint_a, consultant, title="No backups yet")
    later = _blocker(
        sprint_a, consultant, title="Old domain", decision=Decision.CAN_WAIT, decision_reason="Q3"
    )
    services.sprint_decide(
        sprint=sprint_a,
        by=consultant,
        outcome=Outcome.ACCEPTED_RISKS,
        reason="Founder signed off on the call",
    )
    own, silent, later = (Finding.objects.get(pk=f.pk) for f in (own, silent, later))
    assert (own.decision, own.decision_reason) == (Decision.ACCEPTED, "Goes live in phase 2")
    assert (silent.decision, silent.decision_reason) == (
        Decision.ACCEPTED,
        "Founder signed off on the call",
    )
    assert (later.decision, later.decision_reason) == (Decision.ACCEPTED, "Q3")


# ---------------------------------------------------------------- bulk and override


def test_bulk_done_ticks_every_open_item_with_one_log_entry(staff_client, sprint_a):
    stage = sprint_a.stages.get(number=1)
    first = stage.items.first()
    first.state = ItemState.NOT_APPLICABLE
    first.save()
    before = Activity.objects.filter(sprint=sprint_a).count()
    response = staff_client.post(reverse("clients:stage_items_done", args=[sprint_a.code, 1]))
    assert response.status_code == 302
    assert not stage.items.filter(state=ItemState.OPEN).exists()
    assert stage.items.get(pk=first.pk).state == ItemState.NOT_APPLICABLE
    assert Activity.objects.filter(sprint=sprint_a).count() == before + 1
    assert Activity.objects.filter(sprint=sprint_a, kind="item.bulk_done").count() == 1


def test_bulk_done_is_for_staff_of_the_sprint_only(client, founder, sprint_a, sprint_b):
    client.force_login(founder)
    response = client.post(reverse("clients:stage_items_done", args=[sprint_a.code, 1]))
    assert response.status_code in (302, 403, 404)
    assert sprint_a.stages.get(number=1).items.filter(state=ItemState.OPEN).exists()


def test_override_closed_stage_is_marked_with_its_reason(staff_client, sprint_a, consultant):
    services.stage_advance(sprint=sprint_a, by=consultant, override_reason="Agreed on the call")
    page = staff_client.get(reverse("clients:sprint_detail", args=[sprint_a.code])).content.decode()
    stepper = page[page.index('id="stepper"') : page.index("</ol>", page.index('id="stepper"'))]
    assert "step-override" in stepper
    assert 'title="Closed by override: Agreed on the call"' in stepper
    assert sprint_a.stages.get(number=1).status == StageStatus.DONE


def test_advance_anyway_only_after_a_refusal(staff_client, sprint_a):
    url = reverse("clients:sprint_detail", args=[sprint_a.code])
    assert b"Advance anyway" not in staff_client.get(url).content
    refused = staff_client.post(reverse("clients:stage_advance", args=[sprint_a.code]), {})
    assert refused.status_code == 422 and b"Advance anyway" in refused.content


# ---------------------------------------------------------------- links and emails


def test_invitation_link_comes_from_the_request(
    staff_client, client_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL_SET = False
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("clients:founder_add", args=[client_a.code]),
            {"email": "new@acme.test", "full_name": "New Founder", "title": ""},
            HTTP_HOST="127.0.0.1:8101",
        )
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8101/accounts/reset/" in mail.outbox[0].body
    assert "localhost:8000" not in mail.outbox[0].body


def test_site_url_wins_when_set(
    staff_client, client_a, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL_SET, settings.SITE_URL = True, "https://ready.example"
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("clients:founder_add", args=[client_a.code]),
            {"email": "new@acme.test", "full_name": "New Founder", "title": ""},
            HTTP_HOST="127.0.0.1:8101",
        )
    assert "https://ready.example/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_invitation_subject_plain_and_heading_escaped_once(client_a, consultant):
    client_a.name = "<b>Acme</b> & Co"
    client_a.save()
    services.founder_add(client=client_a, by=consultant, email="x@acme.test")
    message = mail.outbox[-1]
    assert message.subject.endswith("follow <b>Acme</b> & Co's launch on Launch Ready")
    assert "&lt;" not in message.subject and "&amp;" not in message.subject
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in html and "&amp;lt;" not in html


def test_gate_snippet_uses_the_request_address(staff_client, client_a, settings):
    settings.SITE_URL_SET = False
    response = staff_client.post(
        reverse("secrets:secrets_token_new", args=[client_a.code]),
        {"label": "CI"},
        HTTP_HOST="127.0.0.1:8101",
    )
    response = staff_client.get(response["Location"], HTTP_HOST="127.0.0.1:8101")
    gate = reverse("secrets:secrets_deploy_gate", args=[client_a.code])
    assert f"http://127.0.0.1:8101{gate}".encode() in response.content
    assert b"localhost:8000" not in response.content


# ---------------------------------------------------------------- deploy token PRG


def test_token_created_page_redirects_and_a_refresh_issues_nothing(staff_client, client_a):
    response = staff_client.post(
        reverse("secrets:secrets_token_new", args=[client_a.code]), {"label": "CI"}
    )
    assert response.status_code == 302
    first = staff_client.get(response["Location"])
    plaintext = first.context["plaintext"]
    assert plaintext and plaintext.encode() in first.content
    again = staff_client.get(response["Location"])
    assert again.status_code == 200 and plaintext.encode() not in again.content
    assert b"already shown once" in again.content
    assert DeployToken.objects.count() == 1


# ---------------------------------------------------------------- seed_demo


@pytest.mark.django_db
def test_seed_demo_json_without_debug(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    summary = json.loads(out.getvalue())  # only the JSON summary on stdout
    assert summary["staff"] and summary["founders"]


# ---------------------------------------------------------------- raw template syntax


def test_no_rendered_page_contains_template_syntax(staff_client, client, founder, sprint_a):
    urls = [
        reverse("clients:dashboard"),
        reverse("clients:client_list"),
        reverse("clients:client_detail", args=[sprint_a.client.code]),
        reverse("secrets:secrets_inventory", args=[sprint_a.client.code]),
    ] + [f"{reverse('clients:sprint_detail', args=[sprint_a.code])}?stage={n}" for n in range(1, 8)]
    for url in urls:
        body = staff_client.get(url).content.decode()
        assert not re.search(r"\{#|\{%", body), url
    client.force_login(founder)
    for url in [reverse("clients:portal"), reverse("clients:portal_sprint", args=[sprint_a.code])]:
        body = client.get(url).content.decode()
        assert not re.search(r"\{#|\{%", body), url
