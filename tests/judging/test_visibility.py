"""Blind until submitted; conflicted or declined judges see nothing; only own assignments."""
import pytest
from rest_framework.test import APIClient

from judging.services import assignment_create, assignment_decline, conflict_add
from nominations.errors import NotFound
from nominations.selectors.applications import application_for_user
from tests.judging.conftest import fill, fill_and_submit, make_judges


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def app_urls(app):
    doc = app.documents.order_by("pk").first()
    return {"detail": f"/api/v1/applications/{app.pk}/",
            "download": f"/api/v1/applications/{app.pk}/documents/{doc.pk}/download/"}


def test_judge_lists_only_own_assignments(review_app, judges):
    app, assignments = review_app
    body = api(judges[1]).get("/api/v1/assignments/").json()
    assert body["count"] == 1
    assert body["results"] == [{
        "id": assignments[1].pk,
        "application": {"id": app.pk, "reference": app.reference, "title": app.title,
                        "organization_name": app.organization.name, "category": app.category_id,
                        "category_name": app.category.name, "state": "document_review"},
        "stage": "document", "state": "accepted", "state_label": "评审中", "due_at": None, "is_leader": False,
        "scored_items": 0, "conflict": False}]


def test_judge_cannot_read_another_judges_sheet(review_app, judges):
    app, assignments = review_app
    fill(assignments[1], judges[1], 80)  # the data that could leak
    response = api(judges[0]).get(f"/api/v1/assignments/{assignments[1].pk}/scoresheet/")
    assert response.status_code == 404
    assert "80" not in response.content.decode()
    fill_and_submit(assignments[0], judges[0], 50)  # even after submitting one's own
    assert api(judges[0]).get(f"/api/v1/assignments/{assignments[1].pk}/scoresheet/").status_code == 404


def test_panel_scores_open_only_after_own_and_all_sheets_are_in(review_app, judges):
    app, assignments = review_app
    url = f"/api/v1/applications/{app.pk}/consensus/?stage=document"
    fill(assignments[1], judges[1], 80)
    fill_and_submit(assignments[0], judges[0], 50)
    assert api(judges[0]).get(url).status_code == 404  # own in, others outstanding
    for a, j in zip(assignments[1:4], judges[1:4]):
        fill_and_submit(a, j, 80)
    fill(assignments[4], judges[4], 55)
    assert api(judges[4]).get(url).status_code == 404  # others in, own not submitted
    assert api(judges[0]).get(url).status_code == 404
    fill_and_submit(assignments[4], judges[4], 55)
    body = api(judges[0]).get(url).json()
    assert [sheet["total"] for sheet in body["sheets"]] == ["500.00", "800.00", "800.00", "800.00", "550.00"]
    assert body["items"][0]["percents"] == [50, 80, 80, 80, 55]


def test_outsider_and_unassigned_judge_cannot_see_the_application(review_app, outsider):
    app, _assignments = review_app
    stranger = make_judges(1, prefix="x")[0]
    for user in (outsider, stranger):
        for path in app_urls(app).values():
            assert api(user).get(path).status_code == 404


def test_assigned_judge_reaches_materials_only_after_accepting(accepted, secretariat):
    judge = make_judges(1, prefix="late")[0]
    a = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    assert api(judge).get(app_urls(accepted)["detail"]).status_code == 404
    api(judge).post(f"/api/v1/assignments/{a.pk}/accept/")
    for path in app_urls(accepted).values():
        assert api(judge).get(path).status_code == 200
    detail = api(judge).get(app_urls(accepted)["detail"]).json()
    assert (detail["id"], detail["reference"]) == (accepted.pk, accepted.reference)


def test_conflicted_judge_gets_404_for_application_scoresheet_and_download(review_app, judges, secretariat):
    app, assignments = review_app
    judge = judges[2]
    fill(assignments[2], judge, 70)
    paths = [*app_urls(app).values(), f"/api/v1/assignments/{assignments[2].pk}/scoresheet/"]
    assert [api(judge).get(p).status_code for p in paths] == [200, 200, 200]
    conflict_add(judge=judge, organization=app.organization, actor=secretariat, reason="发现曾任该单位顾问")
    responses = [api(judge).get(p) for p in paths]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(app.title not in r.content.decode() for r in responses)
    put = api(judge).put(paths[2], {"items": [{"criterion": "4.1.2", "percent": 90}]}, format="json")
    assert put.status_code == 404
    assert api(judge).post(f"/api/v1/assignments/{assignments[2].pk}/submit/").status_code == 404
    with pytest.raises(NotFound):
        application_for_user(judge, app.pk)


def test_declined_judge_sees_nothing_more(accepted, secretariat):
    judge = make_judges(1, prefix="d")[0]
    a = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    api(judge).post(f"/api/v1/assignments/{a.pk}/accept/")
    assert api(judge).get(app_urls(accepted)["detail"]).status_code == 200
    a.refresh_from_db()
    assignment_decline(assignment=a, actor=judge, reason="与申报单位负责人系亲属")
    for path in [*app_urls(accepted).values(), f"/api/v1/assignments/{a.pk}/scoresheet/"]:
        assert api(judge).get(path).status_code == 404
    listed = api(judge).get("/api/v1/assignments/").json()["results"]
    assert [(r["id"], r["state"], r["conflict"]) for r in listed] == [(a.pk, "declined", True)]


def test_judge_assignment_list_query_count_does_not_grow(cycle, recommender, unit, secretariat,
                                                         django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from tests.judging.conftest import assign_and_accept, new_accepted_application

    judge = make_judges(1, prefix="q")[0]

    def client():  # a fresh user object per request, as in production (no cached roles)
        return api(get_user_model().objects.get(pk=judge.pk))

    def add_one():
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
        assign_and_accept(app, [judge], secretariat)

    add_one()
    c = client()
    with django_assert_num_queries(6) as one:  # roles, count, page, conflicts (3)
        assert c.get("/api/v1/assignments/").json()["count"] == 1
    add_one()
    add_one()
    c = client()
    with django_assert_num_queries(len(one.captured_queries)):
        assert c.get("/api/v1/assignments/").json()["count"] == 3


def test_access_ends_when_the_application_leaves_review(review_app, judges):
    from tests import factories as f

    app, _assignments = review_app
    assert api(judges[0]).get(app_urls(app)["detail"]).status_code == 200
    applicant = app.organization.memberships.first().user
    f.advance(app, ["withdraw"], {"withdraw": applicant})
    assert api(judges[0]).get(app_urls(app)["detail"]).status_code == 404
