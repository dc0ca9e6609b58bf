"""Cancelling frees places: the waiting list is promoted in order, each promoted
registrant is e-mailed with the check-in QR code; nobody overtakes."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Registration
from events.services.events import event_update
from events.services.registrations import registration_cancel, registration_create
from nominations.errors import InvalidState, NotPermitted
from nominations.models import AuditEntry
from tests import factories as f
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db


def _enterprise(name):
    org = f.OrganizationFactory(name=name)
    user = f.UserFactory(username=f"ent-{org.pk}")
    f.member(user, org)
    return user


def _register(event, user, n=2):
    return registration_create(event=event, organization=org_of(user), attendees=people(n), actor=user)


def _statuses():
    return list(Registration.objects.order_by("id").values_list("status", flat=True))


def test_cancel_promotes_first_waiting_and_emails_it(event, applicant, other_applicant, third_applicant,
                                                     django_capture_on_commit_callbacks):
    first, _second = _register(event, applicant), _register(event, other_applicant)
    waiting = _register(event, third_applicant, n=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _reg, promoted = registration_cancel(registration=first, actor=applicant)
    assert [r.pk for r in promoted] == [waiting.pk]
    assert _statuses() == ["cancelled", "confirmed", "confirmed"]
    subjects = sorted(m.subject.split("：")[0] for m in mail.outbox)
    assert subjects == ["候补转正", "报名已取消"]
    promoted_mail = next(m for m in mail.outbox if m.subject.startswith("候补转正"))
    assert org_of(third_applicant).contact_email in promoted_mail.to
    assert promoted_mail.attachments[0][2] == "image/png"
    entry = AuditEntry.objects.filter(action="registration.cancel").get()
    assert entry.data["promoted"] == [waiting.receipt]


def test_promotion_stops_at_first_that_does_not_fit(event, applicant, other_applicant, third_applicant):
    one = _register(event, applicant, n=1)
    _register(event, other_applicant, n=2)                  # 3 of 4
    big = _register(event, third_applicant, n=2)            # waits (needs 2, 1 free)
    small = _register(event, _enterprise("上海丁方有限公司"), n=1)  # waits behind it
    registration_cancel(registration=one, actor=applicant)  # 2 free: the big one fits, then 0 free
    big.refresh_from_db(), small.refresh_from_db()
    assert (big.status, small.status) == ("confirmed", "waitlisted")


def test_cancelling_a_waiting_registration_moves_the_others_up(event, applicant, other_applicant, third_applicant):
    _register(event, applicant), _register(event, other_applicant)
    w1 = _register(event, third_applicant, n=1)
    w2 = _register(event, _enterprise("上海丁方有限公司"), n=1)
    _reg, promoted = registration_cancel(registration=w1, actor=third_applicant)
    from events.services.registrations import waitlist_position

    w2.refresh_from_db()
    assert (promoted, w2.status, waitlist_position(w2)) == ([], "waitlisted", 1)


def test_larger_capacity_promotes_the_waiting_list(event, secretariat, applicant, other_applicant, third_applicant,
                                                   django_capture_on_commit_callbacks):
    _register(event, applicant), _register(event, other_applicant)
    waiting = _register(event, third_applicant, n=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, actor=secretariat, changes={"capacity": 6})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert [m.subject.split("：")[0] for m in mail.outbox] == ["候补转正"]


def test_capacity_below_confirmed_refused(event, secretariat, applicant, other_applicant):
    _register(event, applicant), _register(event, other_applicant)
    from nominations.errors import WorkflowError

    with pytest.raises(WorkflowError) as exc:
        event_update(event=event, actor=secretariat, changes={"capacity": 3})
    assert "capacity" in exc.value.field_errors
    event.refresh_from_db()
    assert event.capacity == 4


def test_cancel_after_the_event_started_refused(event, applicant):
    reg = _register(event, applicant)
    with pytest.raises(InvalidState):
        registration_cancel(registration=reg, actor=applicant, now=event.starts_at + dt.timedelta(minutes=1))
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_cancel_twice_refused_and_others_may_not_cancel(event, applicant, other_applicant):
    reg = _register(event, applicant)
    with pytest.raises(NotPermitted):
        registration_cancel(registration=reg, actor=other_applicant)
    registration_cancel(registration=reg, actor=applicant)
    with pytest.raises(InvalidState):
        registration_cancel(registration=reg, actor=applicant)
    assert AuditEntry.objects.filter(action="registration.cancel").count() == 1


def test_secretariat_may_cancel_a_registration(event, secretariat, applicant):
    reg = _register(event, applicant)
    registration_cancel(registration=reg, actor=secretariat, now=timezone.now())
    reg.refresh_from_db()
    assert reg.status == "cancelled"
