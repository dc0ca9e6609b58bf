"""The vocabulary of events: kinds, stored states, public states, registration states."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    EXCHANGE_VISIT = "exchange_visit", _("标杆企业参观交流")
    EXPERIENCE_SHARING = "experience_sharing", _("获奖组织经验交流会")


class EventState(models.TextChoices):
    """What is stored. The public status (open / full / closed) is derived from the clock."""

    SCHEDULED = "scheduled", _("已安排")
    CANCELLED = "cancelled", _("已取消")
    DONE = "done", _("已结束")


class PublicStatus(models.TextChoices):
    """API.md: "status": open | full | closed | cancelled | done."""

    OPEN = "open", _("报名中")
    FULL = "full", _("名额已满（可候补）")
    CLOSED = "closed", _("不在报名期")
    CANCELLED = "cancelled", _("已取消")
    DONE = "done", _("已结束")


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("报名成功")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_REGISTRATION = frozenset({RegistrationState.CONFIRMED, RegistrationState.WAITLISTED})
