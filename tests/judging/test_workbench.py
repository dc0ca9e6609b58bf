"""The 工作台 (home page) per role: the counts are right, each count's link opens a list that shows
exactly those items, a role sees only its own to-dos, and the number of queries does not grow
with the number of applications or tasks (1 vs 3)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from judging.services import assignment_create, assignment_set_due, consensus_save
from judging.services.site_visits import application_shortlist
from judging.services.site_visits import site_report_save
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.judging.conftest import (
    assign_and_accept,
    fill,
    fill_and_submit,
    gbt_codes,
    make_judges,
    new_accepted_application,
    set_judges_document,
    start_review,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _todos(response, key: str):
    """Every to-do of the page with this key (one per cycle for the secretariat's)."""
    found = []
    for name in ("applicant_todos", "recommender_todos", "judge_todos", "committee_todos", "secretariat_general"):
        found += [t for t in response.context.get(name) or [] if t.key == key]
    for group in response.context.get("secretariat_groups") or []:
        found += [t for t in group.todos if t.key == key]
    return found


def _todo(response, key: str):
    [todo] = _todos(response, key)
    return todo


def _listed(client, url) -> list[int]:
    """The application ids a filtered list shows."""
    page = client.get(url)
    assert page.status_code == 200
    ctx = page.context
    if "page_obj" in ctx and ctx["page_obj"] is not None and "rows" not in ctx:
        return sorted(a.pk for a in ctx["page_obj"].object_list)
    rows = ctx["rows"]
    ids = []
    for row in rows:
        if isinstance(row, tuple):
            ids.append(row[0].pk)
        elif isinstance(row, dict):
            ids.append(row.get("app", row.get("application")).pk)
        else:
            ids.append(row.application)
    return sorted(ids)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# -- the secretariat ------------------------------------------------------------------------------
def test_secretariat_formal_review_counts_only_what_waits_for_the_secretariat(
        cycle, secretariat, applicant, organization, other_applicant, other_organization, unit, actors):
    waiting = f.advance(f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit),
                        ["submit", "endorse"], actors)
    other = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit)
    with_recommender = f.advance(other, ["submit"], {**actors, "submit": other_applicant})
    client = _client(secretariat)

    home = client.get(reverse("home"))

    formal = _todo(home, "formal_review")
    assert formal.count == 1
    assert _listed(client, formal.url) == [waiting.pk]
    recommending = _todo(home, "awaiting_recommender")
    assert recommending.count == 1
    assert _listed(client, recommending.url) == [with_recommender.pk]
    assert 'href="%s"' % formal.url.replace("&", "&amp;") in home.content.decode()


def test_secretariat_understaffed_overdue_and_their_lists(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    short = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assign_and_accept(short, [j1], secretariat)
    staffed = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    a1, a2 = assign_and_accept(staffed, [j1, j2], secretariat)
    start_review(staffed, secretariat)
    earlier = timezone.now() - dt.timedelta(days=3)
    assignment_set_due(assignment=a1, due_at=earlier + dt.timedelta(days=1), actor=secretariat, now=earlier)
    client = _client(secretariat)

    home = client.get(reverse("home"))

    understaffed = _todo(home, "understaffed_document")
    assert understaffed.count == 1
    assert [r["app"].pk for r in client.get(understaffed.url).context["rows"]] == [short.pk]
    overdue = _todo(home, "overdue")
    assert (overdue.count, overdue.urgent) == (1, True)
    assert [r["application"].pk for r in client.get(overdue.url).context["rows"]] == [staffed.pk]


def test_secretariat_disagreement_until_consensus_recorded(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    calm = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    panels = [assign_and_accept(a, [j1, j2], secretariat) for a in (app, calm)]
    for a in (app, calm):
        start_review(a, secretariat)
    code = gbt_codes()[0]
    fill_and_submit(panels[0][0], j1, {code: 80})
    fill_and_submit(panels[0][1], j2, {code: 45})  # 35 points apart on one item
    fill_and_submit(panels[1][0], j1, 60)
    fill_and_submit(panels[1][1], j2, 65)
    client = _client(secretariat)

    home = client.get(reverse("home"))
    todo = _todo(home, "disagreement")

    assert todo.count == 1
    [group] = home.context["secretariat_groups"]
    [dist] = group.distributions  # the category's document-review means, as a chart with its table
    assert sum(int(row[1]) for row in dist.rows) == 2 and 'role="img"' in dist.svg
    page = client.get(todo.url)
    assert [(r["application"].pk, r["disagreement"]) for r in page.context["rows"]] == [(app.pk, [code])]
    consensus_save(application=app, stage="document", actor=j1,
                   items=[{"criterion": code, "percent": 60, "comment": "合议"}])
    assert _todos(client.get(reverse("home")), "disagreement") == []


def test_secretariat_sees_notice_objection_and_certificate_todos(cycle, secretariat, organization, applicant, unit,
                                                                  actors):
    home = _client(secretariat).get(reverse("home"))
    keys = {t.key for g in home.context["secretariat_groups"] for t in g.todos}
    assert keys <= {"formal_review", "awaiting_recommender", "to_decide", "in_notice", "notice_due", "certificates",
                    "understaffed_document", "understaffed_site", "overdue", "disagreement"}
    assert home.context["secretariat_general"] == []


def test_secretariat_dashboard_queries_do_not_grow(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 2)
    [judge] = make_judges(1)
    client = _client(secretariat)

    def one_more():
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
        assign_and_accept(app, [judge], secretariat)

    one_more()
    other = f.open_cycle("MQA", secretariat=secretariat)
    one = _queries(client, reverse("home"))
    one_more()
    one_more()
    f.open_cycle("QB", secretariat=secretariat)

    three = _queries(client, reverse("home"))

    assert _todo(client.get(reverse("home")), "understaffed_document").count == 3
    assert three == one
    assert other.pk


# -- judges -----------------------------------------------------------------------------------------
def test_judge_todos_and_the_filtered_task_list(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 1)
    lead, other = make_judges(2)
    to_accept = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assignment_create(application=to_accept, judge=lead, stage="document", actor=secretariat)
    waiting = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assign_and_accept(waiting, [lead], secretariat)  # accepted, review not started: not to score yet
    scoring = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    [s] = assign_and_accept(scoring, [lead], secretariat)
    start_review(scoring, secretariat)
    fill(s, lead, 50)
    agreed = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    mine, theirs = assign_and_accept(agreed, [lead, other], secretariat)
    start_review(agreed, secretariat)
    fill_and_submit(mine, lead, 60)
    fill_and_submit(theirs, other, 65)
    client = _client(lead)

    home = client.get(reverse("home"))

    counts = {t.key: t.count for t in home.context["judge_todos"]}
    assert counts == {"to_accept": 1, "to_score": 1, "to_consensus": 1, "waiting": 1}
    expected = {"to_accept": to_accept, "to_score": scoring, "to_consensus": agreed, "waiting": waiting}
    for todo in home.context["judge_todos"]:
        page = client.get(todo.url)
        shown = [a.application_id for g in page.context["groups"] for a in g["rows"]]
        assert shown == [expected[todo.key].pk], todo.key
    assert [line.title for line in _todo(home, "to_score").lines] == [scoring.title]
    assert home.context.get("secretariat_groups") is None and home.context.get("committee_todos") is None
    # the other judge is not the leader: nothing to record
    assert {t.key: t.count for t in _client(other).get(reverse("home")).context["judge_todos"]}["to_consensus"] == 0


def test_judge_task_list_no_longer_says_in_review_before_the_stage_opens(cycle, recommender, unit, secretariat):
    [judge] = make_judges(1)
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assign_and_accept(app, [judge], secretariat)

    page = _client(judge).get(reverse("judging:home"))

    groups = {g["key"]: [a.application_id for a in g["rows"]] for g in page.context["groups"]}
    assert groups["waiting"] == [app.pk] and groups["scoring"] == []
    assert "待开始评审" in page.content.decode()


def test_judge_dashboard_queries_do_not_grow(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    client = _client(judge)

    def scoring():
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
        assign_and_accept(app, [judge], secretariat)
        start_review(app, secretariat)

    scoring()
    one = _queries(client, reverse("home"))
    scoring()
    scoring()

    three = _queries(client, reverse("home"))

    assert _todo(client.get(reverse("home")), "to_score").count == 3
    assert three == one


# -- the committee ------------------------------------------------------------------------------------
def _evaluated(cycle, recommender, unit, secretariat, judges, *, summary="现场评审情况良好。"):
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assignments = assign_and_accept(app, judges, secretariat)
    app = start_review(app, secretariat)
    code = gbt_codes()[1]
    fill_and_submit(assignments[0], judges[0], 70)
    fill_and_submit(assignments[1], judges[1], {code: 100})
    app = application_shortlist(application=app, actor=secretariat)
    site = assign_and_accept(app, judges, secretariat, stage="site")
    fill_and_submit(site[0], judges[0], {code: 90})
    fill_and_submit(site[1], judges[1], {code: 50})
    site_report_save(application=app, actor=judges[0], summary=summary, recommendation="建议授奖")
    return application_transition(application=app, name="finish_review", actor=secretariat), code


def test_committee_pending_rankings_with_flags_and_site_summary(cycle, recommender, unit, secretariat,
                                                                committee_member):
    set_judges_document(cycle, 2)
    judges = make_judges(2)
    app, code = _evaluated(cycle, recommender, unit, secretariat, judges)
    client = _client(committee_member)

    home = client.get(reverse("home"))

    [todo] = home.context["committee_todos"]
    assert todo.count == 1
    [line] = todo.lines
    assert (line.flags, line.excerpt) == ([code], "现场评审情况良好。")
    page = client.get(todo.url)
    assert [r.application for r in page.context["rows"]] == [app.pk]
    assert page.context["pending"] is True
    assert client.get(line.url).status_code == 200
    assert home.context.get("judge_todos") is None and home.context.get("secretariat_groups") is None


# -- recommenders and applicants ------------------------------------------------------------------------
def test_recommender_and_applicant_todos_link_to_exactly_their_items(cycle, applicant, organization, recommender,
                                                                      unit, other_applicant, other_organization,
                                                                      actors, secretariat):
    submitted = f.advance(f.draft_application(cycle=cycle, applicant=applicant, organization=organization,
                                              unit=unit), ["submit"], actors)
    draft = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit, title="草稿二",
                                category_code="IND")
    f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit,
                        title="别家的草稿")
    rec = _client(recommender)

    todo = _todo(rec.get(reverse("home")), "to_endorse")

    assert todo.count == 1
    assert [app.pk for app, _step in rec.get(todo.url).context["rows"]] == [submitted.pk]
    assert [line.title for line in todo.lines] == [submitted.title]

    mine = _client(applicant)
    home = mine.get(reverse("home"))
    drafts = _todo(home, "draft")
    assert drafts.count == 1 and "申报截止" in drafts.hint
    assert [app.pk for app, _step in mine.get(drafts.url).context["rows"]] == [draft.pk]
    progressing = _todo(home, "in_progress")
    assert [app.pk for app, _step in mine.get(progressing.url).context["rows"]] == [submitted.pk]
    assert home.context.get("recommender_todos") is None and home.context.get("judge_todos") is None


def test_applicant_returned_todo_has_the_amendment_deadline(submitted, applicant, secretariat):
    app = application_transition(application=submitted, name="return", actor=secretariat, note="请补充材料")
    home = _client(applicant).get(reverse("home"))

    todo = _todo(home, "returned")

    assert todo.count == 1 and todo.urgent
    assert timezone.localtime(app.amendment_deadline).strftime("%Y-%m-%d %H:%M") in todo.hint


def test_nav_highlights_only_the_workbench_on_home_and_only_tasks_on_judging(judge):
    client = _client(judge)
    home = client.get(reverse("home")).content.decode()
    tasks = client.get(reverse("judging:home")).content.decode()

    assert home.count('aria-current="page"') == 1 and tasks.count('aria-current="page"') == 1
    assert 'aria-current="page">工作台' in home and 'aria-current="page">评审任务' in tasks


def test_committee_dashboard_queries_do_not_grow(cycle, recommender, unit, secretariat, committee_member):
    set_judges_document(cycle, 2)
    judges = make_judges(2)
    client = _client(committee_member)
    _evaluated(cycle, recommender, unit, secretariat, judges)
    one = _queries(client, reverse("home"))
    _evaluated(cycle, recommender, unit, secretariat, judges)
    _evaluated(cycle, recommender, unit, secretariat, judges)

    three = _queries(client, reverse("home"))

    [todo] = client.get(reverse("home")).context["committee_todos"]
    assert (todo.count, len(todo.lines)) == (3, 3)
    assert three == one


def test_recommender_dashboard_queries_do_not_grow(cycle, unit, recommender, actors):
    client = _client(recommender)

    def submitted(n):
        org = f.OrganizationFactory(name=f"推荐测试{n}号有限公司")
        user = f.UserFactory(username=f"rec-app-{n}")
        f.member(user, org)
        f.advance(f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit),
                  ["submit"], {"submit": user})

    submitted(1)
    one = _queries(client, reverse("home"))
    submitted(2)
    submitted(3)

    three = _queries(client, reverse("home"))

    todo = _todo(client.get(reverse("home")), "to_endorse")
    assert (todo.count, len(todo.lines)) == (3, 3)
    assert three == one
