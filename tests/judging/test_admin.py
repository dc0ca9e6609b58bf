"""The judging admin pages render for the secretariat (read-only where writes need a service)."""
from django.urls import reverse

from judging.services import conflict_declare
from tests import factories as f


def test_judging_admin_changelists_render(client, review_app, judges):
    app, _assignments = review_app
    conflict_declare(judge=judges[0], organization=app.organization, actor=judges[0], reason="亲属")
    admin_user = f.UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for model in ("judgeprofile", "conflict", "assignment", "autoassignrun", "consensusscore", "sitevisitreport",
                  "committeedecision"):
        response = client.get(reverse(f"admin:judging_{model}_changelist"))
        assert response.status_code == 200, model
    response = client.get(reverse("admin:judging_assignment_change", args=[_assignments[0].pk]))
    assert response.status_code == 200
