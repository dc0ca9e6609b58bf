"""Demo data for the second half of the process (appended to seed_demo after the judges).

Two earlier Quality Benchmark cycles (no site stage, 3 judges per application) each carry
one typical-experience application driven through every real service (the 2018 cycles stay
open for applications):

- 2016, applicant2's: scored by judge1–3, approved by the committee, the cycle's public
  notice ran from ten days ago and has ended, with one objection investigated and dismissed.
  The secretariat can confirm it and publish it: the certificate is issued and verifiable.
- 2017, applicant3's: approved the same way, on a public notice open now, so anyone can
  file a real-name objection from /notices/ and the secretariat can work it.

Idempotent: nothing is created when those cycles exist already.
"""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from judging.selectors.scoresheets import criteria_for_application
from judging.services import assignment_accept, assignment_create, assignment_submit, scoresheet_save
from nominations.demo import sample_pdf
from nominations.models import Organization, RecommendingUnit
from nominations.services.intake import application_create, document_upload
from judging.services.committee import committee_decision_record
from nominations.demo import build_cycle
from nominations.models import Cycle
from nominations.services.notices import NoticeInput, notice_open
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from nominations.services.transitions import application_transition, cycle_transition

PLAN = [
    # applicant, title, per-judge base percent, notice ended?
    ("applicant2", "以可靠性为中心的设备全寿命周期质量管理经验", (70, 65, 75), True, 2016),
    ("applicant3", "“从农田到餐桌”食品安全全链条追溯经验", (60, 55, 65), False, 2017),
]
JUDGES = ("judge1", "judge2", "judge3")
ANSWERS = {"experience": "典型经验", "summary": "形成可复制、可推广的方法和工具，已在行业内多家企业推广应用。",
           "compliance": True}


def _approved(*, user, org, category, unit, title, bases, users, now):
    app = _evaluated(user=user, org=org, category=category, unit=unit, title=title, bases=bases, users=users)
    return committee_decision_record(application=app.pk, outcome="approve", actor=users["secretariat"],
                                     minute="审定委员会第一次会议：同意授予", votes_for=9, votes_against=0,
                                     votes_abstain=1, decided_on=timezone.localdate()).application


def _evaluated(*, user, org, category, unit, title, bases, users):
    """An application driven from the form to the end of document review (three sheets)."""
    sec, rec = users["secretariat"], users["recommender1"]
    app = application_create(actor=user, category=category, organization=org, title=title,
                             recommending_unit=unit, answers=ANSWERS, commitment=True)
    for req in category.document_requirements.filter(required=True):
        document_upload(application=app, actor=user, kind=req.kind,
                        uploaded=SimpleUploadedFile(f"{req.kind}.pdf", sample_pdf(req.kind)))
    for name, actor in (("submit", user), ("endorse", rec), ("accept", sec)):
        app = application_transition(application=app.pk, name=name, actor=actor, note="演示数据")
    assignments = []
    for username in JUDGES:
        judge = users[username]
        a = assignment_create(application=app.pk, judge=judge, stage="document", actor=sec)
        assignments.append((assignment_accept(assignment=a, actor=judge), judge))
    app = application_transition(application=app.pk, name="start_review", actor=sec)
    criteria = criteria_for_application(app)
    for (assignment, judge), base in zip(assignments, bases):
        items = [{"criterion": c.code, "percent": max(0, min(100, base + (i % 3 - 1) * 5)),
                  "strengths": f"{c.title}方面做法系统，成效有数据支撑。",
                  "opportunities": f"{c.title}的对标比较可进一步加强。"} for i, c in enumerate(criteria)]
        scoresheet_save(assignment=assignment, items=items, actor=judge)
        assignment_submit(assignment=assignment, actor=judge)
    return application_transition(application=app.pk, name="finish_review", actor=sec)


NOTICE_TEXT = ("经专家评审和审定委员会审定，现将拟认定的质量标杆典型经验予以公示。公示期间，任何单位和个人"
               "均可实名提出异议，并提供必要的证明材料；匿名异议不予受理。")
NOTICE_CONTACT = "上海市质量奖评审秘书处 王老师\n电话：021-12345678\n地址：上海市黄浦区人民大道200号"


def seed_results(*, users, cycles, stdout=None) -> None:
    if cycles.get("QB") is None or any(u not in users for u in ("secretariat", "recommender1", *JUDGES)):
        return
    unit = RecommendingUnit.objects.order_by("pk").first()
    sec = users["secretariat"]
    for username, title, bases, ended, year in PLAN:
        org = Organization.objects.filter(memberships__user=users[username]).first()
        if org is None or Cycle.objects.filter(programme__code="QB", label=str(year)).exists():
            continue
        cycle = cycle_transition(cycle=build_cycle("QB", year=year), name="open", actor=sec)
        category = cycle.categories.get(code="TYPICAL")
        now = timezone.now()
        app = _approved(user=users[username], org=org, category=category, unit=unit, title=title,
                        bases=bases, users=users, now=now)
        for name in ("close", "start_judging", "start_deliberation"):
            cycle_transition(cycle=cycle, name=name, actor=sec, note="演示数据")
        start = now - dt.timedelta(days=10) if ended else now
        notice = notice_open(cycle=cycle, actor=sec, now=start, data=NoticeInput(
            description=NOTICE_TEXT, contact=NOTICE_CONTACT, starts_at=start, days=7))
        if ended:
            objection = objection_file(notice=notice, application_id=app.pk, name="李先生", phone="13800000000",
                                       email="li@example.com", content="请核实该经验的推广应用企业数量。",
                                       now=start + dt.timedelta(days=1))
            objection_investigate(objection=objection, actor=sec)
            objection_resolve(objection=objection, actor=sec, outcome="dismissed",
                              resolution="经调查核实，推广应用企业名单与证明材料一致，异议不成立。")
    _awaiting_committee(users=users, unit=unit)
    if stdout is not None:
        stdout.write("质量标杆2016：公示期已满（可确认并发布）；质量标杆2017：正在公示（可提出异议）；"
                     "质量标杆2014：两项评审完成，待审定委员会审定（其中一项专家评分分歧较大）。")


# Evaluated, awaiting the committee: what committee1's 工作台 and the committee view show.
AWAITING_YEAR = 2014
AWAITING = [
    # applicant, title, per-judge base percent in steps of 5 (the first panel disagrees by 30 points and more)
    ("applicant4", "新材料研发质量“四个一”快速验证经验", (75, 60, 40)),
    ("applicant5", "冷链物流全程温控与质量追溯经验", (70, 60, 65)),
]


def _awaiting_committee(*, users, unit) -> None:
    if Cycle.objects.filter(programme__code="QB", label=str(AWAITING_YEAR)).exists():
        return
    sec = users["secretariat"]
    cycle = cycle_transition(cycle=build_cycle("QB", year=AWAITING_YEAR), name="open", actor=sec)
    category = cycle.categories.get(code="TYPICAL")
    for username, title, bases in AWAITING:
        org = Organization.objects.filter(memberships__user=users[username]).first()
        if org is not None:
            _evaluated(user=users[username], org=org, category=category, unit=unit, title=title, bases=bases,
                       users=users)
    for name in ("close", "start_judging", "start_deliberation"):
        cycle_transition(cycle=cycle, name=name, actor=sec, note="演示数据")
