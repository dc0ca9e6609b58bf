"""The applicant form never loses work (issue 11 §3): every button of the form saves what was
typed first (save, upload, delete, submit), 诚信承诺 goes with the submit, failed validation
keeps the typed values, and the autosave endpoint saves like 保存草稿 and answers in JSON
with the time in Asia/Shanghai."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from nominations.enums import ApplicationState
from nominations.models import Application, AuditEntry, Document
from tests import factories as f

pytestmark = pytest.mark.django_db


def form_data(app, **overrides) -> dict:
    """What the page posts: every field as rendered, then the changes."""
    data = {"title": app.title, "recommending_unit": app.recommending_unit_id or "",
            "commitment": "on" if app.commitment else ""}
    for key, value in (app.answers or {}).items():
        data[f"q_{key}"] = ("true" if value else "false") if isinstance(value, bool) else value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None and v != ""}


@pytest.fixture
def incomplete(cycle, applicant, organization, unit):
    """A draft with every answer but no commitment, and no documents yet."""
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                              complete=False)
    app.answers = f.complete_answers(app.category)
    app.answers["employees"] = 1200
    app.save(update_fields=["answers"])
    return app


def test_page_has_one_form_with_every_button(client, applicant, incomplete):
    client.force_login(applicant)
    html = client.get(reverse("application_edit", args=[incomplete.pk])).content.decode()
    assert 'id="application-form"' in html and 'enctype="multipart/form-data"' in html
    assert f'data-autosave-url="{reverse("application_autosave", args=[incomplete.pk])}"' in html
    # upload and submit buttons belong to the form (form=…) and say what they do (action)
    assert re.search(r'<button[^>]*form="application-form"[^>]*value="upload:application_form"', html)
    assert re.search(r'<button[^>]*form="application-form"[^>]*value="submit"', html)
    assert 'name="file-application_form"' in html
    assert 'src="/static/js/application-form.js"' in html
    assert "<script>" not in html and 'style="' not in html


def test_upload_without_javascript_keeps_what_was_typed(client, applicant, incomplete):
    """The issue's walk: 1200 → 1300, tick 诚信承诺, upload a PDF: nothing is lost."""
    client.force_login(applicant)
    data = form_data(incomplete, q_employees="1300", commitment="on", action="upload:application_form")
    data["file-application_form"] = f.pdf_upload("申报表.pdf")
    response = client.post(reverse("application_edit", args=[incomplete.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("#doc-application_form")
    app = Application.objects.get(pk=incomplete.pk)
    assert app.answers["employees"] == 1300 and app.commitment is True
    assert list(app.documents.values_list("kind", flat=True)) == ["application_form"]
    page = client.get(response["Location"]).content.decode()
    assert 'value="1300"' in page
    assert re.search(r'<input type="checkbox" name="commitment"[^>]*checked', page)


def test_upload_with_an_invalid_field_stores_the_file_and_keeps_the_typed_values(client, applicant, incomplete):
    client.force_login(applicant)
    data = form_data(incomplete, title="", q_employees="1300", q_revenue="很多", commitment="on",
                     action="upload:application_form")
    data["file-application_form"] = f.pdf_upload("申报表.pdf")
    response = client.post(reverse("application_edit", args=[incomplete.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="1300"' in html and 'value="很多"' in html  # typed, not saved, still there
    assert re.search(r'<input type="checkbox" name="commitment"[^>]*checked', html)
    assert Document.objects.filter(application=incomplete, kind="application_form").count() == 1
    app = Application.objects.get(pk=incomplete.pk)
    assert app.answers["employees"] == 1200 and app.commitment is False  # invalid fields were not saved


def test_failed_upload_keeps_the_typed_values_and_saves_the_valid_ones(client, applicant, incomplete):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(applicant)
    data = form_data(incomplete, q_employees="1300", commitment="on", action="upload:application_form")
    data["file-application_form"] = SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>",
                                                       content_type="application/pdf")
    response = client.post(reverse("application_edit", args=[incomplete.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and "上传未成功" in html
    assert 'value="1300"' in html
    assert not incomplete.documents.exists()
    assert Application.objects.get(pk=incomplete.pk).answers["employees"] == 1300


def test_delete_without_javascript_saves_first(client, applicant, draft):
    doc = draft.documents.first()
    client.force_login(applicant)
    data = form_data(draft, q_employees="4321", action=f"delete:{doc.pk}")
    response = client.post(reverse("application_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert Application.objects.get(pk=draft.pk).answers["employees"] == 4321


def test_submit_saves_the_commitment_with_it(client, applicant, incomplete):
    """Ticking 诚信承诺 and pressing 提交申报 submits (it no longer answers 未勾选诚信承诺)."""
    for req in incomplete.category.document_requirements.filter(required=True):
        from nominations.services.intake import document_upload
        document_upload(application=incomplete, actor=applicant, kind=req.kind, uploaded=f.pdf_upload())
    client.force_login(applicant)
    response = client.post(reverse("application_edit", args=[incomplete.pk]),
                           form_data(incomplete, commitment="on", action="submit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get(pk=incomplete.pk)
    assert app.state == ApplicationState.SUBMITTED and app.commitment is True


def test_submit_with_something_missing_keeps_the_box_ticked_and_says_what(client, applicant, incomplete):
    client.force_login(applicant)
    response = client.post(reverse("application_edit", args=[incomplete.pk]),
                           form_data(incomplete, q_employees="1300", commitment="on", action="submit"))
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<input type="checkbox" name="commitment"[^>]*checked', html)
    assert 'value="1300"' in html and "未勾选诚信承诺" not in html
    assert "申报表" in html  # the missing document is named
    app = Application.objects.get(pk=incomplete.pk)
    assert app.state == ApplicationState.DRAFT and app.commitment is True and app.answers["employees"] == 1300


def test_submit_with_an_invalid_field_submits_nothing_and_keeps_everything(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(reverse("application_edit", args=[draft.pk]),
                           form_data(draft, title="", q_employees="12x", action="submit"))
    html = response.content.decode()
    assert response.status_code == 400 and "申报未提交" in html
    assert 'value="12x"' in html
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT


# -- autosave -------------------------------------------------------------------------
def test_autosave_saves_and_answers_with_beijing_time(client, applicant, incomplete):
    client.force_login(applicant)
    before = AuditEntry.objects.count()
    response = client.post(reverse("application_autosave", args=[incomplete.pk]),
                           form_data(incomplete, q_employees="1300", commitment="on"),
                           HTTP_ACCEPT="application/json")
    body = response.json()
    assert response.status_code == 200 and body["saved"] is True
    saved_at = dt.datetime.fromisoformat(body["saved_at"])
    assert saved_at.utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai, whatever the browser's zone
    assert body["saved_at_display"] == saved_at.strftime("%H:%M:%S")
    assert abs((saved_at - timezone.now()).total_seconds()) < 60
    app = Application.objects.get(pk=incomplete.pk)
    assert app.answers["employees"] == 1300 and app.commitment is True
    assert AuditEntry.objects.count() == before + 1  # audited like 保存草稿


def test_autosave_refuses_invalid_values_and_saves_nothing(client, applicant, incomplete):
    client.force_login(applicant)
    response = client.post(reverse("application_autosave", args=[incomplete.pk]),
                           form_data(incomplete, q_employees="12x", title=""))
    assert response.status_code == 400
    body = response.json()
    assert body["saved"] is False and set(body["errors"]) == {"q_employees", "title"}
    assert Application.objects.get(pk=incomplete.pk).answers["employees"] == 1200


def test_autosave_after_submission_is_a_409(client, applicant, submitted):
    client.force_login(applicant)
    response = client.post(reverse("application_autosave", args=[submitted.pk]),
                           form_data(submitted, title="改过的标题"))
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert Application.objects.get(pk=submitted.pk).title == submitted.title


def test_autosave_for_someone_else_is_a_404_and_needs_login(client, other_applicant, incomplete):
    url = reverse("application_autosave", args=[incomplete.pk])
    assert client.post(url, form_data(incomplete)).status_code == 302  # to the login page
    client.force_login(other_applicant)
    assert client.post(url, form_data(incomplete, title="别人的")).status_code == 404
    assert Application.objects.get(pk=incomplete.pk).title == incomplete.title


def test_autosave_needs_post_and_csrf(applicant, incomplete):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    url = reverse("application_autosave", args=[incomplete.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, form_data(incomplete, title="无令牌")).status_code == 403
    assert Application.objects.get(pk=incomplete.pk).title == incomplete.title


# -- uploads with fetch (JSON) ---------------------------------------------------------
def test_upload_by_script_answers_json(client, applicant, incomplete):
    client.force_login(applicant)
    url = reverse("document_upload", args=[incomplete.pk])
    response = client.post(url, {"kind": "application_form", "file": f.pdf_upload("表.pdf")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["document"]["kind"] == "application_form" and "表.pdf" in body["message"]
    bad = client.post(url, {"kind": "application_form"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]
    assert incomplete.documents.count() == 1


def test_delete_by_script_answers_json(client, applicant, draft):
    doc = draft.documents.first()
    client.force_login(applicant)
    response = client.post(reverse("document_delete", args=[draft.pk, doc.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["deleted"] == doc.pk
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_edit_page_says_when_it_was_last_saved_in_beijing_time(client, applicant, incomplete, settings):
    client.force_login(applicant)
    html = client.get(reverse("application_edit", args=[incomplete.pk])).content.decode()
    local = timezone.localtime(Application.objects.get(pk=incomplete.pk).updated_at)
    assert f"上次保存：{local:%Y-%m-%d %H:%M:%S}（北京时间）" in html
