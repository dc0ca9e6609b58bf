"""The secretariat's judging pages: role checks, the assignment board (auto and manual,
conflict refused, reopen), the pool and its import, the conflicts board, the ranking with its
transitions, the site report, the committee decision form and the export."""
from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from judging.models import Assignment, CommitteeDecision, Conflict, JudgeProfile, SiteVisitReport
from judging.services import (
    application_shortlist,
    assignment_accept,
    assignment_create,
    conflict_add,
    judge_profile_save,
)
from nominations.models import Category
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.judging.conftest import (
    assign_and_accept,
    fill_and_submit,
    make_judges,
    new_accepted_application,
    set_judges_document,
    start_review,
)

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def secretariat_urls(cycle, app, assignment=None) -> list[tuple[str, str]]:
    urls = [("get", reverse("judging:desk")), ("get", reverse("judging:judge_list")),
            ("get", reverse("judging:judge_create")), ("get", reverse("judging:conflict_board")),
            ("get", reverse("judging:assignment_board", args=[cycle.pk])),
            ("get", reverse("judging:progress", args=[cycle.pk])),
            ("get", reverse("judging:ranking", args=[cycle.pk])),
            ("get", reverse("judging:exports", args=[cycle.pk])),
            ("get", reverse("judging:decision", args=[app.pk])),
            ("post", reverse("judging:auto_assign", args=[cycle.pk])),
            ("post", reverse("judging:assignment_create", args=[cycle.pk])),
            ("post", reverse("judging:review_transition", args=[app.pk, "start_review"]))]
    if assignment is not None:
        urls += [("post", reverse("judging:assignment_reopen", args=[assignment.pk])),
                 ("get", reverse("judging:judge_detail", args=[assignment.judge_id]))]
    return urls


def test_secretariat_pages_are_403_for_judges_applicants_and_committee(cycle, accepted, judge, applicant,
                                                                       committee_member, secretariat):
    assignment = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    for user in (judge, applicant, committee_member):
        client = login(user)
        for method, url in secretariat_urls(cycle, accepted, assignment):
            response = getattr(client, method)(url, {"auto-judges_per_application": 3, "stage": "document"})
            assert response.status_code == 403, (user.username, url)
    assert Assignment.objects.count() == 1
    accepted.refresh_from_db()
    assert accepted.state == "accepted"
    for method, url in secretariat_urls(cycle, accepted, assignment):
        if method == "get":
            assert login(secretariat).get(url).status_code == 200, url


def test_auto_assign_from_the_board_creates_assignments(cycle, accepted, secretariat):
    judges = make_judges(4)
    client = login(secretariat)
    board = reverse("judging:assignment_board", args=[cycle.pk])
    page = client.get(board)
    assert page.context["auto_form"]["judges_per_application"].value() == cycle.judges_document
    response = client.post(reverse("judging:auto_assign", args=[cycle.pk]),
                           {"stage": "document", "auto-judges_per_application": 3, "auto-seed": 42}, follow=True)
    assert response.status_code == 200
    created = list(Assignment.objects.filter(application=accepted, stage="document").order_by("pk"))
    assert len(created) == 3
    assert {a.judge_id for a in created} <= {j.pk for j in judges}
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["自动分配完成：新建 3 个评审任务（复现码 42，已记入审计记录；数据不变时用同一复现码可重现本次分配）。"]
    rows = response.context["rows"]
    assert [(r["app"].pk, r["live"]) for r in rows] == [(accepted.pk, 3)]

    response = client.post(reverse("judging:auto_assign", args=[cycle.pk]),
                           {"stage": "document", "auto-judges_per_application": 6}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0].startswith("自动分配完成：新建 1 个评审任务")
    assert "QGA-2018-0001：还缺 2 位" in messages[1]  # only four judges in the pool


def test_auto_assign_bad_input_is_refused(cycle, accepted, secretariat):
    make_judges(2)
    response = login(secretariat).post(reverse("judging:auto_assign", args=[cycle.pk]),
                                       {"stage": "document", "auto-judges_per_application": 0})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_manual_assign_of_conflicted_judge_shows_the_conflict(cycle, accepted, secretariat):
    [judge] = make_judges(1)
    JudgeProfile.objects.create(user=judge, affiliation=accepted.organization.name,
                                affiliation_uscc=accepted.organization.uscc)
    response = login(secretariat).post(reverse("judging:assignment_create", args=[cycle.pk]),
                                       {"stage": "document", "manual-application": accepted.pk,
                                        "manual-judge": judge.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "与申报单位存在利益冲突，须回避" in body
    assert "专家的工作单位" in body
    assert not Assignment.objects.exists()


def test_manual_assign_and_reopen(cycle, accepted, secretariat):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    client = login(secretariat)
    response = client.post(reverse("judging:assignment_create", args=[cycle.pk]),
                           {"stage": "document", "manual-application": accepted.pk, "manual-judge": judge.pk,
                            "manual-is_leader": "on"})
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.judge_id, assignment.is_leader, assignment.state) == (judge.pk, True, "assigned")
    assignment_accept(assignment=assignment, actor=judge)
    app = start_review(accepted, secretariat)
    fill_and_submit(assignment, judge, 60)
    url = reverse("judging:assignment_reopen", args=[assignment.pk])
    client.post(url, {"reopen-reason": ""})
    assignment.refresh_from_db()
    assert assignment.state == "submitted"
    client.post(url, {"reopen-reason": "4.7.4 的评语与分数不一致"})
    assignment.refresh_from_db()
    assert (assignment.state, assignment.reopen_reason) == ("reopened", "4.7.4 的评语与分数不一致")
    assert app.pk == assignment.application_id


def test_start_review_from_the_board_lists_what_is_missing(cycle, accepted, secretariat):
    set_judges_document(cycle, 2)
    judges = make_judges(2)
    assign_and_accept(accepted, judges[:1], secretariat)
    client = login(secretariat)
    url = reverse("judging:review_transition", args=[accepted.pk, "start_review"])
    response = client.post(url, {"next": reverse("judging:assignment_board", args=[cycle.pk])}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["还需 1 位已接受任务且无利益冲突的评审专家"]
    accepted.refresh_from_db()
    assert accepted.state == "accepted"
    assign_and_accept(accepted, judges[1:], secretariat)
    client.post(url)
    accepted.refresh_from_db()
    assert accepted.state == "document_review"
    assert client.post(reverse("judging:review_transition", args=[accepted.pk, "approve"])).status_code == 404


def test_pool_create_edit_and_relations(secretariat, organization):
    client = login(secretariat)
    response = client.post(reverse("judging:judge_create"), {
        "username": "expert1", "name": "钱学明", "email": "e1@example.com", "title": "教授",
        "affiliation": "同济大学", "affiliation_uscc": "", "expertise": "装备制造、卓越绩效", "active": "on"})
    assert response.status_code == 302
    profile = JudgeProfile.objects.select_related("user").get(user__username="expert1")
    assert (profile.user.first_name, profile.title, profile.expertise) == ("钱学明", "教授", ["装备制造", "卓越绩效"])
    detail = reverse("judging:judge_detail", args=[profile.user_id])
    bad = client.post(detail, {"profile-affiliation_uscc": "123", "profile-active": "on"})
    assert bad.status_code == 400
    profile.refresh_from_db()
    assert profile.affiliation_uscc == ""
    response = client.post(reverse("judging:judge_relation_add", args=[profile.user_id]), {
        "relation-organization_name": organization.name, "relation-organization_uscc": organization.uscc,
        "relation-kind": "consulting", "relation-since": "2016-03-01"})
    assert response.status_code == 302
    assert list(Conflict.objects.filter(judge=profile.user).values_list("organization_id", "source")) == [
        (organization.pk, "detected")]
    page = client.get(detail)
    assert organization.name in page.content.decode()
    pool = client.get(reverse("judging:judge_list"))
    assert [r["user"].username for r in pool.context["rows"]] == ["expert1"]


def test_pool_import_shows_row_errors_and_imports_nothing(secretariat):
    client = login(secretariat)
    csv = "用户名,姓名,邮箱,专业领域\nexpA,专家甲,a@example.com,新材料\n,无名,bad-mail,化工\n".encode()
    upload = io.BytesIO(csv)
    upload.name = "judges.csv"
    response = client.post(reverse("judging:judge_list"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 3 行" in body and "请填写用户名" in body and "邮箱格式不正确" in body
    assert not JudgeProfile.objects.exists()
    good = io.BytesIO("用户名,姓名,专业领域\nexpA,专家甲,新材料\n".encode())
    good.name = "judges.csv"
    response = client.post(reverse("judging:judge_list"), {"file": good}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["导入完成：新增 1 位专家，更新 0 位。"]
    assert list(JudgeProfile.objects.values_list("user__username", "expertise")) == [("expA", ["新材料"])]


def test_conflicts_board_add_and_dismiss(cycle, accepted, secretariat):
    [judge] = make_judges(1)
    judge_profile_save(user=judge, actor=secretariat, affiliation="同名公司", affiliation_uscc=accepted.organization.uscc)
    client = login(secretariat)
    board = client.get(reverse("judging:conflict_board"), {"cycle": cycle.pk})
    [detected] = board.context["page_obj"].object_list
    assert (detected.judge_id, detected.source, detected.status) == (judge.pk, "detected", "active")
    assert "专家的工作单位" in board.content.decode()
    url = reverse("judging:conflict_dismiss", args=[detected.pk])
    client.post(url, {"dismiss-reason": ""})
    detected.refresh_from_db()
    assert detected.status == "active"
    client.post(url, {"dismiss-reason": "代码录入错误，实为另一单位"})
    detected.refresh_from_db()
    assert (detected.status, detected.decision_note) == ("dismissed", "代码录入错误，实为另一单位")

    committee = f.UserFactory(username="cm", groups=["committee"])
    response = client.post(reverse("judging:conflict_board"), {
        "add-judge": committee.pk, "add-organization": accepted.organization_id, "add-reason": "委员曾任该公司顾问",
        "add-pinned": "on"})
    assert response.status_code == 302
    added = Conflict.objects.get(judge=committee)
    assert (added.source, added.pinned, added.status) == ("secretariat", True, "active")
    pinned = client.get(reverse("judging:conflict_board"), {"status": "pinned"})
    assert [c.pk for c in pinned.context["page_obj"].object_list] == [added.pk]


@pytest.fixture
def scored_cycle(cycle, accepted, secretariat, recommender, unit):
    """Two applications in document review, two judges each, every sheet submitted."""
    set_judges_document(cycle, 2)
    judges = make_judges(2)
    second = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    apps = []
    for app, percents in ((accepted, (70, 80)), (second, (40, 75))):
        assignments = assign_and_accept(app, judges, secretariat)
        app = start_review(app, secretariat)
        for a, j, p in zip(assignments, judges, percents):
            fill_and_submit(a, j, p)
        apps.append(app)
    return apps, judges


def test_ranking_shows_scores_flags_and_leniency(cycle, scored_cycle, secretariat):
    (first, second), judges = scored_cycle
    category = Category.objects.get(cycle=cycle, code="ORG")
    page = login(secretariat).get(reverse("judging:ranking", args=[cycle.pk]), {"category": category.pk})
    rows = page.context["rows"]
    assert [(r.rank, r.application, str(r.mean), str(r.final_score)) for r in rows] == [
        (1, first.pk, "750.00", "750.00"), (2, second.pk, "575.00", "575.00")]
    second_flags = [fl.label for fl in rows[1].flag_list]
    assert len(second_flags) == 23 and second_flags[0] == "4.1.2 分歧大"
    body = page.content.decode()
    assert "4.1.2 分歧大" in body and "入围现场评审" in body and "专家宽严度" in body
    assert [(l.judge_name, str(l.leniency)) for l in page.context["leniency"]] == [
        (judges[1].first_name, "225.00"), (judges[0].first_name, "-225.00")]


def test_shortlist_and_eliminate_from_the_ranking(cycle, scored_cycle, secretariat):
    (first, second), judges = scored_cycle
    client = login(secretariat)
    ranking = reverse("judging:ranking", args=[cycle.pk])
    client.post(reverse("judging:review_transition", args=[first.pk, "shortlist"]), {"next": ranking})
    client.post(reverse("judging:review_transition", args=[second.pk, "eliminate"]), {"next": ranking})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("site_review", "eliminated")


@pytest.fixture
def evaluated(cycle, scored_cycle, secretariat):
    (first, second), judges = scored_cycle
    app = application_shortlist(application=first, actor=secretariat)
    [site] = assign_and_accept(app, judges[:1], secretariat, stage="site")
    fill_and_submit(site, judges[0], 75)
    return app, judges


def test_site_report_form_then_finish_review(cycle, evaluated, secretariat):
    app, judges = evaluated
    leader = login(judges[0])
    url = reverse("judging:site_report", args=[app.pk])
    assert login(judges[1]).get(url).status_code == 404  # not on the site panel
    refused = leader.post(url, {"summary": "", "f-4.7.4": "数据一致", "a-4.7.4": "72"})
    assert refused.status_code == 400
    assert "请填写现场评审综述" in refused.content.decode()
    assert not SiteVisitReport.objects.exists()
    assert leader.post(url, {"summary": "现场核实情况良好", "recommendation": "建议授奖", "visited_on": "2018-09-20",
                             "f-4.7.4": "财务数据与报告一致", "a-4.7.4": "70"}).status_code == 302
    report = SiteVisitReport.objects.get()
    assert (report.summary, report.findings) == ("现场核实情况良好", [
        {"criterion": "4.7.4", "finding": "财务数据与报告一致", "adjusted_percent": 70}])
    client = login(secretariat)
    client.post(reverse("judging:review_transition", args=[app.pk, "finish_review"]))
    app.refresh_from_db()
    assert app.state == "evaluated"


def test_decision_form_records_the_vote_with_recusal_and_quota_warning(cycle, evaluated, secretariat):
    app, judges = evaluated
    SiteVisitReport.objects.create(application=app, leader=judges[0], summary="良好", submitted_at=app.updated_at)
    app = application_transition(application=app, name="finish_review", actor=secretariat)
    Category.objects.filter(pk=app.category_id).update(quota=0)
    member = f.UserFactory(username="cm1", first_name="委员甲", groups=["committee"])
    conflicted = f.UserFactory(username="cm2", first_name="委员乙", groups=["committee"])
    conflict_add(judge=conflicted, organization=app.organization, actor=secretariat, reason="曾任顾问")
    client = login(secretariat)
    url = reverse("judging:decision", args=[app.pk])
    page = client.get(url)
    assert [m["name"] for m in page.context["row"].recused] == ["委员乙"]
    assert "委员乙" in page.content.decode()
    refused = client.post(url, {"outcome": "approve", "decided_on": "2018-11-20", "votes_for": "",
                                "votes_against": 0, "votes_abstain": 0})
    assert refused.status_code == 400
    assert not CommitteeDecision.objects.exists()
    form = {"outcome": "approve", "decided_on": "2018-11-20", "votes_for": 7, "votes_against": 1, "votes_abstain": 0,
            "minute": "第一次会议纪要"}
    ask = client.post(url, form)  # a decision is locked once recorded: it is confirmed first
    assert ask.status_code == 200 and "请确认" in ask.content.decode() and not CommitteeDecision.objects.exists()
    wrong = client.post(url, {**form, "votes_for": 0, "votes_against": 1})
    assert "不能记录为“审定通过”" in wrong.content.decode() and not CommitteeDecision.objects.exists()
    response = client.post(url, {**form, "confirmed": "1"}, follow=True)
    decision = CommitteeDecision.objects.prefetch_related("recused").get()
    assert (decision.outcome, decision.votes_for, decision.votes_against, decision.minute) == (
        "approve", 7, 1, "第一次会议纪要")
    assert [u.pk for u in decision.recused.all()] == [conflicted.pk]
    app.refresh_from_db()
    assert app.state == "approved"
    assert member.pk not in [u.pk for u in decision.recused.all()]
    assert any("已记录审定结果" in str(m) for m in response.context["messages"])


def test_export_is_an_xlsx_with_a_ranking_sheet(cycle, scored_cycle, secretariat):
    """The API's export (API.md); on the web the export runs as a background job (tests/ux/test_jobs.py)."""
    response = login(secretariat).get(f"/api/v1/cycles/{cycle.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "排名"
