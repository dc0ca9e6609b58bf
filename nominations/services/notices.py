"""Public notice (公示): the window, the holiday calendar, and the act that opens a notice."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.enums import Transition as T
from nominations.errors import ConcurrentChange, ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import Application, Cycle, Holiday, NoticeEntry, PublicNotice
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record
from nominations.services.transitions import application_lock, cycle_lock, cycle_transition_run, transition_run

# A notice may be opened "now": allow the clock to have moved on a little since the form was shown.
START_TOLERANCE = dt.timedelta(minutes=5)
MAX_NOTICE_DAYS = 60


# -- notice window -----------------------------------------------------------------
def is_working_day(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def notice_ends_at(starts_at: dt.datetime, days: int, working_days: bool) -> dt.datetime:
    """End of the notice: midnight (Asia/Shanghai) after its last day. The start day counts
    as day one (when it is a working day, for working-day notices)."""
    local_start = timezone.localtime(starts_at)
    day = local_start.date()
    if working_days:
        overrides = dict(Holiday.objects.filter(date__gte=day, date__lte=day + dt.timedelta(days=days * 3 + 30))
                         .values_list("date", "is_workday"))
        counted = 0
        while True:
            if is_working_day(day, overrides):
                counted += 1
                if counted == days:
                    break
            day += dt.timedelta(days=1)
        last = day
    else:
        last = day + dt.timedelta(days=days - 1)
    midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0))
    return timezone.make_aware(midnight, timezone.get_current_timezone())


def local_end_label(ends_at: dt.datetime) -> str:
    """A notice ending at midnight ends at "24:00" of its last day (Asia/Shanghai)."""
    end = timezone.localtime(ends_at)
    if (end.hour, end.minute, end.second) == (0, 0, 0):
        return (end - dt.timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return end.strftime("%Y-%m-%d %H:%M")


def notice_window_check(*, notice: PublicNotice, now: dt.datetime | None = None) -> None:
    """Objections are received inside the notice window only (server time)."""
    now = now or timezone.now()
    if now < notice.starts_at:
        raise WorkflowError(_("公示尚未开始（%(start)s 开始），暂不受理异议。") % {
            "start": timezone.localtime(notice.starts_at).strftime("%Y-%m-%d %H:%M")}, code="notice_not_open")
    if now >= notice.ends_at:
        raise WorkflowError(_("公示期已于 %(end)s 结束，逾期异议不予受理。") % {
            "end": local_end_label(notice.ends_at)}, code="notice_closed")


@dataclass(frozen=True)
class NoticeInput:
    """What the secretariat writes when opening a notice (API: start_notice / open_notice)."""

    description: str
    contact: str
    starts_at: dt.datetime | None = None
    days: int | None = None
    working_days: bool | None = None


def _notice_problems(cycle: Cycle, data: NoticeInput, now: dt.datetime) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if not (data.description or "").strip():
        errors["description"] = [_("请填写公示说明（公示内容、异议方式和要求）。")]
    if not (data.contact or "").strip():
        errors["contact"] = [_("请填写受理异议的联系方式（单位、电话、邮箱或地址）。")]
    starts_at = data.starts_at or now
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at < now - START_TOLERANCE:
        errors["starts_at"] = [_("公示开始时间不能早于当前时间。")]
    days = cycle.notice_days if data.days is None else data.days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NOTICE_DAYS:
        errors["days"] = [_("公示天数应在 1 到 %(max)d 天之间。") % {"max": MAX_NOTICE_DAYS}]
        days = cycle.notice_days
    working = cycle.notice_working_days if data.working_days is None else bool(data.working_days)
    return {"starts_at": max(starts_at, now), "days": days,
            "working_days": working}, errors


def notice_open(*, cycle: Cycle | int, actor, data: NoticeInput, ip: str | None = None,
                now: dt.datetime | None = None) -> PublicNotice:
    """Open the cycle's 公示 for every application the committee approved.

    The same act whether started from the cycle (start_notice) or from one approved
    application (open_notice). Effects, in one transaction: lock the cycle → check the
    secretariat, the cycle in deliberation, approved applications, the notice text, contact
    and window → the notice row → per approved application (locked, in reference order): the
    open_notice transition and its notice entry with name, title, programme and category
    frozen as they are now → the cycle's start_notice transition → audit entries.
    """
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以开启公示。"))
    try:
        with transaction.atomic():
            locked = cycle_lock(cycle)
            now = now or timezone.now()
            if locked.status != CycleState.DELIBERATION:
                raise InvalidState(_("评选周期“%(cycle)s”当前为“%(state)s”，只有审定阶段的周期才能开启公示。")
                                   % {"cycle": locked, "state": locked.get_status_display()})
            values, errors = _notice_problems(locked, data, now)
            pks = list(locked.applications.filter(state=S.APPROVED).order_by("category__order", "reference", "id")
                       .values_list("pk", flat=True))
            if not pks:
                errors.setdefault("__all__", []).append(_("本周期没有审定通过的申报，无需公示。"))
            if errors:
                messages = [m for ms in errors.values() for m in ms]
                raise ConditionsUnmet(messages[0], missing=messages,
                                      field_errors={k: v for k, v in errors.items() if k != "__all__"})
            notice = PublicNotice.objects.create(
                cycle=locked, starts_at=values["starts_at"],
                ends_at=notice_ends_at(values["starts_at"], values["days"], values["working_days"]),
                days=values["days"], working_days=values["working_days"],
                description=data.description.strip(), contact=data.contact.strip(),
                created_by=actor if getattr(actor, "is_authenticated", False) else None)
            for order, pk in enumerate(pks):
                app = application_lock(pk)
                transition_run(app, T.OPEN_NOTICE, actor=actor, now=now, ip=ip, data={"notice": notice.pk})
                NoticeEntry.objects.create(notice=notice, application=app, order=order, **public_view(app))
            cycle_transition_run(locked, "start_notice", actor=actor, now=now, ip=ip, data={"notice": notice.pk})
            audit_record(obj=notice, action="notice.open", actor=actor, ip=ip,
                         data={"cycle": locked.pk, "starts_at": notice.starts_at.isoformat(),
                               "ends_at": notice.ends_at.isoformat(), "days": notice.days,
                               "working_days": notice.working_days, "applications": pks})
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该评选周期已被他人同时修改，请刷新后重试。")) from exc
    return notice


def public_view(app: Application) -> dict[str, str]:
    """What the public sees of an application now: frozen into notice entries and award records."""
    nominee = app.nominee
    return {"name": f"{nominee.name}（{nominee.employer}）" if nominee else app.organization.name,
            "title": app.title, "programme": app.cycle.programme.code,
            "programme_name": app.cycle.programme.name, "category": app.category.name}


def application_notice(application: Application) -> PublicNotice | None:
    """The notice the application is on (its latest)."""
    return application.notices.order_by("-starts_at", "-id").first()


# -- holiday calendar --------------------------------------------------------------------
def holiday_add(*, actor, date: dt.date, name: str, is_workday: bool = False, ip: str | None = None) -> Holiday:
    """Add one day to the holiday calendar used by working-day notices."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以维护节假日。"))
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写节假日名称，如“国庆节”或“国庆调休上班”。")]
    if date is None:
        errors["date"] = [_("请填写日期。")]
    elif Holiday.objects.filter(date=date).exists():
        errors["date"] = [_("%(date)s 已在节假日表中；如需修改，请先删除。") % {"date": date.isoformat()}]
    if errors:
        raise WorkflowError(next(iter(errors.values()))[0], code="invalid_holiday", field_errors=errors)
    with transaction.atomic():
        holiday = Holiday.objects.create(date=date, name=name, is_workday=bool(is_workday))
        audit_record(obj=holiday, action="holiday.add", actor=actor, ip=ip,
                     data={"date": date.isoformat(), "name": name, "is_workday": holiday.is_workday})
    return holiday


def holiday_delete(*, actor, holiday: Holiday, ip: str | None = None) -> None:
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以维护节假日。"))
    with transaction.atomic():
        audit_record(obj=holiday, action="holiday.delete", actor=actor, ip=ip,
                     data={"date": holiday.date.isoformat(), "name": holiday.name})
        holiday.delete()
