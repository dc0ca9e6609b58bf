"""Feedback reports (评审反馈报告): one PDF per application that reached document review.

The secretariat generates a draft (rendered from the scores at that time), may add a
summary, previews it and releases it; the applicant downloads it once the report is
released AND the cycle's results are published. A released report is frozen.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nominations.models.applications import private_storage


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RELEASED = "released", _("已发布")


def feedback_upload_to(instance: "FeedbackReport", filename: str) -> str:
    return f"feedback/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class FeedbackReport(models.Model):
    application = models.OneToOneField("nominations.Application", on_delete=models.CASCADE,
                                       related_name="feedback_report", verbose_name=_("申报"))
    status = models.CharField(_("状态"), max_length=10, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.DRAFT, db_index=True)
    summary = models.TextField(_("综述"), blank=True,
                               help_text=_("秘书处撰写的总体评价，印在报告开头。"))
    stage = models.CharField(_("依据的评审阶段"), max_length=20, blank=True)
    overall_band = models.CharField(_("总体得分区间"), max_length=20, blank=True)
    bands = models.JSONField(_("各类目得分区间"), default=list, blank=True)
    pdf = models.FileField(storage=private_storage, upload_to=feedback_upload_to, blank=True, max_length=300, verbose_name=_("报告 PDF"))
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("SHA-256 校验值"))
    size = models.PositiveIntegerField(default=0, verbose_name=_("大小（字节）"))
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("生成人"))
    released_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("发布人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["application__reference", "application_id"]
        verbose_name = _("评审反馈报告")
        verbose_name_plural = _("评审反馈报告")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.get_status_display()}"

    @property
    def is_released(self) -> bool:
        return self.status == FeedbackStatus.RELEASED
