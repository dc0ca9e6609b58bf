"""Visible progress for every background job (issue 11 §4): certificate batch, feedback
reports, exports. Each page renders a <progress> with its JSON status URL (polled by
static/js/jobs.js; the page alone also works: refresh); the JSON says done with a link to the
result, or failed with what to do."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from judging.models import FeedbackReport
from nominations.models import BackgroundJob, CertificateBatch
from nominations.services.jobs import job_create, job_fail, job_start, job_status
from tests.judging.test_feedback_reports import scored_a, scored_b, three_judges  # noqa: F401  (fixtures)
from tests.publication.conftest import approved, notice_ended, panel, published  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

KEYS = {"id", "kind", "label", "status", "status_label", "done", "total", "percent", "message", "help", "finished",
        "result_url", "result_label", "status_url", "started"}


def job_blocks(html: str) -> list[str]:
    return re.findall(r'<div class="job"[^>]*data-status-url="([^"]+)"', html)


# -- exports -----------------------------------------------------------------------------------
def test_export_runs_in_the_background_with_progress_and_a_download(client, secretariat, cycle,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    page = client.get(reverse("judging:exports", args=[cycle.pk])).content.decode()
    assert 'id="export-start"' in page and "尚未导出过" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("judging:exports", args=[cycle.pk]), follow=True)
    html = response.content.decode()
    job = BackgroundJob.objects.get(kind="export")
    assert job_blocks(html) == [reverse("job_status", args=[job.pk])]
    assert '<progress max="100" value="0"' in html  # the redirect shows it queued (tasks run on commit)
    assert '<progress max="100" value="100"' in client.get(reverse("judging:exports", args=[cycle.pk])).content.decode()
    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert set(status) == KEYS
    assert (status["status"], status["percent"], status["finished"]) == ("done", 100, True)
    assert status["done"] == status["total"] >= 3
    assert status["result_url"] == reverse("job_result", args=[job.pk])
    download = client.get(status["result_url"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames[0] == "排名"


def test_job_status_while_running_and_when_failed_says_what_to_do(client, secretariat, cycle):
    job = job_create(kind=BackgroundJob.Kind.EXPORT, cycle=cycle, actor=secretariat)
    client.force_login(secretariat)
    pending = client.get(reverse("job_status", args=[job.pk])).json()
    assert (pending["status"], pending["finished"], pending["result_url"]) == ("pending", False, "")
    job_start(job.pk, total=4)
    BackgroundJob.objects.filter(pk=job.pk).update(done=1)
    running = client.get(reverse("job_status", args=[job.pk])).json()
    assert (running["status"], running["percent"]) == ("running", 25) and "1 / 4" in running["message"]
    job_fail(job.pk, "MemoryError: 内存不足")
    failed = client.get(reverse("job_status", args=[job.pk])).json()
    assert failed["status"] == "failed" and failed["finished"] and "内存不足" in failed["message"]
    assert "重新导出" in failed["help"] and failed["result_url"] == ""
    assert client.get(reverse("job_result", args=[job.pk])).status_code == 404


def test_a_job_lost_for_an_hour_is_shown_as_failed(secretariat, cycle):
    job = job_create(kind=BackgroundJob.Kind.EXPORT, cycle=cycle, actor=secretariat)
    BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    status = job_status(BackgroundJob.objects.get(pk=job.pk))
    assert status["status"] == "failed" and "可能已中断" in status["message"] and status["help"]


def test_job_endpoints_are_for_the_secretariat_only(client, applicant, judge, cycle, secretariat):
    job = job_create(kind=BackgroundJob.Kind.EXPORT, cycle=cycle, actor=secretariat)
    for user in (applicant, judge):
        client.force_login(user)
        assert client.get(reverse("job_status", args=[job.pk])).status_code == 403
        assert client.post(reverse("judging:exports", args=[cycle.pk])).status_code == 403
    assert BackgroundJob.objects.count() == 1


# -- feedback reports ----------------------------------------------------------------------------
def test_feedback_generation_shows_progress_instead_of_refresh_later(client, secretariat, cycle, scored_a, scored_b,  # noqa: F811
                                                                    django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("judging:feedback_cycle_generate", args=[cycle.pk]), follow=True)
    html = response.content.decode()
    assert "请稍后刷新" not in html and "进度显示在本页" in html
    job = BackgroundJob.objects.get(kind="feedback")
    assert job_blocks(html) == [reverse("job_status", args=[job.pk])]
    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 2, 2)
    assert status["result_url"] == reverse("judging:feedback_cycle", args=[cycle.pk])
    assert FeedbackReport.objects.count() == 2


# -- certificate batch -------------------------------------------------------------------------
def test_certificate_batch_progress_is_polled_as_json(client, secretariat, cycle, published):  # noqa: F811
    client.force_login(secretariat)
    html = client.get(reverse("publication_desk", args=[cycle.pk])).content.decode()
    batch = CertificateBatch.objects.get()
    assert job_blocks(html) == [reverse("certificate_batch_status", args=[batch.pk])]
    status = client.get(reverse("certificate_batch_status", args=[batch.pk])).json()
    assert set(status) == KEYS
    assert (status["status"], status["percent"], status["done"], status["total"]) == ("done", 100, 1, 1)
    assert status["result_url"] == reverse("certificate_batch_combined", args=[batch.pk])
    running = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=3)
    html = client.get(reverse("publication_desk", args=[cycle.pk])).content.decode()
    assert "<noscript><meta http-equiv=\"refresh\"" in html and "刷新进度" in html
    status = client.get(reverse("certificate_batch_status", args=[running.pk])).json()
    assert status["status"] == "pending" and not status["finished"]


def test_pages_with_jobs_load_the_static_script_and_no_inline_code(client, secretariat, cycle):
    job_create(kind=BackgroundJob.Kind.EXPORT, cycle=cycle, actor=secretariat)
    client.force_login(secretariat)
    html = client.get(reverse("judging:exports", args=[cycle.pk])).content.decode()
    assert '<script src="/static/js/jobs.js" defer></script>' in html
    assert not re.search(r"<script>(?!</script>)", html) and 'style="' not in html
