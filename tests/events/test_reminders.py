"""The day-before reminder and the revoked-host notice, through `send_due_reminders`
(cron): each sent once, however often the command runs."""
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, EventHost
from events.services.events import event_update
from events.services.registrations import registration_create
from events.services.reminders import events_send_reminders
from nominations.services.publication import application_revoke
from tests import factories as f
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db


def _tomorrow(event):
    start = timezone.now() + dt.timedelta(hours=20)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                             registration_closes_at=start - dt.timedelta(hours=1))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The cron's command; the e-mail it queues on commit is sent."""
    def _run():
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_due_reminders", stdout=out)
        return out.getvalue()
    return _run


def test_reminder_sent_once_to_confirmed_only(event, applicant, other_applicant, third_applicant, run):
    for user in (applicant, other_applicant, third_applicant):  # the third waits
        registration_create(event=event, organization=org_of(user), attendees=people(2), actor=user)
    assert events_send_reminders() == []  # a week ahead: not yet
    _tomorrow(event)
    mail.outbox.clear()
    out = run()
    assert "2 event reminder(s)" in out
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        sorted({u.email, org_of(u).contact_email})[0] for u in (applicant, other_applicant))
    assert all(m.subject.startswith("活动提醒") and m.attachments for m in mail.outbox)
    mail.outbox.clear()
    assert "0 event reminder(s)" in run()
    assert mail.outbox == []


def test_reschedule_rearms_the_reminder(event, secretariat, applicant, run):
    registration_create(event=event, organization=org_of(applicant), attendees=people(1), actor=applicant)
    _tomorrow(event)
    run()
    event.refresh_from_db()
    new_start = event.starts_at + dt.timedelta(hours=2)
    event_update(event=event, actor=secretariat, changes={"starts_at": new_start,
                                                           "ends_at": new_start + dt.timedelta(hours=2)})
    mail.outbox.clear()
    assert "1 event reminder(s)" in run()
    assert len(mail.outbox) == 1
    assert timezone.localtime(new_start).strftime("%H:%M") in mail.outbox[0].body


def test_cancelled_event_sends_no_reminder(event, secretariat, applicant, run):
    from events.services.events import event_cancel

    registration_create(event=event, organization=org_of(applicant), attendees=people(1), actor=applicant)
    _tomorrow(event)
    event_cancel(event=event, actor=secretariat, reason="取消")
    mail.outbox.clear()
    assert "0 event reminder(s)" in run() and mail.outbox == []


def test_revoked_host_flagged_and_secretariat_told_once(event, secretariat, winner, run):
    from events.selectors import event_get

    secretariat.email = "sec@example.com"
    secretariat.save(update_fields=["email"])
    f.UserFactory(username="sec2", email="sec2@example.com", groups=["secretariat"])
    assert event_get(event.pk).host_revoked is False
    application_revoke(application=winner[0].pk, actor=secretariat, reason="发生重大质量事故")
    flagged = event_get(event.pk)
    assert flagged.host_revoked is True and [h.revoked for h in flagged.hosts.all()] == [True]
    mail.outbox.clear()
    assert "1 revoked-host notice(s)" in run()
    [message] = mail.outbox
    assert sorted(message.to) == ["sec2@example.com", "sec@example.com"]
    assert event.title in message.subject and "上海浦江标杆精密机械有限公司" in message.body
    assert EventHost.objects.get(event=event).revoke_notified_at is not None
    mail.outbox.clear()
    assert "0 revoked-host notice(s)" in run() and mail.outbox == []
