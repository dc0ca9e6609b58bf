"""Demo data for the second half of the process (appended to seed_demo after the judges).

In the 2018 Quality Benchmark cycle (no site stage, 3 judges per application), two
typical-experience applications are driven through every real service:

- applicant2's: scored by judge1–3, approved by the committee, put on a public notice
  that ran from ten days ago and has ended, with one objection already dismissed. The
  secretariat can confirm it and publish it: the certificate is issued and verifiable.
- applicant3's: approved the same way and on a public notice open now, so anyone can
  file a real-name objection from /notices/ and the secretariat can work it.

Idempotent: nothing is created when the benchmark cycle already has these applications.
"""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from judging.selectors.scoresheets import criteria_for_application
from judging.services import assignment_accept, assignment_create, assignment_submit, scoresheet_save
from nominations.demo import sample_pdf
from nominations.models import Application, Organization, RecommendingUnit
from nominations.services.intake import application_create, document_upload
from nominations.services.publication import objection_file, objection_transition
from nominations.services.transitions import application_transition

PLAN = [
    # applicant, title, per-judge base percent, notice ended?
    ("applicant2", "以可靠性为中心的设备全寿命周期质量管理经验", (70, 65, 75), True),
    ("applicant3", "“从农田到餐桌”食品安全全链条追溯经验", (60, 55, 65), False),
]
JUDGES = ("judge1", "judge2", "judge3")
ANSWERS = {"experience": "典型经验", "summary": "形成可复制、可推广的方法和工具，已在行业内多家企业推广应用。",
           "compliance": True}


def _approved(*, user, org, category, unit, title, bases, users, now):
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
    app = application_transition(application=app.pk, name="finish_review", actor=sec)
    return application_transition(application=app.pk, name="approve", actor=sec,
                                  note="审定委员会第一次会议：同意授予", votes_for=9, votes_against=0,
                                  votes_abstain=1, decided_on=timezone.localdate())


def seed_results(*, users, cycles, stdout=None) -> None:
    cycle = cycles.get("QB")
    if cycle is None or any(u not in users for u in ("secretariat", "recommender1", *JUDGES)):
        return
    category = cycle.categories.get(code="TYPICAL")
    unit = RecommendingUnit.objects.order_by("pk").first()
    sec = users["secretariat"]
    for username, title, bases, ended in PLAN:
        org = Organization.objects.filter(memberships__user=users[username]).first()
        if org is None or Application.objects.filter(category=category, organization=org).exists():
            continue
        now = timezone.now()
        app = _approved(user=users[username], org=org, category=category, unit=unit, title=title,
                        bases=bases, users=users, now=now)
        start = now - dt.timedelta(days=10) if ended else now
        application_transition(application=app.pk, name="open_notice", actor=sec, now=start, starts_at=start,
                               days=7, text="经专家评审和审定，现将拟认定的质量标杆典型经验予以公示。",
                               contact_name="秘书处 王老师", contact_phone="021-12345678",
                               contact_address="上海市黄浦区人民大道200号")
        if ended:
            notice = app.notices.get()
            objection = objection_file(notice=notice, application_id=app.pk, name="李先生", phone="13800000000",
                                       email="li@example.com", content="请核实该经验的推广应用企业数量。",
                                       now=start + dt.timedelta(days=1))
            objection_transition(objection=objection, name="investigate", actor=sec)
            objection_transition(objection=objection, name="dismiss", actor=sec,
                                 resolution="经核实，推广应用企业名单与证明材料一致，异议不成立。")
    if stdout is not None:
        stdout.write("质量标杆2018：一项公示期已满（可确认并发布），一项正在公示（可提出异议）。")
