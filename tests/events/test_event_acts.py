"""The secretariat's acts: create (hosts must be published winners, names frozen),
reschedule and cancel (every registrant e-mailed), close after the event."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, EventHost
from events.services.events import event_cancel, event_close, event_create, event_update
from events.services.registrations import registration_create
from nominations.errors import InvalidState, NotPermitted, WorkflowError
from nominations.models import AuditEntry, Organization
from tests.events.conftest import event_input, org_of, people, published_winner

pytestmark = pytest.mark.django_db


def test_create_freezes_host_names_from_the_award_record(secretariat, winner):
    app, award, org = winner
    event = event_create(actor=secretariat, data=event_input([app.pk]))
    Organization.objects.filter(pk=org.pk).update(name="改名后的公司")
    host = EventHost.objects.get(event=event)
    assert (host.name, host.title, host.award, host.organization_id) == (
        "上海浦江标杆精密机械有限公司", "“数字孪生”质量追溯典型经验", award.programme.name, org.pk)
    assert event.topic == award.title
    assert AuditEntry.objects.filter(action="event.create", object_id=str(event.pk)).count() == 1


def test_host_must_be_a_published_winner(secretariat, accepted):
    with pytest.raises(WorkflowError) as exc:
        event_create(actor=secretariat, data=event_input([accepted.pk]))
    assert list(exc.value.field_errors) == ["host_applications"]
    assert not Event.objects.exists()


def test_exchange_visit_has_one_host_sharing_meeting_many(secretariat, winner):
    other = published_winner(secretariat=secretariat)
    with pytest.raises(WorkflowError) as exc:
        event_create(actor=secretariat, data=event_input([winner[0].pk, other[0].pk]))
    assert exc.value.field_errors == {"host_applications": ["标杆企业参观交流由一家获奖单位主办。"]}
    event = event_create(actor=secretariat, data=event_input([winner[0].pk, other[0].pk], kind="experience_sharing"))
    assert list(event.hosts.values_list("application_id", flat=True)) == [winner[0].pk, other[0].pk]


def test_invalid_times_and_limits_name_their_fields(secretariat, winner):
    now = timezone.now()
    with pytest.raises(WorkflowError) as exc:
        event_create(actor=secretariat, data=event_input(
            [winner[0].pk], ends_at=now + dt.timedelta(days=6), per_organization_limit=9,
            registration_closes_at=now + dt.timedelta(days=8)))
    assert sorted(exc.value.field_errors) == ["ends_at", "per_organization_limit", "registration_closes_at"]
    assert not Event.objects.exists()


def test_only_secretariat_creates(applicant, winner):
    with pytest.raises(NotPermitted):
        event_create(actor=applicant, data=event_input([winner[0].pk]))


def test_reschedule_emails_every_registrant_and_rearms_reminders(event, secretariat, applicant, other_applicant,
                                                                 third_applicant, django_capture_on_commit_callbacks):
    for user in (applicant, other_applicant, third_applicant):
        registration_create(event=event, organization=org_of(user), attendees=people(2), actor=user)
    event.registrations.update(reminded_at=timezone.now())
    mail.outbox.clear()
    new_start = event.starts_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, actor=secretariat, changes={"starts_at": new_start,
                                                               "ends_at": new_start + dt.timedelta(hours=2)})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        sorted({u.email, org_of(u).contact_email})[0] for u in (applicant, other_applicant, third_applicant))
    assert all("活动时间或地点调整" in m.subject for m in mail.outbox)
    assert timezone.localtime(new_start).strftime("%Y-%m-%d %H:%M") in mail.outbox[0].body
    assert not event.registrations.filter(reminded_at__isnull=False).exists()
    entry = AuditEntry.objects.get(action="event.reschedule")
    assert set(entry.data["changes"]) == {"starts_at", "ends_at"}


def test_reschedule_into_the_past_is_refused_and_changes_nothing(event, secretariat, applicant,
                                                                 django_capture_on_commit_callbacks):
    registration_create(event=event, organization=org_of(applicant), attendees=people(1), actor=applicant)
    before = (event.starts_at, event.ends_at)
    mail.outbox.clear()
    past = timezone.now() - dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError) as refused:
        event_update(event=event, actor=secretariat, changes={"starts_at": past, "ends_at": past + dt.timedelta(hours=2),
                                                               "registration_closes_at": past - dt.timedelta(hours=1)})
    assert "starts_at" in refused.value.field_errors
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at) == before and mail.outbox == []
    assert not AuditEntry.objects.filter(action="event.reschedule").exists()


def test_cancel_emails_everyone_with_reason(event, secretariat, applicant, other_applicant, third_applicant,
                                            django_capture_on_commit_callbacks):
    for user in (applicant, other_applicant, third_applicant):  # the third waits
        registration_create(event=event, organization=org_of(user), attendees=people(2), actor=user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=secretariat, reason="主办单位生产线检修")
    assert len(mail.outbox) == 3 and all("主办单位生产线检修" in m.body for m in mail.outbox)
    with pytest.raises(InvalidState):
        event_cancel(event=event, actor=secretariat, reason="再次取消")
    with pytest.raises(InvalidState):
        event_update(event=event, actor=secretariat, changes={"title": "新名称"})


def test_cancel_needs_a_reason(event, secretariat):
    with pytest.raises(WorkflowError) as exc:
        event_cancel(event=event, actor=secretariat, reason=" ")
    assert list(exc.value.field_errors) == ["reason"]
    event.refresh_from_db()
    assert event.state == "scheduled"


def test_close_only_after_the_event_ended(event, secretariat):
    with pytest.raises(InvalidState):
        event_close(event=event, actor=secretariat, attendance=3, summary="交流热烈")
    after = event.ends_at + dt.timedelta(hours=1)
    with pytest.raises(WorkflowError) as exc:
        event_close(event=event, actor=secretariat, attendance=None, summary="", now=after)
    assert sorted(exc.value.field_errors) == ["attendance", "summary"]
    done = event_close(event=event, actor=secretariat, attendance=3, summary="参观生产线并座谈。", now=after)
    assert (done.state, done.attendance, done.summary) == ("done", 3, "参观生产线并座谈。")
    assert AuditEntry.objects.filter(action="event.close").count() == 1
