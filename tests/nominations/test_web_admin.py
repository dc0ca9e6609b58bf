"""The Django admin: transitions go through the services; frozen and append-only data stay so."""
from __future__ import annotations

import pytest
from django.urls import reverse

from judging.models import Criterion, Rubric
from nominations.enums import ApplicationState
from nominations.identifiers import make_uscc
from nominations.models import AuditEntry, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(secretariat):
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    return secretariat


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_application_change_page_lists_the_users_transitions(client, staff, endorsed):
    client.force_login(staff)

    response = client.get(reverse("admin:nominations_application_change", args=[endorsed.pk]))

    assert response.status_code == 200
    assert sorted(t.name for t in response.context["available_transitions"]) == ["accept", "reject", "return"]
    assert 'name="transition" value="accept"' in response.content.decode()


def test_admin_transition_runs_through_the_service_and_is_audited(client, staff, endorsed):
    client.force_login(staff)

    response = client.post(reverse("admin:nominations_application_transition", args=[endorsed.pk]),
                           {"transition": "accept", "note": "后台受理"}, follow=True)

    endorsed.refresh_from_db()
    assert endorsed.state == ApplicationState.ACCEPTED
    assert _messages(response) == ["已执行“受理”。"]
    entry = AuditEntry.objects.filter(object_type="nominations.application", object_id=str(endorsed.pk)).last()
    assert (entry.action, entry.source, entry.target, entry.actor_id, entry.note) == (
        "accept", "endorsed", "accepted", staff.pk, "后台受理")


def test_admin_transition_checks_permission(client, staff, submitted):
    client.force_login(staff)

    response = client.post(reverse("admin:nominations_application_transition", args=[submitted.pk]),
                           {"transition": "endorse"}, follow=True)

    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    assert _messages(response) == ["您无权执行“推荐”操作。"]


def test_admin_reject_without_reason_is_refused(client, staff, endorsed):
    client.force_login(staff)

    response = client.post(reverse("admin:nominations_application_transition", args=[endorsed.pk]),
                           {"transition": "reject", "note": ""}, follow=True)

    endorsed.refresh_from_db()
    assert endorsed.state == ApplicationState.ENDORSED
    assert _messages(response) == ["请填写不予受理的理由。"]


def test_admin_transition_refuses_get(client, staff, endorsed):
    client.force_login(staff)

    response = client.get(reverse("admin:nominations_application_transition", args=[endorsed.pk]))

    assert response.status_code == 405


def test_application_admin_is_read_only(client, staff, endorsed):
    client.force_login(staff)

    response = client.post(reverse("admin:nominations_application_change", args=[endorsed.pk]),
                           {"title": "被改掉的名称"})

    assert response.status_code == 403
    endorsed.refresh_from_db()
    assert endorsed.title == "卓越绩效管理模式"


def test_open_cycle_parameters_are_read_only_and_its_transitions_use_the_service(client, staff, cycle):
    client.force_login(staff)
    url = reverse("admin:nominations_cycle_change", args=[cycle.pk])

    response = client.get(url)

    readonly = set(response.context["adminform"].readonly_fields)
    assert set(cycle.FROZEN_FIELDS) <= readonly
    assert [t.name for t in response.context["available_transitions"]] == ["close"]
    response = client.post(reverse("admin:nominations_cycle_transition", args=[cycle.pk]),
                           {"transition": "close", "note": "后台截止"}, follow=True)
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    assert _messages(response) == ["已执行“截止申报”。"]


def test_draft_cycle_parameters_are_editable(client, staff):
    from nominations.demo import build_cycle

    draft_cycle = build_cycle("QB", year=2019)
    client.force_login(staff)

    response = client.get(reverse("admin:nominations_cycle_change", args=[draft_cycle.pk]))

    assert set(response.context["adminform"].readonly_fields) == {"status", "reference_seq"}


def test_audit_entries_are_view_only(client, staff, submitted):
    client.force_login(staff)
    entry = AuditEntry.objects.first()

    assert client.get(reverse("admin:nominations_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:nominations_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:nominations_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code \
        == 403
    response = client.post(reverse("admin:nominations_auditentry_change", args=[entry.pk]), {"note": "篡改"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.note != "篡改"


def test_nominee_admin_shows_only_the_masked_id(client, staff, cycle, applicant, organization, unit):
    from tests import factories as f

    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                              category_code="IND")
    client.force_login(staff)

    html = client.get(reverse("admin:nominations_nominee_change", args=[app.nominee_id])).content.decode()

    assert "110105********002X" in html
    assert "11010519491231002X" not in html
    assert app.nominee.id_number_encrypted not in html


def test_organization_admin_needs_a_reason_for_a_failing_credit_code(client, staff):
    client.force_login(staff)
    valid = make_uscc("91350100M0001TGQX")
    legacy = valid[:17] + ("M" if valid[17] != "M" else "1")
    data = {"name": "早期试点企业", "uscc": legacy, "uscc_override_reason": "",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}

    refused = client.post(reverse("admin:nominations_organization_add"), data)
    accepted = client.post(reverse("admin:nominations_organization_add"),
                           {**data, "uscc_override_reason": "早期试点代码，经核实营业执照无误。"})

    assert refused.status_code == 200
    assert "如为早期试点代码，请在“校验例外理由”中说明后保存。" in refused.content.decode()
    assert accepted.status_code == 302
    org = Organization.objects.get(uscc=legacy)
    assert org.uscc_override_reason == "早期试点代码，经核实营业执照无误。"
    assert AuditEntry.objects.filter(object_type="nominations.organization", object_id=str(org.pk),
                                     action="admin.add").count() == 1


def test_rubric_in_use_is_read_only_in_admin(client, staff, cycle):
    client.force_login(staff)
    locked = Rubric.objects.get(code="GBT19580-2012")
    assert locked.is_locked

    response = client.post(reverse("admin:judging_rubric_change", args=[locked.pk]), {"name": "改名"})

    assert response.status_code == 403
    locked.refresh_from_db()
    assert locked.name != "改名"
    page = client.get(reverse("admin:judging_rubric_change", args=[locked.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


def test_every_admin_list_and_add_page_opens_for_the_secretariat(client, rf, staff, submitted):
    from django.contrib import admin

    client.force_login(staff)
    request = rf.get("/admin/")
    request.user = staff
    statuses = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "nominations" and model not in (Rubric, Criterion):
            continue
        info = model._meta.app_label, model._meta.model_name
        statuses[f"{info[1]}:list"] = client.get(reverse("admin:%s_%s_changelist" % info)).status_code
        if model_admin.has_add_permission(request):
            statuses[f"{info[1]}:add"] = client.get(reverse("admin:%s_%s_add" % info)).status_code

    assert statuses and set(statuses.values()) == {200}, statuses
