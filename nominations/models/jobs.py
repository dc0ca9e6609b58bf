"""Background jobs other than the certificate batch (which has its own model): generating a
cycle's feedback reports, exporting a cycle's scores. Each records its progress so that the
page that started it shows a progress bar that updates itself, a link to the result when
done, and what to do when it failed."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nominations.models.applications import private_storage


class BackgroundJob(models.Model):
    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("生成评审反馈报告")
        EXPORT = "export", _("导出排名与评分（Excel）")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务"), max_length=20, choices=Kind.choices)
    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.CASCADE, related_name="background_jobs",
                              verbose_name=_("评选周期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    result = models.FileField(_("结果文件"), storage=private_storage, upload_to="jobs/", blank=True, max_length=300)
    result_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cycle", "kind", "-created_at"])]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
