"""The readiness gate: issuing is allowed at stage 7 with nothing missing; earlier, or
with gaps, only with a logged override reason, and then page one says what is missing.
Suggested passages are drafts, printed only once confirmed or rewritten."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clients.models import Activity, ItemState
from handover import services
from handover.readiness import readiness
from handover.rendering import render_html
from handover.sections import build_handover
from handover.services import HandoverNotReady, handover_issue
from tests.handover.conftest import pdf_text, run


def _page_one(path: Path) -> str:
    return " ".join(run("pdftotext", "-f", "1", "-l", "1", str(path), "-").stdout.split())


def test_full_sprint_at_stage_7_is_ready(full_sprint):
    state = readiness(build_handover(full_sprint))
    assert state.ready, state.lines


def test_issue_is_refused_at_stage_1_without_an_override(sprint_b, consultant):
    with pytest.raises(HandoverNotReady) as refused:
        handover_issue(sprint=sprint_b, by=consultant)
    assert any("stage 1 of 7" in gap for gap in refused.value.gaps)
    assert not sprint_b.handovers.exists()
    assert Activity.objects.filter(
        sprint=sprint_b, kind="handover.refused", visible_to_founder=False
    ).exists()


def test_with_an_override_page_one_names_the_gaps_and_the_reason(sprint_b, consultant, tmp_path):
    issued = handover_issue(
        sprint=sprint_b, by=consultant, override_reason="Founder needs it for investors today"
    )
    assert issued.override_reason and issued.gaps
    path = tmp_path / "early.pdf"
    path.write_bytes(issued.file.read())
    page_one = _page_one(path)
    assert "Issued before it was complete" in page_one
    assert "Founder needs it for investors today" in page_one
    assert "The sprint is at stage 1 of 7" in page_one
    assert "no uptime monitor" in page_one
    assert (
        "Left out because the consultant has not confirmed them: " in page_one
        and "The site is down" in page_one
    )
    log = Activity.objects.get(sprint=sprint_b, kind="handover.override")
    assert not log.visible_to_founder and "investors" in log.message


def test_a_ready_handover_has_no_gap_box(issued, tmp_path):
    path = tmp_path / "ready.pdf"
    path.write_bytes(issued.file.read())
    assert "Issued before it was complete" not in _page_one(path)
    assert issued.gaps == [] and issued.override_reason == ""


def test_handover_export_follows_the_same_rule(sprint_b, tmp_path, capsys):
    out = tmp_path / "h.pdf"
    with pytest.raises(CommandError, match="--override REASON") as refused:
        call_command("handover_export", sprint_b.code, "-o", str(out))
    assert "stage 1 of 7" in str(refused.value)
    assert not out.exists()
    call_command(
        "handover_export",
        sprint_b.code,
        "-o",
        str(out),
        "--override",
        "Draft for the founder's review",
    )
    assert "Issued before it was complete" in _page_one(out)


def test_stale_checks_and_contradictions_are_gaps(full_sprint):
    from checks.models import CheckRun
    from checks.monitoring.models import Monitor

    CheckRun.objects.filter(sprint=full_sprint).update(
        finished_at=timezone.now() - timedelta(hours=30)
    )
    Monitor.objects.filter(client=full_sprint.client).delete()
    gaps = readiness(build_handover(full_sprint))
    assert any("more than 24 hours ago" in g.text for g in gaps.of_kind("stale"))
    assert any(
        "Monitoring and alerts is ticked done, but no monitor" in g.text
        for g in gaps.of_kind("contradiction")
    )
    assert any("no uptime monitor" in g.text for g in gaps.of_kind("not_recorded"))


@pytest.mark.parametrize("sprint_fixture", ["sprint_b", "full_sprint"])
def test_gaps_name_every_not_recorded_the_document_would_print(request, sprint_fixture):
    """A sweep over the rendered document: it says "not recorded" exactly when the gate
    lists a not-recorded gap."""
    sprint = request.getfixturevalue(sprint_fixture)
    document = build_handover(sprint)
    html = render_html(document)
    printed = len(re.findall(r"not recorded", html, re.IGNORECASE))
    listed = readiness(document).of_kind("not_recorded")
    assert bool(printed) == bool(listed), (printed, [g.text for g in listed])


def test_suggestions_are_not_printed_until_confirmed(sprint_a, client_a, consultant, tmp_path):
    from clients import services as client_services

    for number in range(1, 7):
        for item in sprint_a.stages.get(number=number).items.all():
            client_services.item_set_state(item=item, by=consultant, state=ItemState.DONE)
        client_services.stage_advance(sprint=sprint_a, by=consultant, override_reason="test")
        sprint_a.refresh_from_db()
    document = build_handover(sprint_a)
    down = document.section("emergency").texts["down"]
    assert down.to_confirm and not down.printed
    assert any(
        "“The site is down” is a suggestion to confirm" in g for g in readiness(document).lines
    )
    issued = handover_issue(sprint=sprint_a, by=consultant, override_reason="checking drafts")
    path = tmp_path / "a.pdf"
    path.write_bytes(issued.file.read())
    text = " ".join(pdf_text(path).split())
    assert "Check whether it is only you" not in text
    services.draft_save(
        sprint=sprint_a, by=consultant, values={}, confirm={"emergency.down": down.default}
    )
    assert build_handover(sprint_a).section("emergency").texts["down"].printed
    issued = handover_issue(sprint=sprint_a, by=consultant, override_reason="checking drafts")
    path.write_bytes(issued.file.read())
    assert "1. Check whether it is only you" in " ".join(pdf_text(path).split())


def test_setup_claims_without_data_behind_them_are_not_suggested(sprint_b):
    texts = {t.key: t for s in build_handover(sprint_b).sections for t in s.texts.values()}
    for key in (
        "edge.caching",
        "edge.ddos",
        "edge.status",
        "domains.renewal",
        "deployment.where",
        "deployment.who",
    ):
        assert texts[key].default == "", key
    html = render_html(build_handover(sprint_b))
    for claim in (
        "never cached",
        "renew by themselves",
        "Production and staging are separate",
        "code lives in",
    ):
        assert claim not in html, claim


def test_a_confirmation_lapses_when_the_suggestion_changes(full_sprint, consultant):
    from clients.models import ServiceAccount

    assert build_handover(full_sprint).section("deployment").texts["where"].printed
    ServiceAccount.objects.filter(client=full_sprint.client, vendor="Render").update(
        vendor="Fly.io"
    )
    where = build_handover(full_sprint).section("deployment").texts["where"]
    assert "Fly.io" in where.value and where.to_confirm


def test_handover_page_lists_gaps_and_needs_a_reason(
    client, consultant, sprint_b, django_capture_on_commit_callbacks
):
    client.force_login(consultant)
    html = client.get(reverse("handover:handover_draft", args=[sprint_b.code])).content.decode()
    assert "Not ready" in html and "stage 1 of 7" in html and "Reason to issue anyway" in html
    assert "to confirm" in html
    url = reverse("handover:handover_issue", args=[sprint_b.code])
    response = client.post(url, {"override_reason": ""})
    assert response.status_code == 422 and "not ready to issue" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("handover:handover_issue", args=[sprint_b.code]),
            {"override_reason": "Early copy"},
        )
    assert response.status_code == 302
    assert sprint_b.handovers.get().override_reason == "Early copy"


def test_a_risk_naming_an_account_links_to_it_or_is_a_gap(full_sprint, consultant):
    from clients import services as client_services
    from clients.models import AccountKind, ServiceAccount

    client_services.finding_create(
        sprint=full_sprint,
        by=consultant,
        stage=full_sprint.stages.get(number=5),
        title="No spending cap on the AI provider key",
        impact="2_trust",
        founder_explanation="A burst of abuse could run up a large bill.",
    )
    gaps = readiness(build_handover(full_sprint)).lines
    assert any(
        "names an account (AI / LLM provider) that is not in the vendor list" in g for g in gaps
    ), gaps
    account = ServiceAccount.objects.create(
        client=full_sprint.client,
        kind=AccountKind.AI,
        vendor="OpenAI",
        login_location="https://platform.openai.com/",
    )
    document = build_handover(full_sprint)
    assert not any("vendor list" in g for g in readiness(document).lines)
    risk = next(
        r for r in document.section("risks").data["open"] if "AI provider" in r["finding"].title
    )
    assert [a.pk for a in risk["accounts"]] == [account.pk]
    html = render_html(document)
    assert f'href="#acct-{account.code}"' in html and f'id="acct-{account.code}"' in html
