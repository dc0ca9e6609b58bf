"""Events after the award (标杆企业参观交流, 获奖组织经验交流会), their hosts and registrations.

What the public sees of a host (its name and award title) is copied from the frozen award
record when the event is created: later edits to the organization change neither.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.enums import EventKind, EventState, RegistrationState


class Event(models.Model):
    kind = models.CharField(_("活动类型"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    topic = models.CharField(_("交流主题"), max_length=300, blank=True,
                             help_text=_("标杆的典型经验或获奖项目；留空则取主办单位的获奖项目"))
    description = models.TextField(_("活动说明"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=300)
    capacity = models.PositiveIntegerField(_("名额（人）"))
    per_organization_limit = models.PositiveSmallIntegerField(_("每单位限报人数"), default=2)
    registration_opens_at = models.DateTimeField(_("报名开始"))
    registration_closes_at = models.DateTimeField(_("报名截止"))
    state = models.CharField(_("状态"), max_length=12, choices=EventState.choices, default=EventState.SCHEDULED)
    show_phones_to_host = models.BooleanField(_("向主办单位显示联系电话"), default=False)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    summary = models.TextField(_("活动纪要"), blank=True)
    closed_at = models.DateTimeField(_("结束登记时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_time_order"),
            models.CheckConstraint(condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                                   name="event_registration_window_order"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(condition=Q(per_organization_limit__gt=0), name="event_org_limit_positive"),
        ]
        verbose_name = _("交流活动")
        verbose_name_plural = _("交流活动")

    def __str__(self) -> str:
        return self.title

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.state == EventState.SCHEDULED
                and self.registration_opens_at <= now < self.registration_closes_at)


class EventHost(models.Model):
    """A published winner hosting (or speaking at) an event, as frozen at creation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="hosts")
    application = models.ForeignKey("nominations.Application", on_delete=models.PROTECT,
                                    related_name="event_hosts")
    organization = models.ForeignKey("nominations.Organization", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="hosted_events")
    name = models.CharField(_("主办单位"), max_length=300)
    title = models.CharField(_("获奖项目"), max_length=300, blank=True)
    award = models.CharField(_("奖项"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # The secretariat has been e-mailed that this host's award was revoked (once).
    revoke_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["event", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "application"], name="one_host_entry_per_event")]
        verbose_name = _("主办单位")
        verbose_name_plural = _("主办单位")

    def __str__(self) -> str:
        return self.name


RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U


def new_registration_receipt(at) -> str:
    """A human reference, e.g. 26-JL-7K3MX: year, 交流, five random characters (reveals
    nothing of how many registrations exist)."""
    tail = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(5))
    return f"{timezone.localtime(at):%y}-JL-{tail}"


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    organization = models.ForeignKey("nominations.Organization", on_delete=models.PROTECT,
                                     related_name="event_registrations")
    receipt = models.CharField(_("报名回执编号"), max_length=20, unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationState.choices)
    persons = models.PositiveSmallIntegerField(_("人数"))
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="event_registrations")
    created_at = models.DateTimeField(_("报名时间"))
    # Order in the waiting list: the time it (last) joined it; promotion is first in, first out.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], condition=~Q(status="cancelled"),
                                    name="one_live_registration_per_organization"),
            models.CheckConstraint(condition=Q(persons__gt=0), name="registration_has_persons"),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")

    def __str__(self) -> str:
        return self.receipt


class Attendee(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30)
    order = models.PositiveSmallIntegerField(default=0)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        ordering = ["registration", "order", "id"]
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")

    def __str__(self) -> str:
        return self.name
