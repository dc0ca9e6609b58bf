"""Site report permissions, committee decisions with votes and recusal, quota warnings."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from judging.errors import InvalidState, JudgingError, NotFound, NotPermitted
from judging.models import CommitteeDecision, SiteVisitReport
from judging.selectors import committee_ranking
from judging.services import (
    application_shortlist,
    committee_decision_record,
    conflict_add,
    site_report_save,
)
from nominations.errors import ConditionsUnmet
from nominations.models import Application, AuditEntry, Category
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.judging.conftest import assign_and_accept, fill_and_submit, set_judges_document, start_review


@pytest.fixture
def evaluated(cycle, accepted, secretariat):
    """The application evaluated after document review (2 judges), a site visit (1 judge) and a report."""
    set_judges_document(cycle, 2)
    judges = [f.UserFactory(username=f"cj{i}", first_name=f"委员专家{i}", groups=["judge"]) for i in (1, 2)]
    assignments = assign_and_accept(accepted, judges, secretariat)
    app = start_review(accepted, secretariat)
    for a, j in zip(assignments, judges):
        fill_and_submit(a, j, 70)
    app = application_shortlist(application=app, actor=secretariat)
    [site] = assign_and_accept(app, judges[:1], secretariat, stage="site")
    fill_and_submit(site, judges[0], 75)
    site_report_save(application=app, actor=judges[0], summary="现场评审情况良好。", recommendation="建议授奖")
    return application_transition(application=app, name="finish_review", actor=secretariat)


def test_site_report_only_by_site_leader_or_secretariat(cycle, accepted, secretariat):
    set_judges_document(cycle, 2)
    judges = [f.UserFactory(username=f"sr{i}", groups=["judge"]) for i in (1, 2, 3)]
    assignments = assign_and_accept(accepted, judges[:2], secretariat)
    app = start_review(accepted, secretariat)
    with pytest.raises(InvalidState):
        site_report_save(application=app, actor=secretariat, summary="太早")
    for a, j in zip(assignments, judges):
        fill_and_submit(a, j, 60)
    app = application_shortlist(application=app, actor=secretariat)
    assign_and_accept(app, judges[:2], secretariat, stage="site")  # sr1 leads
    with pytest.raises(NotPermitted):
        site_report_save(application=app, actor=judges[1], summary="组员不能写")
    with pytest.raises(NotFound):
        site_report_save(application=app, actor=judges[2], summary="不在评审组")
    with pytest.raises(JudgingError) as exc:
        site_report_save(application=app, actor=judges[0], summary=" ",
                         findings=[{"criterion": "4.7.4", "finding": "x", "adjusted_percent": 72}])
    assert exc.value.field_errors == {"summary": ["请填写现场评审综述。"],
                                      "findings": ["第 1 条发现（4.7.4）：调整后分数必须是 0–100 之间 5 的倍数。"]}
    assert not SiteVisitReport.objects.exists()
    client = APIClient()
    client.force_authenticate(judges[0])
    response = client.put(f"/api/v1/applications/{app.pk}/site-report/",
                          {"summary": "现场核实", "recommendation": "建议授奖",
                           "findings": [{"criterion": "4.7.4", "finding": "数据一致", "adjusted_percent": 70}]},
                          format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["summary"], body["recommendation"], body["findings"]) == (
        "现场核实", "建议授奖", [{"criterion": "4.7.4", "finding": "数据一致", "adjusted_percent": 70}])
    client.force_authenticate(secretariat)
    assert client.get(f"/api/v1/applications/{app.pk}/site-report/").json()["summary"] == "现场核实"


def _decide(app, actor, outcome="approve", **kw):
    from judging.services.committee import committee_decision_record

    values = {"decided_on": None, "votes_for": None, "votes_against": None, "votes_abstain": None, **kw}
    return committee_decision_record(application=app, outcome=outcome, actor=actor, minute="纪要", **values)


def test_decision_needs_date_and_votes(evaluated, secretariat):
    with pytest.raises(JudgingError) as exc:
        _decide(evaluated, secretariat)
    assert exc.value.missing == ["请填写审定委员会会议日期。", "请填写赞成票数。", "请填写反对票数。", "请填写弃权票数。"]
    with pytest.raises(JudgingError) as exc:
        _decide(evaluated, secretariat, decided_on="2099-01-01", votes_for=0, votes_against=-1, votes_abstain=0)
    assert exc.value.missing == ["会议日期不能晚于今天。", "反对票数应为非负整数。"]
    with pytest.raises(JudgingError, match="投票总数不能为 0"):
        _decide(evaluated, secretariat, decided_on="2024-08-20", votes_for=0, votes_against=0, votes_abstain=0)
    assert not CommitteeDecision.objects.exists()
    evaluated.refresh_from_db()
    assert evaluated.state == "evaluated"


@pytest.mark.parametrize("outcome,votes,message", [
    ("approve", (0, 1, 0), "不能记录为“审定通过”"),   # the case: 0 for, 1 against
    ("approve", (5, 3, 2), "不能记录为“审定通过”"),   # for must beat against + abstain
    ("decline", (9, 1, 0), "不能记录为“不予通过”"),
    ("approve", (10, 5, 1), "超过审定委员会人数"),     # 16 votes, committee of 15
])
def test_decision_must_agree_with_its_votes(evaluated, secretariat, outcome, votes, message):
    f_, a_, b_ = votes
    with pytest.raises(JudgingError, match=message):
        _decide(evaluated, secretariat, outcome, decided_on="2024-08-20", votes_for=f_, votes_against=a_,
                votes_abstain=b_)
    assert not CommitteeDecision.objects.exists()
    evaluated.refresh_from_db()
    assert evaluated.state == "evaluated"


def test_quorum_is_configurable_per_cycle(evaluated, secretariat):
    type(evaluated.cycle).objects.filter(pk=evaluated.cycle_id).update(committee_quorum=8)
    with pytest.raises(JudgingError, match="不足法定人数 8"):
        _decide(evaluated, secretariat, decided_on="2024-08-20", votes_for=5, votes_against=1, votes_abstain=0)
    result = _decide(evaluated, secretariat, decided_on="2024-08-20", votes_for=7, votes_against=1, votes_abstain=0)
    assert (result.application.state, result.decision.votes_for) == ("approved", 7)


def test_the_bare_transition_cannot_record_a_decision(evaluated, secretariat):
    with pytest.raises(ConditionsUnmet) as exc:
        application_transition(application=evaluated, name="approve", actor=secretariat)
    assert exc.value.code == "act_required"
    evaluated.refresh_from_db()
    assert evaluated.state == "evaluated"


def test_committee_vote_records_decision_with_recusal(evaluated, secretariat, committee_member):
    other = f.UserFactory(username="committee2", first_name="委员二", groups=["committee"])
    conflict_add(judge=committee_member, organization=evaluated.organization, actor=secretariat,
                 reason="该委员曾任申报单位顾问")
    [row] = committee_ranking(cycle=evaluated.cycle, category=evaluated.category)
    assert [r["id"] for r in row.recused] == [committee_member.pk]
    result = committee_decision_record(application=evaluated, outcome="approve", decided_on=dt.date(2024, 8, 20),
                                       votes_for=5, votes_against=1, votes_abstain=0, minute="第三次审定会议",
                                       recused=[other.pk], actor=secretariat)
    assert result.application.state == "approved"
    decision = CommitteeDecision.objects.get()
    assert (decision.outcome, decision.decided_on, decision.votes_for, decision.votes_against,
            decision.votes_abstain, decision.minute, decision.recorded_by) == (
        "approve", dt.date(2024, 8, 20), 5, 1, 0, "第三次审定会议", secretariat)
    assert sorted(u.username for u in decision.recused.all()) == ["committee", "committee2"]
    assert result.warnings == []
    entry = AuditEntry.objects.get(action="decision.approve")
    assert entry.data["recused"] == sorted([committee_member.pk, other.pk])


def test_decision_through_the_generic_transition_api(evaluated, secretariat):
    client = APIClient()
    client.force_authenticate(secretariat)
    response = client.post(f"/api/v1/applications/{evaluated.pk}/transitions/",
                           {"name": "decline", "note": "票数未达三分之二", "decided_on": "2024-08-20",
                            "votes_for": 3, "votes_against": 4, "votes_abstain": 1}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "not_awarded")
    decision = CommitteeDecision.objects.get()
    assert (decision.outcome, decision.votes_against, decision.minute) == ("decline", 4, "票数未达三分之二")


def test_approvals_over_quota_warn_but_proceed(evaluated, secretariat):
    Category.objects.filter(pk=evaluated.category_id).update(quota=0)
    assert committee_decision_record(application=evaluated, outcome="approve", decided_on="2024-08-20",
                                     votes_for=7, votes_against=0, votes_abstain=0,
                                     actor=secretariat).warnings == []  # 0 = unlimited
    Category.objects.filter(pk=evaluated.category_id).update(quota=1)
    other = _second_evaluated(evaluated, secretariat)
    client = APIClient()
    client.force_authenticate(secretariat)
    response = client.post(f"/api/v1/applications/{other.pk}/decision/",
                           {"outcome": "approve", "decided_on": "2024-08-20", "votes_for": 6, "votes_against": 1,
                            "votes_abstain": 0, "minute": "超额通过"}, format="json")
    body = response.json()
    assert (response.status_code, body["application"]["state"]) == (200, "approved")
    assert body["warnings"] == ["“组织（先进质量管理模式）”名额为 1 个，已审定通过 2 个，超出 1 个。"]
    assert body["decision"]["votes_for"] == 6


def _second_evaluated(first, secretariat):
    judge_ids = list(first.assignments.filter(stage="document").values_list("judge", flat=True))
    judges = list(get_user_model().objects.filter(pk__in=judge_ids).order_by("pk"))
    recommender = f.UserFactory(username="rec2")
    f.recommender_member(recommender, first.recommending_unit)
    user = f.UserFactory(username="second-applicant")
    org = f.OrganizationFactory()
    f.member(user, org)
    app = f.draft_application(cycle=first.cycle, applicant=user, organization=org, unit=first.recommending_unit)
    app = f.advance(app, ["submit", "endorse", "accept"], {"submit": user, "endorse": recommender,
                                                            "accept": secretariat})
    assignments = assign_and_accept(app, judges, secretariat)
    app = start_review(app, secretariat)
    for a, j in zip(assignments, judges):
        fill_and_submit(a, j, 65)
    app = application_shortlist(application=app, actor=secretariat)
    [site] = assign_and_accept(app, judges[:1], secretariat, stage="site")
    fill_and_submit(site, judges[0], 70)
    site_report_save(application=app, actor=secretariat, summary="良好")
    application_transition(application=app, name="finish_review", actor=secretariat)
    return Application.objects.get(pk=app.pk)


# -- the decision through every entry point that offers it --------------------------------------
DECISION_ENTRY_POINTS = ["page", "api_transitions", "api_decision"]


def _record(entry, client, app, actor, *, outcome, votes):
    f_, a_, b_ = votes
    if entry == "page":
        client.force_login(actor)
        return client.post(f"/judging/applications/{app.pk}/decision/", {
            "outcome": outcome, "decided_on": "2024-08-20", "votes_for": f_, "votes_against": a_,
            "votes_abstain": b_, "minute": "纪要", "confirmed": "1"})
    api = APIClient()
    api.force_authenticate(actor)
    if entry == "api_transitions":
        return api.post(f"/api/v1/applications/{app.pk}/transitions/", {
            "name": outcome, "note": "纪要", "decided_on": "2024-08-20", "votes_for": f_, "votes_against": a_,
            "votes_abstain": b_}, format="json")
    return api.post(f"/api/v1/applications/{app.pk}/decision/", {
        "outcome": outcome, "decided_on": "2024-08-20", "votes_for": f_, "votes_against": a_, "votes_abstain": b_,
        "minute": "纪要"}, format="json")


@pytest.mark.parametrize("entry", DECISION_ENTRY_POINTS)
def test_votes_against_the_outcome_are_refused_at_every_entry_point(entry, client, evaluated, secretariat):
    response = _record(entry, client, evaluated, secretariat, outcome="approve", votes=(0, 1, 0))
    assert response.status_code == 400
    assert "不能记录为“审定通过”" in response.content.decode()
    evaluated.refresh_from_db()
    assert (evaluated.state, CommitteeDecision.objects.count()) == ("evaluated", 0)


@pytest.mark.parametrize("entry", DECISION_ENTRY_POINTS)
def test_a_carried_decision_is_recorded_with_its_votes_at_every_entry_point(entry, client, evaluated, secretariat):
    _record(entry, client, evaluated, secretariat, outcome="decline", votes=(3, 4, 2))
    evaluated.refresh_from_db()
    decision = CommitteeDecision.objects.get(application=evaluated)
    assert (evaluated.state, decision.outcome, decision.votes_for, decision.votes_against, decision.votes_abstain) == (
        "not_awarded", "decline", 3, 4, 2)
    assert AuditEntry.objects.filter(object_id=str(evaluated.pk), action="decline").count() == 1


@pytest.mark.parametrize("path,body", [
    ("transitions", {"name": "approve", "recused": [99999999999999999999]}),
    ("decision", {"outcome": "approve", "recused": [99999999999999999999]}),
])
def test_an_out_of_range_member_id_is_a_400_not_a_500(evaluated, secretariat, path, body):
    api = APIClient()
    api.force_authenticate(secretariat)
    response = api.post(f"/api/v1/applications/{evaluated.pk}/{path}/", {
        **body, "decided_on": "2024-08-20", "votes_for": 5, "votes_against": 0, "votes_abstain": 0}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["recused"]
    evaluated.refresh_from_db()
    assert evaluated.state == "evaluated"
