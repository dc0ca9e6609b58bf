"""Item scores of independent sheets, the consensus scorebook and its change history."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from judging.enums import PERCENT_STEP, Stage


def percent_constraints(prefix: str, *, nullable: bool) -> list[models.CheckConstraint]:
    """0–100 in steps of 5, enforced by the database as well as by the services."""
    in_range = models.Q(percent__lte=100)
    step = models.Q(Exact(Mod("percent", PERCENT_STEP), 0))
    if nullable:
        in_range |= models.Q(percent__isnull=True)
        step |= models.Q(percent__isnull=True)
    return [models.CheckConstraint(condition=in_range, name=f"{prefix}_percent_range"),
            models.CheckConstraint(condition=step, name=f"{prefix}_percent_step")]


class ItemScore(models.Model):
    """One judge's score for one rubric item: a percentage; points are derived, never stored."""

    assignment = models.ForeignKey("judging.Assignment", on_delete=models.CASCADE, related_name="scores", verbose_name=_("评审任务"))
    criterion = models.ForeignKey("judging.Criterion", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("评分条款"))
    percent = models.PositiveSmallIntegerField(_("得分率（%）"), null=True, blank=True)
    strengths = models.TextField(_("优势"), blank=True)
    opportunities = models.TextField(_("改进机会"), blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["assignment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="unique_item_score"),
            *percent_constraints("itemscore", nullable=True),
        ]
        verbose_name = _("条款评分")
        verbose_name_plural = _("条款评分")

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.criterion_id}: {self.percent}"


class ConsensusScore(models.Model):
    """The panel's agreed percentage and comment for one item (合议分). Independent sheets are kept."""

    application = models.ForeignKey("nominations.Application", on_delete=models.CASCADE,
                                    related_name="consensus_scores", verbose_name=_("申报"))
    stage = models.CharField(_("评审阶段"), max_length=20, choices=Stage.choices)
    criterion = models.ForeignKey("judging.Criterion", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("评分条款"))
    percent = models.PositiveSmallIntegerField(_("合议得分率（%）"))
    comment = models.TextField(_("合议意见"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("记录人"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["application", "stage", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "stage", "criterion"], name="unique_consensus_item"),
            *percent_constraints("consensus", nullable=False),
        ]
        verbose_name = _("合议分")
        verbose_name_plural = _("合议分")

    def __str__(self) -> str:
        return f"{self.application_id}/{self.stage}/{self.criterion_id}: {self.percent}"


class ConsensusChange(models.Model):
    """Provenance of the consensus scorebook: who changed which item, when, from what, why."""

    consensus = models.ForeignKey(ConsensusScore, on_delete=models.CASCADE, related_name="changes", verbose_name=_("合议分"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("修改人"))
    at = models.DateTimeField(_("时间"))
    old_percent = models.PositiveSmallIntegerField(_("原得分率"), null=True, blank=True)
    new_percent = models.PositiveSmallIntegerField(_("新得分率"))
    old_comment = models.TextField(_("原意见"), blank=True)
    new_comment = models.TextField(_("新意见"), blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["consensus", "at", "id"]
        verbose_name = _("合议分修改记录")
        verbose_name_plural = _("合议分修改记录")

    def __str__(self) -> str:
        return f"{self.consensus_id}: {self.old_percent} → {self.new_percent}"
