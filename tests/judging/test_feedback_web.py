"""Secretariat pages of the feedback reports and their API: generate all, review, edit the
summary, preview, release one or all; other roles are refused and nothing changes."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from judging.models import FeedbackReport
from judging.services import assignment_accept, assignment_create
from nominations.models import Application, AuditEntry, Cycle
from tests import factories as f
from tests.judging.conftest import new_accepted_application
from tests.judging.test_feedback_reports import (  # noqa: F401
    A_TITLE,
    B_ORG,
    report_pdf,
    scored_a,
    scored_b,
    three_judges,
)

API = "/api/v1"


@pytest.fixture
def sec_client(client, secretariat):
    client.force_login(secretariat)
    return client


def test_secretariat_generates_reviews_edits_and_releases(sec_client, scored_a, scored_b, cycle,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    page = sec_client.get(reverse("judging:feedback_index")).content.decode()
    assert reverse("judging:feedback_cycle", args=[cycle.pk]) in page
    page = sec_client.get(reverse("judging:feedback_cycle", args=[cycle.pk])).content.decode()
    assert A_TITLE in page and B_ORG in page and page.count("未生成") == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = sec_client.post(reverse("judging:feedback_cycle_generate", args=[cycle.pk]), follow=True)
    assert "已开始生成 2 份评审反馈报告草稿" in response.content.decode()
    report = FeedbackReport.objects.get(application=scored_a)
    assert report.status == "draft" and report.pdf

    detail = sec_client.get(reverse("judging:feedback_report", args=[report.pk])).content.decode()
    assert "50–65%" in detail and reverse("judging:feedback_preview", args=[report.pk]) in detail
    preview = sec_client.get(reverse("judging:feedback_preview", args=[report.pk]))
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"  # shown inside the report page

    response = sec_client.post(reverse("judging:feedback_report", args=[report.pk]), {"summary": "总体情况良好。"}, follow=True)
    assert "综述已保存" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "总体情况良好。"
    response = sec_client.post(reverse("judging:feedback_report", args=[report.pk]), {"summary": "长" * 5001})
    assert response.status_code == 200 and "5000" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "总体情况良好。"

    sec_client.post(reverse("judging:feedback_release", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "released"
    response = sec_client.post(reverse("judging:feedback_release", args=[report.pk]), follow=True)
    assert "已经发布" in response.content.decode()
    response = sec_client.post(reverse("judging:feedback_report", args=[report.pk]), {"summary": "改"}, follow=True)
    report.refresh_from_db()
    assert report.summary == "总体情况良好。"

    response = sec_client.post(reverse("judging:feedback_cycle_release", args=[cycle.pk]), follow=True)
    assert "已发布 1 份评审反馈报告" in response.content.decode()
    assert sorted(FeedbackReport.objects.values_list("status", flat=True)) == ["released", "released"]
    response = sec_client.post(reverse("judging:feedback_cycle_generate", args=[cycle.pk]), follow=True)
    assert "没有需要生成的评审反馈报告" in response.content.decode()


def test_single_generation_and_refusal_before_review(sec_client, scored_a, cycle, recommender, unit,  # noqa: F811
                                                     secretariat):
    response = sec_client.post(reverse("judging:feedback_generate", args=[scored_a.pk]))
    report = FeedbackReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("judging:feedback_report", args=[report.pk])
    assert sec_client.post(reverse("judging:feedback_generate", args=[999999])).status_code == 404
    not_reviewed = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    response = sec_client.post(reverse("judging:feedback_generate", args=[not_reviewed.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("judging:feedback_cycle", args=[cycle.pk])
    assert "未进入资料评审，没有评审反馈报告" in response.content.decode()
    assert FeedbackReport.objects.count() == 1


def test_other_roles_are_refused(client, scored_a, applicant, three_judges, cycle):  # noqa: F811
    for user in (applicant, three_judges[0]):
        client.force_login(user)
        for name, args in (("judging:feedback_index", []), ("judging:feedback_cycle", [cycle.pk])):
            assert client.get(reverse(name, args=args)).status_code == 403
        assert client.post(reverse("judging:feedback_cycle_generate", args=[cycle.pk])).status_code == 403
        assert client.post(reverse("judging:feedback_generate", args=[scored_a.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("judging:feedback_cycle", args=[cycle.pk])).status_code == 302  # to the login page
    assert not FeedbackReport.objects.exists()


# -- API -----------------------------------------------------------------------------------
def test_api_generate_list_summary_release(scored_a, scored_b, secretariat, applicant, cycle,  # noqa: F811
                                           django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(applicant)
    assert api.post(f"{API}/cycles/{cycle.pk}/feedback/generate/").status_code == 403
    api.force_authenticate(secretariat)
    assert api.post(f"{API}/cycles/999999/feedback/generate/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{API}/cycles/{cycle.pk}/feedback/generate/")
    assert (response.status_code, response.json()) == (202, {"cycle": cycle.pk, "queued": 2})
    listed = api.get(f"{API}/cycles/{cycle.pk}/feedback/").json()
    assert listed["count"] == 2
    row = next(r for r in listed["results"] if r["application"] == scored_a.pk)
    assert {k: row[k] for k in ("reference", "title", "status", "stage", "overall_band")} == {
        "reference": scored_a.reference, "title": A_TITLE, "status": "draft", "stage": "document",
        "overall_band": "50–65%"}
    assert row["bands"][2] == {"code": "4.3", "title": "顾客与市场", "band": "10–25%"}
    assert row["pdf"] == f"{API}/applications/{scored_a.pk}/feedback.pdf"

    response = api.patch(f"{API}/feedback/{row['id']}/", {"summary": "经评审组讨论形成本报告。"}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == "经评审组讨论形成本报告。"
    assert api.patch(f"{API}/feedback/{row['id']}/", {"summary": "长" * 5001}, format="json").status_code == 400

    response = api.post(f"{API}/feedback/{row['id']}/release/")
    assert (response.status_code, response.json()["status"]) == (200, "released")
    assert api.post(f"{API}/feedback/{row['id']}/release/").json()["code"] == "invalid_state"
    assert api.post(f"{API}/feedback/{row['id']}/release/").status_code == 409
    assert api.patch(f"{API}/feedback/{row['id']}/", {"summary": "改"}, format="json").status_code == 409
    response = api.post(f"{API}/cycles/{cycle.pk}/feedback/release/")
    assert (response.status_code, response.json()) == (200, {"cycle": cycle.pk, "released": 1})
    assert api.post(f"{API}/cycles/{cycle.pk}/feedback/release/").status_code == 400
    assert list(AuditEntry.objects.filter(object_type="judging.feedbackreport", action="feedback.release")
                .values_list("actor__username", flat=True)) == ["sec", "sec"]
    # secretariat downloads at any time; the stored file is what is served
    pdf = b"".join(api.get(f"{API}/applications/{scored_a.pk}/feedback.pdf").streaming_content)
    assert pdf == report_pdf(FeedbackReport.objects.get(application=scored_a))


def _in_review(cycle, recommender, unit, secretariat, judge):
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    a = assignment_create(application=app, judge=judge, stage="document", actor=secretariat)
    assignment_accept(assignment=a, actor=judge)
    return f.advance(app, ["start_review"], {"start_review": secretariat})


def test_cycle_page_queries_do_not_grow_with_rows(sec_client, cycle, recommender, unit, secretariat, judge):
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=1)
    url = reverse("judging:feedback_cycle", args=[cycle.pk])
    counts = []
    for n in (1, 3):
        while Application.objects.filter(state="document_review").count() < n:
            _in_review(cycle, recommender, unit, secretariat, judge)
        with CaptureQueriesContext(connection) as ctx:
            page = sec_client.get(url).content.decode()
        assert page.count("尚无评分") == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as ctx:
        assert "管理报告" in sec_client.get(reverse("judging:feedback_index")).content.decode()
    assert len(ctx.captured_queries) <= counts[0]
