"""The assignment board's inline due-date form (assignment_set_due)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from judging.models import Assignment
from nominations.models import AuditEntry

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def due_url(assignment) -> str:
    return reverse("judging:assignment_due", args=[assignment.pk])


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_board_shows_the_form_and_changes_the_due_date(review_app, secretariat):
    app, assignments = review_app
    target = assignments[0]
    client = login(secretariat)
    board = client.get(reverse("judging:assignment_board", args=[app.cycle_id]))
    assert due_url(target) in board.content.decode()
    new_due = (timezone.now() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    Assignment.objects.filter(pk=target.pk).update(reminded_at=timezone.now())
    response = client.post(due_url(target), {"due_at": local_input(new_due)})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?stage=document#app-{app.pk}")
    target.refresh_from_db()
    assert (target.due_at, target.reminded_at) == (new_due, None)
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == [
        f"已将 {target.judge.get_full_name()} 的完成期限调整为 {timezone.localtime(new_due):%Y-%m-%d %H:%M}。"]
    board = client.get(reverse("judging:assignment_board", args=[app.cycle_id])).content.decode()
    assert f'name="due_at" value="{local_input(new_due)}"' in board
    entry = AuditEntry.objects.get(action="assignment.due")
    assert (entry.object_id, dt.datetime.fromisoformat(entry.data["new"])) == (str(target.pk), new_due)
    # the other assignments are untouched
    assert set(Assignment.objects.exclude(pk=target.pk).values_list("due_at", flat=True)) == {None}


def test_past_date_is_refused_and_changes_nothing(review_app, secretariat):
    app, assignments = review_app
    client = login(secretariat)
    response = client.post(due_url(assignments[0]),
                           {"due_at": local_input(timezone.now() - dt.timedelta(days=1))}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["完成期限必须晚于当前时间。"]
    response = client.post(due_url(assignments[0]), {"due_at": "明天"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["完成期限格式不正确，请按“年-月-日 时:分”填写。"]
    assert not Assignment.objects.filter(due_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="assignment.due").exists()


def test_empty_value_clears_the_due_date(review_app, secretariat):
    app, assignments = review_app
    Assignment.objects.filter(pk=assignments[0].pk).update(due_at=timezone.now() + dt.timedelta(days=3))
    response = login(secretariat).post(due_url(assignments[0]), {"due_at": ""}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"已取消 {assignments[0].judge.get_full_name()} 的完成期限。"]
    assert not Assignment.objects.filter(due_at__isnull=False).exists()


def test_only_the_secretariat_changes_due_dates(review_app, judges, applicant):
    app, assignments = review_app
    for user in (judges[0], applicant):
        response = login(user).post(due_url(assignments[0]),
                                    {"due_at": local_input(timezone.now() + dt.timedelta(days=5))})
        assert response.status_code == 403
    assert not Assignment.objects.filter(due_at__isnull=False).exists()
