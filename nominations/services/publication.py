"""Public notice (公示), objections (异议), publication and certificates.

Registers the workflow hooks of the transitions open_notice, confirm, overturn,
publish, revoke and of the cycle transitions start_notice and publish. Every
state change still goes through services.transitions; this module only adds the
guards and the rows that belong to those steps, in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nominations import crypto, workflow
from nominations.enums import ApplicationState as S
from nominations.enums import NomineeKind
from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import (
    OBJECTION_OPEN,
    Application,
    AwardRecord,
    Certificate,
    CertificateBatch,
    Cycle,
    Holiday,
    Objection,
    ObjectionState,
    Publication,
    PublicNotice,
)
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record
from nominations.uploads import UploadRejected, inspect_upload

# A notice may be opened "now": allow the clock to have moved on a little since the form was shown.
START_TOLERANCE = dt.timedelta(minutes=5)


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


def _notice_params(cycle: Cycle, params: dict, now: dt.datetime) -> tuple[dict, list[str]]:
    starts_at = params.get("starts_at") or now
    if isinstance(starts_at, str):
        from django.utils.dateparse import parse_datetime
        starts_at = parse_datetime(starts_at)
    days = params.get("days") or cycle.notice_days
    working = params.get("working_days")
    working = cycle.notice_working_days if working is None else bool(working)
    missing = []
    if starts_at is None:
        missing.append(_("公示开始时间格式不正确。"))
        starts_at = now
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at < now - START_TOLERANCE:
        missing.append(_("公示开始时间不能早于当前时间。"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 60:
        missing.append(_("公示天数应在 1 到 60 天之间。"))
    return {"starts_at": starts_at, "days": days, "working_days": working}, missing


def _open_notice_guard(*, application, actor, now, params) -> list[str]:
    if application.notices.exists():
        return [_("该申报已在公示中。")]
    current = PublicNotice.objects.filter(cycle_id=application.cycle_id, ends_at__gt=now).first()
    if current is not None:
        return []
    return _notice_params(application.cycle, params, now)[1]


def _open_notice_apply(*, application, actor, now, note, params) -> None:
    notice = PublicNotice.objects.filter(cycle_id=application.cycle_id, ends_at__gt=now).first()
    if notice is None:
        values, _missing = _notice_params(application.cycle, params, now)
        notice = PublicNotice.objects.create(
            cycle_id=application.cycle_id, starts_at=values["starts_at"],
            ends_at=notice_ends_at(values["starts_at"], values["days"], values["working_days"]),
            days=values["days"], working_days=values["working_days"],
            text=params.get("text") or note or "",
            contact_name=params.get("contact_name", ""), contact_phone=params.get("contact_phone", ""),
            contact_email=params.get("contact_email", ""), contact_address=params.get("contact_address", ""),
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(obj=notice, action="notice.open", actor=actor,
                     data={"starts_at": notice.starts_at.isoformat(), "ends_at": notice.ends_at.isoformat(),
                           "days": notice.days, "working_days": notice.working_days})
    notice.applications.add(application)


def _confirm_guard(*, application, actor, now, params) -> list[str]:
    missing = []
    notice = application.notices.order_by("-starts_at").first()
    if notice is None:
        return [_("该申报未经公示。")]
    if now < notice.ends_at:
        missing.append(_("公示期尚未结束（%(end)s 结束），不能确认。") % {"end": local_end_label(notice.ends_at)})
    open_count = application.objections.filter(status__in=OBJECTION_OPEN).count()
    if open_count:
        missing.append(_("尚有 %(n)d 件异议未处理完毕。") % {"n": open_count})
    if application.objections.filter(status=ObjectionState.UPHELD).exists():
        missing.append(_("存在成立的异议，应执行“公示异议成立”。"))
    return missing


def _overturn_guard(*, application, actor, now, params) -> list[str]:
    if not application.objections.filter(status=ObjectionState.UPHELD).exists():
        return [_("没有成立的异议，不能撤销其入选资格。")]
    return []


def _publish_apply(*, application, actor, now, note, params) -> None:
    """Record the award and allocate the certificate (number gap-free in the transaction)."""
    nominee = application.nominee
    AwardRecord.objects.get_or_create(application=application, defaults={
        "organization": application.organization if not nominee else None,
        "nominee_index": nominee.id_number_index if nominee else "",
        "nominee_kind": NomineeKind.INDIVIDUAL if nominee else NomineeKind.ORGANIZATION,
        "programme": application.cycle.programme, "year": application.cycle.year,
        "title": application.title})
    cert = certificate_allocate(application=application, now=now)
    if not params.get("in_batch"):  # a cycle's publication renders all certificates in one batch
        from nominations.tasks import render_certificate
        transaction.on_commit(lambda: render_certificate.enqueue(cert.pk))


def _publish_after_commit(*, application_id, actor_id) -> None:
    from nominations.tasks import send_result_email

    send_result_email.enqueue(application_id)


def _revoke_apply(*, application, actor, now, note, params) -> None:
    Certificate.objects.filter(application=application, revoked_at__isnull=True).update(
        revoked_at=now, revoke_reason=note)
    AwardRecord.objects.filter(application=application).delete()


# -- cycle-level -------------------------------------------------------------------
def _cycle_start_notice_guard(*, cycle, actor, now, params) -> list[str]:
    approved = cycle.applications.filter(state=S.APPROVED).count()
    missing = [] if approved else [_("本周期没有审定通过的申报，无需公示。")]
    missing.extend(_notice_params(cycle, params, now)[1])
    return missing


def _cycle_start_notice_apply(*, cycle, actor, now, note, ip, params) -> None:
    from nominations.services.transitions import application_transition

    for pk in cycle.applications.filter(state=S.APPROVED).order_by("reference").values_list("pk", flat=True):
        application_transition(application=pk, name="open_notice", actor=actor, note=note, ip=ip, now=now,
                               **params)


def _cycle_publish_guard(*, cycle, actor, now, params) -> list[str]:
    pending = list(cycle.applications.filter(state=S.PUBLIC_NOTICE).values_list("reference", flat=True))
    if pending:
        raise InvalidState(_("仍有申报处于公示中，未确认：%(refs)s。请先逐一确认或撤销后再发布。")
                           % {"refs": "、".join(pending)}, missing=pending)
    if not cycle.applications.filter(state=S.AWARDED).exists():
        return [_("本周期没有公示通过的申报，无可发布的结果。")]
    if not (params.get("announcement") or "").strip():
        return [_("请填写发布公告。")]
    return []


def _cycle_publish_apply(*, cycle, actor, now, note, ip, params) -> None:
    from nominations.services.transitions import application_transition

    Publication.objects.create(cycle=cycle, announcement=params["announcement"].strip(), published_at=now,
                               published_by=actor if getattr(actor, "is_authenticated", False) else None)
    for pk in cycle.applications.filter(state=S.AWARDED).order_by("reference").values_list("pk", flat=True):
        application_transition(application=pk, name="publish", actor=actor, note=note, ip=ip, now=now,
                               in_batch=True)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                                            total=Certificate.objects.filter(application__cycle=cycle).count())
    transaction.on_commit(lambda: _after_cycle_publish(batch.pk, cycle.pk))


def _after_cycle_publish(batch_id: int, cycle_id: int) -> None:
    from nominations.services.certificate_batches import enqueue_batch
    from nominations.tasks import send_cycle_results

    enqueue_batch(batch_id)
    send_cycle_results.enqueue(cycle_id)


workflow.register_guard("open_notice", _open_notice_guard)
workflow.register_apply("open_notice", _open_notice_apply)
workflow.register_guard("confirm", _confirm_guard)
workflow.register_guard("overturn", _overturn_guard)
workflow.register_apply("publish", _publish_apply)
workflow.register_after_commit("publish", _publish_after_commit)
workflow.register_apply("revoke", _revoke_apply)
workflow.register_guard("cycle.start_notice", _cycle_start_notice_guard)
workflow.register_apply("cycle.start_notice", _cycle_start_notice_apply)
workflow.register_guard("cycle.publish", _cycle_publish_guard)
workflow.register_apply("cycle.publish", _cycle_publish_apply)


# -- certificates ------------------------------------------------------------------
def certificate_allocate(*, application: Application, now: dt.datetime) -> Certificate:
    """The certificate row for a published application; idempotent. Its number is
    <PROGRAMME>-<CYCLE>-<SEQ>, gap-free within the cycle and never reused."""
    existing = Certificate.objects.filter(application=application).first()
    if existing:
        return existing
    cycle = application.cycle
    Cycle.objects.filter(pk=cycle.pk).update(certificate_seq=F("certificate_seq") + 1)
    seq = Cycle.objects.values_list("certificate_seq", flat=True).get(pk=cycle.pk)
    nominee = application.nominee
    holder = f"{nominee.name}（{nominee.employer}）" if nominee else application.organization.name
    return Certificate.objects.create(
        application=application, number=f"{cycle.programme.code}-{cycle.year}-{seq:03d}", seq=seq,
        holder=holder, title=application.title, award_name=cycle.programme.name, cycle_label=cycle.label,
        category_name=application.category.name, issuer=cycle.programme.awarding_body, issued_at=now)


def certificate_data(cert: Certificate):
    from nominations.pdf.certificates import CertificateData

    return CertificateData(number=cert.number, holder=cert.holder, title=cert.title,
                           award_name=cert.award_name, cycle_label=cert.cycle_label,
                           category_name=cert.category_name, issuer=cert.issuer,
                           issued_on=timezone.localtime(cert.issued_at).date(), verify_url=cert.verify_url)


def certificate_store_pdf(*, certificate: Certificate, pdf: bytes) -> Certificate:
    from django.core.files.base import ContentFile

    if certificate.pdf:
        return certificate  # rendered already: running twice issues nothing twice
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf_digest = crypto.digest(pdf)  # SM3 or SHA-256, by CRYPTO_SUITE
    certificate.pdf_size = len(pdf)
    certificate.save(update_fields=["pdf", "pdf_sha256", "pdf_digest", "pdf_size"])
    return certificate


# -- objections --------------------------------------------------------------------
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


def objection_file(*, notice: PublicNotice, application_id: Any, name: str, phone: str = "", email: str = "",
                   organization: str = "", content: str, evidence=None, ip: str | None = None,
                   now: dt.datetime | None = None) -> Objection:
    """A real-name objection from the public, inside the notice window only."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("异议须实名提出：请填写真实姓名或单位名称。")]
    if not (phone or "").strip() and not (email or "").strip():
        errors["phone"] = [_("请至少填写联系电话或电子邮箱中的一项，以便告知处理结果。")]
    if not (content or "").strip():
        errors["content"] = [_("请填写异议内容及理由。")]
    notice_window_check(notice=notice, now=now)
    app = notice.applications.filter(pk=application_id).first() if str(application_id).isdigit() else None
    if app is None:
        errors["application"] = [_("请选择本次公示中的一项。")]
    digest, data = "", None
    if evidence:
        try:
            data, _ctype, digest = inspect_upload(evidence, allowed=["application/pdf"])
        except UploadRejected as exc:
            errors["evidence"] = [str(exc)]
    if errors:
        first = next(iter(errors.values()))[0]
        raise WorkflowError(first, code="invalid_objection", field_errors=errors)
    with transaction.atomic():
        obj = Objection(notice=notice, application=app, name=name.strip(), phone=(phone or "").strip(),
                        email=(email or "").strip(), organization=(organization or "").strip(),
                        content=content.strip(), received_at=now, ip=ip, evidence_sha256=digest)
        if data is not None:
            from django.core.files.base import ContentFile
            obj.evidence.save(f"objection-{digest[:12]}.pdf", ContentFile(data), save=False)
        obj.save()
        audit_record(obj=obj, action="objection.file", actor=None, target=obj.status, ip=ip,
                     data={"application": app.pk, "notice": notice.pk})
    return obj


def objection_transition(*, objection: Objection | int, name: str, actor, resolution: str = "",
                         ip: str | None = None, now: dt.datetime | None = None) -> Objection:
    """investigate / uphold / dismiss, by the secretariat; the objector is told the outcome."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以处理异议。"))
    if name not in ("investigate", "uphold", "dismiss"):
        raise WorkflowError(_("未知的处理方式。"))
    now = now or timezone.now()
    pk = objection.pk if isinstance(objection, Objection) else objection
    with transaction.atomic():
        obj = Objection.objects.select_for_update().get(pk=pk)
        source = obj.status
        method = getattr(obj, name)
        from django_fsm import can_proceed
        if not can_proceed(method):
            raise InvalidState(_("该异议已处理完毕（%(status)s）。") % {"status": obj.get_status_display()})
        if name == "investigate":
            method()
        else:
            if not (resolution or "").strip():
                raise ConditionsUnmet(_("请填写书面处理结果。"), missing=[_("请填写书面处理结果。")])
            method(resolution=resolution.strip(), by=actor, at=now)
        obj.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(obj=obj, action=f"objection.{name}", actor=actor, source=source, target=obj.status,
                     note=resolution, ip=ip, data={"application": obj.application_id})
        if name != "investigate":
            from nominations.tasks import send_objection_outcome
            transaction.on_commit(lambda: send_objection_outcome.enqueue(obj.pk))
    return obj


# -- holiday calendar and certificate batches (secretariat pages) -----------------------
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


BATCH_STALE_AFTER = dt.timedelta(minutes=15)


def certificate_batch_create(*, cycle: Cycle, actor, ip: str | None = None) -> CertificateBatch:
    """Queue a new issuing run for a published cycle (renders what is missing and a fresh
    combined PDF; certificates already rendered are kept as they are)."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以生成证书。"))
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not Publication.objects.filter(cycle=locked).exists():
            raise InvalidState(_("本周期尚未发布结果，不能生成证书。"))
        # A batch that has been pending or running for long is taken as lost (worker stopped).
        busy = CertificateBatch.objects.filter(
            cycle=locked, status__in=[CertificateBatch.Status.PENDING, CertificateBatch.Status.RUNNING],
            created_at__gte=timezone.now() - BATCH_STALE_AFTER)
        if busy.exists():
            raise InvalidState(_("已有一批证书正在生成，请等待完成后再重新生成。"))
        batch = CertificateBatch.objects.create(
            cycle=locked, requested_by=actor,
            total=Certificate.objects.filter(application__cycle=locked, revoked_at__isnull=True).count())
        audit_record(obj=batch, action="certificates.issue", actor=actor, ip=ip, data={"cycle": locked.pk})

        def _enqueue(pk=batch.pk):
            from nominations.services.certificate_batches import enqueue_batch
            enqueue_batch(pk)

        transaction.on_commit(_enqueue)
    return batch
