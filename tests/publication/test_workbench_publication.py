"""The secretariat's 工作台 in the notice and publication steps: 公示中 / 到期可确认, 异议待处理 and
证书待签发, each a link to the list that shows exactly those applications or objections."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nominations.services.objections import objection_file
from nominations.services.publication import application_confirm

pytestmark = pytest.mark.django_db


def _home(secretariat):
    client = Client()
    client.force_login(secretariat)
    response = client.get(reverse("home"))
    todos = {t.key: t for g in response.context["secretariat_groups"] for t in g.todos}
    todos.update({t.key: t for t in response.context["secretariat_general"]})
    return client, todos


def test_notice_ended_without_objection_is_due_for_confirmation(notice_ended, secretariat):
    client, todos = _home(secretariat)

    assert (todos["in_notice"].count, todos["notice_due"].count) == (1, 1)
    for key in ("in_notice", "notice_due"):
        listed = client.get(todos[key].url).context["page_obj"].object_list
        assert [a.pk for a in listed] == [notice_ended.pk], key
    assert todos["notice_due"].action_url == reverse("notice_desk", args=[notice_ended.cycle_id])


def test_open_objection_is_a_todo_and_blocks_due(in_notice, secretariat):
    notice = in_notice.notices.get()
    objection = objection_file(notice=notice, application_id=in_notice.pk, name="张先生", phone="13800000000",
                               content="对其获奖资格有异议。")
    client, todos = _home(secretariat)

    assert todos["objections"].count == 1 and "notice_due" not in todos
    listed = client.get(todos["objections"].url).context["page_obj"].object_list
    assert [o.pk for o in listed] == [objection.pk]


def test_confirmed_applications_wait_for_their_certificate(notice_ended, secretariat):
    application_confirm(application=notice_ended.pk, actor=secretariat)

    client, todos = _home(secretariat)

    assert todos["certificates"].count == 1 and "in_notice" not in todos
    listed = client.get(todos["certificates"].url).context["page_obj"].object_list
    assert [a.pk for a in listed] == [notice_ended.pk]
    assert todos["certificates"].action_url == reverse("publication_desk", args=[notice_ended.cycle_id])
