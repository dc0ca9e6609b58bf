import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nominations.errors import InvalidState, NotPermitted, WorkflowError
from nominations.models import AuditEntry, Objection, ObjectionState, PublicNotice
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from tests import factories as f


@pytest.fixture
def notice(submitted, secretariat):
    return f.notice_with([submitted], created_by=secretariat)


def _file(notice, app, **kw):
    data = {"name": "王某", "phone": "13800000000", "email": "wang@example.com",
            "content": "该单位申报材料中的顾客满意度数据与实际不符。"}
    data.update(kw)
    return objection_file(notice=notice, application_id=app.pk, **data)


def test_real_name_objection_inside_window_is_received(notice, submitted):
    obj = _file(notice, submitted, ip="10.0.0.8")
    assert (obj.status, obj.application_id, obj.contact) == ("received", submitted.pk,
                                                             "13800000000 / wang@example.com")
    assert AuditEntry.objects.filter(object_type="nominations.objection", action="objection.file").count() == 1


@pytest.mark.parametrize("kw,field", [
    ({"name": "  "}, "name"),
    ({"phone": "", "email": ""}, "phone"),
    ({"content": ""}, "content"),
])
def test_anonymous_or_empty_objection_refused(notice, submitted, kw, field):
    with pytest.raises(WorkflowError) as err:
        _file(notice, submitted, **kw)
    assert field in err.value.field_errors
    assert not Objection.objects.exists()


def test_objection_at_window_edges(notice, submitted):
    with pytest.raises(WorkflowError) as err:
        _file(notice, submitted, now=notice.ends_at)
    assert err.value.code == "notice_closed" and "逾期异议不予受理" in err.value.message
    with pytest.raises(WorkflowError) as err:
        _file(notice, submitted, now=notice.starts_at - dt.timedelta(seconds=1))
    assert err.value.code == "notice_not_open"
    assert not Objection.objects.exists()
    assert _file(notice, submitted, now=notice.ends_at - dt.timedelta(seconds=1)).status == "received"
    assert _file(notice, submitted, now=notice.starts_at).status == "received"


def test_objection_against_application_not_in_notice_refused(notice, cycle, other_applicant,
                                                              other_organization):
    other = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization)
    with pytest.raises(WorkflowError) as err:
        _file(notice, other)
    assert "application" in err.value.field_errors


def test_evidence_must_be_a_real_pdf(notice, submitted):
    fake = SimpleUploadedFile("evidence.pdf", b"<html>fake</html>", content_type="application/pdf")
    with pytest.raises(WorkflowError) as err:
        _file(notice, submitted, evidence=fake)
    assert "evidence" in err.value.field_errors
    obj = _file(notice, submitted, evidence=f.pdf_upload("evidence.pdf"))
    assert obj.evidence and len(obj.evidence_sha256) == 64


def test_secretariat_works_objection_and_objector_is_told(notice, submitted, secretariat,
                                                          django_capture_on_commit_callbacks):
    obj = _file(notice, submitted)
    obj = objection_investigate(objection=obj, actor=secretariat)
    assert obj.status == ObjectionState.INVESTIGATING
    with pytest.raises(WorkflowError):
        objection_resolve(objection=obj, outcome="dismissed", actor=secretariat, resolution=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        obj = objection_resolve(objection=obj, outcome="dismissed", actor=secretariat,
                                   resolution="经核查，顾客满意度数据由第三方机构测评，数据真实。")
    assert (obj.status, obj.resolved_by) == (ObjectionState.DISMISSED, secretariat)
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert "异议不成立" in mail.outbox[0].body and "第三方机构测评" in mail.outbox[0].body
    with pytest.raises(InvalidState):
        objection_resolve(objection=obj, outcome="upheld", actor=secretariat, resolution="改判")


def test_only_secretariat_resolves(notice, submitted, applicant, recommender):
    obj = _file(notice, submitted)
    for user in (applicant, recommender):
        with pytest.raises(NotPermitted):
            objection_resolve(objection=obj, outcome="upheld", actor=user, resolution="x")
    assert Objection.objects.get(pk=obj.pk).status == "received"
