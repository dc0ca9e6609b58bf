"""Assignments of judges to applications per stage, and automatic-assignment runs."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from judging import rules
from judging.enums import AssignmentState as A
from judging.enums import AssignmentTransition as T
from judging.enums import Stage


def _label(t: T) -> dict:
    return {"name": t.value, "label": t.label}


class AutoAssignRun(models.Model):
    """One run of the automatic assignment: its parameters, seed and full result (for audit)."""

    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.CASCADE, related_name="auto_assign_runs",
                              verbose_name=_("评选周期"))
    stage = models.CharField(_("评审阶段"), max_length=20, choices=Stage.choices)
    judges_per_application = models.PositiveSmallIntegerField(_("每份申报专家数"))
    seed = models.BigIntegerField(_("复现码（随机种子）"))
    created = models.PositiveIntegerField(_("新建任务数"), default=0)
    result = models.JSONField(_("结果"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("自动分配记录")
        verbose_name_plural = _("自动分配记录")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_stage_display()} · seed {self.seed}"


class Assignment(ConcurrentTransitionMixin, models.Model):
    """A judge's task on one application in one stage (评审任务). State changes go through
    judging.services.assignments.assignment_transition only."""

    application = models.ForeignKey("nominations.Application", on_delete=models.CASCADE,
                                    related_name="assignments", verbose_name=_("申报"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="judge_assignments", verbose_name=_("评审专家"))
    stage = models.CharField(_("评审阶段"), max_length=20, choices=Stage.choices, default=Stage.DOCUMENT)
    state = FSMField(_("状态"), default=A.ASSIGNED, choices=A.choices, protected=True, db_index=True)
    is_leader = models.BooleanField(_("组长"), default=False)
    due_at = models.DateTimeField(_("完成期限"), null=True, blank=True)
    decline_reason = models.TextField(_("回避理由"), blank=True)
    reopen_reason = models.TextField(_("退回理由"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("分配人"))
    auto_run = models.ForeignKey(AutoAssignRun, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assignments", verbose_name=_("自动分配批次"))
    created_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("回避时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    # The submitted sheet in brief, written by the submission (the items cannot change while the
    # sheet is submitted) and cleared by a reopen: the ranking reads these, not 800,000 item rows.
    # sheet_raw: Σ percent × max_points of the scored items (×100 of the points, exact);
    # sheet_percents: the items in rubric order, one letter each (see selectors.scoresheets.percents_code).
    sheet_raw = models.DecimalField(_("评分表合计（×100）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                    editable=False)
    sheet_percents = models.CharField(_("评分表得分率"), max_length=200, blank=True, editable=False)

    TRANSITION_FIELDS = ["state", "is_leader", "decline_reason", "reopen_reason", "accepted_at",
                         "declined_at", "submitted_at", "reopened_at", "sheet_raw", "sheet_percents"]

    class Meta:
        ordering = ["application", "stage", "-is_leader", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "judge", "stage"], name="unique_assignment"),
            models.UniqueConstraint(fields=["application", "stage"], condition=models.Q(is_leader=True),
                                    name="one_leader_per_panel"),
        ]
        indexes = [models.Index(fields=["judge", "state"]), models.Index(fields=["application", "stage", "state"])]
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")

    def __str__(self) -> str:
        return f"{self.application_id}/{self.get_stage_display()}/{self.judge}"

    # -- transitions: state and derived fields only; see services.assignments ----------
    @transition(field=state, source=A.ASSIGNED, target=A.ACCEPTED,
                permission=rules.assignment_judge, custom=_label(T.ACCEPT))
    def accept(self, *, now) -> None:
        self.accepted_at = now

    @transition(field=state, source=[A.ASSIGNED, A.ACCEPTED], target=A.DECLINED,
                permission=rules.assignment_judge_or_secretariat, custom=_label(T.DECLINE))
    def decline(self, *, now, reason: str) -> None:
        self.declined_at = now
        self.decline_reason = reason
        self.is_leader = False

    @transition(field=state, source=[A.ACCEPTED, A.REOPENED], target=A.SUBMITTED,
                permission=rules.assignment_judge, custom=_label(T.SUBMIT))
    def submit(self, *, now, sheet_raw, sheet_percents: str) -> None:
        self.submitted_at = now
        self.sheet_raw = sheet_raw
        self.sheet_percents = sheet_percents

    @transition(field=state, source=A.SUBMITTED, target=A.REOPENED,
                permission=rules.secretariat, custom=_label(T.REOPEN))
    def reopen(self, *, now, reason: str) -> None:
        self.reopened_at = now
        self.reopen_reason = reason
        self.sheet_raw = None
        self.sheet_percents = ""
