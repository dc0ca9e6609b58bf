"""One world for the security tests (permission matrix, schemathesis): every persona of
issue 8 and, for each, the data that could leak to the others. Built once per module
(`module_world`), inside a transaction that is rolled back when the module ends; each test
runs in a savepoint of it, and tests that mutate wrap each request in `rolled_back()`.

Personas: anonymous, applicant A, applicant B, recommender named / not named by A's
application, judge assigned to A (sheet saved, not submitted), judge assigned to A after
submitting, judge with a conflict with A's organization, judge not assigned, committee
member, secretariat.

An exchange visit hosted by P's organization, with a registration by applicant B's
organization (attendee name and phone).

Applications: A (applicant A, in document review, names recommender unit A), D (applicant
A's individual draft: nominee name and ID number), B (applicant B, submitted, names unit B),
P (applicant A's other organization, published in an earlier cycle, with a certificate, a
site report, a committee decision, a released feedback report and a dismissed objection).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test.utils import override_settings

from judging.selectors import criteria_for_application
from judging.services import (
    assignment_accept,
    assignment_create,
    conflict_add,
    feedback_generate,
    feedback_release,
    scoresheet_save,
    scoresheet_submit,
)
from judging.models import CommitteeDecision, SiteVisitReport
from nominations.models import Certificate, CertificateBatch, Cycle
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from nominations.services.publication import application_confirm, cycle_publish
from tests import factories as f

PASSWORD = "pw-123456"  # tests.factories.UserFactory's password

PERSONAS = ("anonymous", "applicant_a", "applicant_b", "recommender_named", "recommender_other",
            "judge_assigned", "judge_submitted", "judge_conflicted", "judge_unassigned", "committee", "secretariat")

# Data that only some personas may see; a denied answer must contain none of it.
SECRET = {
    "title_a": "机密甲申报标题Alpha",
    "title_d": "机密甲个人草稿Delta",
    "title_b": "机密乙申报标题Bravo",
    "nominee": "机密被提名人",
    "id_number": f.valid_id_number(7),  # masked when shown: the whole number must never appear
    "strength_assigned": "机密评语甲专家Assigned",
    "strength_submitted": "机密评语乙专家Submitted",
    "conflict_reason": "机密回避理由Conflict",
    "objection": "机密异议内容Objection",
    "objector_phone": "13900009999",
    "site_summary": "机密现场评审结论Site",
    "minute": "机密审定纪要Minute",
    "notice_note": "机密受理说明Note",
    "attendee_phone": "13911112222",
    "attendee": "机密参会人Attendee",
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def user(self, persona):
        return self.users.get(persona)


def _sheet(assignment, judge, app, marker: str, submit: bool):
    items = [{"criterion": c.code, "percent": 60, "strengths": marker, "opportunities": marker}
             for c in criteria_for_application(app)]
    scoresheet_save(assignment=assignment, items=items, actor=judge)
    if submit:
        scoresheet_submit(assignment=assignment, actor=judge)


def build_world(capture_on_commit) -> World:
    """`capture_on_commit`: a context manager that runs on-commit callbacks (the certificate
    and feedback renders), e.g. TestCase.captureOnCommitCallbacks(execute=True)."""
    from tests.publication.conftest import approve, start_notice, to_deliberation

    w = World()
    u = f.UserFactory
    sec = u(username="m-sec", groups=["secretariat"])
    committee = u(username="m-committee", groups=["committee"])
    org_a = f.OrganizationFactory(name="上海矩阵甲方科技有限公司")
    org_p = f.OrganizationFactory(name="上海矩阵获奖科技有限公司")
    org_b = f.OrganizationFactory(name="上海矩阵乙方制造有限公司")
    applicant_a, applicant_b = u(username="m-applicant-a"), u(username="m-applicant-b")
    f.member(applicant_a, org_a)
    f.member(applicant_a, org_p)
    f.member(applicant_b, org_b)
    unit_a = f.RecommendingUnitFactory(name="矩阵推荐单位甲")
    unit_b = f.RecommendingUnitFactory(name="矩阵推荐单位乙")
    recommender_named, recommender_other = u(username="m-rec-named"), u(username="m-rec-other")
    f.recommender_member(recommender_named, unit_a)
    f.recommender_member(recommender_other, unit_b)
    judges = {name: u(username=f"m-{name.replace('_', '-')}", first_name=f"专家{n}", groups=["judge"])
              for n, name in enumerate(("judge_assigned", "judge_submitted", "judge_conflicted",
                                        "judge_unassigned"))}
    w.users = {"anonymous": None, "applicant_a": applicant_a, "applicant_b": applicant_b,
               "recommender_named": recommender_named, "recommender_other": recommender_other,
               **judges, "committee": committee, "secretariat": sec}

    # P: published in 2017 (its own cycle), with everything a published application has.
    cycle_p = f.open_cycle("QGA", secretariat=sec, year=2017, label="2017")
    panel = (u(username="m-doc-judge", groups=["judge"]), u(username="m-site-judge", groups=["judge"]))
    p = f.draft_application(cycle=cycle_p, applicant=applicant_a, organization=org_p, unit=unit_a,
                            title="矩阵获奖模式")
    p = f.advance(p, ["submit", "endorse", "accept"],
                  {"submit": applicant_a, "endorse": recommender_named, "accept": sec})
    p = approve(p, secretariat=sec, panel=panel)
    SiteVisitReport.objects.filter(application=p).update(summary=SECRET["site_summary"])
    CommitteeDecision.objects.filter(application=p).update(minute=SECRET["minute"])
    to_deliberation(cycle_p, sec)
    notice = start_notice(cycle_p, sec, ended=True)
    objection = objection_file(notice=notice, application_id=p.pk, name="异议人", phone=SECRET["objector_phone"],
                               content=SECRET["objection"], now=notice.starts_at + dt.timedelta(hours=1))
    objection_investigate(objection=objection, actor=sec)
    objection_resolve(objection=objection, actor=sec, outcome="dismissed", resolution="经核查不属实")
    application_confirm(application=p.pk, actor=sec)
    with capture_on_commit():
        cycle_publish(cycle=cycle_p.pk, actor=sec, announcement="经公示无异议，现予公布。")
    with capture_on_commit():
        report = feedback_generate(application=p.pk, actor=sec)
    feedback_release(report=report, actor=sec)

    # A: in document review; three judges accepted, one of them later found conflicted.
    cycle = f.open_cycle("QGA", secretariat=sec)
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=3)
    a = f.draft_application(cycle=cycle, applicant=applicant_a, organization=org_a, unit=unit_a, title=SECRET["title_a"])
    a = f.advance(a, ["submit", "endorse", "accept"],
                  {"submit": applicant_a, "endorse": recommender_named, "accept": sec},
                  notes={"accept": SECRET["notice_note"]})
    assignments = {}
    for name in ("judge_assigned", "judge_submitted", "judge_conflicted"):
        assignments[name] = assignment_accept(
            assignment=assignment_create(application=a, judge=judges[name], stage="document", actor=sec),
            actor=judges[name])
    a = f.advance(a, ["start_review"], {"start_review": sec})
    _sheet(assignments["judge_assigned"], judges["judge_assigned"], a, SECRET["strength_assigned"], submit=False)
    _sheet(assignments["judge_submitted"], judges["judge_submitted"], a, SECRET["strength_submitted"], submit=True)
    conflict = conflict_add(judge=judges["judge_conflicted"], organization=org_a, actor=sec,
                            reason=SECRET["conflict_reason"])
    d = f.draft_application(cycle=cycle, applicant=applicant_a, organization=org_a, unit=unit_a, category_code="IND",
                            title=SECRET["title_d"], complete=False,
                            nominee={"name": SECRET["nominee"], "employer": org_a.name, "position": "总监",
                                     "id_number": SECRET["id_number"]})
    b = f.draft_application(cycle=cycle, applicant=applicant_b, organization=org_b, unit=unit_b, title=SECRET["title_b"])
    b = f.advance(b, ["submit"], {"submit": applicant_b})

    # An exchange visit hosted by P's organization; applicant B's organization registered.
    from events.services.events import event_create
    from events.services.registrations import registration_create
    from tests.events.conftest import event_input

    event = event_create(actor=sec, data=event_input([p.pk]))
    registration = registration_create(event=event, organization=org_b, actor=applicant_b, attendees=[
        {"name": SECRET["attendee"], "position": "质量经理", "phone": SECRET["attendee_phone"]}])

    cert = Certificate.objects.filter(application=p).first()
    batch = CertificateBatch.objects.filter(cycle=cycle_p).order_by("pk").last()
    w.ids = {
        "cycle": cycle.pk, "cycle_p": cycle_p.pk, "category": a.category_id, "category_p": p.category_id,
        "rubric": a.category.rubric_code,
        "a": a.pk, "d": d.pk, "b": b.pk, "p": p.pk,
        "doc_a": a.documents.order_by("pk").first().pk, "doc_b": b.documents.order_by("pk").first().pk,
        "doc_p": p.documents.order_by("pk").first().pk,
        "org_a": org_a.pk, "org_b": org_b.pk, "org_p": org_p.pk,
        "unit_a": unit_a.pk,
        **{f"asg_{k.removeprefix('judge_')}": v.pk for k, v in assignments.items()},
        "event": event.pk, "registration": registration.pk,
        "conflict": conflict.pk, "notice": notice.pk, "objection": objection.pk, "feedback": report.pk,
        "batch": batch.pk if batch else None,
        "certificate_code": cert.verification_code if cert else None,
        "certificate_number": cert.number if cert else None,
        "certificate_check": cert.verification_code[:8] if cert else None,
    }
    w.ids.update({f"judge_{k.removeprefix('judge_')}": v.pk for k, v in judges.items()})
    return w


@contextlib.contextmanager
def rolled_back():
    """Run a block (one request) and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_storage():
    """Replaces tests/conftest.py's per-test storage: the module world's files stay readable
    (import this fixture into the test module together with `module_world`)."""


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module in a transaction rolled back at its end.
    Uploads and certificates live in a module folder (tests must not switch storage)."""
    from django.test import TestCase

    module_storage = tmp_path_factory.mktemp("security-private")

    storages = {"private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": str(module_storage), "base_url": None}}}
    from django.conf import settings as dj_settings
    with override_settings(PRIVATE_STORAGE_ROOT=module_storage, STORAGES={**dj_settings.STORAGES, **storages},
                           AUDIT_CHECKPOINT_DIR=module_storage / "audit"):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                yield build_world(lambda: TestCase.captureOnCommitCallbacks(execute=True))
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
