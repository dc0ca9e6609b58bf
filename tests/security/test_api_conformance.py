"""What schemathesis found (issue 8) and the fixes keep: the schema documents the errors,
lists are documented as paginated, malformed values are refused and change nothing.
The schemathesis run itself is tests/security/test_schemathesis.py (marker schemathesis)."""
from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from judging.models import Assignment, JudgeProfile
from tests import factories as f

API = "/api/v1"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_every_operation_documents_the_errors_it_can_give(schema):
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            public = {} in op.get("security", [{}])  # drf-spectacular's mark of "no credentials needed"
            if "{" in path:
                assert {"400", "404"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"400", "415"} <= codes, (method, path)
            if not public:
                assert {"401", "403"} <= codes, (method, path)


def test_error_bodies_are_documented_with_their_shapes(schema):
    op = schema["paths"]["/api/v1/applications/{id}/"]["patch"]
    assert op["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"}
    validation = schema["components"]["schemas"]["ValidationError"]
    assert "required" not in validation  # {"field": [...]} as well as {"detail", "code"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}


def test_cycle_feedback_list_is_documented_as_paginated(schema, db, secretariat, cycle):
    body = schema["paths"]["/api/v1/cycles/{id}/feedback/"]["get"]["responses"]["200"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert ref == "PaginatedFeedbackReportList"
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"count", "next", "previous", "results"}
    answer = api(secretariat).get(f"{API}/cycles/{cycle.pk}/feedback/").json()
    assert answer == {"count": 0, "next": None, "previous": None, "results": []}


def test_drf_errors_carry_a_code(db, applicant, cycle):
    assert api().get(f"{API}/applications/").json()["code"] == "not_authenticated"
    assert api(applicant).get(f"{API}/judges/").json()["code"] == "permission_denied"
    assert api(applicant).delete(f"{API}/programmes/").json()["code"] == "method_not_allowed"


def test_judges_take_json_only_so_expertise_cannot_become_a_one_string_list(db, secretariat):
    form = api(secretariat).post(f"{API}/judges/", {"username": "j-form", "name": "专家", "expertise": "{}"},
                                 format="multipart")
    # 415, or 400 with the form ignored when a middleware has read the form already
    assert form.status_code in (400, 415), form.content
    as_string = api(secretariat).post(f"{API}/judges/", {"username": "j-str", "name": "专家", "expertise": "{}"},
                                      format="json")
    assert as_string.status_code == 400 and "expertise" in as_string.json()
    assert not get_user_model().objects.filter(username__in=["j-form", "j-str"]).exists()
    ok = api(secretariat).post(f"{API}/judges/", {"username": "j-ok", "name": "专家", "expertise": ["质量管理"]},
                               format="json")
    assert ok.status_code == 201 and ok.json()["expertise"] == ["质量管理"]
    assert JudgeProfile.objects.get(user__username="j-ok").expertise == ["质量管理"]


def test_text_fields_refuse_numbers(db, secretariat):
    response = api(secretariat).post(f"{API}/judges/", {"username": "j-phone", "name": "专家", "phone": 0},
                                     format="json")
    assert response.status_code == 400 and "phone" in response.json()
    assert not get_user_model().objects.filter(username="j-phone").exists()


@pytest.mark.parametrize("due_at", ["2031-01-01", "2031-01-01T10:00", "2031-01-01T10:00:00", "明天", ""])
def test_auto_assign_refuses_a_due_time_without_an_offset(db, secretariat, cycle, accepted, due_at):
    f.UserFactory(username="pool-judge", groups=["judge"])
    response = api(secretariat).post(f"{API}/cycles/{cycle.pk}/auto-assign/",
                                     {"stage": "document", "judges_per_application": 1, "due_at": due_at},
                                     format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["due_at"]
    assert Assignment.objects.count() == 0


def test_auto_assign_takes_a_due_time_with_its_offset(db, secretariat, cycle, accepted):
    f.UserFactory(username="pool-judge", groups=["judge"])
    response = api(secretariat).post(f"{API}/cycles/{cycle.pk}/auto-assign/",
                                     {"stage": "document", "judges_per_application": 1,
                                      "due_at": "2031-01-01T10:00:00+08:00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    due = Assignment.objects.get().due_at
    assert due.isoformat() == "2031-01-01T02:00:00+00:00"


def test_assignment_create_refuses_a_bare_date(db, secretariat, accepted):
    judge = f.UserFactory(username="one-judge", groups=["judge"])
    response = api(secretariat).post(f"{API}/assignments/", json.dumps(
        {"application": accepted.pk, "judge": judge.pk, "stage": "document", "due_at": "2031-01-01"}),
        content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["due_at"]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/assignments/2116497446591775637504/scoresheet/",
                                  "/api/v1/applications/9223372036854775808/", "/applications/99999999999999999999/"])
def test_a_path_id_beyond_64_bits_is_a_404_not_a_database_error(db, secretariat, path):
    client = api(secretariat)
    response = client.put(path, {"items": []}, format="json") if "scoresheet" in path else client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["code"] == "not_found"


def test_judge_list_email_may_be_empty(db, secretariat, schema):
    f.UserFactory(username="no-mail", email="", groups=["judge"])
    row = next(r for r in api(secretariat).get(f"{API}/judges/").json()["results"] if r["username"] == "no-mail")
    assert row["email"] == ""
    assert "format" not in schema["components"]["schemas"]["Judge"]["properties"]["email"]
