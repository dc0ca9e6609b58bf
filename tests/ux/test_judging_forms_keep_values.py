"""Judging's forms give back what was typed when they fail (issue 11 §3): committee decision,
site report, consensus."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from judging.models import CommitteeDecision, ConsensusScore, SiteVisitReport
from judging.services import application_shortlist
from nominations.services.transitions import application_transition
from tests.judging.conftest import (  # noqa: F401  (fixtures)
    assign_and_accept,
    fill_and_submit,
    judges,
    make_judges,
    review_app,
    set_judges_document,
    start_review,
)

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def site_review(cycle, accepted, secretariat):
    set_judges_document(cycle, 2)
    panel = make_judges(2)
    assignments = assign_and_accept(accepted, panel, secretariat)
    app = start_review(accepted, secretariat)
    for a, j, p in zip(assignments, panel, (40, 80)):
        fill_and_submit(a, j, p)
    app = application_shortlist(application=app, actor=secretariat)
    [site] = assign_and_accept(app, panel[:1], secretariat, stage="site")
    fill_and_submit(site, panel[0], 65)
    return app, panel


def test_site_report_keeps_findings_and_adjusted_percent(site_review):
    app, panel = site_review
    response = login(panel[0]).post(reverse("judging:site_report", args=[app.pk]), {
        "summary": "", "recommendation": "建议授奖（保留）", "visited_on": "2018-09-20",
        "f-4.7.4": "财务数据与报告一致（保留）", "a-4.7.4": "70"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "建议授奖（保留）" in html and "财务数据与报告一致（保留）" in html and 'value="2018-09-20"' in html
    assert '<option value="70" selected>' in html
    assert not SiteVisitReport.objects.exists()


def test_decision_form_keeps_votes_and_minute(site_review, secretariat):
    app, panel = site_review
    SiteVisitReport.objects.create(application=app, leader=panel[0], summary="良好", submitted_at=app.updated_at)
    app = application_transition(application=app, name="finish_review", actor=secretariat)
    response = login(secretariat).post(reverse("judging:decision", args=[app.pk]), {
        "outcome": "approve", "decided_on": "2018-11-20", "votes_for": "1", "votes_against": "6",
        "votes_abstain": "0", "minute": "第一次会议纪要（保留）"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "第一次会议纪要（保留）" in html and 'value="2018-11-20"' in html
    assert 'name="votes_for" value="1"' in html and 'name="votes_against" value="6"' in html
    assert not CommitteeDecision.objects.exists()


def test_consensus_keeps_percent_comment_and_reason(review_app, judges):  # noqa: F811
    app, assignments = review_app
    for a, j, p in zip(assignments, judges, [50, 60, 70, 60, 55]):
        fill_and_submit(a, j, p)
    response = login(judges[0]).post(reverse("judging:consensus", args=[app.pk, "document"]), {
        "c-4.7.4": "63", "m-4.7.4": "经讨论取中间档（保留）", "r-4.7.4": "理由（保留）"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "经讨论取中间档（保留）" in html and "理由（保留）" in html
    assert not ConsensusScore.objects.exists()
