"""An objection is named by its receipt (受理回执编号), as on the objection desk ("异议 26-QB-7K3MX"),
wherever Django shows an object's name: the admin's title and breadcrumbs, its history."""
import pytest
from django.urls import reverse

from nominations.services.objections import objection_file
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def objection(submitted, secretariat):
    notice = f.notice_with([submitted], created_by=secretariat)
    return objection_file(notice=notice, application_id=submitted.pk, name="李某", phone="13800000000",
                          email="li@example.com", content="该单位申报材料中的顾客满意度数据与实际不符。")


def test_objection_is_named_by_its_receipt(objection):
    assert str(objection) == f"异议 {objection.receipt}"


def test_admin_change_page_title_reads_as_on_the_desk(client, objection, secretariat):
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    client.force_login(secretariat)
    admin_page = client.get(reverse("admin:nominations_objection_change", args=[objection.pk]))
    desk_page = client.get(reverse("objection_detail", args=[objection.pk]))
    assert admin_page.status_code == desk_page.status_code == 200
    assert admin_page.context["subtitle"] == f"异议 {objection.receipt}"
    title = f"异议 {objection.receipt}"
    assert title in admin_page.content.decode() and title in desk_page.content.decode()
    assert f"李某 → {objection.application_id}" not in admin_page.content.decode()
