"""Who applies and who recommends: organizations, nominees, recommending units."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from nominations import crypto
from nominations.enums import IdType, NomineeKind, RecommenderKind
from nominations.identifiers import mask_id_number, normalize_id_number


class Organization(models.Model):
    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    uscc_override_reason = models.CharField(
        _("校验例外理由"), max_length=300, blank=True,
        help_text=_("仅秘书处登记未通过校验的早期代码时填写"),
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    district = models.CharField(_("所在区"), max_length=50, blank=True)
    industry = models.CharField(_("所属行业"), max_length=100, blank=True)
    size = models.CharField(_("规模"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership",
                                     related_name="organizations", verbose_name=_("成员"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("用户"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="memberships", verbose_name=_("申报单位"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("加入时间"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class RecommendingUnit(models.Model):
    name = models.CharField(_("推荐单位"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=30, choices=RecommenderKind.choices)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="RecommenderMembership",
                                     related_name="recommending_units", verbose_name=_("成员"))

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("推荐单位")
        verbose_name_plural = _("推荐单位")

    def __str__(self) -> str:
        return self.name


class RecommenderMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="recommender_memberships", verbose_name=_("用户"))
    unit = models.ForeignKey(RecommendingUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("推荐单位"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_recommender_membership")]
        verbose_name = _("推荐单位成员")
        verbose_name_plural = _("推荐单位成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class Nominee(models.Model):
    """An individual put forward in an individual category. The ID number is encrypted."""

    name = models.CharField(_("姓名"), max_length=50)
    employer = models.CharField(_("工作单位"), max_length=200)
    position = models.CharField(_("职务/职称"), max_length=100, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices,
                               default=IdType.RESIDENT)
    id_number_encrypted = models.TextField(editable=False, verbose_name=_("身份证号码（加密保存）"))
    id_number_index = models.CharField(max_length=64, editable=False, db_index=True, verbose_name=_("身份证号码检索值"))
    id_number_masked = models.CharField(_("证件号码"), max_length=40, editable=False)

    class Meta:
        verbose_name = _("被推荐个人")
        verbose_name_plural = _("被推荐个人")

    def __str__(self) -> str:
        return gettext("%(name)s（%(employer)s）") % {"name": self.name, "employer": self.employer}

    def set_id_number(self, number: str) -> None:
        # One form (NFKC, upper case) for the cipher text, the blind index and the mask, so
        # that a number typed with full-width digits matches the same person's record.
        number = normalize_id_number(number)
        self.id_number_encrypted = crypto.encrypt(number)
        self.id_number_index = crypto.blind_index(number)
        self.id_number_masked = mask_id_number(number)

    def get_id_number(self) -> str:
        """The clear number, for the few places allowed to see it (never a page or export)."""
        return crypto.decrypt(self.id_number_encrypted)


class AwardRecord(models.Model):
    """An award an organization or person holds: from a published application or entered legacy."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="awards",
                                     null=True, blank=True, verbose_name=_("获奖单位"))
    nominee_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False, verbose_name=_("获奖个人检索值"))
    programme = models.ForeignKey("nominations.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("奖项"))
    nominee_kind = models.CharField(_("获奖对象"), max_length=20, choices=NomineeKind.choices,
                                    default=NomineeKind.ORGANIZATION)
    year = models.PositiveSmallIntegerField(_("获奖年度"))
    title = models.CharField(_("获奖项目"), max_length=300, blank=True)
    application = models.OneToOneField("nominations.Application", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="award_record", verbose_name=_("申报"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # What the public sees of a published award, frozen at publication (winners page and API).
    holder_name = models.CharField(_("获奖者"), max_length=300, blank=True)
    category_name = models.CharField(_("类别"), max_length=100, blank=True)
    cycle_label = models.CharField(_("年度"), max_length=20, blank=True)
    publication = models.ForeignKey("nominations.Publication", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="awards", verbose_name=_("公告"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("获奖记录")
        verbose_name_plural = _("获奖记录")

    def __str__(self) -> str:
        return f"{self.year} {self.programme}"
