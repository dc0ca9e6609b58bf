"""Accounts whose sign-up was never activated are deleted after UNACTIVATED_ACCOUNT_DAYS
(accounts.services.accounts_unactivated_purge), each with an audit entry: by
`manage.py purge_unactivated_accounts` (--dry-run lists them) and by the cron's
`send_due_reminders`. Never staff, judges, an activated or secretariat-made account, nor one
that anything refers to."""
from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import accounts_unactivated_purge
from nominations.models import AuditEntry
from nominations.services.audit import audit_verify
from nominations.services.signup import signup_request
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Quality-Award-2018"
User = get_user_model()


def signed_up(email: str, *, days_ago: float):
    """An account made by the public sign-up, `days_ago` days ago, never activated."""
    user = signup_request(first_name="张三", email=email, password=PASSWORD)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days_ago))
    user.refresh_from_db()
    return user


def remaining(*users) -> set[str]:
    return set(User.objects.filter(pk__in=[u.pk for u in users]).values_list("email", flat=True))


def purge_entries() -> list[tuple[str, dict, str]]:
    return [(e.object_id, e.data, e.actor_name) for e in
            AuditEntry.objects.filter(action="account.purge_unactivated").order_by("seq")]


def test_an_account_never_activated_goes_after_the_days_with_an_audit_entry(settings):
    settings.UNACTIVATED_ACCOUNT_DAYS = 7
    old = signed_up("old@example.com", days_ago=7.01)
    recent = signed_up("recent@example.com", days_ago=6.9)
    purged = accounts_unactivated_purge()

    assert [(a.pk, a.email) for a in purged] == [(old.pk, "old@example.com")]
    assert remaining(old, recent) == {"recent@example.com"}
    assert purge_entries() == [(str(old.pk), {"username": old.username, "days": 7,
                                              "joined": old.date_joined.isoformat(timespec="seconds")}, "system")]
    assert "old@example.com" not in str(purge_entries())  # the address is not kept
    assert audit_verify().ok
    assert accounts_unactivated_purge() == []  # a second run finds nothing


def test_the_setting_and_the_days_argument_choose_the_age(settings):
    settings.UNACTIVATED_ACCOUNT_DAYS = 30
    user = signed_up("month@example.com", days_ago=10)
    assert accounts_unactivated_purge() == []
    assert [a.pk for a in accounts_unactivated_purge(days=9)] == [user.pk]
    assert remaining(user) == set()


def test_what_is_never_deleted(organization, unit):
    activated = signed_up("activated@example.com", days_ago=30)
    User.objects.filter(pk=activated.pk).update(is_active=True, last_login=timezone.now() - timedelta(days=29))
    staff = signed_up("staff@example.com", days_ago=30)
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    judge = signed_up("judge@example.com", days_ago=30)
    judge.groups.add(Group.objects.get(name="judge"))
    member = signed_up("member@example.com", days_ago=30)
    f.member(member, organization)
    recommender = signed_up("recommender@example.com", days_ago=30)
    f.recommender_member(recommender, unit)
    device = signed_up("device@example.com", days_ago=30)
    TOTPDevice.objects.create(user=device, name="authenticator", confirmed=False)
    parked = f.UserFactory(username="parked", email="parked@example.com", is_active=False)  # made by the secretariat
    User.objects.filter(pk=parked.pk).update(date_joined=timezone.now() - timedelta(days=90))
    plain = signed_up("plain@example.com", days_ago=30)

    kept = [activated, staff, judge, member, recommender, device, parked]
    assert [a.email for a in accounts_unactivated_purge()] == ["plain@example.com"]
    assert remaining(*kept, plain) == {u.email for u in kept}
    assert [object_id for object_id, *_ in purge_entries()] == [str(plain.pk)]


def test_an_account_that_acted_in_the_audit_log_is_kept():
    user = signed_up("acted@example.com", days_ago=30)
    from django.db import transaction

    from nominations.services.audit import audit_record
    with transaction.atomic():
        audit_record(obj=user, action="test.acted", actor=user)
    assert accounts_unactivated_purge() == []
    assert remaining(user) == {"acted@example.com"}


def test_the_command_dry_run_lists_and_changes_nothing_then_deletes():
    user = signed_up("dry@example.com", days_ago=8)
    entries = AuditEntry.objects.count()
    out = StringIO()
    call_command("purge_unactivated_accounts", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"would delete #{user.pk} {user.username} <dry@example.com> signed up ")
    assert lines[-1] == "Dry run: 1 account(s) never activated after 7 days would delete."
    assert remaining(user) == {"dry@example.com"} and AuditEntry.objects.count() == entries

    out = StringIO()
    call_command("purge_unactivated_accounts", stdout=out)
    assert out.getvalue().splitlines()[-1] == "1 account(s) never activated after 7 days deleted."
    assert remaining(user) == set() and len(purge_entries()) == 1


def test_the_command_refuses_bad_numbers():
    from django.core.management import CommandError

    for args in (["--days", "0"], ["--limit", "0"]):
        with pytest.raises(CommandError):
            call_command("purge_unactivated_accounts", *args, stdout=StringIO())


def test_the_limit_leaves_the_rest_for_the_next_run():
    users = [signed_up(f"n{i}@example.com", days_ago=20 - i) for i in range(3)]
    assert [a.pk for a in accounts_unactivated_purge(limit=2)] == [users[0].pk, users[1].pk]
    assert remaining(*users) == {"n2@example.com"}
    assert [a.pk for a in accounts_unactivated_purge(limit=2)] == [users[2].pk]


def test_the_cron_runs_it_with_send_due_reminders():
    user = signed_up("cron@example.com", days_ago=8)
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert "已删除 1 个逾期未激活的注册账号 / 1 unactivated account(s) deleted." in out.getvalue().splitlines()
    assert remaining(user) == set() and len(purge_entries()) == 1


def test_the_address_signs_up_afresh_after_the_purge(django_capture_on_commit_callbacks):
    signed_up("again@example.com", days_ago=8)
    accounts_unactivated_purge()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("signup"), {"first_name": "张三", "email": "again@example.com",
                                          "password1": PASSWORD, "password2": PASSWORD})
    assert [m.subject for m in mail.outbox] == ["上海市政府质量奖评审系统：请完成注册"]
    link = re.search(r"https?://[^/\s]+(/signup/activate/\S+)", mail.outbox[0].body).group(1)
    assert Client().get(link).status_code == 302
    assert User.objects.get(email="again@example.com").is_active
