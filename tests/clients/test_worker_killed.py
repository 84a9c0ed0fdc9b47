"""A real `run_huey` consumer (a subprocess on the test database and queue: SQLite Huey,
or Redis in the PostgreSQL pass) is SIGKILLed in the middle of each kind of job. The
reaper then fails the job with a sentence saying what the worker was doing, and "Try
again" on the page, with a new consumer, finishes it."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from checks import services as check_services
from checks.secrets import services as secret_services
from clients.jobs.models import JobStatus
from clients.jobs.services import jobs_reap
from handover import services as handover_services
from tests.checks.conftest import _lab_session, lab  # noqa: F401 - fixtures
from tests.checks.servers import add_good_domain
from tests.faults import Consumer, shared_queue, wait_for
from tests.handover.conftest import signer_files  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(tmp_path):
    with shared_queue(tmp_path) as env:
        yield env


@pytest.fixture
def consumers(tmp_path):
    started: list[Consumer] = []

    def start(env: dict[str, str]) -> Consumer:
        consumer = Consumer(env, tmp_path / f"consumer-{len(started)}.log")
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop()


def _lab_env(lab, *, dns_port: int | None = None) -> dict[str, str]:  # noqa: F811
    values = lab.settings_values()
    return {
        "LAUNCHREADY_DNS_NAMESERVERS": f"127.0.0.1:{dns_port or lab.dns_port}",
        "LAUNCHREADY_CA_BUNDLE": values["LAUNCHREADY_CA_BUNDLE"],
        "LAUNCHREADY_HTTP_PORT": str(values["LAUNCHREADY_HTTP_PORT"]),
        "LAUNCHREADY_HTTPS_PORT": str(values["LAUNCHREADY_HTTPS_PORT"]),
        "LAUNCHREADY_ALLOW_PRIVATE_TARGETS": "1",
    }


def _running(job):
    def check():
        job.refresh_from_db()
        return job.status == JobStatus.RUNNING and job.heartbeat_at is not None

    return check


def _reap_as_if_later(job) -> None:
    """The periodic reaper, run as it would be once the kind's quiet limit has passed."""
    later = timezone.now() + type(job).stale_after() + timezone.timedelta(seconds=1)
    assert jobs_reap(now=later) >= 1
    job.refresh_from_db()


def _try_again(staff_client, job) -> None:
    response = staff_client.post(reverse("clients:job_try_again", args=[job.job_kind, job.code]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status in {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE}


def _finished(job):
    def check():
        job.refresh_from_db()
        return job.is_finished

    return check


def test_check_run_killed_mid_run_is_reaped_then_try_again_finishes_it(
    lab,  # noqa: F811 - the fixture imported above
    client_a,
    sprint_a,
    consultant,
    staff_client,
    queue,
    consumers,  # noqa: F811
):
    add_good_domain(lab, "acme.test")
    # The first worker asks a DNS server that never answers, so it is surely mid-run.
    first = consumers({**queue, **_lab_env(lab, dns_port=lab.silent.port)})
    run = check_services.check_run_request(sprint=sprint_a, by=consultant)
    wait_for(_running(run), what="the check run to start")
    first.kill()
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING  # nothing cleaned up after a SIGKILL

    _reap_as_if_later(run)
    assert run.status == JobStatus.FAILED
    assert run.error.startswith("The worker stopped while running the checks")
    assert run.error.endswith("; try again.")
    page = staff_client.get(reverse("clients:sprint_detail", args=[sprint_a.code])).content.decode()
    assert run.error in page and "Try again" in page

    second = consumers({**queue, **_lab_env(lab)})
    _try_again(staff_client, run)
    wait_for(_finished(run), timeout=120, what="the retried run to finish")
    assert run.status == JobStatus.DONE, second.output()[-3000:]
    assert run.results.filter(check_id="redirect.canonical", status="pass").exists()


def _generated_repo(path, commits: int) -> None:
    """A repository of many small commits, written with git fast-import in one go."""
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    lines = []
    for n in range(commits):
        content = f"setting_{n} = {n}\n".encode()
        message = f"change {n}".encode()
        lines += [
            b"commit refs/heads/main",
            f"committer Dev <dev@acme.test> {1700000000 + n} +0000".encode(),
            b"data %d" % len(message),
            message,
            f"M 644 inline file{n % 50}.py".encode(),
            b"data %d" % len(content),
            content,
            b"",
        ]
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input=b"\n".join(lines) + b"\n",
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)


def test_secret_scan_killed_mid_scan_is_reaped_then_try_again_finishes_it(
    tmp_path, client_a, sprint_a, consultant, staff_client, queue, consumers, settings
):
    root = tmp_path / "repos"
    _generated_repo(root / "big", commits=6000)
    settings.SECRETS_SCAN_LOCAL_ROOTS = [str(root)]
    env = {**queue, "SECRETS_SCAN_LOCAL_ROOTS": str(root)}
    first = consumers(env)
    run = secret_services.scan_request(client=client_a, by=consultant, source=str(root / "big"))

    def scanning_history():
        run.refresh_from_db()
        return run.status == JobStatus.RUNNING and run.progress_done > 0

    wait_for(scanning_history, what="the scan to be part-way through the history")
    first.kill()
    _reap_as_if_later(run)
    assert run.status == JobStatus.FAILED
    assert run.error == "The worker stopped while scanning the repository (history); try again."
    url = reverse("secrets:secrets_scan_detail", args=[run.code])
    page = staff_client.get(url).content.decode()
    assert run.error in page and "Try again" in page

    consumers(env)
    _try_again(staff_client, run)
    wait_for(_finished(run), timeout=180, what="the retried scan to finish")
    assert run.status == JobStatus.DONE, run.error
    assert run.commits == 6000 and run.hits.count() == 0


@pytest.mark.long
def test_handover_issue_killed_mid_render_is_reaped_then_try_again_issues_the_next_version(
    tmp_path,
    sprint_a,
    consultant,
    staff_client,
    queue,
    consumers,
    settings,
    signer_files,  # noqa: F811
):
    cert, key = signer_files
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = cert, key
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **queue,
        "HANDOVER_SIGNER_CERT_FILE": str(cert),
        "HANDOVER_SIGNER_KEY_FILE": str(key),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    first = consumers(env)
    issued_first = handover_services.handover_request_issue(
        sprint=sprint_a, by=consultant, override_reason="kill test"
    )
    wait_for(_finished(issued_first), timeout=180, what="version 1 to be issued")
    assert issued_first.status == JobStatus.DONE, issued_first.error

    job = handover_services.handover_request_issue(
        sprint=sprint_a, by=consultant, override_reason="kill test"
    )
    wait_for(_running(job), what="the handover job to start")
    first.kill()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    _reap_as_if_later(job)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The worker stopped while issuing the handover")
    page = staff_client.get(
        reverse("handover:handover_draft", args=[sprint_a.code])
    ).content.decode()
    assert job.error in page and "Try again" in page
    # While it was stuck "running", Issue returned it; failed, a new press would start afresh.

    consumers(env)
    _try_again(staff_client, job)
    wait_for(_finished(job), timeout=180, what="the retried handover to finish")
    assert job.status == JobStatus.DONE, job.error
    assert job.issued.version == 2
    assert sorted(sprint_a.handovers.values_list("version", flat=True)) == [1, 2]
