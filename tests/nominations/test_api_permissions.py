"""API: who sees what. Every persona against every application endpoint, with the data
that could leak created first."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from nominations import workflow
from nominations.models import RecommendingUnit
from tests import factories as f

API = "/api/v1"
PERSONAS = ["anonymous", "applicant", "other_applicant", "recommender", "other_recommender", "secretariat",
            "judge", "outsider"]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(user)}")
    return client


@pytest.fixture
def world(cycle, applicant, organization, unit, recommender, other_applicant, other_organization,
          other_recommender, secretariat, judge, outsider):
    """A: applicant's submitted application naming `unit`; B: applicant's draft naming `unit`
    (not visible to the recommender yet); C: the other organization's submitted application
    naming the other recommender's unit."""
    a = f.advance(f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit),
                  ["submit"], {"submit": applicant})
    b = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                            category_code="IND", complete=False)
    other_unit = RecommendingUnit.objects.get(name="上海市质量协会")
    c = f.advance(f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization,
                                      unit=other_unit), ["submit"], {"submit": other_applicant})
    users = {"anonymous": None, "applicant": applicant, "other_applicant": other_applicant,
             "recommender": recommender, "other_recommender": other_recommender, "secretariat": secretariat,
             "judge": judge, "outsider": outsider}
    return {"A": a, "B": b, "C": c, "users": users}


VISIBLE = {
    "applicant": {"A", "B"}, "other_applicant": {"C"}, "recommender": {"A"}, "other_recommender": {"C"},
    "secretariat": {"A", "B", "C"}, "judge": set(), "outsider": set(),
}
MAY_RUN_ON_A = {
    "applicant": {"withdraw"}, "recommender": {"endorse", "return"}, "secretariat": {"return", "reject"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona, world):
    client = api_as(world["users"][persona])
    a = world["A"]
    doc = a.documents.get(kind="application_form")
    ids = {world[k].pk: k for k in ("A", "B", "C")}
    detail = f"{API}/applications/{a.pk}"
    urls = {"detail": f"{detail}/", "download": f"{detail}/documents/{doc.pk}/download/",
            "transitions": f"{detail}/transitions/", "history": f"{detail}/history/"}

    listed = client.get(f"{API}/applications/")
    responses = {name: client.get(url) for name, url in urls.items()}

    if persona == "anonymous":
        assert listed.status_code == 401
        assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(urls, 401)
        return
    assert listed.status_code == 200
    assert {ids[row["id"]] for row in listed.json()["results"]} == VISIBLE[persona]
    assert listed.json()["count"] == len(VISIBLE[persona])

    if "A" in VISIBLE[persona]:
        assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(urls, 200)
        assert responses["detail"].json()["reference"] == a.reference
        assert b"".join(responses["download"].streaming_content).startswith(b"%PDF-")
        assert {t["name"] for t in responses["transitions"].json()} == MAY_RUN_ON_A[persona]
        assert [h["transition"] for h in responses["history"].json()] == ["create", "submit"]
    else:
        assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(urls, 404)
        assert all(r.json() == {"detail": "申报不存在或您无权查看。", "code": "not_found"}
                   for name, r in responses.items() if name != "download")


def test_missing_and_invisible_applications_look_the_same(world):
    client = api_as(world["users"]["outsider"])
    invisible = client.get(f"{API}/applications/{world['A'].pk}/")
    missing = client.get(f"{API}/applications/{world['C'].pk + 1000}/")
    assert (invisible.status_code, invisible.json()) == (missing.status_code, missing.json())


def test_recommender_does_not_see_drafts_naming_its_unit(world):
    client = api_as(world["users"]["recommender"])
    response = client.get(f"{API}/applications/{world['B'].pk}/")
    assert response.status_code == 404


def test_outsider_cannot_upload_to_or_edit_an_invisible_application(world):
    client = api_as(world["users"]["other_applicant"])
    b = world["B"]
    patched = client.patch(f"{API}/applications/{b.pk}/", {"title": "篡改"}, format="json")
    assert patched.status_code == 404
    uploaded = client.post(f"{API}/applications/{b.pk}/documents/",
                           {"kind": "application_form", "file": f.pdf_upload()}, format="multipart")
    assert uploaded.status_code == 404
    b.refresh_from_db()
    assert (b.title, b.documents.count()) == ("卓越绩效管理模式", 0)


@pytest.fixture
def judge_granted_a(world):
    """Another app (judging) extends access through the workflow access check."""
    a_pk = world["A"].pk

    def assigned(user, pk):
        return user.username == "judge" and pk == a_pk

    workflow.register_access(assigned)
    yield
    workflow.unregister_access(assigned)


def test_access_granted_by_another_app_opens_detail_and_download_not_the_list(world, judge_granted_a):
    client = api_as(world["users"]["judge"])
    a = world["A"]
    doc = a.documents.get(kind="self_assessment")
    assert client.get(f"{API}/applications/{a.pk}/").status_code == 200
    download = client.get(f"{API}/applications/{a.pk}/documents/{doc.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="self_assessment.pdf"'
    assert client.get(f"{API}/applications/{world['C'].pk}/").status_code == 404
    assert client.get(f"{API}/applications/").json()["results"] == []
    assert client.get(f"{API}/applications/{a.pk}/transitions/").json() == []
