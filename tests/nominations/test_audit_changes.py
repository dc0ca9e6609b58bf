"""An edit's audit entry keeps the old and the new values, whichever entry point made it
(issue 7: a rename during 公示 left only {"fields": ["name"]})."""
from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from nominations.models import AuditEntry


def _rename(entry, client, organization, applicant, new_name):
    if entry == "api":
        api = APIClient()
        api.force_authenticate(applicant)
        return api.patch(f"/api/v1/organizations/{organization.pk}/", {"name": new_name}, format="json")
    client.force_login(applicant)
    url = reverse("organization_edit", args=[organization.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["name"] = new_name
    return client.post(url, data)


@pytest.mark.parametrize("entry", ["api", "web"])
def test_an_organization_rename_keeps_old_and_new_names_in_the_audit(entry, client, organization, applicant):
    old = organization.name
    _rename(entry, client, organization, applicant, "上海改名后科技有限公司")
    organization.refresh_from_db()
    assert organization.name == "上海改名后科技有限公司"
    entry_ = AuditEntry.objects.get(object_type="nominations.organization", action="organization.update")
    assert entry_.data["changes"] == {"name": [old, "上海改名后科技有限公司"]}


def test_an_application_edit_keeps_old_and_new_title(draft, applicant):
    api = APIClient()
    api.force_authenticate(applicant)
    old = draft.title
    assert api.patch(f"/api/v1/applications/{draft.pk}/", {"title": "新项目名称"}, format="json").status_code == 200
    entry = AuditEntry.objects.filter(object_id=str(draft.pk), action="update").get()
    assert entry.data["changes"] == {"title": [old, "新项目名称"]}
