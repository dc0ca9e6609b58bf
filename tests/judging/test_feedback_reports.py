"""Feedback reports (评审反馈报告): content, bands, sources of the texts, privacy, fonts,
query count and the draft → released life cycle. Applications are scored through the
real judging services; the PDFs are real and read back with pdftotext / pypdf."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from judging.errors import ConditionsUnmet, InvalidState, JudgingError, NotPermitted
from judging.models import FeedbackReport
from judging.selectors import criteria_for_application
from judging.selectors.feedback import band_of, merge_points, split_comment
from judging.services import (
    assignment_accept,
    assignment_create,
    assignment_submit,
    consensus_save,
    feedback_generate,
    feedback_generate_cycle,
    feedback_release,
    feedback_release_cycle,
    feedback_update_summary,
    scoresheet_save,
)
from nominations.models import AuditEntry, Cycle
from tests import factories as f

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")

JUDGES = [("zhangwei_exp", "张伟"), ("lina_exp", "李娜"), ("wangfang_exp", "王芳"), ("liuyang_exp", "刘洋"),
          ("chenjing_exp", "陈静")]
A_TITLE = "智能制造质量提升工程"
B_ORG = "上海乙方制造有限公司"
B_TITLE = "乙方精益生产体系"
B_TEXT = "乙方独有的供应链协同优势"

# Hand-chosen percentages of application A, per judge (others: 50; results items 95).
A_PERCENTS = [
    {"4.1.2": 60, "4.1.3": 40, "4.1.4": 50, "4.2.2": 30, "4.2.3": 40, "4.3.2": 0, "4.3.3": 10},
    {"4.1.2": 70, "4.1.3": 40, "4.1.4": 55, "4.2.2": 30, "4.2.3": 45, "4.3.2": 5, "4.3.3": 10},
    {"4.1.2": 80, "4.1.3": 40, "4.1.4": 60, "4.2.2": 30, "4.2.3": 50, "4.3.2": 10, "4.3.3": 10},
]
A_TEXTS = [
    {"4.1.2": ("高层领导亲自推动质量文化建设", "领导绩效评价机制有待完善"),
     "4.2.2": ("战略分析全面（独立意见）", "")},
    {"4.1.2": ("1. 高层领导亲自推动质量文化建设。", ""), "4.1.3": ("治理结构清晰，三会运作规范", "")},
    {"4.1.2": ("- 建立了月度质量例会制度", "")},
]
A_CONSENSUS_COMMENT = "优势：战略制定过程系统，SWOT 分析充分\n改进机会：\n1. 战略目标的量化指标不足\n2. 长短期目标衔接不够"


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    if POPPLER:
        args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
        return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def report_pdf(report: FeedbackReport) -> bytes:
    with report.pdf.open("rb") as handle:
        return handle.read()


def make_judges(n: int) -> list:
    return [f.UserFactory(username=u, first_name=name, groups=["judge"]) for u, name in JUDGES[:n]]


def score(app, judges, secretariat, percents: list[dict], texts: list[dict], default: int = 50):
    """Assign, accept, start review, fill and submit every sheet through the services."""
    assignments = []
    for judge in judges:
        a = assignment_create(application=app, judge=judge, stage="document", actor=secretariat)
        assignments.append(assignment_accept(assignment=a, actor=judge))
    app = f.advance(app, ["start_review"], {"start_review": secretariat})
    for i, (a, judge) in enumerate(zip(assignments, judges)):
        mine, words = (percents[i] if i < len(percents) else {}), (texts[i] if i < len(texts) else {})
        items = []
        for code in [c.code for c in criteria_for_application(app)]:
            percent = mine.get(code, 95 if code.startswith("4.7") else default)
            strengths, ofi = words.get(code, ("", ""))
            items.append({"criterion": code, "percent": percent, "strengths": strengths, "opportunities": ofi})
        scoresheet_save(assignment=a, items=items, actor=judge)
        assignment_submit(assignment=a, actor=judge)
    return app


@pytest.fixture
def three_judges(db):
    return make_judges(3)


@pytest.fixture
def scored_a(cycle, accepted, three_judges, secretariat):
    """The persona applicant's application: three sheets; consensus on 4.2.2 (with comment)
    and on 4.1.3 (no comment)."""
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3)
    app = accepted
    app.title = A_TITLE
    app.save(update_fields=["title"])
    app = score(app, three_judges, secretariat, A_PERCENTS, A_TEXTS)
    consensus_save(application=app, stage="document", actor=secretariat, items=[
        {"criterion": "4.2.2", "percent": 90, "comment": A_CONSENSUS_COMMENT},
        {"criterion": "4.1.3", "percent": 40}])
    return app


@pytest.fixture
def scored_b(cycle, other_applicant, other_organization, unit, recommender, secretariat, db):
    """Another applicant's application in the same cycle, scored by five judges."""
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3)
    other_organization.name = B_ORG
    other_organization.save(update_fields=["name"])
    app = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit,
                              title=B_TITLE)
    app = f.advance(app, ["submit", "endorse", "accept"],
                    {"submit": other_applicant, "endorse": recommender, "accept": secretariat})
    existing = {u.username: u for u in get_user_model().objects.filter(username__in=[u for u, _ in JUDGES])}
    judges = [existing.get(u) or f.UserFactory(username=u, first_name=name, groups=["judge"]) for u, name in JUDGES]
    texts = [{"4.1.2": (B_TEXT, "乙方改进意见")}] * 5
    return score(app, judges, secretariat, [{"4.1.2": 85}] * 5, texts)


# -- pure helpers ------------------------------------------------------------------------
def test_band_of_rounds_to_the_nearest_step():
    assert [band_of(p).label for p in (0, 7.4, 7.5, 27.49, 27.5, 47.5, 57.7, 67.5, 87.4, 87.5, 100)] == [
        "0%–5%", "0%–5%", "10%–25%", "10%–25%", "30%–45%", "50%–65%", "50%–65%", "70%–85%", "70%–85%",
        "90%–100%", "90%–100%"]
    assert band_of(None) is None


def test_comment_splitting_and_merging():
    assert split_comment(A_CONSENSUS_COMMENT) == (
        [], ["战略制定过程系统，SWOT 分析充分"], ["战略目标的量化指标不足", "长短期目标衔接不够"])
    assert split_comment("总体较好。\n【优势】领导重视\n不足：数据少") == (["总体较好。"], ["领导重视"], ["数据少"])
    assert split_comment("改进与创新方面表现突出") == (["改进与创新方面表现突出"], [], [])
    assert merge_points(["a\n- b。", "1. a", "3.5亿元营收\n（2）b"]) == ["a", "b。", "3.5亿元营收"]


# -- content ----------------------------------------------------------------------------
@needs_poppler
def test_band_per_category_matches_hand_computed_scores(scored_a, secretariat):
    report = feedback_generate(application=scored_a, actor=secretariat)
    # 4.1: (70×50 + 40×30 + 55×30) / 110 = 57.7 % → 60 → 50–65 %
    # 4.2: (90×40 [consensus] + 45×50) / 90 = 65 % → 50–65 % (without the consensus: 38.3 % → 30–45 %)
    # 4.3: (5×40 + 10×50) / 90 = 7.8 % → 10 → 10–25 %
    # 4.4–4.6: 50 % → 50–65 %; 4.7: 95 % → 90–100 %
    # overall: (6350 + 5850 + 700 + 6500 + 5000 + 4000 + 38000) / 1000 = 66.4 % → 65 → 50–65 %
    assert report.bands == [
        {"code": "4.1", "title": "领导", "band": "50–65%"},
        {"code": "4.2", "title": "战略", "band": "50–65%"},
        {"code": "4.3", "title": "顾客与市场", "band": "10–25%"},
        {"code": "4.4", "title": "资源", "band": "50–65%"},
        {"code": "4.5", "title": "过程管理", "band": "50–65%"},
        {"code": "4.6", "title": "测量、分析与改进", "band": "50–65%"},
        {"code": "4.7", "title": "结果", "band": "90–100%"},
    ]
    assert (report.overall_band, report.stage, report.status) == ("50–65%", "document", "draft")
    pdf = report_pdf(report)
    text = pdf_text(pdf, layout=True)
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\s*(4\.\d)\s+\S+.*?\s(\d+–\d+%)", text, re.M)}
    assert rows == {b["code"]: b["band"] for b in report.bands}
    total = re.search(r"^\s*总体\s+1000\s+(\d+–\d+%)", text, re.M)
    assert total and total.group(1) == "50–65%"
    for needle in ("评审反馈报告", "上海市质量金奖", scored_a.reference, "上海甲方科技有限公司", A_TITLE, "2018年度",
                   "第1页共", "资料评审"):
        assert needle in _normal(text)
    # no exact score is printed: neither the item percentages nor the points
    assert "57.7" not in text and "66.4" not in text and "664" not in text


@needs_poppler
def test_texts_from_the_consensus_where_recorded_else_merged_from_the_sheets(scored_a, secretariat):
    text = _normal(pdf_text(report_pdf(feedback_generate(application=scored_a, actor=secretariat))))
    # 4.2.2: the consensus comment, split into strengths and opportunities; the sheet's text is not used
    assert "战略制定过程系统，SWOT分析充分" in text
    assert "战略目标的量化指标不足" in text and "长短期目标衔接不够" in text
    assert "战略分析全面" not in text
    # 4.1.3: consensus without a comment → the sheets' texts
    assert "治理结构清晰，三会运作规范" in text
    # 4.1.2: merged, de-duplicated, bullets stripped
    assert text.count("高层领导亲自推动质量文化建设") == 1
    assert "建立了月度质量例会制度" in text and "领导绩效评价机制有待完善" in text
    section = text[text.index("4.1.2高层领导的作用"):text.index("4.1.3组织治理")]
    assert section.index("优势") < section.index("高层领导亲自推动质量文化建设") < section.index(
        "建立了月度质量例会制度") < section.index("改进机会") < section.index("领导绩效评价机制有待完善")
    assert "依据评审组合议意见" in text and "依据专家独立评审意见汇总" in text


@needs_poppler
def test_no_judge_name_and_no_other_applicant_data(scored_a, scored_b, secretariat):
    report = feedback_generate(application=scored_a, actor=secretariat)
    pdf = report_pdf(report)
    text = _normal(pdf_text(pdf))
    metadata = " ".join(str(v) for v in (PdfReader(io.BytesIO(pdf)).metadata or {}).values())
    leaks = [u for u, _ in JUDGES] + [name for _, name in JUDGES] + [
        B_ORG, B_TITLE, B_TEXT, "乙方改进意见", scored_b.reference]
    assert [s for s in leaks if s in text or s in metadata] == []
    assert "上海甲方科技有限公司" in text  # the report is about A ...
    other = _normal(pdf_text(report_pdf(feedback_generate(application=scored_b, actor=secretariat))))
    assert B_TEXT in other and A_TITLE not in other and "高层领导亲自推动质量文化建设" not in other  # ... and B's about B


@needs_poppler
def test_the_cjk_font_is_embedded(scored_a, secretariat, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(feedback_generate(application=scored_a, actor=secretariat)))
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = [line.split() for line in lines[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows)  # emb
    assert any("CertSerif" in row[0] for row in rows)
    assert len(PdfReader(str(path)).pages) >= 3


def test_queries_do_not_grow_with_the_number_of_sheets(scored_a, scored_b, secretariat):
    from judging.services.feedback_pdf import default_renderer

    default_renderer()  # fonts resolved once, outside the measurement
    counts = []
    for app, sheets in ((scored_a, 3), (scored_b, 5)):
        assert app.assignments.filter(state="submitted").count() == sheets
        with CaptureQueriesContext(connection) as ctx:
            feedback_generate(application=app.pk, actor=secretariat)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 14


# -- life cycle -------------------------------------------------------------------------
@needs_poppler
def test_summary_is_printed_release_freezes_and_everything_is_audited(scored_a, secretariat):
    report = feedback_generate(application=scored_a, actor=secretariat)
    first_sha = report.sha256
    report = feedback_update_summary(report=report, summary="贵单位质量管理基础扎实，结果类条款表现突出。", actor=secretariat)
    assert report.sha256 != first_sha
    assert "贵单位质量管理基础扎实，结果类条款表现突出。" in _normal(pdf_text(report_pdf(report)))
    with pytest.raises(JudgingError, match="不能超过"):
        feedback_update_summary(report=report, summary="长" * 5001, actor=secretariat)
    report = feedback_release(report=report, actor=secretariat)
    assert (report.status, report.released_by) == ("released", secretariat)
    with pytest.raises(InvalidState):
        feedback_release(report=report, actor=secretariat)
    with pytest.raises(InvalidState):
        feedback_generate(application=scored_a, actor=secretariat)
    with pytest.raises(InvalidState):
        feedback_update_summary(report=report, summary="改", actor=secretariat)
    report.refresh_from_db()
    assert report.summary == "贵单位质量管理基础扎实，结果类条款表现突出。"
    assert list(AuditEntry.objects.filter(object_type="judging.feedbackreport").order_by("id")
                .values_list("action", "actor__username")) == [
        ("feedback.generate", "sec"), ("feedback.summary", "sec"), ("feedback.release", "sec")]


def test_refusals_change_nothing(scored_a, three_judges, secretariat, applicant, unit, cycle):
    user, org = f.UserFactory(username="draft-user"), f.OrganizationFactory(name="上海草稿测试有限公司")
    f.member(user, org)
    draft = f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit, title="草稿")
    with pytest.raises(NotPermitted):
        feedback_generate(application=scored_a, actor=applicant)
    with pytest.raises(NotPermitted):
        feedback_generate(application=scored_a, actor=three_judges[0])
    with pytest.raises(InvalidState, match="未进入资料评审"):
        feedback_generate(application=draft, actor=secretariat)
    with pytest.raises(ConditionsUnmet):
        feedback_release_cycle(cycle=cycle, actor=secretariat)
    assert not FeedbackReport.objects.exists()


def test_no_submitted_sheet_yet_is_a_clear_error(cycle, accepted, three_judges, secretariat):
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3)
    for judge in three_judges:
        a = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
        assignment_accept(assignment=a, actor=judge)
    app = f.advance(accepted, ["start_review"], {"start_review": secretariat})
    with pytest.raises(ConditionsUnmet, match="还没有已提交的评分表"):
        feedback_generate(application=app, actor=secretariat)
    assert not FeedbackReport.objects.exists()


def test_cycle_generation_runs_in_the_background_and_regenerates_only_drafts(
        scored_a, scored_b, secretariat, cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_generate_cycle(cycle=cycle, actor=secretariat) == 2
    reports = {r.application_id: r for r in FeedbackReport.objects.all()}
    assert set(reports) == {scored_a.pk, scored_b.pk}
    assert all(r.status == "draft" and r.pdf and len(r.sha256) == 64 for r in reports.values())
    released = feedback_release(report=reports[scored_a.pk], actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_generate_cycle(cycle=cycle, actor=secretariat) == 1  # only B's draft
    again = {r.application_id: r for r in FeedbackReport.objects.all()}
    assert (again[scored_a.pk].generated_at, again[scored_a.pk].pdf.name) == (released.generated_at,
                                                                             released.pdf.name)
    assert again[scored_b.pk].generated_at > reports[scored_b.pk].generated_at
    assert not again[scored_b.pk].pdf.storage.exists(reports[scored_b.pk].pdf.name)  # old draft file removed
    assert feedback_release_cycle(cycle=cycle, actor=secretariat) == 1
    with pytest.raises(ConditionsUnmet):
        feedback_generate_cycle(cycle=cycle, actor=secretariat)
    assert FeedbackReport.objects.filter(status="released").count() == 2


@needs_poppler
def test_individual_nominee_with_a_rare_character(cycle, secretariat, three_judges, unit, recommender, tmp_path):
    """An individual category (its own rubric): the person and employer are printed, and a
    name character outside GB 2312 (堃) is rendered from an embedded font, never a box."""
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3)
    user, org = f.UserFactory(username="ind-user"), f.OrganizationFactory(name="上海喆华精密机械有限公司")
    f.member(user, org)
    app = f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit, category_code="IND",
                              title="精密轴承质量攻关", nominee={"name": "王堃", "employer": org.name, "position": "总工程师",
                                                          "id_number": f.valid_id_number(7)})
    app = f.advance(app, ["submit", "endorse", "accept"], {"submit": user, "endorse": recommender,
                                                           "accept": secretariat})
    app = score(app, three_judges, secretariat, [{"1.1": 70, "1.2": 80}] * 3,
                [{"1.1": ("质量理念先进，堃字测试", "")}], default=40)
    report = feedback_generate(application=app, actor=secretariat)
    # 1: (70×100 + 80×100) / 200 = 75 % → 70–85 %; 2 and 3: 40 % → 30–45 %; overall (150 + 160 + 160) / 1000 = 47 % → 45
    assert [(b["code"], b["band"]) for b in report.bands] == [("1", "70–85%"), ("2", "30–45%"), ("3", "30–45%")]
    assert report.overall_band == "30–45%"
    pdf = report_pdf(report)
    text = _normal(pdf_text(pdf))
    assert "被推荐人王堃" in text and "工作单位上海喆华精密机械有限公司" in text and "质量理念先进，堃字测试" in text
    assert "f.valid_id_number" not in text and f.valid_id_number(7) not in text  # no ID number
    path = tmp_path / "ind.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = [line.split() for line in lines[2:] if line.strip()]
    assert all(row[-5] == "yes" for row in rows) and any("CertSerifX" in row[0] for row in rows)
