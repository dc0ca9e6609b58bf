"""The committee's read-only ranking: evaluated applications with flags, quota and recusals;
403 for judges and applicants."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from judging.services import application_shortlist, conflict_add
from judging.models import SiteVisitReport
from nominations.models import Category
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.judging.conftest import assign_and_accept, fill_and_submit, make_judges, set_judges_document, start_review

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def evaluated(cycle, accepted, secretariat):
    set_judges_document(cycle, 2)
    judges = make_judges(2)
    assignments = assign_and_accept(accepted, judges, secretariat)
    app = start_review(accepted, secretariat)
    for a, j, p in zip(assignments, judges, (40, 80)):
        fill_and_submit(a, j, p)
    app = application_shortlist(application=app, actor=secretariat)
    [site] = assign_and_accept(app, judges[:1], secretariat, stage="site")
    fill_and_submit(site, judges[0], 65)
    SiteVisitReport.objects.create(application=app, leader=judges[0], summary="良好", submitted_at=app.updated_at)
    return application_transition(application=app, name="finish_review", actor=secretariat), judges


def test_committee_sees_the_evaluated_ranking_with_recusal(cycle, evaluated, committee_member, secretariat):
    app, judges = evaluated
    Category.objects.filter(pk=app.category_id).update(quota=1)
    conflict_add(judge=committee_member, organization=app.organization, actor=secretariat, reason="曾任顾问")
    client = login(committee_member)
    home = client.get(reverse("judging:committee_home"))
    assert home.status_code == 200
    assert cycle.pk in [c.pk for c in home.context["cycles"]]
    page = client.get(reverse("judging:committee_ranking", args=[cycle.pk]))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.application, r.rank, str(r.final_score), r.me_recused) for r in rows] == [(app.pk, 1, "650.00", True)]
    assert [m["name"] for m in rows[0].recused] == [committee_member.get_full_name() or committee_member.username]
    body = page.content.decode()
    assert "您须回避" in body and "名额 1" in body and "入围现场评审" not in body and "<form" not in body.split(
        "<main")[1].split("</main>")[0]


def test_committee_ranking_hides_applications_still_in_review(cycle, accepted, committee_member, secretariat):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    [a] = assign_and_accept(accepted, [judge], secretariat)
    start_review(accepted, secretariat)
    fill_and_submit(a, judge, 90)  # scored, but not evaluated yet
    page = login(committee_member).get(reverse("judging:committee_ranking", args=[cycle.pk]))
    assert page.context["rows"] == []


def test_committee_pages_are_403_for_judges_and_applicants(cycle, evaluated, applicant):
    app, judges = evaluated
    for user in (judges[0], applicant, f.UserFactory(username="nobody")):
        client = login(user)
        assert client.get(reverse("judging:committee_home")).status_code == 403
        response = client.get(reverse("judging:committee_ranking", args=[cycle.pk]))
        assert response.status_code == 403
        assert app.reference not in response.content.decode()
