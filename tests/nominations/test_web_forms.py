"""Bad input on the web pages: a clear Chinese message where it belongs, and nothing changed."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from nominations.enums import ApplicationState
from nominations.identifiers import make_uscc, uscc_problems
from nominations.models import Application, Document, Organization
from nominations.services.intake import application_submit_blockers
from tests import factories as f
from tests.stored import stored_files

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _stored_files(app) -> set[str]:
    return stored_files(f"applications/{app.pk}")


def test_invalid_credit_code_shows_the_precise_error_at_the_field(client, outsider):
    valid = make_uscc("91310115MA1H7K3P0")
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    client.force_login(outsider)

    response = client.post(reverse("organization_create"), {"name": "上海测试有限公司", "uscc": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == uscc_problems(wrong)
    html = response.content.decode()
    assert f'<ul class="field__errors" id="id_uscc_error"><li>{uscc_problems(wrong)[0]}</li>' in html
    assert 'aria-invalid="true"' in html
    assert 'value="上海测试有限公司"' in html  # the typed data is kept
    assert not Organization.objects.filter(name="上海测试有限公司").exists()


def test_duplicate_credit_code_is_explained(client, outsider, organization):
    client.force_login(outsider)

    response = client.post(reverse("organization_create"), {"name": "另一家公司", "uscc": organization.uscc})

    assert response.context["form"].errors["uscc"] == [
        "该统一社会信用代码已注册。如您属于该单位，请联系单位管理员或秘书处将您加入。"]
    assert Organization.objects.count() == 1


def test_submit_with_missing_items_lists_every_one(client, cycle, applicant, organization, unit):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit, complete=False)
    expected = application_submit_blockers(app, now=timezone.now())
    client.force_login(applicant)

    response = client.post(reverse("application_transition", args=[app.pk, "submit"]),
                           {"next": reverse("application_edit", args=[app.pk])}, follow=True)

    assert response.redirect_chain == [(reverse("application_edit", args=[app.pk]), 302)]
    html = response.content.decode()
    listed = re.findall(r"<li>([^<]+)</li>", html.split('class="msg-list"', 1)[1].split("</ul>", 1)[0])
    assert listed == expected
    assert "缺少申报材料：自我评价报告。" in listed
    assert "未勾选诚信承诺。" in listed
    app.refresh_from_db()
    assert app.state == ApplicationState.DRAFT
    assert app.reference is None


def test_edit_page_names_the_next_step(client, cycle, applicant, organization, unit):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit, complete=False)
    client.force_login(applicant)

    response = client.get(reverse("application_edit", args=[app.pk]))

    assert response.context["headline"].startswith("下一步：填写“从业人员数（人）”、填写“上年度营业收入（万元）”等")
    assert [i.label for i in response.context["checklist"] if not i.ok] == [
        "申报表：从业人员数（人）", "申报表：上年度营业收入（万元）", "申报表：先进质量管理模式名称",
        "申报表：概述（500字以内）",
        "申报表：近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录",
        "材料：申报表（盖章扫描件）", "材料：自我评价报告", "诚信承诺"]


def test_fake_pdf_is_rejected_and_nothing_is_stored(client, cycle, applicant, organization, unit):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit, complete=False)
    client.force_login(applicant)
    before = _stored_files(app)
    fake = SimpleUploadedFile("自我评价报告.pdf", b"<html><body>not a pdf</body></html>", content_type="application/pdf")

    response = client.post(reverse("document_upload", args=[app.pk]), {"kind": "self_assessment", "file": fake})

    assert response.status_code == 400
    message = "文件类型不符：此类材料只接收 PDF 文件，上传的文件内容不是。"
    assert f"上传未成功：{message}" in _text(response)
    assert f'id="file-self_assessment-error" role="alert"><li>{message}</li>' in response.content.decode()
    assert Document.objects.filter(application=app).count() == 0
    assert _stored_files(app) == before


def test_upload_without_a_file_says_so(client, draft, applicant):
    client.force_login(applicant)
    before = draft.documents.count()

    response = client.post(reverse("document_upload", args=[draft.pk]), {"kind": "evidence"})

    assert response.status_code == 400
    assert "请选择要上传的文件。" in _text(response)
    assert draft.documents.count() == before


def test_edit_page_refuses_changes_after_submit(client, submitted, applicant):
    client.force_login(applicant)
    title = submitted.title
    doc = submitted.documents.first()

    get = client.get(reverse("application_edit", args=[submitted.pk]), follow=True)
    post = client.post(reverse("application_edit", args=[submitted.pk]),
                       {"title": "改过的名称", "commitment": "on"}, follow=True)
    upload = client.post(reverse("document_upload", args=[submitted.pk]),
                         {"kind": "evidence", "file": f.pdf_upload("late.pdf")}, follow=True)
    delete = client.post(reverse("document_delete", args=[submitted.pk, doc.pk]), follow=True)

    detail = reverse("application_detail", args=[submitted.pk])
    assert [r.redirect_chain[-1][0] for r in (get, post, upload, delete)] == [detail] * 4
    assert "申报当前为“已提交”，内容已锁定，不能修改。" in _text(get)
    assert "申报已提交，内容已锁定；只有在“草稿”或“待补正”状态下才能修改。" in _text(post)
    assert "申报已提交，材料已锁定；只有在“草稿”或“待补正”状态下才能上传。" in _text(upload)
    assert "申报已提交，内容已锁定；只有在“草稿”或“待补正”状态下才能修改。" in _text(delete)
    submitted.refresh_from_db()
    assert submitted.title == title
    assert sorted(submitted.documents.values_list("name", flat=True)) == ["application_form.pdf",
                                                                        "self_assessment.pdf"]


def test_returned_application_can_be_edited_again(client, submitted, recommender, applicant, actors):
    f.advance(submitted, ["return"], {**actors, "return": recommender})
    client.force_login(applicant)

    form = client.get(reverse("application_edit", args=[submitted.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}

    response = client.post(reverse("application_edit", args=[submitted.pk]),
                           {**data, "title": "补正后的名称", "commitment": "on"})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.title == "补正后的名称"
    assert submitted.answers == f.complete_answers(submitted.category)


def test_draft_saves_partial_answers_and_clears_blank_ones(client, draft, applicant):
    client.force_login(applicant)

    client.post(reverse("application_edit", args=[draft.pk]), {
        "title": draft.title, "recommending_unit": draft.recommending_unit_id,
        "q_employees": "80", "q_revenue": "", "q_compliance": "false"})

    draft.refresh_from_db()
    assert draft.answers == {"employees": 80, "compliance": False}
    assert draft.commitment is False


def test_invalid_number_is_reported_at_its_question(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(reverse("application_edit", args=[draft.pk]),
                           {"title": draft.title, "q_employees": "一千二百"})

    assert response.status_code == 400
    assert response.context["form"].errors["q_employees"] == ["输入整数。"]
    draft.refresh_from_db()
    assert draft.answers["employees"] == 100


def test_individual_nominee_id_is_never_shown_unmasked(client, cycle, applicant, organization, unit):
    category = cycle.categories.get(code="IND")
    number = f.valid_id_number(7)
    client.force_login(applicant)

    response = client.post(reverse("application_create", args=[category.pk]), {
        "organization": organization.pk, "title": "医疗器械风险管理质量成果", "recommending_unit": unit.pk,
        "nominee_name": "周立新", "nominee_employer": organization.name, "nominee_position": "质量总监",
        "nominee_id_number": number})
    app = Application.objects.get(category=category)
    pages = [client.get(reverse(name, args=[app.pk])) for name in ("application_edit", "application_detail")]

    assert response.status_code == 302
    masked = app.nominee.id_number_masked
    assert masked == number[:6] + "********" + number[-4:]
    for page in pages:
        html = page.content.decode()
        assert number not in html
        assert masked in html

    # saving without retyping the number keeps it; changing the name does not need the number again
    client.post(reverse("application_edit", args=[app.pk]), {
        "title": app.title, "recommending_unit": unit.pk, "nominee_name": "周立新",
        "nominee_employer": "上海徐汇医疗器械有限公司", "nominee_position": "质量总监", "nominee_id_number": ""})
    app.nominee.refresh_from_db()
    assert app.nominee.employer == "上海徐汇医疗器械有限公司"
    assert app.nominee.get_id_number() == number


def test_invalid_nominee_id_is_shown_at_the_field_and_not_echoed(client, cycle, applicant, organization, unit):
    category = cycle.categories.get(code="IND")
    bad = "31010419800101001X"
    client.force_login(applicant)

    response = client.post(reverse("application_create", args=[category.pk]), {
        "organization": organization.pk, "title": "成果", "recommending_unit": unit.pk,
        "nominee_name": "周立新", "nominee_employer": "某单位", "nominee_id_number": bad})

    assert response.status_code == 200
    errors = response.context["form"].errors["nominee_id_number"]
    assert len(errors) == 1 and errors[0].startswith("身份证号码校验位错误")
    assert bad not in response.content.decode()
    assert not Application.objects.filter(category=category).exists()


def test_second_application_in_the_same_category_is_refused(client, draft, applicant, organization, cycle, unit):
    client.force_login(applicant)

    response = client.post(reverse("application_create", args=[draft.category_id]), {
        "organization": organization.pk, "title": "又一份", "recommending_unit": unit.pk})

    assert response.status_code == 200
    assert "本单位在该类别已有一份进行中的申报（每个单位每个类别每期限报一份）。" in _text(response)
    assert Application.objects.filter(organization=organization).count() == 1


def test_new_application_without_organization_goes_to_registration(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("application_new"), follow=True)

    assert response.redirect_chain == [(reverse("organization_create"), 302)]
    assert "申报前请先登记申报单位。" in _text(response)


def test_missing_application_renders_the_chinese_404_page(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("application_detail", args=[999999]))

    assert response.status_code == 404
    assert "页面不存在或您无权查看" in response.content.decode()
    assert '<html lang="zh-CN">' in response.content.decode()
