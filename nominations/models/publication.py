"""After the committee: public notice (公示), objections (异议), certificates."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from nominations.models.applications import private_storage


class Holiday(models.Model):
    """The secretariat's holiday calendar for notices counted in working days.
    A weekday marked `is_workday=False` is a holiday; a weekend day marked
    `is_workday=True` is an adjusted working day (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_workday = models.BooleanField(_("调休上班"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class PublicNotice(models.Model):
    """One 公示 of a cycle: its window, its text and contact, and the entries it lists
    (frozen as they were when it opened)."""

    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.PROTECT, related_name="notices", verbose_name=_("评选周期"))
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    days = models.PositiveSmallIntegerField(_("公示天数"))
    working_days = models.BooleanField(_("按工作日计算"), default=False)
    description = models.TextField(_("公示说明"))
    contact = models.TextField(_("联系方式"), help_text=_("受理异议的单位、联系人、电话、邮箱和地址"))
    applications = models.ManyToManyField("nominations.Application", related_name="notices", blank=True,
                                          through="nominations.NoticeEntry", verbose_name=_("公示的申报"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="notice_window_order"),
            models.CheckConstraint(condition=~models.Q(description=""), name="notice_has_description"),
            models.CheckConstraint(condition=~models.Q(contact=""), name="notice_has_contact"),
        ]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return gettext("%(cycle)s 公示") % {"cycle": self.cycle}

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class NoticeEntry(models.Model):
    """An application on a notice, with what the public sees of it frozen when the notice
    opened: later edits to the organization or the application change none of it."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="entries", verbose_name=_("公示"))
    application = models.ForeignKey("nominations.Application", on_delete=models.PROTECT,
                                    related_name="notice_entries", verbose_name=_("申报"))
    name = models.CharField(_("名称"), max_length=300)
    title = models.CharField(_("项目名称"), max_length=300, blank=True)
    programme = models.CharField(_("奖项代码"), max_length=10)
    programme_name = models.CharField(_("奖项"), max_length=100)
    category = models.CharField(_("类别"), max_length=100)
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["notice", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "application"], name="one_entry_per_notice")]
        verbose_name = _("公示条目")
        verbose_name_plural = _("公示条目")

    def __str__(self) -> str:
        return self.name


class ObjectionState(models.TextChoices):
    RECEIVED = "received", _("已收到")
    INVESTIGATING = "investigating", _("调查核实中")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OBJECTION_OPEN = frozenset({ObjectionState.RECEIVED, ObjectionState.INVESTIGATING})


def new_objection_receipt(programme_code: str, at) -> str:
    """A human receipt reference, e.g. 26-QGA-7K3MX: year, programme, five random characters
    (Crockford base 32: no I, L, O, U), so receipts reveal nothing of how many objections exist."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    tail = "".join(secrets.choice(alphabet) for _ in range(5))
    return f"{timezone.localtime(at):%y}-{programme_code}-{tail}"


class Objection(ConcurrentTransitionMixin, models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示"))
    receipt = models.CharField(_("受理回执编号"), max_length=20, unique=True)
    application = models.ForeignKey("nominations.Application", on_delete=models.PROTECT,
                                    related_name="objections", verbose_name=_("申报"))
    name = models.CharField(_("姓名/单位名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    organization = models.CharField(_("所在单位"), max_length=200, blank=True)
    content = models.TextField(_("异议内容"))
    evidence = models.FileField(storage=private_storage, upload_to="objections/", blank=True, max_length=300, verbose_name=_("证据材料"))
    evidence_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("证据材料 SHA-256 校验值"))
    received_at = models.DateTimeField(_("收到时间"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("提交 IP 地址"))
    status = FSMField(_("状态"), default=ObjectionState.RECEIVED, choices=ObjectionState.choices, protected=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("处理时间"))
    investigation_started_at = models.DateTimeField(_("开始调查时间"), null=True, blank=True)
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("调查人"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        # As the objection desk names it (its receipt), not the objector and an application id.
        return gettext("异议 %(id)s") % {"id": self.receipt}

    @property
    def contact(self) -> str:
        return " / ".join(x for x in (self.phone, self.email) if x)

    @transition(field=status, source=ObjectionState.RECEIVED, target=ObjectionState.INVESTIGATING)
    def investigate(self, *, by, at) -> None:
        self.investigated_by, self.investigation_started_at = by, at

    @transition(field=status, source=ObjectionState.INVESTIGATING, target=ObjectionState.UPHELD)
    def uphold(self, *, resolution: str, by, at) -> None:
        self.resolution, self.resolved_by, self.resolved_at = resolution, by, at

    @transition(field=status, source=ObjectionState.INVESTIGATING, target=ObjectionState.DISMISSED)
    def dismiss(self, *, resolution: str, by, at) -> None:
        self.resolution, self.resolved_by, self.resolved_at = resolution, by, at


# How much of the verification code is printed under the QR code (API.md: the first 8).
CHECK_CODE_LENGTH = 8


def new_verification_code() -> str:
    """192 bits from the OS CSPRNG, URL-safe."""
    return secrets.token_urlsafe(24)


class Certificate(models.Model):
    """One per published application. Number and code are immutable; the text is a
    snapshot of the holder as registered at award time."""

    application = models.OneToOneField("nominations.Application", on_delete=models.PROTECT,
                                       related_name="certificate", verbose_name=_("申报"))
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    seq = models.PositiveIntegerField(verbose_name=_("顺序号"))
    verification_code = models.CharField(max_length=64, unique=True, default=new_verification_code, verbose_name=_("验证码"))
    holder = models.CharField(_("获奖者"), max_length=300)
    title = models.CharField(_("项目名称"), max_length=300, blank=True)
    award_name = models.CharField(_("奖项"), max_length=100)
    cycle_label = models.CharField(_("年度"), max_length=20)
    category_name = models.CharField(_("类别"), max_length=100)
    issuer = models.CharField(_("颁发机关"), max_length=100)
    issued_at = models.DateTimeField(_("颁发时间"))
    pdf = models.FileField(storage=private_storage, upload_to="certificates/", blank=True, max_length=300, verbose_name=_("证书 PDF"))
    pdf_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("PDF 的 SHA-256 校验值"))
    # Fingerprint under the crypto suite that made it: "sha256:<hex>" or "sm3:<hex>".
    pdf_digest = models.CharField(max_length=80, blank=True, verbose_name=_("PDF 校验值（按密码套件）"))
    pdf_size = models.PositiveIntegerField(default=0, verbose_name=_("PDF 大小（字节）"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application"], name="one_certificate_per_application")]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")

    def __str__(self) -> str:
        return self.number

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at else "valid"

    @property
    def check_code(self) -> str:
        """Printed with the number under the QR code: checked at /verify/ with the number."""
        return self.verification_code[:CHECK_CODE_LENGTH]

    @property
    def verify_url(self) -> str:
        return f"{settings.SITE_URL}/verify/{self.verification_code}/"

    def save(self, *args, **kwargs):
        if self.pk:
            old = Certificate.objects.filter(pk=self.pk).values_list("number", "verification_code").first()
            if old and old != (self.number, self.verification_code):
                raise ValueError("A certificate's number and verification code are immutable.")
        super().save(*args, **kwargs)


class CertificateBatch(models.Model):
    """Issuing a whole cycle's certificates in the background, with visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.CASCADE, related_name="certificate_batches", verbose_name=_("评选周期"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("状态"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("总数"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("已完成"))
    combined_pdf = models.FileField(storage=private_storage, upload_to="certificates/combined/", blank=True,
                                    max_length=300, verbose_name=_("合并打印 PDF"))
    error = models.TextField(blank=True, verbose_name=_("错误信息"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("发起时间"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("开始时间"))  # first worker on it
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("结束时间"))
    elapsed_ms = models.PositiveIntegerField(default=0, verbose_name=_("用时（毫秒）"))  # started_at → finished_at, all workers
    # Print files of the chunks rendered so far: [{"name": storage name, "seqs": [seq, …]}]
    # (nominations.services.certificate_batches), merged into combined_pdf at the end.
    parts = models.JSONField(default=list, blank=True, verbose_name=_("分块文件"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("证书批量生成")
        verbose_name_plural = _("证书批量生成")

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == "done" else 0)


class Publication(models.Model):
    """An announcement (公告) of a cycle's results. The first one of a cycle is its main
    announcement; an application published later (e.g. confirmed after an objection) is
    announced in a supplementary one (补充公告). Each award record names its announcement."""

    class Kind(models.TextChoices):
        MAIN = "main", _("结果公告")
        SUPPLEMENT = "supplement", _("补充公告")

    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.PROTECT, related_name="publications", verbose_name=_("评选周期"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.MAIN)
    announcement = models.TextField(_("公告"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("发布人"))

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(kind="main"), name="one_main_announcement"),
            models.CheckConstraint(condition=~models.Q(announcement=""), name="announcement_has_text"),
        ]
        verbose_name = _("结果公告")
        verbose_name_plural = _("结果公告")

    def __str__(self) -> str:
        return f"{self.cycle} {self.get_kind_display()}"
