"""Objections (异议) to a public notice: filed by the public under their real name, worked by
the secretariat: received → investigating → upheld / dismissed, each step audited."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import Objection, ObjectionState, PublicNotice
from nominations.models.publication import new_objection_receipt
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record
from nominations.services.notices import notice_window_check
from nominations.uploads import UploadRejected, inspect_upload

OUTCOMES = {ObjectionState.UPHELD: "uphold", ObjectionState.DISMISSED: "dismiss"}


def objection_file(*, notice: PublicNotice, application_id: Any, name: str, phone: str = "", email: str = "",
                   organization: str = "", content: str, evidence=None, ip: str | None = None,
                   now: dt.datetime | None = None) -> Objection:
    """A real-name objection from the public, inside the notice window only. Effects: the
    objection row with a human receipt reference (e.g. 26-QGA-7K3MX) → audit entry."""
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
    for _attempt in range(8):  # a receipt collision (1 in 33 million) just draws again
        try:
            with transaction.atomic():
                obj = Objection(notice=notice, application=app, name=name.strip(), phone=(phone or "").strip(),
                                email=(email or "").strip(), organization=(organization or "").strip(),
                                content=content.strip(), received_at=now, ip=ip, evidence_sha256=digest,
                                receipt=new_objection_receipt(notice.cycle.programme.code, now))
                if data is not None:
                    obj.evidence.save(f"objection-{digest[:12]}.pdf", ContentFile(data), save=False)
                obj.save()
                audit_record(obj=obj, action="objection.file", actor=None, target=obj.status, ip=ip,
                             data={"application": app.pk, "notice": notice.pk, "receipt": obj.receipt})
            return obj
        except IntegrityError:
            if Objection.objects.filter(receipt=obj.receipt).exists():
                continue
            raise
    raise WorkflowError(_("系统繁忙，请稍后再试。"))


def _locked(objection: Objection | int) -> Objection:
    pk = objection.pk if isinstance(objection, Objection) else objection
    return Objection.objects.select_for_update().select_related("application__cycle__programme").get(pk=pk)


def objection_investigate(*, objection: Objection | int, actor, ip: str | None = None) -> Objection:
    """Start checking an objection (received → investigating). Effects: lock → the
    transition with who and when → audit entry."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以处理异议。"))
    with transaction.atomic():
        obj = _locked(objection)
        now = timezone.now()
        if not can_proceed(obj.investigate):
            raise InvalidState(_("该异议当前为“%(status)s”，不能再开始调查核实。") % {"status": obj.get_status_display()})
        source = obj.status
        obj.investigate(by=actor, at=now)
        obj.save(update_fields=["status", "investigated_by", "investigation_started_at"])
        audit_record(obj=obj, action="objection.investigate", actor=actor, source=source, target=obj.status,
                     ip=ip, data={"application": obj.application_id, "receipt": obj.receipt})
    return obj


def objection_resolve(*, objection: Objection | int, actor, outcome: str, resolution: str,
                      ip: str | None = None) -> Objection:
    """Decide an objection after investigation (investigating → upheld / dismissed), with a
    written resolution. Effects: lock → the transition with the resolution, who and when →
    audit entry → on commit, the outcome e-mail to the objector (what was found and decided)."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以处理异议。"))
    if outcome not in OUTCOMES:
        raise WorkflowError(_("处理结果应为“异议成立”或“异议不成立”。"), code="invalid",
                            field_errors={"outcome": [_("处理结果应为“异议成立”或“异议不成立”。")]})
    resolution = (resolution or "").strip()
    with transaction.atomic():
        obj = _locked(objection)
        now = timezone.now()
        method = getattr(obj, OUTCOMES[outcome])
        if not can_proceed(method):
            if obj.status == ObjectionState.RECEIVED:
                raise InvalidState(_("请先“开始调查核实”，核实后再作出处理结论。"))
            raise InvalidState(_("该异议已处理完毕（%(status)s）。") % {"status": obj.get_status_display()})
        if not resolution:
            msg = _("请填写书面处理结果（调查核实的情况和结论），将告知异议人。")
            raise ConditionsUnmet(msg, missing=[msg], field_errors={"resolution": [msg]})
        source = obj.status
        method(resolution=resolution, by=actor, at=now)
        obj.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(obj=obj, action=f"objection.{OUTCOMES[outcome]}", actor=actor, source=source,
                     target=obj.status, note=resolution, ip=ip,
                     data={"application": obj.application_id, "receipt": obj.receipt})
        pk = obj.pk

        def _email():
            from nominations.tasks import send_objection_outcome
            send_objection_outcome.enqueue(pk)

        transaction.on_commit(_email)
    return obj
