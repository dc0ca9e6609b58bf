"""Site-visit reports and committee decisions."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from judging.enums import DecisionOutcome


class SiteVisitReport(models.Model):
    """The site panel leader's report (现场评审报告); `finish_review` from site_review needs it.

    `findings` is a list of {"criterion": "4.7.4", "finding": "...", "adjusted_percent": 65|null}.
    """

    application = models.OneToOneField("nominations.Application", on_delete=models.CASCADE,
                                       related_name="site_report", verbose_name=_("申报"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("报告人"))
    summary = models.TextField(_("现场评审综述"))
    recommendation = models.TextField(_("评审建议"), blank=True)
    findings = models.JSONField(_("条款发现"), default=list, blank=True)
    visited_on = models.DateField(_("现场评审日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("现场评审报告")
        verbose_name_plural = _("现场评审报告")

    def __str__(self) -> str:
        return gettext("%(application)s 现场评审报告") % {"application": self.application_id}


class CommitteeDecision(models.Model):
    """The committee's vote on an application, recorded by the secretariat through
    judging.services.committee.committee_decision_record, with the `approve` / `decline`
    transition in the same transaction. The outcome always agrees with the votes."""

    application = models.OneToOneField("nominations.Application", on_delete=models.CASCADE,
                                       related_name="committee_decision", verbose_name=_("申报"))
    outcome = models.CharField(_("审定结果"), max_length=20, choices=DecisionOutcome.choices)
    decided_on = models.DateField(_("会议日期"))
    votes_for = models.PositiveSmallIntegerField(_("赞成票"))
    votes_against = models.PositiveSmallIntegerField(_("反对票"))
    votes_abstain = models.PositiveSmallIntegerField(_("弃权票"))
    minute = models.TextField(_("会议纪要"), blank=True)
    recused = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     verbose_name=_("回避的委员"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["-decided_on", "application"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(votes_for__gt=0) | models.Q(votes_against__gt=0) | models.Q(votes_abstain__gt=0),
                name="decision_has_votes"),
            # approve: a majority of the votes cast are for; decline: they are not
            models.CheckConstraint(
                condition=(models.Q(outcome="approve",
                                    votes_for__gt=models.F("votes_against") + models.F("votes_abstain"))
                           | models.Q(outcome="decline",
                                      votes_for__lte=models.F("votes_against") + models.F("votes_abstain"))),
                name="decision_agrees_with_votes"),
        ]
        verbose_name = _("审定委员会决定")
        verbose_name_plural = _("审定委员会决定")

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_outcome_display()}"

    @property
    def votes_total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain
