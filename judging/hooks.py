"""What judging plugs into nominations at start-up (called from JudgingConfig.ready),
through nominations.workflow, the one typed extension point:

- guards for the application transitions whose facts judging knows: start_review (judges
  accepted), shortlist / eliminate (sheets in), finish_review (sheets in, site report),
  approve / decline (the committee decision recorded, agreeing with the transition);
- the access check that lets an assigned, conflict-free judge open an application;
- the demo seeders.
"""
from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from judging.enums import MATERIAL_ACCESS, OUTSTANDING, STAGE_OF_STATE, AssignmentState, DecisionOutcome, Stage
from judging.models import Assignment, CommitteeDecision, SiteVisitReport, person_name
from judging.selectors.conflicts import conflict_map


def guard_start_review(*, application, actor, now) -> list[str]:
    """At least cycle.judges_document accepted, conflict-free document judges."""
    rows = list(Assignment.objects.filter(application=application, stage=Stage.DOCUMENT,
                                          state__in=MATERIAL_ACCESS).values_list("judge_id", flat=True))
    conflicts = conflict_map(rows, [application.organization], now=now)
    ready = sum(1 for j in rows if (j, application.organization_id) not in conflicts)
    needed = application.cycle.judges_document - ready
    if needed > 0:
        return [_("还需 %(k)d 位已接受任务且无利益冲突的评审专家") % {"k": needed}]
    return []


def _outstanding(application, stage: str) -> list[str]:
    rows = (Assignment.objects.filter(application=application, stage=stage, state__in=OUTSTANDING)
            .select_related("judge").order_by("created_at", "id"))
    return [_("专家 %(name)s 的%(stage)s评分表尚未提交（%(state)s）") % {
        "name": person_name(a.judge), "stage": Stage(stage).label, "state": a.get_state_display()} for a in rows]


def guard_sheets_in(*, application, actor, now) -> list[str]:
    """shortlist / eliminate: every live assignment of the current stage submitted."""
    stage = STAGE_OF_STATE.get(application.state)
    return _outstanding(application, stage) if stage else []


def guard_finish_review(*, application, actor, now) -> list[str]:
    """finish_review: every live sheet of the stage submitted (at least one); the site
    stage also needs the site-visit report."""
    stage = STAGE_OF_STATE.get(application.state)
    if not stage:
        return []
    missing = _outstanding(application, stage)
    if not Assignment.objects.filter(application=application, stage=stage,
                                     state=AssignmentState.SUBMITTED).exists():
        missing.append(_("本阶段还没有已提交的%(stage)s评分表") % {"stage": Stage(stage).label})
    if stage == Stage.SITE and not SiteVisitReport.objects.filter(application=application).exists():
        missing.append(_("尚未提交现场评审报告"))
    return missing


def _decision_guard(outcome: str):
    def guard(*, application, actor, now) -> list[str]:
        """approve / decline: the committee service writes the decision first, in the same
        transaction; the transition must agree with it."""
        decision = CommitteeDecision.objects.filter(application=application).only("outcome").first()
        if decision is None or decision.outcome != outcome:
            return [_("尚未录入与该结果一致的审定委员会表决（会议日期和票数）。")]
        return []

    guard.__name__ = f"guard_decision_{outcome}"
    return guard


def stage_progress(*, application, user) -> str | None:
    """The stepper's note on a judging step, for the secretariat, the committee and judges:
    how many judges are assigned and have accepted, or have submitted their sheets (and the
    site report). None for the applicant and the recommender (they see "专家评审中")."""
    from judging.enums import LIVE_ASSIGNMENT
    from nominations.enums import ApplicationState as S
    from nominations.selectors.steps import may_see_panel_counts

    if application.state not in (S.ACCEPTED, S.DOCUMENT_REVIEW, S.SITE_REVIEW) or not may_see_panel_counts(user):
        return None
    stage = Stage.SITE if application.state == S.SITE_REVIEW else Stage.DOCUMENT
    counts = dict(Assignment.objects.filter(application=application, stage=stage, state__in=list(LIVE_ASSIGNMENT))
                  .values_list("state").annotate(n=Count("id")).order_by())
    live = sum(counts.values())
    needed = application.cycle.judges_site if stage == Stage.SITE else application.cycle.judges_document
    if application.state == S.ACCEPTED:
        accepted = live - counts.get(AssignmentState.ASSIGNED, 0)
        return _("已分配 %(live)d/%(needed)d 位专家，%(accepted)d 位已接受") % {
            "live": live, "needed": needed, "accepted": accepted}
    submitted = counts.get(AssignmentState.SUBMITTED, 0)
    note = _("%(live)d 位专家中 %(n)d 位已提交") % {"live": live, "n": submitted}
    if stage == Stage.SITE and live and submitted == live:
        if SiteVisitReport.objects.filter(application=application).exists():
            note += _("，现场评审报告已提交")
        else:
            note += _("，待提交现场评审报告")
    return note


guard_decision_approve = _decision_guard(DecisionOutcome.APPROVE)
guard_decision_decline = _decision_guard(DecisionOutcome.DECLINE)


def rubric_names(codes: set[str]) -> dict[str, str]:
    """Human names of rubric codes, for nominations' pages (one query)."""
    from judging.models import Rubric

    return dict(Rubric.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def register() -> None:
    from judging.demo.results import seed_results
    from judging.demo.seed import seed_judging
    from judging.selectors.assignments import judge_may_access_application
    from nominations import workflow
    from nominations.management.commands.seed_demo import EXTRA_SEEDERS

    workflow.register_guard("start_review", guard_start_review)
    workflow.register_guard("shortlist", guard_sheets_in)
    workflow.register_guard("eliminate", guard_sheets_in)
    workflow.register_guard("finish_review", guard_finish_review)
    workflow.register_guard("approve", guard_decision_approve)
    workflow.register_guard("decline", guard_decision_decline)
    workflow.register_access(judge_may_access_application)
    workflow.register_progress(stage_progress)
    workflow.register_rubric_names(rubric_names)
    for seeder in (seed_judging, seed_results):
        if seeder not in EXTRA_SEEDERS:
            EXTRA_SEEDERS.append(seeder)
