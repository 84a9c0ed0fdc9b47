"""The weekly report: figures from the rollups, the email's parts, Monday 08:00 in the
client's time zone, one email per client, week and recipient, and the signed-out
unsubscribe link."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from checks.models import CheckResult, CheckRun
from checks.monitoring import histogram, stats
from checks.monitoring.services import epoch_hour
from checks.secrets.models import DeployEvent
from clients import services as client_services
from clients.jobs.models import JobStatus
from clients.models import MaturityTarget, ServiceAccount
from handover.reports import png, services
from handover.reports.build import parse_week, report_build
from handover.reports.models import ReportDelivery, ReportSubscription
from tests.afterlaunch.conftest import (
    BERLIN_END,
    BERLIN_START,
    WEEK,
    generate_week,
    roll_up_and_prune,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
SEND_AT = datetime(2026, 3, 9, 7, 5, tzinfo=UTC)  # Monday 08:05 in Berlin


@pytest.fixture
def target(db):
    MaturityTarget.objects.update_or_create(
        maturity="launch",
        defaults={
            "p95_latency_ms": 400,
            "error_rate_pct": 1,
            "alert_delay_minutes": 5,
            "lighthouse_min": 80,
            "uptime_pct": "99.500",
        },
    )


@pytest.fixture
def week(berlin_client, make_monitor, target):
    home = make_monitor("https://acme.test/", name="Homepage", now=BERLIN_START)
    api = make_monitor("https://acme.test/api/health", name="API health", now=BERLIN_START)
    outages = (
        (timedelta(days=1, hours=3), timedelta(minutes=45)),  # Tue 03:00-03:45 Berlin
        (timedelta(days=6, hours=23, minutes=40), timedelta(hours=1)),  # runs past the week
    )
    generated = [
        generate_week(home, outages=outages, seed=1),
        generate_week(api, seed=2, base_latency=90),
    ]
    roll_up_and_prune()
    return generated


def _expected(gen):
    ok = [r for r in gen.raw if r[1]]
    return 100.0 * len(ok) / len(gen.raw), [r[2] for r in ok]


def test_report_figures_match_the_rollups_and_the_raw_week(week, berlin_client):
    report = report_build(client=berlin_client, monday=MONDAY)
    assert (report.start, report.end) == (BERLIN_START, BERLIN_END)
    by_name = {m.name: m for m in report.monitors}
    for gen in week:
        row = by_name[gen.monitor.name]
        uptime, latencies = _expected(gen)
        assert row.total == len(gen.raw)
        assert row.uptime_pct == pytest.approx(uptime)
        # Against the rollups, hour by hour, of exactly the week's hours.
        aggs = stats.hourly([gen.monitor.pk], hours=24 * 9, now=BERLIN_END + timedelta(days=1))
        week_agg = stats.Agg()
        for hour, agg in aggs[gen.monitor.pk].items():
            if epoch_hour(BERLIN_START) <= hour < epoch_hour(BERLIN_END):
                week_agg.add(agg)
        assert row.p95_ms == week_agg.p(95)
        # And within one histogram bucket of the exact p95 of the raw results.
        exact = histogram.raw_percentile(latencies, 95)
        low, high = histogram.bucket_bounds(histogram.bucket_of(exact))
        assert abs(row.p95_ms - exact) <= high - low
    home = by_name["Homepage"]
    assert home.meets_uptime is False  # 105 failed minutes of 10,080 is 98.96%
    assert by_name["API health"].meets_uptime is True
    assert by_name["API health"].meets_p95 is True


def test_incident_durations_are_clipped_to_the_week(week, berlin_client):
    report = report_build(client=berlin_client, monday=MONDAY)
    durations = [(i.monitor, i.duration, i.ongoing) for i in report.incidents]
    assert durations == [
        ("Homepage", timedelta(minutes=45), False),
        ("Homepage", timedelta(minutes=20), True),  # 23:40 to the week's end at midnight
    ]


def test_rendered_email_has_every_section_and_inline_pngs(
    week, berlin_client, sprint_a, consultant, founder
):
    sprint_a.refresh_from_db()
    client_services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=sprint_a.stages.get(number=1),
        title="Booking form has no spam protection",
        impact="1_blocker",
    )
    ServiceAccount.objects.create(
        client=berlin_client, kind="hosting", vendor="Render", renewal_date=date(2026, 3, 20)
    )
    ServiceAccount.objects.create(
        client=berlin_client, kind="email", vendor="Postmark", renewal_date=date(2026, 6, 1)
    )
    older = CheckRun.objects.create(
        sprint=sprint_a, status=JobStatus.DONE, finished_at=BERLIN_START - timedelta(days=3)
    )
    newer = CheckRun.objects.create(
        sprint=sprint_a, status=JobStatus.DONE, finished_at=BERLIN_START + timedelta(days=2)
    )
    CheckResult.objects.create(
        run=older, check_id="http.hsts", target="acme.test", status="fail", summary="No HSTS."
    )
    CheckResult.objects.create(
        run=newer, check_id="http.hsts", target="acme.test", status="pass", summary="HSTS is on."
    )
    CheckResult.objects.create(
        run=older, check_id="dns.caa", target="acme.test", status="pass", summary="CAA set."
    )
    CheckResult.objects.create(
        run=newer, check_id="dns.caa", target="acme.test", status="pass", summary="CAA set."
    )
    for result in ("ok", "missing"):
        event = DeployEvent.objects.create(
            client=berlin_client, environment="production", version="v42", result=result
        )
        DeployEvent.objects.filter(pk=event.pk).update(created_at=BERLIN_START + timedelta(days=3))
    report = report_build(client=berlin_client, monday=MONDAY)
    assert [(c.check_id, c.before, c.after) for c in report.changes] == [
        ("http.hsts", "fail", "pass")
    ]
    assert [r.title for r in report.risks] == ["Booking form has no spam protection"]
    assert [r.subject for r in report.renewals] == ["Render (Hosting / deployment)"]
    assert (report.deploys_allowed, report.deploys_stopped) == (1, 1)
    rendered = services.report_render(report, unsubscribe_url="https://launchready.test/u/x/")
    for text in (rendered.text, rendered.html):
        for expected in (
            "Homepage",
            "API health",
            "45 min",
            "http.hsts",
            "Booking form has no spam",
            "Render",
            "1 allowed, 1 stopped",
            "production v42: Stopped: variables missing",
        ):
            assert expected in text, expected
    assert WEEK in rendered.subject and "2 incidents" in rendered.subject
    # Dates and times in the client's time zone: the week is Monday 2 to Sunday 8 March.
    assert "2 Mar to 8 Mar 2026" in rendered.text and "Tue 3 Mar 03:00 to 03:45" in rendered.text
    assert len(rendered.images) == 2
    for cid, data in rendered.images.items():
        assert f"cid:{cid}" in rendered.html
        image = Image.open(io.BytesIO(data))
        image.load()  # decodes every row: a bad CRC or zlib stream raises
        assert image.size == (552, 92) and image.mode == "RGB"


def test_png_encoder_round_trips_through_pillow():
    canvas = png.Canvas(5, 3)
    canvas.set(1, 2, (10, 20, 30))
    image = Image.open(io.BytesIO(canvas.png()))
    assert image.size == (5, 3)
    assert image.getpixel((1, 2)) == (10, 20, 30) and image.getpixel((0, 0)) == (255, 255, 255)
    with pytest.raises(ValueError):
        png.encode(2, 2, b"\x00" * 5)


def test_monday_send_goes_once_per_recipient_and_a_rerun_sends_nothing(
    week, berlin_client, founder, consultant, outsider
):
    services.subscription_set(user=founder, client=berlin_client, on=True)
    services.subscription_set(user=consultant, client=berlin_client, on=True)
    with pytest.raises(PermissionError):
        services.subscription_set(user=outsider, client=berlin_client, on=True)
    assert services.reports_send_due(now=SEND_AT - timedelta(hours=1)) == 0  # 07:05 Berlin
    assert services.reports_send_due(now=SEND_AT) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["consultant@example.test", "founder@acme.test"]
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://launchready.test/reports/unsubscribe/"
    )
    raw = message.message()
    assert raw.get_content_type() == "multipart/related"
    types = [part.get_content_type() for part in raw.walk()]
    assert types.count("image/png") == 2 and "text/plain" in types and "text/html" in types
    assert ReportDelivery.objects.filter(week=WEEK, sent_at__isnull=False).count() == 2
    # The hourly task runs again at 09:05, and someone runs the command by hand.
    assert services.reports_send_due(now=SEND_AT + timedelta(hours=1)) == 0
    call_command(
        "weekly_report", berlin_client.code, "--week", WEEK, "--send", stdout=io.StringIO()
    )
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_by_a_later_run(week, berlin_client, founder, settings):
    services.subscription_set(user=founder, client=berlin_client, on=True)
    settings.EMAIL_BACKEND = "tests.afterlaunch.failing_mail.Backend"
    assert services.reports_send_due(now=SEND_AT) == 0
    delivery = ReportDelivery.objects.get()
    assert delivery.sent_at is None and "refused" in delivery.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.reports_send_due(now=SEND_AT + timedelta(minutes=30)) == 0  # claim still fresh
    assert services.reports_send_due(now=SEND_AT + timedelta(hours=2)) == 1
    assert len(mail.outbox) == 1


def test_unsubscribe_link_works_signed_out_and_refuses_a_forged_token(
    week, berlin_client, founder, client
):
    services.subscription_set(user=founder, client=berlin_client, on=True)
    services.reports_send_due(now=SEND_AT)
    url = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .replace("https://launchready.test", "")
    )
    page = client.get(url)
    assert page.status_code == 200 and b"Stop these emails" in page.content
    assert ReportSubscription.objects.filter(user=founder).exists()  # GET changes nothing
    assert client.post(url).status_code == 200  # RFC 8058 one-click, no session, no CSRF
    assert not ReportSubscription.objects.filter(user=founder).exists()
    forged = url.replace("/unsubscribe/", "/unsubscribe/x")
    assert client.post(forged).status_code == 404


def test_founder_opts_in_from_the_portal_and_cannot_for_another_client(
    founder_client, sprint_a, client_b
):
    response = founder_client.post(
        reverse("report_subscription", args=[sprint_a.client.code]), {"on": "1", "next": "/portal/"}
    )
    assert response.status_code == 302
    assert ReportSubscription.objects.filter(client=sprint_a.client).count() == 1
    assert (
        founder_client.post(
            reverse("report_subscription", args=[client_b.code]), {"on": "1"}
        ).status_code
        == 404
    )


def test_command_renders_text_and_writes_html(week, berlin_client, tmp_path):
    out = io.StringIO()
    call_command("weekly_report", berlin_client.code, "--week", WEEK, stdout=out)
    assert "UPTIME AND SPEED" in out.getvalue() and "Homepage" in out.getvalue()
    target = tmp_path / "report.html"
    call_command(
        "weekly_report",
        berlin_client.code,
        "--week",
        WEEK,
        "--html",
        str(target),
        stdout=io.StringIO(),
    )
    html = target.read_text()
    assert "data:image/png;base64," in html and "cid:" not in html


def test_week_parsing():
    assert parse_week("2026-W47") == date(2026, 11, 16)
    for bad in ("2026-47", "2026-W54", "W47"):
        with pytest.raises(ValueError):
            parse_week(bad)


def test_staff_preview_and_founder_404(staff_client, week, berlin_client, founder, client):
    assert (
        staff_client.get(
            reverse("report_preview", args=[berlin_client.code]) + f"?week={WEEK}"
        ).status_code
        == 200
    )
    client.force_login(founder)
    assert client.get(reverse("report_preview", args=[berlin_client.code])).status_code == 404
