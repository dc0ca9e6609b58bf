"""The objection steps of a 公示 — investigate, then uphold or dismiss with a written
resolution — through the objection desk (web), the REST API, the admin's buttons and the
`transition objection` command: each entry point calls the one service and leaves exactly the
same effects (the objection's state and who and when, one audit entry, the application's
state, the outcome e-mail to the objector), and each refuses the same way, changing nothing."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from nominations.errors import ConditionsUnmet
from nominations.models import Application, AuditEntry, Objection, PublicNotice
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from nominations.services.publication import application_confirm, application_overturn

pytestmark = pytest.mark.django_db

ENTRY_POINTS = ["web", "api", "admin", "command"]
API_OUTCOME = {"uphold": "upheld", "dismiss": "dismissed"}
RESOLUTION = "经调查核实，申报材料中的顾客满意度数据由第三方机构测评，数据真实。"
NOT_YET = "请先“开始调查核实”，核实后再作出处理结论。"


def run(entry: str, step: str, *, objection: Objection, actor, resolution: str = ""):
    """Run one objection step through `entry`; returns what the entry point answered
    (a response, or the command's output or refusal)."""
    if entry == "api":
        api = APIClient()
        api.force_authenticate(actor)
        if step == "investigate":
            return api.post(f"/api/v1/objections/{objection.pk}/investigate/")
        return api.post(f"/api/v1/objections/{objection.pk}/resolve/",
                        {"outcome": API_OUTCOME.get(step, step), "resolution": resolution}, format="json")
    if entry == "command":
        out = StringIO()
        try:
            call_command("transition", "objection", str(objection.pk), step, "--as", actor.username,
                         "--note", resolution, stdout=out)
        except CommandError as exc:
            return exc
        return out.getvalue()
    client = Client()
    client.force_login(actor)
    if entry == "web":
        return client.post(reverse("objection_action", args=[objection.pk, step]), {"resolution": resolution},
                           follow=True)
    if not actor.is_staff:
        actor.is_staff = True
        actor.save(update_fields=["is_staff"])
    return client.post(reverse("admin:nominations_objection_transition", args=[objection.pk]),
                       {"transition": step, "note": resolution}, follow=True)


def said(entry: str, answer) -> list[str]:
    """The messages the entry point showed its user (an API error's detail, the command's error)."""
    if entry == "api":
        body = answer.json()
        return [body["detail"]] if "detail" in body else []
    if entry == "command":
        return [str(answer)] if isinstance(answer, CommandError) else []
    return [str(m) for m in answer.context["messages"] if m.level_tag == "error"]


def effects(objection: Objection, *, since: int, entry: str) -> dict:
    o = Objection.objects.get(pk=objection.pk)
    app = Application.objects.get(pk=o.application_id)
    ip = None if entry == "command" else "127.0.0.1"
    return {
        "objection": (o.status, o.resolution, o.investigated_by_id, o.investigation_started_at is not None,
                      o.resolved_by_id, o.resolved_at is not None),
        "application": app.state,
        "audit": [(e.object_type, e.object_id, e.action, e.source, e.target, e.note, e.actor_id, e.ip == ip, e.data)
                  for e in AuditEntry.objects.filter(id__gt=since).order_by("id")],
        "mail": [(m.to, m.subject, m.body) for m in mail.outbox],
    }


def _since() -> int:
    last = AuditEntry.objects.order_by("-id").first()
    return last.pk if last else 0


@pytest.fixture
def notice(notice_ended):
    return PublicNotice.objects.get()


@pytest.fixture
def make_objection(notice, notice_ended):
    def make(**overrides) -> Objection:
        values = dict(name="王某", phone="13800000000", email="wang@example.com",
                      content="该单位申报材料中的顾客满意度数据与实际不符。")
        values.update(overrides)
        return objection_file(notice=notice, application_id=notice_ended.pk, now=notice.starts_at + dt.timedelta(days=1),
                              **values)
    return make


@pytest.fixture
def received(make_objection):
    return make_objection()


@pytest.fixture
def investigating(received, secretariat):
    return objection_investigate(objection=received, actor=secretariat)


def act(entry, step, objection, actor, capture, resolution=""):
    since = _since()
    mail.outbox.clear()
    with capture(execute=True):
        answer = run(entry, step, objection=objection, actor=actor, resolution=resolution)
    return answer, effects(objection, since=since, entry=entry)


# -- investigate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_investigating_is_the_same_act_everywhere(entry, received, secretariat, notice_ended,
                                                  django_capture_on_commit_callbacks):
    answer, after = act(entry, "investigate", received, secretariat, django_capture_on_commit_callbacks)

    assert after == {
        "objection": ("investigating", "", secretariat.pk, True, None, False),
        "application": "public_notice",
        "audit": [("nominations.objection", str(received.pk), "objection.investigate", "received", "investigating",
                   "", secretariat.pk, True, {"application": notice_ended.pk, "receipt": received.receipt})],
        "mail": [],
    }
    assert said(entry, answer) == []


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_investigating_twice_is_refused_everywhere_and_changes_nothing(entry, investigating, secretariat,
                                                                      django_capture_on_commit_callbacks):
    answer, after = act(entry, "investigate", investigating, secretariat, django_capture_on_commit_callbacks)

    assert (after["objection"][0], after["audit"], after["mail"]) == ("investigating", [], [])
    assert said(entry, answer) == ["该异议当前为“调查核实中”，不能再开始调查核实。"]


# -- uphold ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_upholding_is_the_same_act_everywhere(entry, investigating, secretariat, notice_ended,
                                              django_capture_on_commit_callbacks):
    answer, after = act(entry, "uphold", investigating, secretariat, django_capture_on_commit_callbacks,
                        resolution=RESOLUTION)

    assert after["objection"] == ("upheld", RESOLUTION, secretariat.pk, True, secretariat.pk, True)
    assert after["audit"] == [
        ("nominations.objection", str(investigating.pk), "objection.uphold", "investigating", "upheld", RESOLUTION,
         secretariat.pk, True, {"application": notice_ended.pk, "receipt": investigating.receipt})]
    # the application stays on notice: confirming it is refused, overturning it is the next step
    assert after["application"] == "public_notice"
    with pytest.raises(ConditionsUnmet):
        application_confirm(application=notice_ended.pk, actor=secretariat)
    assert application_overturn(application=notice_ended.pk, actor=secretariat).state == "not_awarded"
    # the objector is told the outcome and the written resolution
    [(to, subject, body)] = after["mail"]
    assert to == ["wang@example.com"] and "异议处理结果" in subject
    assert "结论：异议成立" in body and RESOLUTION in body
    assert said(entry, answer) == []


# -- dismiss ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_dismissing_is_the_same_act_everywhere(entry, investigating, secretariat, notice_ended,
                                               django_capture_on_commit_callbacks):
    answer, after = act(entry, "dismiss", investigating, secretariat, django_capture_on_commit_callbacks,
                        resolution=RESOLUTION)

    assert after["objection"] == ("dismissed", RESOLUTION, secretariat.pk, True, secretariat.pk, True)
    assert after["audit"] == [
        ("nominations.objection", str(investigating.pk), "objection.dismiss", "investigating", "dismissed",
         RESOLUTION, secretariat.pk, True, {"application": notice_ended.pk, "receipt": investigating.receipt})]
    # the application stays on notice, and (the window having ended) may now be confirmed
    assert after["application"] == "public_notice"
    assert application_confirm(application=notice_ended.pk, actor=secretariat).state == "awarded"
    [(to, subject, body)] = after["mail"]
    assert to == ["wang@example.com"] and "结论：异议不成立" in body and RESOLUTION in body
    assert said(entry, answer) == []


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_an_objector_without_email_is_not_emailed(entry, make_objection, secretariat,
                                                   django_capture_on_commit_callbacks):
    objection = objection_investigate(objection=make_objection(email=""), actor=secretariat)

    _answer, after = act(entry, "dismiss", objection, secretariat, django_capture_on_commit_callbacks,
                         resolution=RESOLUTION)

    assert (after["objection"][0], [a[2] for a in after["audit"]], after["mail"]) == (
        "dismissed", ["objection.dismiss"], [])


# -- refusals --------------------------------------------------------------------------------------
@pytest.mark.parametrize("step", ["uphold", "dismiss"])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_deciding_before_investigating_is_refused_everywhere(entry, step, received, secretariat,
                                                            django_capture_on_commit_callbacks):
    answer, after = act(entry, step, received, secretariat, django_capture_on_commit_callbacks,
                        resolution=RESOLUTION)

    assert after == {"objection": ("received", "", None, False, None, False), "application": "public_notice",
                     "audit": [], "mail": []}
    assert said(entry, answer) == [NOT_YET]
    if entry == "api":
        assert (answer.status_code, answer.json()["code"]) == (409, "invalid_state")


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_deciding_without_a_written_resolution_is_refused_everywhere(entry, investigating, secretariat,
                                                                    django_capture_on_commit_callbacks):
    answer, after = act(entry, "uphold", investigating, secretariat, django_capture_on_commit_callbacks,
                        resolution="   ")

    assert (after["objection"][:2], after["application"], after["audit"], after["mail"]) == (
        ("investigating", ""), "public_notice", [], [])
    assert said(entry, answer) == ["请填写书面处理结果（调查核实的情况和结论），将告知异议人。"]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_decided_objection_cannot_be_decided_again(entry, investigating, secretariat,
                                                     django_capture_on_commit_callbacks):
    objection_resolve(objection=investigating, actor=secretariat, outcome="upheld", resolution=RESOLUTION)

    answer, after = act(entry, "dismiss", investigating, secretariat, django_capture_on_commit_callbacks,
                        resolution="改判")

    assert (after["objection"][:2], after["audit"], after["mail"]) == (("upheld", RESOLUTION), [], [])
    assert said(entry, answer) == ["该异议已处理完毕（异议成立）。"]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_only_the_secretariat_works_objections(entry, received, applicant, django_capture_on_commit_callbacks):
    _answer, after = act(entry, "investigate", received, applicant, django_capture_on_commit_callbacks)

    assert after == {"objection": ("received", "", None, False, None, False), "application": "public_notice",
                     "audit": [], "mail": []}


# -- what each entry point shows -------------------------------------------------------------------
def test_command_reports_the_new_state(received, secretariat):
    assert run("command", "investigate", objection=received, actor=secretariat) == f"{received.receipt}: investigating\n"
    refused = run("command", "overturn", objection=received, actor=secretariat)
    assert isinstance(refused, CommandError) and "Unknown objection step" in str(refused)


def test_admin_change_page_offers_the_next_steps(client, investigating, secretariat):
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    client.force_login(secretariat)

    page = client.get(reverse("admin:nominations_objection_change", args=[investigating.pk]))

    assert page.status_code == 200
    assert [(name, str(label)) for name, label, _c in page.context["outcomes"]] == [
        ("uphold", "异议成立"), ("dismiss", "异议不成立")]
    html = page.content.decode()
    assert 'value="uphold"' in html and 'value="dismiss"' in html and 'name="status"' not in html
    assert "异议人王某将收到邮件（wang@example.com），告知处理结论和书面处理结果。" in html
    listing = client.get(reverse("admin:nominations_objection_changelist"))
    assert [o.pk for o in listing.context["cl"].result_list] == [investigating.pk]


@pytest.mark.parametrize("object_id", ["abc", "99999999"])
def test_admin_step_on_a_bad_objection_id_is_a_404_and_changes_nothing(client, received, secretariat, object_id):
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    client.force_login(secretariat)
    client.raise_request_exception = False
    since = _since()

    response = client.post(f"/admin/nominations/objection/{object_id}/transition/", {"transition": "investigate"})

    assert response.status_code == 404
    assert (Objection.objects.get(pk=received.pk).status, _since()) == ("received", since)
