"""Registering: places, the waiting list, windows, duplicates, the per-organization limit,
cancelled events. Every refusal changes nothing."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Attendee, Registration
from events.services.events import event_cancel
from events.services.registrations import registration_create
from nominations.errors import NotPermitted, WorkflowError
from tests import factories as f
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db


def _enterprise(name):
    org = f.OrganizationFactory(name=name)
    user = f.UserFactory(username=f"ent-{org.pk}")
    f.member(user, org)
    return user, org


def _register(event, user, n=2, **kw):
    return registration_create(event=event, organization=org_of(user), attendees=people(n), actor=user, **kw)


def test_register_within_capacity_confirmed_with_receipt_and_email(event, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reg = _register(event, applicant)
    assert (reg.status, reg.persons, reg.position) == ("confirmed", 2, None)
    assert reg.receipt.startswith(f"{timezone.localtime():%y}-JL-") and len(reg.receipt) == 11
    assert [a.name for a in reg.attendees.all()] == ["员工1", "员工2"]
    [message] = mail.outbox
    assert message.to == sorted({"applicant@example.com", org_of(applicant).contact_email})
    assert "报名成功" in message.subject and reg.receipt in message.subject
    local = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
    assert local in message.body and event.location in message.body
    assert "/events/checkin/" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype, content[:8]) == (f"checkin-{reg.receipt}.png", "image/png", b"\x89PNG\r\n\x1a\n")


def test_beyond_capacity_waitlisted_in_order_with_position(event, applicant, other_applicant, third_applicant,
                                                          django_capture_on_commit_callbacks):
    first = _register(event, applicant)          # 2 of 4
    second = _register(event, other_applicant)   # 4 of 4
    with django_capture_on_commit_callbacks(execute=True):
        third = _register(event, third_applicant, n=1)
    fourth_user, _org = _enterprise("上海丁方物流有限公司")
    fourth = _register(event, fourth_user, n=1)
    assert [(r.status, r.position) for r in (first, second, third, fourth)] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    [message] = mail.outbox
    assert "候补" in message.subject and "候补第 1 位" in message.body and not message.attachments


def test_nobody_overtakes_the_waiting_list(event, applicant, other_applicant, third_applicant):
    """3 of 4 places taken, two waiting for 2: a later registration for 1 does not jump the queue."""
    _register(event, applicant, n=2)
    _register(event, other_applicant, n=1)
    waiting = _register(event, third_applicant, n=2)
    late_user, _org = _enterprise("上海戊方有限公司")
    late = _register(event, late_user, n=1)
    assert (waiting.status, late.status, late.position) == ("waitlisted", "waitlisted", 2)


@pytest.mark.parametrize("opens,closes,message", [
    (1, 3, "报名尚未开始"),
    (-3, -1, "报名已于"),
])
def test_outside_window_refused(secretariat, winner, applicant, opens, closes, message):
    from events.services.events import event_create
    from tests.events.conftest import event_input

    now = timezone.now()
    event = event_create(actor=secretariat, data=event_input(
        [winner[0].pk], registration_opens_at=now + dt.timedelta(days=opens),
        registration_closes_at=now + dt.timedelta(days=closes)))
    with pytest.raises(WorkflowError) as exc:
        _register(event, applicant)
    assert (exc.value.code, exc.value.status) == ("registration_closed", 400) and message in exc.value.message
    assert not Registration.objects.exists()


def test_cancelled_event_refuses_registration(event, secretariat, applicant):
    event_cancel(event=event, actor=secretariat, reason="场地检修")
    with pytest.raises(WorkflowError) as exc:
        _register(event, applicant)
    assert exc.value.status == 400 and "已取消" in exc.value.message
    assert not Registration.objects.exists()


def test_same_organization_cannot_register_twice(event, applicant):
    _register(event, applicant, n=1)
    colleague = f.UserFactory(username="colleague")
    f.member(colleague, org_of(applicant))
    with pytest.raises(WorkflowError) as exc:
        registration_create(event=event, organization=org_of(applicant), attendees=people(1, "同事"), actor=colleague)
    assert exc.value.field_errors["organization"] == ["本单位已报名该活动，不能重复报名；如需调整人员，请先取消原报名。"]
    assert Registration.objects.count() == 1 and Attendee.objects.count() == 1


def test_over_per_organization_limit_refused(event, applicant):
    with pytest.raises(WorkflowError) as exc:
        _register(event, applicant, n=3)
    assert exc.value.field_errors == {"attendees": ["每家单位最多报名 2 人，您填写了 3 人。"]}
    assert not Registration.objects.exists()


@pytest.mark.parametrize("attendees,error", [
    ([], "请至少填写一名参会人员。"),
    ([{"name": "张三", "position": "", "phone": ""}], "每名参会人员都需填写姓名和联系电话。"),
    ([{"name": "张三", "phone": "1"}, {"name": "张三", "phone": "2"}], "参会人员姓名重复。"),
])
def test_attendees_must_be_named_with_phone(event, applicant, attendees, error):
    with pytest.raises(WorkflowError) as exc:
        registration_create(event=event, organization=org_of(applicant), attendees=attendees, actor=applicant)
    assert exc.value.field_errors == {"attendees": [error]}
    assert not Registration.objects.exists()


def test_only_members_register_their_organization(event, applicant, other_organization, judge):
    with pytest.raises(WorkflowError) as exc:
        registration_create(event=event, organization=other_organization, attendees=people(1), actor=applicant)
    assert exc.value.field_errors == {"organization": ["请选择您所属的单位。"]}
    with pytest.raises(NotPermitted):
        registration_create(event=event, organization=other_organization, attendees=people(1), actor=judge)
    assert not Registration.objects.exists()


def test_host_organization_does_not_register_for_its_own_event(event, host_user):
    with pytest.raises(WorkflowError) as exc:
        registration_create(event=event, organization=org_of(host_user), attendees=people(1), actor=host_user)
    assert exc.value.field_errors == {"organization": ["主办单位无需报名本单位主办的活动。"]}


def test_may_register_again_after_cancelling(event, applicant):
    from events.services.registrations import registration_cancel

    first = _register(event, applicant, n=1)
    registration_cancel(registration=first, actor=applicant)
    again = _register(event, applicant, n=2)
    assert (again.status, Registration.objects.filter(status="cancelled").count()) == ("confirmed", 1)
