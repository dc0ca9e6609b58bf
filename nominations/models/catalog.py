"""The award catalog as data: programmes, cycles and their categories and rules."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from nominations.enums import (
    Aggregation,
    CycleState,
    EligibilityKind,
    NomineeKind,
    ProgrammeCode,
    QuestionType,
)


class Programme(models.Model):
    code = models.CharField(_("代码"), max_length=8, unique=True, choices=ProgrammeCode.choices)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    awarding_body = models.CharField(_("授予机关"), max_length=100, default="上海市人民政府")
    has_site_stage = models.BooleanField(_("设现场评审"), default=True)
    needs_recommender = models.BooleanField(_("须推荐单位推荐"), default=True)
    certificate_template = models.CharField(
        _("证书模板"), max_length=200, default="certificates/certificate.html"
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")

    def __str__(self) -> str:
        return self.name


class Cycle(ConcurrentTransitionMixin, models.Model):
    """One selection round of a programme (评选周期), with its frozen parameters."""

    FROZEN_FIELDS = (
        "programme", "year", "label", "opens_at", "closes_at", "amendment_days",
        "notice_days", "notice_working_days", "judges_document", "judges_site", "aggregation",
        "committee_size", "committee_quorum",
    )

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cycles",
                                  verbose_name=_("奖项"))
    year = models.PositiveSmallIntegerField(_("年度"))
    label = models.CharField(_("周期名称"), max_length=20, help_text=_("如 2018 或 2023—2024"))
    status = FSMField(_("状态"), default=CycleState.DRAFT, choices=CycleState.choices, protected=True)
    opens_at = models.DateTimeField(_("申报开始"))
    closes_at = models.DateTimeField(_("申报截止"))
    amendment_days = models.PositiveSmallIntegerField(_("补正期限（天）"), default=10)
    notice_days = models.PositiveSmallIntegerField(_("公示期（天）"), default=7)
    notice_working_days = models.BooleanField(_("公示期按工作日计算"), default=False)
    judges_document = models.PositiveSmallIntegerField(_("资料评审每份申报专家数"), default=5)
    judges_site = models.PositiveSmallIntegerField(_("现场评审每份申报专家数"), default=5)
    aggregation = models.CharField(_("计分方法"), max_length=20, choices=Aggregation.choices,
                                   default=Aggregation.TRIMMED_MEAN)
    committee_size = models.PositiveSmallIntegerField(
        _("审定委员会人数"), default=15, help_text=_("表决票数（赞成、反对、弃权之和）不能超过此人数。"))
    committee_quorum = models.PositiveSmallIntegerField(
        _("审定会议法定人数"), default=0,
        help_text=_("有效表决至少需要的票数；0 表示不设下限。"))
    reference_seq = models.PositiveIntegerField(_("已分配申报编号"), default=0, editable=False)
    certificate_seq = models.PositiveIntegerField(_("已分配证书编号"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))

    class Meta:
        ordering = ["-year", "programme__order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "label"], name="unique_cycle_label"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="cycle_window_order"),
            models.CheckConstraint(condition=models.Q(committee_quorum__lte=models.F("committee_size")),
                                   name="cycle_quorum_within_committee"),
        ]
        verbose_name = _("评选周期")
        verbose_name_plural = _("评选周期")

    def __str__(self) -> str:
        return f"{self.label}年度{self.programme.name}"

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("申报截止时间必须晚于开始时间。")})

    # -- window ---------------------------------------------------------------
    def window_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == CycleState.OPEN and self.opens_at <= now < self.closes_at

    @property
    def is_frozen(self) -> bool:
        return self.status != CycleState.DRAFT

    # -- transitions (state only; see services.cycles) -------------------------
    @transition(field=status, source=CycleState.DRAFT, target=CycleState.OPEN)
    def open(self) -> None:
        pass

    @transition(field=status, source=CycleState.OPEN, target=CycleState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=CycleState.CLOSED, target=CycleState.JUDGING)
    def start_judging(self) -> None:
        pass

    @transition(field=status, source=CycleState.JUDGING, target=CycleState.DELIBERATION)
    def start_deliberation(self) -> None:
        pass

    @transition(field=status, source=CycleState.DELIBERATION, target=CycleState.NOTICE)
    def start_notice(self) -> None:
        pass

    @transition(field=status, source=CycleState.NOTICE, target=CycleState.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=CycleState.PUBLISHED, target=CycleState.ARCHIVED)
    def archive(self) -> None:
        pass


class Category(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="categories",
                              verbose_name=_("评选周期"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    nominee_kind = models.CharField(_("申报对象"), max_length=20, choices=NomineeKind.choices)
    quota = models.PositiveSmallIntegerField(_("名额"), default=0, help_text=_("0 表示不限"))
    rubric_code = models.CharField(_("评分标准"), max_length=40)
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["cycle", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="unique_category_code")]
        verbose_name = _("申报类别")
        verbose_name_plural = _("申报类别")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.name}"

    @property
    def is_individual(self) -> bool:
        return self.nominee_kind == NomineeKind.INDIVIDUAL


class Question(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions", verbose_name=_("类别"))
    key = models.SlugField(_("键"), max_length=50)
    label = models.CharField(_("问题"), max_length=200)
    type = models.CharField(_("类型"), max_length=10, choices=QuestionType.choices,
                            default=QuestionType.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="unique_question_key")]
        verbose_name = _("申报表问题")
        verbose_name_plural = _("申报表问题")

    def __str__(self) -> str:
        return self.label


class DocumentRequirement(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="document_requirements", verbose_name=_("类别"))
    kind = models.SlugField(_("材料类型"), max_length=50)
    label = models.CharField(_("名称"), max_length=100)
    required = models.BooleanField(_("必交"), default=True)
    content_types = models.JSONField(_("允许的文件类型"), default=list,
                                     help_text=_('如 ["application/pdf"]'))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "kind"], name="unique_document_kind")]
        verbose_name = _("申报材料要求")
        verbose_name_plural = _("申报材料要求")

    def __str__(self) -> str:
        return self.label


class EligibilityRule(models.Model):
    """A formal-review rule, as data. Evaluated by services.eligibility."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name=_("评选周期"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="eligibility_rules",
                                 help_text=_("留空则适用于本周期全部类别"), verbose_name=_("类别"))
    kind = models.CharField(_("规则"), max_length=30, choices=EligibilityKind.choices)
    years = models.PositiveSmallIntegerField(_("年数"), null=True, blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("相关奖项"))
    question_key = models.SlugField(_("声明问题的键"), max_length=50, blank=True)
    description = models.CharField(_("规则说明"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["cycle", "order", "id"]
        verbose_name = _("资格条件")
        verbose_name_plural = _("资格条件")

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        needs = {
            EligibilityKind.YEARS_REGISTERED: ("years",),
            EligibilityKind.PRIOR_AWARD: ("years", "programme"),
            EligibilityKind.LOCKOUT: ("years", "programme"),
            EligibilityKind.DECLARATION: ("question_key",),
        }[self.kind]
        missing = {f: _("此规则必须填写。") for f in needs if not getattr(self, f)}
        if missing:
            raise ValidationError(missing)
