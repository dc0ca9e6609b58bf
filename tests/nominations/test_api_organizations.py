"""API: registering and keeping organizations (申报单位)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from nominations.models import AuditEntry, Membership, Organization
from tests import factories as f

API = "/api/v1"
VALID_USCC = "91310115MA1H7K3P06"  # DOMAIN.md §6, example 2


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(user)}")
    return client


def new_org(**overrides) -> dict:
    return {"name": "上海新建精密制造有限公司", "uscc": VALID_USCC, "established_on": "2010-05-01",
            "district": "浦东新区", "industry": "制造业", "address": "上海市浦东新区张江路1号",
            "contact_name": "王五", "contact_phone": "021-12345678", "contact_email": "wang@example.com",
            **overrides}


@pytest.fixture
def newcomer(db):
    return f.UserFactory(username="newcomer")


def test_create_organization_makes_the_caller_a_member(newcomer):
    response = api_as(newcomer).post(f"{API}/organizations/", new_org(), format="json")
    assert response.status_code == 201
    org = Organization.objects.get(uscc=VALID_USCC)
    assert response.json() == {
        "id": org.pk, "name": "上海新建精密制造有限公司", "uscc": VALID_USCC, "established_on": "2010-05-01",
        "district": "浦东新区", "industry": "制造业", "size": "", "address": "上海市浦东新区张江路1号",
        "contact_name": "王五", "contact_phone": "021-12345678", "contact_email": "wang@example.com",
        "created_at": response.json()["created_at"],
    }
    assert list(Membership.objects.filter(organization=org).values_list("user__username", flat=True)) == [
        "newcomer"]
    audit = AuditEntry.objects.get(object_type="nominations.organization", object_id=str(org.pk))
    assert (audit.action, audit.actor_name, audit.ip) == ("organization.create", "newcomer", "127.0.0.1")
    listed = api_as(newcomer).get(f"{API}/organizations/").json()
    assert [o["id"] for o in listed["results"]] == [org.pk]


def test_create_with_wrong_check_character_is_refused(newcomer):
    bad = VALID_USCC[:-1] + "7"
    response = api_as(newcomer).post(f"{API}/organizations/", new_org(uscc=bad), format="json")
    assert response.status_code == 400
    message = "统一社会信用代码校验位错误：按 GB 32100 计算应为“6”，实为“7”。"
    assert response.json() == {"uscc": [message], "detail": message, "code": "invalid_uscc"}
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_create_with_malformed_code_is_refused(newcomer):
    response = api_as(newcomer).post(f"{API}/organizations/", new_org(uscc="9131"), format="json")
    assert response.status_code == 400
    message = "统一社会信用代码应为18位，当前为4位。"
    assert response.json() == {"uscc": [message], "detail": message, "code": "invalid_uscc"}
    assert not Organization.objects.exists()


def test_create_with_registered_code_is_refused(newcomer):
    f.OrganizationFactory(uscc=VALID_USCC, name="已登记的单位")
    before = set(Organization.objects.values_list("pk", flat=True))
    response = api_as(newcomer).post(f"{API}/organizations/", new_org(uscc=VALID_USCC.lower()), format="json")
    assert response.status_code == 400
    message = "该统一社会信用代码已注册。如您属于该单位，请联系单位管理员或秘书处将您加入。"
    assert response.json() == {"uscc": [message], "detail": message, "code": "duplicate_uscc"}
    assert set(Organization.objects.values_list("pk", flat=True)) == before
    assert not Membership.objects.filter(user=newcomer).exists()


def test_create_with_bad_email_is_refused_by_the_serializer(newcomer):
    response = api_as(newcomer).post(f"{API}/organizations/", new_org(contact_email="nope"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["contact_email"]
    assert not Organization.objects.exists()


def test_list_shows_only_the_callers_organizations(applicant, organization, other_organization, secretariat,
                                                   outsider):
    mine = api_as(applicant).get(f"{API}/organizations/").json()
    assert mine["count"] == 1
    assert [o["id"] for o in mine["results"]] == [organization.pk]
    assert api_as(outsider).get(f"{API}/organizations/").json()["results"] == []
    everything = api_as(secretariat).get(f"{API}/organizations/").json()
    assert {o["id"] for o in everything["results"]} == {organization.pk, other_organization.pk}


def test_detail_and_patch_of_anothers_organization_are_404(applicant, other_organization):
    client = api_as(applicant)
    url = f"{API}/organizations/{other_organization.pk}/"
    assert client.get(url).status_code == 404
    response = client.patch(url, {"name": "改名"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "单位不存在或您无权查看。", "code": "not_found"}
    assert Organization.objects.get(pk=other_organization.pk).name == "上海乙方制造有限公司"


def test_patch_updates_profile_but_never_the_code(applicant, organization):
    client = api_as(applicant)
    url = f"{API}/organizations/{organization.pk}/"
    response = client.patch(url, {"contact_name": "李四", "size": "大型"}, format="json")
    assert response.status_code == 200
    assert (response.json()["contact_name"], response.json()["size"]) == ("李四", "大型")
    organization.refresh_from_db()
    assert (organization.contact_name, organization.size) == ("李四", "大型")

    refused = client.patch(url, {"uscc": VALID_USCC, "name": "新名称"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"uscc": ["统一社会信用代码登记后不能修改；如有错误，请联系秘书处。"]}
    organization.refresh_from_db()
    assert (organization.uscc, organization.name) != (VALID_USCC, "新名称")
    assert organization.name == "上海甲方科技有限公司"


def test_patch_with_blank_name_is_refused(applicant, organization):
    response = api_as(applicant).patch(f"{API}/organizations/{organization.pk}/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert Organization.objects.get(pk=organization.pk).name == "上海甲方科技有限公司"
