"""API: token auth, schema and docs, the public catalog, cycle transitions."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from nominations.demo import build_cycle
from nominations.models import AuditEntry, Cycle
from tests import factories as f

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # anonymous throttle counters live in the cache


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(user)}")
    return client


def iso(value) -> str:
    return timezone.localtime(value).isoformat()


# -- auth ------------------------------------------------------------------------------
def test_token_obtained_with_password_and_used_for_requests(applicant):
    client = APIClient()
    response = client.post(f"{API}/auth/token/", {"username": "applicant", "password": "pw-123456"},
                           format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    assert AuthToken.objects.get().user == applicant

    assert client.get(f"{API}/applications/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    listed = client.get(f"{API}/applications/")
    assert listed.status_code == 200
    assert listed.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_token_refused_for_wrong_password(applicant):
    response = APIClient().post(f"{API}/auth/token/", {"username": "applicant", "password": "wrong"},
                                format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["无法使用提供的认证信息登录。"]}
    assert not AuthToken.objects.exists()


def test_unauthenticated_request_gets_401_with_token_challenge(db):
    response = APIClient().get(f"{API}/organizations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_schema_and_docs_are_public_and_served_locally(db):
    client = APIClient()
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/applications/{id}/transitions/", "/api/v1/cycles/", "/api/v1/rubrics/{code}/",
            "/api/v1/auth/token/"} <= set(paths)
    docs = client.get(f"{API}/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


# -- catalog ---------------------------------------------------------------------------
def test_programmes_listed_publicly(db):
    response = APIClient().get(f"{API}/programmes/")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "MQA", "name": "上海市市长质量奖", "name_en": "Shanghai Mayor's Quality Award"},
        {"code": "QGA", "name": "上海市质量金奖", "name_en": "Shanghai Quality Gold Award"},
        {"code": "QB", "name": "上海市质量标杆", "name_en": "Shanghai Quality Benchmark"},
    ]


def test_cycle_catalog_shape(cycle):
    cycle = Cycle.objects.get(pk=cycle.pk)
    org = cycle.categories.get(code="ORG")
    response = APIClient().get(f"{API}/cycles/", {"programme": "QGA", "status": "open"})
    assert response.status_code == 200
    [data] = response.json()
    assert {k: v for k, v in data.items() if k != "categories"} == {
        "id": cycle.pk, "programme": "QGA", "year": 2018, "label": "2018", "status": "open",
        "opens_at": iso(cycle.opens_at), "closes_at": iso(cycle.closes_at), "aggregation": "trimmed_mean",
    }
    assert data["opens_at"].endswith("+08:00")
    assert [c["code"] for c in data["categories"]] == ["ORG", "IND"]
    pdf = ["application/pdf"]
    assert data["categories"][0] == {
        "id": org.pk, "code": "ORG", "name": "组织（先进质量管理模式）", "nominee_kind": "organization",
        "rubric": "GBT19580-2012",
        "questions": [
            {"key": "employees", "label": "从业人员数（人）", "type": "integer", "required": True},
            {"key": "revenue", "label": "上年度营业收入（万元）", "type": "decimal", "required": True},
            {"key": "model_name", "label": "先进质量管理模式名称", "type": "text", "required": True},
            {"key": "summary", "label": "概述（500字以内）", "type": "text", "required": True},
            {"key": "compliance", "label": "近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录",
             "type": "boolean", "required": True},
        ],
        "documents": [
            {"kind": "application_form", "label": "申报表（盖章扫描件）", "required": True, "content_types": pdf},
            {"kind": "self_assessment", "label": "自我评价报告", "required": True, "content_types": pdf},
            {"kind": "evidence", "label": "证实性材料", "required": False, "content_types": pdf},
        ],
    }
    assert data["categories"][1]["nominee_kind"] == "individual"
    assert data["categories"][1]["rubric"] == "DB31T598-IND"


def test_cycle_filters(cycle, secretariat):
    mqa = f.open_cycle("MQA", secretariat=secretariat)
    client = APIClient()
    assert [c["id"] for c in client.get(f"{API}/cycles/", {"programme": "MQA"}).json()] == [mqa.pk]
    assert client.get(f"{API}/cycles/", {"status": "closed"}).json() == []
    bad = client.get(f"{API}/cycles/", {"status": "bogus"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["status"]


def test_draft_cycles_shown_to_the_secretariat_only(cycle, secretariat):
    draft_cycle = build_cycle("QB")
    assert [c["id"] for c in APIClient().get(f"{API}/cycles/").json()] == [cycle.pk]
    listed = {c["id"] for c in api_as(secretariat).get(f"{API}/cycles/").json()}
    assert listed == {cycle.pk, draft_cycle.pk}


@pytest.mark.parametrize("n_cycles", [1, 3])
def test_cycle_list_query_count_does_not_grow(n_cycles, secretariat, django_assert_num_queries):
    for code in ["QGA", "MQA", "QB"][:n_cycles]:
        f.open_cycle(code, secretariat=secretariat)
    client = APIClient()
    # cycles + categories + questions + document requirements
    with django_assert_num_queries(4):
        response = client.get(f"{API}/cycles/")
    assert len(response.json()) == n_cycles


def test_recommending_units_all_and_mine(unit, recommender, other_recommender, applicant):
    client = APIClient()
    everything = client.get(f"{API}/recommending-units/").json()
    assert sorted(u["name"] for u in everything) == sorted(["浦东新区市场监督管理局", "上海市质量协会"])
    assert {"id": unit.pk, "name": "浦东新区市场监督管理局", "kind": "district"} in everything
    assert api_as(recommender).get(f"{API}/recommending-units/", {"mine": "true"}).json() == [
        {"id": unit.pk, "name": "浦东新区市场监督管理局", "kind": "district"}]
    assert api_as(applicant).get(f"{API}/recommending-units/", {"mine": "true"}).json() == []
    assert client.get(f"{API}/recommending-units/", {"mine": "true"}).status_code == 401


def test_rubric_detail_with_decimal_strings(db):
    response = APIClient().get(f"{API}/rubrics/GBT19580-2012/")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "GBT19580-2012"
    assert data["name"] == "卓越绩效评价准则（GB/T 19580-2012）"
    assert data["total_points"] == "1000.00"
    assert len(data["criteria"]) == 23
    assert data["criteria"][0] == {"code": "4.1.2", "title": "高层领导的作用", "max_points": "50.00",
                                   "kind": "process", "parent": "4.1"}
    assert data["criteria"][-1] == {"code": "4.7.7", "title": "领导方面的结果", "max_points": "50.00",
                                    "kind": "result", "parent": "4.7"}
    assert [(c["code"], c["max_points"]) for c in data["categories"]] == [
        ("4.1", "110.00"), ("4.2", "90.00"), ("4.3", "90.00"), ("4.4", "130.00"), ("4.5", "100.00"),
        ("4.6", "80.00"), ("4.7", "400.00")]
    assert data["categories"][0] == {"code": "4.1", "title": "领导", "max_points": "110.00", "kind": "process"}


def test_unknown_rubric_is_404(db):
    response = APIClient().get(f"{API}/rubrics/NOPE/")
    assert response.status_code == 404
    assert response.json() == {"detail": "评分标准不存在。", "code": "not_found"}


def test_anonymous_catalog_is_throttled(db, monkeypatch):
    # The rate is read once at import; lower it for this test only.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    client = APIClient()
    codes = [client.get(f"{API}/programmes/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert api_as(f.UserFactory()).get(f"{API}/programmes/").status_code == 200  # not for signed-in users


# -- cycle transitions --------------------------------------------------------------------
def test_secretariat_lists_and_runs_cycle_transitions(cycle, secretariat):
    client = api_as(secretariat)
    url = f"{API}/cycles/{cycle.pk}/transitions/"
    assert client.get(url).json() == [{"name": "close", "label": "截止申报", "target": "closed"}]
    response = client.post(url, {"name": "close", "note": "提前截止"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["id"] == cycle.pk
    entry = AuditEntry.objects.filter(object_type="nominations.cycle", object_id=str(cycle.pk)).last()
    assert (entry.action, entry.source, entry.target, entry.note, entry.ip) == (
        "close", "open", "closed", "提前截止", "127.0.0.1")
    again = client.post(url, {"name": "close"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"


def test_cycle_transitions_refused_to_other_roles(cycle, applicant):
    url = f"{API}/cycles/{cycle.pk}/transitions/"
    assert APIClient().get(url).status_code == 401
    denied = api_as(applicant).post(url, {"name": "close"}, format="json")
    assert denied.status_code == 403
    assert denied.json() == {"detail": "只有秘书处可以执行此操作。", "code": "permission_denied"}
    assert Cycle.objects.get(pk=cycle.pk).status == "open"


def test_cycle_transition_bad_name_and_unknown_cycle(cycle, secretariat):
    client = api_as(secretariat)
    bad = client.post(f"{API}/cycles/{cycle.pk}/transitions/", {"name": "explode"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["name"]
    missing = client.get(f"{API}/cycles/{cycle.pk + 999}/transitions/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "评选周期不存在。", "code": "not_found"}
