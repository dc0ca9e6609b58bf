"""Admin: registrations are read-only; its actions call the services (events: test_admin_acts)."""
import pytest
from django.urls import reverse

from events.models import Registration
from events.services.registrations import registration_create
from nominations.models import AuditEntry
from tests import factories as f
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


def test_admin_lists_and_actions_go_through_services(client, admin_user, event, applicant, other_applicant,
                                                     third_applicant):
    regs = [registration_create(event=event, organization=org_of(u), attendees=people(2), actor=u)
            for u in (applicant, other_applicant, third_applicant)]
    client.force_login(admin_user)
    assert client.get(reverse("admin:events_event_changelist")).status_code == 200
    assert client.get(reverse("admin:events_registration_changelist")).status_code == 200
    add = client.get(reverse("admin:events_event_add"))
    assert "state" not in add.context["adminform"].form.fields  # the act's form: no state, services only
    changelist = reverse("admin:events_registration_changelist")
    client.post(changelist, {"action": "check_in", "_selected_action": [regs[0].pk]})
    assert not regs[0].attendees.filter(checked_in_at__isnull=True).exists()
    client.post(changelist, {"action": "cancel", "_selected_action": [regs[1].pk]})
    assert list(Registration.objects.order_by("id").values_list("status", flat=True)) == [
        "confirmed", "cancelled", "confirmed"]
    assert AuditEntry.objects.filter(action__in=["registration.check_in", "registration.cancel"]).count() == 2


def test_admin_registration_actions_record_the_address_as_the_desk_does(client, admin_user, event, applicant,
                                                                        other_applicant):
    regs = [registration_create(event=event, organization=org_of(u), attendees=people(2), actor=u)
            for u in (applicant, other_applicant)]
    client.force_login(admin_user)
    changelist = reverse("admin:events_registration_changelist")

    client.post(changelist, {"action": "check_in", "_selected_action": [regs[0].pk]}, REMOTE_ADDR="203.0.113.7")
    client.post(changelist, {"action": "cancel", "_selected_action": [regs[1].pk]}, REMOTE_ADDR="203.0.113.7")

    assert sorted(AuditEntry.objects.filter(action__in=["registration.check_in", "registration.cancel"])
                  .values_list("action", "ip", "actor_id")) == [
        ("registration.cancel", "203.0.113.7", admin_user.pk), ("registration.check_in", "203.0.113.7", admin_user.pk)]
