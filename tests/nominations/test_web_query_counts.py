"""List pages: the number of queries does not grow with the number of rows (1 vs 3)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nominations.rules import forget_roles
from tests import factories as f

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _submitted_apps(n, *, cycle, unit, applicant, actors, steps=("submit",)):
    """n applications of n organizations that `applicant` belongs to, naming `unit`."""
    apps = []
    for _ in range(n):
        org = f.OrganizationFactory()
        f.member(applicant, org)
        forget_roles(applicant)
        app = f.draft_application(cycle=cycle, applicant=applicant, organization=org, unit=unit)
        apps.append(f.advance(app, list(steps), actors))
    return apps


@pytest.fixture
def many_orgs_applicant(db):
    return f.UserFactory(username="group_applicant")


@pytest.fixture
def group_actors(actors, many_orgs_applicant):
    return {**actors, "submit": many_orgs_applicant, "withdraw": many_orgs_applicant}


def test_applicant_application_list(client, cycle, unit, many_orgs_applicant, group_actors):
    client.force_login(many_orgs_applicant)
    _submitted_apps(1, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)
    one = _queries(client, reverse("application_list"))
    _submitted_apps(2, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)

    three = _queries(client, reverse("application_list"))

    assert len(client.get(reverse("application_list")).context["rows"]) == 3
    assert three == one


def test_applicant_dashboard(client, cycle, unit, many_orgs_applicant, group_actors):
    client.force_login(many_orgs_applicant)
    _submitted_apps(1, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)
    one = _queries(client, reverse("home"))
    _submitted_apps(2, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)

    three = _queries(client, reverse("home"))

    assert three == one


def test_recommender_queue(client, cycle, unit, recommender, many_orgs_applicant, group_actors):
    client.force_login(recommender)
    _submitted_apps(1, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)
    one = _queries(client, reverse("recommender_queue"))
    _submitted_apps(2, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)

    three = _queries(client, reverse("recommender_queue"))

    assert len(client.get(reverse("recommender_queue")).context["rows"]) == 3
    assert three == one


def test_secretariat_cycle_list(client, secretariat, unit, many_orgs_applicant, group_actors):
    client.force_login(secretariat)
    first = f.open_cycle("QGA", secretariat=secretariat)
    _submitted_apps(1, cycle=first, unit=unit, applicant=many_orgs_applicant, actors=group_actors)
    one = _queries(client, reverse("cycle_list"))
    for code in ("MQA", "QB"):
        other = f.open_cycle(code, secretariat=secretariat)
        category = other.categories.order_by("order").first().code
        org = f.OrganizationFactory()
        f.member(many_orgs_applicant, org)
        forget_roles(many_orgs_applicant)
        app = f.draft_application(cycle=other, applicant=many_orgs_applicant, organization=org, unit=unit,
                                  category_code=category)
        f.advance(app, ["submit"], group_actors)

    three = _queries(client, reverse("cycle_list"))

    rows = client.get(reverse("cycle_list")).context["rows"]
    assert [row["total"] for row in rows] == [1, 1, 1]
    assert three == one


def test_secretariat_cycle_dashboard(client, secretariat, cycle, unit, many_orgs_applicant, group_actors):
    client.force_login(secretariat)
    url = reverse("cycle_detail", args=[cycle.pk])
    _submitted_apps(1, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors,
                    steps=("submit", "endorse"))
    one = _queries(client, url)
    _submitted_apps(2, cycle=cycle, unit=unit, applicant=many_orgs_applicant, actors=group_actors)

    three = _queries(client, url)

    assert client.get(url).context["page_obj"].paginator.count == 3
    assert three == one
