"""API: applications from draft to endorsement — create, edit, documents, transitions, history."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from nominations import workflow
from nominations.demo import sample_pdf
from nominations.models import Application, AuditEntry, Cycle, Document
from tests import factories as f
from tests.stored import stored_files

API = "/api/v1"


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(user)}")
    return client


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_pdf(name), content_type="application/pdf")




@pytest.fixture
def org_category(cycle):
    return cycle.categories.get(code="ORG")


@pytest.fixture
def created(applicant, organization, unit, org_category):
    """A bare draft created through the API: title and recommender only."""
    response = api_as(applicant).post(f"{API}/applications/", {
        "category": org_category.pk, "organization": organization.pk, "title": "卓越绩效管理模式",
        "recommending_unit": unit.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_returns_the_draft(created, organization, org_category, unit, cycle):
    app = Application.objects.get()
    assert created == {
        "id": app.pk, "reference": None, "programme": "QGA", "cycle": cycle.pk, "category": org_category.pk,
        "organization": {"id": organization.pk, "name": "上海甲方科技有限公司"}, "nominee": None,
        "title": "卓越绩效管理模式", "state": "draft", "state_label": "草稿", "submitted_at": None,
        "recommending_unit": unit.pk, "answers": {}, "commitment": False, "documents": [],
        "amendment_deadline": None, "return_reason": "",
        "created_at": created["created_at"], "updated_at": created["updated_at"],
    }
    assert created["created_at"].endswith("+08:00")
    entries = AuditEntry.objects.filter(object_type="nominations.application", object_id=str(app.pk))
    assert list(entries.values_list("action", "ip")) == [
        ("create", "127.0.0.1")]


def test_create_for_anothers_organization_reads_as_missing(applicant, other_organization, org_category):
    response = api_as(applicant).post(f"{API}/applications/", {
        "category": org_category.pk, "organization": other_organization.pk, "title": "冒名申报"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["organization"]
    assert not Application.objects.exists()


def test_individual_nominee_id_number_is_masked(applicant, organization, cycle):
    category = cycle.categories.get(code="IND")
    response = api_as(applicant).post(f"{API}/applications/", {
        "category": category.pk, "organization": organization.pk, "title": "质量管理成果",
        "nominee": {"name": "张三", "employer": "上海甲方科技有限公司", "position": "总监",
                    "id_number": "11010519491231002X"}}, format="json")
    assert response.status_code == 201
    assert response.json()["nominee"] == {"name": "张三", "employer": "上海甲方科技有限公司", "position": "总监",
                                          "id_number": "110105********002X"}
    assert "11010519491231002X" not in response.content.decode()
    detail = api_as(applicant).get(f"{API}/applications/{response.json()['id']}/")
    assert "11010519491231002X" not in detail.content.decode()


def test_individual_nominee_with_bad_id_number_is_refused(applicant, organization, cycle):
    category = cycle.categories.get(code="IND")
    response = api_as(applicant).post(f"{API}/applications/", {
        "category": category.pk, "organization": organization.pk, "title": "质量管理成果",
        "nominee": {"name": "张三", "employer": "甲方", "id_number": "110105194912310021"}}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_nominee"
    assert "id_number" in response.json()
    assert not Application.objects.exists()


def test_intake_through_the_api_from_draft_to_endorsed(created, applicant, recommender, other_recommender,
                                                       org_category):
    client = api_as(applicant)
    url = f"{API}/applications/{created['id']}"

    # Submitting the bare draft lists everything that is missing.
    incomplete = client.post(f"{url}/transitions/", {"name": "submit"}, format="json")
    assert incomplete.status_code == 400
    assert incomplete.json() == {
        "detail": "还不能执行“提交”：8 项条件未满足。", "code": "conditions_unmet",
        "missing": [
            "申报表“从业人员数（人）”未填写。", "申报表“上年度营业收入（万元）”未填写。",
            "申报表“先进质量管理模式名称”未填写。", "申报表“概述（500字以内）”未填写。",
            "申报表“近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录”未填写。",
            "缺少申报材料：申报表（盖章扫描件）。", "缺少申报材料：自我评价报告。", "未勾选诚信承诺。",
        ],
    }
    assert Application.objects.get().state == "draft"

    # Fill in the form.
    patched = client.patch(f"{url}/", {"answers": f.complete_answers(org_category), "commitment": True,
                                       "title": "“三全”质量管理模式"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["answers"] == {"employees": 100, "revenue": "1234.50", "model_name": "内容",
                                         "summary": "内容", "compliance": True}
    assert (patched.json()["title"], patched.json()["commitment"]) == ("“三全”质量管理模式", True)

    # Upload the two required documents.
    files_before = stored_files()
    uploaded = []
    for kind in ("application_form", "self_assessment"):
        response = client.post(f"{url}/documents/", {"kind": kind, "file": pdf(f"{kind}.pdf")}, format="multipart")
        assert response.status_code == 201
        uploaded.append(response.json())
    doc = Document.objects.get(kind="application_form")
    assert uploaded[0] == {"id": doc.pk, "kind": "application_form", "name": "application_form.pdf",
                           "size": doc.size, "sha256": doc.sha256, "uploaded_at": uploaded[0]["uploaded_at"]}
    assert doc.size == len(sample_pdf("application_form.pdf"))
    assert len(stored_files() - files_before) == 2

    submitted = client.post(f"{url}/transitions/", {"name": "submit", "note": "请审核"}, format="json")
    assert submitted.status_code == 200
    assert (submitted.json()["state"], submitted.json()["reference"]) == ("submitted", "QGA-2018-0001")
    assert submitted.json()["submitted_at"].endswith("+08:00")
    assert {d["kind"] for d in submitted.json()["documents"]} == {"application_form", "self_assessment"}

    again = client.post(f"{url}/transitions/", {"name": "submit"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "当前状态“已提交”下不能执行“提交”操作。", "code": "invalid_state"}

    # Another unit's recommender cannot even see it; the applicant may not accept.
    foreign = api_as(other_recommender).post(f"{url}/transitions/", {"name": "endorse"}, format="json")
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "申报不存在或您无权查看。", "code": "not_found"}
    self_accept = client.post(f"{url}/transitions/", {"name": "accept"}, format="json")
    assert self_accept.status_code == 403
    assert self_accept.json() == {"detail": "您无权执行“受理”操作。", "code": "permission_denied"}

    assert api_as(recommender).get(f"{url}/transitions/").json() == [
        {"name": "endorse", "label": "推荐", "target": "endorsed"},
        {"name": "return", "label": "退回补正", "target": "returned"},
    ]
    endorsed = api_as(recommender).post(f"{url}/transitions/", {"name": "endorse", "note": "同意推荐"},
                                        format="json")
    assert endorsed.status_code == 200
    assert endorsed.json()["state"] == "endorsed"
    assert Application.objects.get().state == "endorsed"

    history = client.get(f"{url}/history/")
    assert history.status_code == 200
    rows = history.json()
    assert [(r["transition"], r["source"], r["target"], r["actor"], r["note"]) for r in rows] == [
        ("create", "", "draft", "applicant", ""),
        ("submit", "draft", "submitted", "applicant", "请审核"),
        ("endorse", "submitted", "endorsed", "recommender", "同意推荐"),
    ]
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    assert all(r["at"].endswith("+08:00") for r in rows)


def test_fake_pdf_is_refused_and_nothing_is_stored(created, applicant):
    files_before = stored_files()
    html = SimpleUploadedFile("x.pdf", b"<!DOCTYPE html><html><body>not a pdf</body></html>",
                              content_type="application/pdf")
    response = api_as(applicant).post(f"{API}/applications/{created['id']}/documents/",
                                      {"kind": "application_form", "file": html}, format="multipart")
    assert response.status_code == 400
    message = "文件类型不符：此类材料只接收 PDF 文件，上传的文件内容不是。"
    assert response.json() == {"file": [message], "detail": message, "code": "invalid_file"}
    assert not Document.objects.exists()
    assert stored_files() == files_before


def test_oversize_file_is_refused(created, applicant, settings):
    files_before = stored_files()
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 524279),
                             content_type="application/pdf")
    response = api_as(applicant).post(f"{API}/applications/{created['id']}/documents/",
                                      {"kind": "application_form", "file": big}, format="multipart")
    assert response.status_code == 400
    message = "文件过大：1.5 MB，上限为 1 MB。"
    assert response.json() == {"file": [message], "detail": message, "code": "invalid_file"}
    assert not Document.objects.exists()
    assert stored_files() == files_before


def test_document_kind_not_required_by_the_category_is_refused(created, applicant):
    response = api_as(applicant).post(f"{API}/applications/{created['id']}/documents/",
                                      {"kind": "certificate", "file": pdf()}, format="multipart")
    assert response.status_code == 400
    message = "本类别不接收该类型的材料：certificate。"
    assert response.json() == {"kind": [message], "detail": message, "code": "invalid_kind"}
    assert not Document.objects.exists()


def test_upload_without_file_is_refused(created, applicant):
    response = api_as(applicant).post(f"{API}/applications/{created['id']}/documents/",
                                      {"kind": "application_form"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_document_download_and_delete(draft, applicant, django_capture_on_commit_callbacks):
    client = api_as(applicant)
    doc = draft.documents.get(kind="application_form")
    name = doc.file.name
    assert stored_files("applications") >= {name}
    url = f"{API}/applications/{draft.pk}/documents/{doc.pk}"
    download = client.get(f"{url}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == sample_pdf("application_form.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="application_form.pdf"'
    logged = AuditEntry.objects.filter(action="document.download", object_id=str(draft.pk)).get()
    assert (logged.actor, logged.data["document"], logged.ip) == (applicant, doc.pk, "127.0.0.1")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{url}/").status_code == 204
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert name not in stored_files("applications")
    assert client.get(f"{url}/download/").status_code == 404
    assert list(draft.documents.values_list("kind", flat=True)) == ["self_assessment"]


def test_documents_locked_after_submission(submitted, applicant):
    doc = submitted.documents.get(kind="application_form")
    client = api_as(applicant)
    deleted = client.delete(f"{API}/applications/{submitted.pk}/documents/{doc.pk}/")
    assert deleted.status_code == 409
    assert deleted.json()["code"] == "invalid_state"
    uploaded = client.post(f"{API}/applications/{submitted.pk}/documents/",
                           {"kind": "evidence", "file": pdf()}, format="multipart")
    assert uploaded.status_code == 409
    assert sorted(Document.objects.values_list("kind", flat=True)) == ["application_form", "self_assessment"]


def test_patch_refused_after_submission_and_for_non_applicants(submitted, applicant, recommender):
    url = f"{API}/applications/{submitted.pk}/"
    locked = api_as(applicant).patch(url, {"title": "改标题"}, format="json")
    assert locked.status_code == 409
    assert locked.json() == {"detail": "申报已提交，内容已锁定；只有在“草稿”或“待补正”状态下才能修改。",
                             "code": "invalid_state"}
    by_recommender = api_as(recommender).patch(url, {"title": "改标题"}, format="json")
    assert by_recommender.status_code == 403
    assert by_recommender.json() == {"detail": "只有申报单位的成员可以修改申报。", "code": "permission_denied"}
    assert Application.objects.get().title == "卓越绩效管理模式"


def test_patch_never_changes_state(draft, applicant):
    response = api_as(applicant).patch(f"{API}/applications/{draft.pk}/",
                                       {"state": "accepted", "title": "新标题"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"state": ["状态只能通过流转操作（transitions）改变。"]}
    app = Application.objects.get()
    assert (app.state, app.title) == ("draft", "卓越绩效管理模式")


def test_patch_with_unknown_question_is_refused(draft, applicant):
    response = api_as(applicant).patch(f"{API}/applications/{draft.pk}/", {"answers": {"nope": 1}},
                                       format="json")
    assert response.status_code == 400
    assert response.json()["answers"] == ["未知的问题：nope。"]


def test_submit_after_the_window_closed_lists_the_deadline(draft, applicant, cycle):
    closes_at = timezone.now() - dt.timedelta(hours=2)
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=closes_at)
    response = api_as(applicant).post(f"{API}/applications/{draft.pk}/transitions/", {"name": "submit"},
                                      format="json")
    assert response.status_code == 400
    message = f"申报已截止（截止时间 {timezone.localtime(closes_at):%Y-%m-%d %H:%M}）。"
    assert response.json() == {"detail": message, "code": "conditions_unmet", "missing": [message]}
    app = Application.objects.get()
    assert (app.state, app.reference) == ("draft", None)


def test_return_by_recommender_with_deadline_then_resubmit(submitted, applicant, recommender):
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    response = api_as(recommender).post(f"{API}/applications/{submitted.pk}/transitions/", {
        "name": "return", "note": "请补充盖章页", "deadline": deadline.isoformat()}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["return_reason"]) == ("returned", "请补充盖章页")
    assert response.json()["amendment_deadline"] == deadline.isoformat()
    resubmitted = api_as(applicant).post(f"{API}/applications/{submitted.pk}/transitions/", {"name": "submit"},
                                         format="json")
    assert (resubmitted.json()["state"], resubmitted.json()["reference"]) == ("submitted", "QGA-2018-0001")


def test_return_without_reason_lists_it(submitted, recommender):
    response = api_as(recommender).post(f"{API}/applications/{submitted.pk}/transitions/", {"name": "return"},
                                        format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请填写退回理由。", "code": "conditions_unmet",
                               "missing": ["请填写退回理由。"]}


def test_unknown_transition_name_is_a_field_error(draft, applicant):
    response = api_as(applicant).post(f"{API}/applications/{draft.pk}/transitions/", {"name": "explode"},
                                      format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


@pytest.fixture
def recorded_calls():
    """A typed guard on `endorse` that records what it is given (and may block)."""
    seen: list[dict] = []

    def guard(*, application, actor, now):
        seen.append({"application": application.pk, "actor": actor.username, "aware": now.tzinfo is not None})
        return ["外部条件未满足"] if application.title == "blocked" else []

    workflow.register_guard("endorse", guard)
    yield seen
    workflow.unregister_guard("endorse", guard)


def test_guards_get_typed_facts_and_no_extra_parameters(submitted, recommender, recorded_calls):
    """No untyped parameter pipe between the apps: extra fields are not passed to guards."""
    response = api_as(recommender).post(f"{API}/applications/{submitted.pk}/transitions/", {
        "name": "endorse", "note": "同意", "votes_for": 7, "days": 5}, format="json")
    assert response.status_code == 200
    assert recorded_calls == [{"application": submitted.pk, "actor": recommender.username, "aware": True}]


def test_a_guard_blocks_with_its_message_and_nothing_changes(submitted, recommender, recorded_calls):
    Application.objects.filter(pk=submitted.pk).update(title="blocked")
    response = api_as(recommender).post(f"{API}/applications/{submitted.pk}/transitions/",
                                        {"name": "endorse"}, format="json")
    assert (response.status_code, response.json()["missing"]) == (400, ["外部条件未满足"])
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_list_filters(draft, submitted_other, applicant, secretariat, cycle):
    client = api_as(secretariat)
    everything = client.get(f"{API}/applications/").json()
    assert everything["count"] == 2
    assert {r["id"] for r in everything["results"]} == {draft.pk, submitted_other.pk}
    by_state = client.get(f"{API}/applications/", {"state": "submitted"}).json()["results"]
    assert [r["id"] for r in by_state] == [submitted_other.pk]
    ind = cycle.categories.get(code="IND")
    assert [r["id"] for r in client.get(f"{API}/applications/", {"category": ind.pk}).json()["results"]] == [
        submitted_other.pk]
    assert client.get(f"{API}/applications/", {"cycle": cycle.pk + 1}).json()["results"] == []
    bad = client.get(f"{API}/applications/", {"state": "bogus"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["state"]


@pytest.fixture
def submitted_other(cycle, other_applicant, other_organization, unit, actors):
    app = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit,
                              category_code="IND")
    return f.advance(app, ["submit"], {"submit": other_applicant})


@pytest.mark.parametrize("n_apps", [1, 3])
def test_application_list_query_count_does_not_grow(n_apps, cycle, applicant, organization, unit,
                                                    django_assert_num_queries):
    f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit, complete=False)
    for seq in range(1, n_apps):
        f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                            category_code="IND", complete=False,
                            nominee={"name": f"候选人{seq}", "employer": "甲方", "id_number": f.valid_id_number(seq)})
    client = api_as(applicant)
    # token+user, groups, organization ids, unit ids, count, page
    with django_assert_num_queries(6):
        response = client.get(f"{API}/applications/")
    assert response.json()["count"] == n_apps
