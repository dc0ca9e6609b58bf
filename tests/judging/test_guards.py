"""Application transitions completed by judging: start_review, shortlist, eliminate, finish_review."""
import pytest
from rest_framework.test import APIClient

from judging.services import (
    application_shortlist,
    assignment_accept,
    assignment_create,
    conflict_add,
    site_report_save,
)
from nominations.enums import ApplicationState
from nominations.errors import ConditionsUnmet
from nominations.services.transitions import application_transition
from tests.judging.conftest import assign_and_accept, fill_and_submit, make_judges


def transition(user, app, name, **extra):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/applications/{app.pk}/transitions/", {"name": name, "note": "", **extra},
                       format="json")


def test_start_review_needs_the_configured_number_of_accepted_conflict_free_judges(accepted, secretariat):
    judges = make_judges(5)
    assign_and_accept(accepted, judges[:3], secretariat)
    pending = assignment_create(application=accepted, judge=judges[3], stage="document", actor=secretariat)
    response = transition(secretariat, accepted, "start_review")
    assert response.status_code == 400
    assert response.json()["missing"] == ["还需 2 位已接受任务且无利益冲突的评审专家"]
    assignment_accept(assignment=pending, actor=judges[3])
    assign_and_accept(accepted, judges[4:], secretariat)
    conflict_add(judge=judges[0], organization=accepted.organization, actor=secretariat, reason="新发现的关联")
    response = transition(secretariat, accepted, "start_review")
    assert response.json()["missing"] == ["还需 1 位已接受任务且无利益冲突的评审专家"]
    accepted.refresh_from_db()
    assert accepted.state == ApplicationState.ACCEPTED


def test_start_review_passes_with_enough_judges(review_app):
    app, _ = review_app
    assert app.state == ApplicationState.DOCUMENT_REVIEW


def test_shortlist_and_eliminate_need_every_document_sheet(review_app, judges, secretariat):
    app, assignments = review_app
    for a, j in zip(assignments[:3], judges[:3]):
        fill_and_submit(a, j, 60)
    response = transition(secretariat, app, "shortlist")
    assert response.status_code == 400
    assert response.json()["missing"] == ["专家 专家J4 的资料评审评分表尚未提交（评审中）",
                                          "专家 专家J5 的资料评审评分表尚未提交（评审中）"]
    assert transition(secretariat, app, "eliminate").json()["missing"] == response.json()["missing"]
    for a, j in zip(assignments[3:], judges[3:]):
        fill_and_submit(a, j, 60)
    assert transition(secretariat, app, "shortlist").json()["state"] == "site_review"


def test_finish_review_from_site_needs_site_sheets_and_the_report(review_app, judges, secretariat):
    app, assignments = review_app
    for a, j in zip(assignments, judges):
        fill_and_submit(a, j, 60)
    app = application_shortlist(application=app, actor=secretariat, note="入围")
    site = assign_and_accept(app, judges[:2], secretariat, stage="site")
    fill_and_submit(site[0], judges[0], 70)
    with pytest.raises(ConditionsUnmet) as exc:
        application_transition(application=app, name="finish_review", actor=secretariat)
    assert exc.value.missing == ["专家 专家J2 的现场评审评分表尚未提交（评审中）", "尚未提交现场评审报告"]
    fill_and_submit(site[1], judges[1], 75)
    site_report_save(application=app, actor=judges[0], summary="现场核实：体系运行有效。", recommendation="建议授奖",
                     findings=[{"criterion": "4.7.4", "finding": "财务数据与报告一致", "adjusted_percent": 70}])
    response = transition(secretariat, app, "finish_review")
    assert (response.status_code, response.json()["state"]) == (200, "evaluated")


def test_finish_review_without_site_stage_needs_every_document_sheet(secretariat, recommender, unit):
    from tests import factories as f
    from tests.judging.conftest import set_judges_document, start_review

    qb = f.open_cycle("QB", secretariat=secretariat)
    set_judges_document(qb, 2)
    judges = make_judges(2, prefix="qb")
    user = f.UserFactory(username="qb-applicant")
    org = f.OrganizationFactory()
    f.member(user, org)
    app = f.draft_application(cycle=qb, applicant=user, organization=org, unit=unit, category_code="TYPICAL")
    app = f.advance(app, ["submit", "endorse", "accept"], {"submit": user, "endorse": recommender,
                                                            "accept": secretariat})
    assignments = assign_and_accept(app, judges, secretariat)
    app = start_review(app, secretariat)
    fill_and_submit(assignments[0], judges[0], 80)
    response = transition(secretariat, app, "finish_review")
    assert response.json()["missing"] == ["专家 专家QB2 的资料评审评分表尚未提交（评审中）"]
    fill_and_submit(assignments[1], judges[1], 70)
    assert transition(secretariat, app, "finish_review").json()["state"] == "evaluated"
