"""Builders for the publication tests: applications driven from `accepted` to `approved`
through the real judging services (assignment, scoresheet, site report, committee vote),
then the cycle through start_notice / confirm / publish with the real transition services."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from judging.selectors.scoresheets import criteria_for_application
from judging.services import (
    assignment_accept,
    assignment_create,
    assignment_submit,
    scoresheet_save,
    site_report_save,
)
from nominations.enums import CycleState
from nominations.models import Cycle
from judging.services.committee import committee_decision_record
from nominations.services.notices import NoticeInput, notice_open
from nominations.services.publication import application_confirm, cycle_publish
from nominations.services.transitions import application_transition, cycle_transition
from tests import factories as f

ID_NUMBER = "11010519491231002X"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def panel(db):
    """One document judge and one site judge (the cycle is set to one judge per stage)."""
    return (f.UserFactory(username="doc-judge", first_name="资料专家", groups=["judge"]),
            f.UserFactory(username="site-judge", first_name="现场专家", groups=["judge"]))


def _score(assignment, judge, app):
    items = [{"criterion": c.code, "percent": 60, "strengths": "优势明显", "opportunities": "仍可改进"}
             for c in criteria_for_application(app)]
    scoresheet_save(assignment=assignment, items=items, actor=judge)
    return assignment_submit(assignment=assignment, actor=judge)


def _stage(app, judge, stage, secretariat):
    a = assignment_create(application=app, judge=judge, stage=stage, actor=secretariat)
    a = assignment_accept(assignment=a, actor=judge)
    return a


def approve(app, *, secretariat, panel):
    """accepted → document_review → (site_review →) evaluated → approved, all through services."""
    doc_judge, site_judge = panel
    Cycle.objects.filter(pk=app.cycle_id).update(judges_document=1, judges_site=1)
    a = _stage(app, doc_judge, "document", secretariat)
    app = application_transition(application=app.pk, name="start_review", actor=secretariat)
    _score(a, doc_judge, app)
    if app.cycle.programme.has_site_stage:
        app = application_transition(application=app.pk, name="shortlist", actor=secretariat)
        s = _stage(app, site_judge, "site", secretariat)
        _score(s, site_judge, app)
        site_report_save(application=app.pk, actor=secretariat, summary="现场评审情况与申报材料一致。",
                         recommendation="建议授奖")
    app = application_transition(application=app.pk, name="finish_review", actor=secretariat)
    return committee_decision_record(application=app.pk, outcome="approve", actor=secretariat, minute="审定会议纪要",
                                     votes_for=11, votes_against=1, votes_abstain=1,
                                     decided_on=timezone.localdate()).application


def new_accepted(*, cycle, secretariat, recommender, unit, category_code="ORG", title=None, nominee=None,
                 organization=None, user=None):
    n = next(_seq)
    org = organization or f.OrganizationFactory(name=f"上海公示测试{n}号有限公司")
    if user is None:
        user = f.UserFactory(username=f"pub-app-{n}")
        f.member(user, org)
    app = f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit,
                              category_code=category_code, title=title or f"卓越绩效管理模式{n}", nominee=nominee)
    return f.advance(app, ["submit", "endorse", "accept"],
                     {"submit": user, "endorse": recommender, "accept": secretariat})


def to_deliberation(cycle, secretariat):
    cycle = Cycle.objects.get(pk=cycle.pk)
    for name in ("close", "start_judging", "start_deliberation"):
        if cycle.status == CycleState.DELIBERATION:
            break
        cycle = cycle_transition(cycle=cycle, name=name, actor=secretariat)
    return cycle


NOTICE_CONTACT = "秘书处王老师，电话 021-12345678，地址 上海市黄浦区人民大道200号"


def start_notice(cycle, secretariat, *, ended: bool = False, days: int = 7, working_days: bool | None = None):
    """Open the cycle's notice now, or (ended=True) one that ran from 10 days ago for `days` days."""
    now = timezone.now()
    if ended:
        now = now - dt.timedelta(days=days + 3)
    return notice_open(cycle=cycle.pk, actor=secretariat, now=now, data=NoticeInput(
        description="现将拟授奖名单予以公示。", contact=NOTICE_CONTACT, starts_at=now, days=days,
        working_days=working_days))


@pytest.fixture
def approved(accepted, secretariat, panel, cycle):
    """The persona applicant's application, approved; the cycle in deliberation."""
    app = approve(accepted, secretariat=secretariat, panel=panel)
    to_deliberation(cycle, secretariat)
    return app


@pytest.fixture
def in_notice(approved, secretariat, cycle):
    """The approved application in an open notice (window: now .. +7 days)."""
    start_notice(cycle, secretariat)
    approved.refresh_from_db()
    return approved


@pytest.fixture
def notice_ended(approved, secretariat, cycle):
    """The approved application in a notice whose window has ended."""
    start_notice(cycle, secretariat, ended=True)
    approved.refresh_from_db()
    return approved


def publish(cycle, secretariat, announcement="经公示无异议，现予公布。"):
    return cycle_publish(cycle=cycle.pk, actor=secretariat, announcement=announcement)


@pytest.fixture
def published(notice_ended, secretariat, cycle, django_capture_on_commit_callbacks):
    """Confirmed, the cycle published, certificates rendered (tasks run after commit)."""
    application_confirm(application=notice_ended.pk, actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        publish(cycle, secretariat)
    notice_ended.refresh_from_db()
    return notice_ended
