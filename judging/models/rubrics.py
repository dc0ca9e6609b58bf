"""Rubrics and their criteria (moved unchanged from judging/models.py)."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from judging.enums import CriterionKind
from nominations.enums import CycleState
from nominations.models import Category


def rubric_in_use(code: str) -> bool:
    """True once a cycle using this rubric has opened: the rubric is then frozen."""
    return Category.objects.filter(rubric_code=code).exclude(cycle__status=CycleState.DRAFT).exists()


class RubricLocked(ValidationError):
    pass


class Rubric(models.Model):
    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    standard = models.CharField(_("依据标准"), max_length=100, blank=True)
    configurable_default = models.BooleanField(
        _("可配置的默认标准"), default=False,
        help_text=_("无官方分值时的默认配置，开放申报前可按实际规则调整"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("评分标准")
        verbose_name_plural = _("评分标准")

    def __str__(self) -> str:
        return gettext("%(name)s（%(code)s）") % {"name": self.name, "code": self.code}

    @property
    def is_locked(self) -> bool:
        return bool(self.pk) and rubric_in_use(self.code)

    @property
    def total_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.all() if c.parent_id is not None), Decimal("0"))

    def save(self, *args, **kwargs):
        if self.pk:
            old_code = Rubric.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if old_code and rubric_in_use(old_code):
                raise RubricLocked(_("该评分标准已被开放申报的评选周期使用，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise RubricLocked(_("该评分标准已被开放申报的评选周期使用，不能删除。"))
        return super().delete(*args, **kwargs)


class Criterion(models.Model):
    """A rubric line: a category (parent is null, not scored) or a scored item."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评分标准"))
    code = models.CharField(_("条款"), max_length=20)
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    max_points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    kind = models.CharField(_("类型"), max_length=10, choices=CriterionKind.choices)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("上级类目"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["rubric", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="unique_criterion_code")]
        verbose_name = _("评分条款")
        verbose_name_plural = _("评分条款")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_scored(self) -> bool:
        return self.parent_id is not None

    def _guard(self) -> None:
        if rubric_in_use(self.rubric.code):
            raise RubricLocked(_("该评分标准已被开放申报的评选周期使用，不能修改。"))

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)
