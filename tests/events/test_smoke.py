from events.services.registrations import registration_create
from tests.events.conftest import org_of, people


def test_register_smoke(event, applicant):
    reg = registration_create(event=event, organization=org_of(applicant), attendees=people(2), actor=applicant)
    assert reg.status == "confirmed"
