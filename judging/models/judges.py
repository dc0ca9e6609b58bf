"""The expert pool: judge profiles, their related organizations, and conflicts of interest."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext, pgettext

from judging.enums import ConflictSource, ConflictStatus, RelationKind


def person_name(user) -> str:
    """How a person is named on screens and exports: full name, else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class JudgeProfile(models.Model):
    """An expert (评审专家). The judge's identity in assignments is the user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="judge_profile", verbose_name=_("账号"))
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    expertise = models.JSONField(_("专业领域"), default=list, blank=True,
                                 help_text=_('行业或领域列表，如 ["装备制造", "新材料"]'))
    affiliation = models.CharField(_("工作单位"), max_length=200, blank=True)
    affiliation_uscc = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True,
                                        db_index=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    active = models.BooleanField(_("在库可用"), default=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return person_name(self.user)

    @property
    def expertise_display(self) -> str:
        return pgettext("list separator", "、").join(self.expertise or [])


class JudgeRelation(models.Model):
    """An organization the judge is related to (by credit code): the basis of conflict detection."""

    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="relations",
                              verbose_name=_("评审专家"))
    organization_uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    organization_name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("关系"), max_length=20, choices=RelationKind.choices)
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("结束日期"), null=True, blank=True,
                             help_text=_("任职关系的离职日期；留空表示仍在任职"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))

    class Meta:
        ordering = ["judge", "kind", "organization_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(until__isnull=True) | models.Q(since__isnull=True)
                                   | models.Q(until__gte=models.F("since")), name="relation_dates_order"),
        ]
        verbose_name = _("专家关联单位")
        verbose_name_plural = _("专家关联单位")

    def __str__(self) -> str:
        return f"{self.judge} · {self.get_kind_display()} · {self.organization_name}"


class Conflict(models.Model):
    """A recorded conflict of interest (回避) between a person and an organization.

    Detected conflicts are recorded by the scans; a dismissed one stays dismissed (the
    detection never re-activates it). A pinned conflict cannot be withdrawn by the judge.
    `judge` is any user: committee members' conflicts recuse them from votes.
    """

    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts",
                              verbose_name=_("专家"))
    organization = models.ForeignKey("nominations.Organization", on_delete=models.CASCADE,
                                     related_name="judge_conflicts", verbose_name=_("申报单位"))
    source = models.CharField(_("来源"), max_length=20, choices=ConflictSource.choices)
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=20, choices=ConflictStatus.choices,
                              default=ConflictStatus.ACTIVE, db_index=True)
    pinned = models.BooleanField(_("锁定"), default=False, help_text=_("锁定的回避专家本人不能撤销"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["judge", "organization"], name="unique_conflict_pair")]
        verbose_name = _("利益冲突（回避）")
        verbose_name_plural = _("利益冲突（回避）")

    def __str__(self) -> str:
        return gettext("%(judge)s ↔ %(organization)s（%(status)s）") % {
            "judge": self.judge, "organization": self.organization, "status": self.get_status_display()}

    @property
    def is_active(self) -> bool:
        return self.status == ConflictStatus.ACTIVE
