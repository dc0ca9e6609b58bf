"""Intake: organizations, applications, documents and what submission needs."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nominations import identifiers, rules
from nominations.answers import AnswerInvalid, answer_clean
from nominations.enums import EDITABLE, ApplicationState, CycleState
from nominations.errors import InvalidState, NotPermitted, WorkflowError
from nominations.models import (
    Application,
    Category,
    Cycle,
    Document,
    Membership,
    Nominee,
    Organization,
    RecommendingUnit,
)
from nominations.services.audit import audit_record
from nominations.uploads import UploadRejected, inspect_upload

ORGANIZATION_FIELDS = ("name", "established_on", "district", "industry", "size", "address",
                       "contact_name", "contact_phone", "contact_email")


# -- organizations -------------------------------------------------------------------
def organization_create(*, actor, name: str, uscc: str, override_reason: str = "",
                        ip: str | None = None, **fields: Any) -> Organization:
    """Register an organization. Applicants need a valid credit code and become members;
    the secretariat may register a legacy code that fails the check, with a reason."""
    code = identifiers.normalize_uscc(uscc)
    problems = identifiers.uscc_problems(code)
    override_reason = (override_reason or "").strip()
    if problems:
        structural = len(code) != 18 or not identifiers.USCC_RE.match(code)
        if structural or not rules.is_secretariat(actor) or not override_reason:
            if rules.is_secretariat(actor) and not structural:
                problems.append(_("如为早期试点代码，秘书处可填写校验例外理由后登记。"))
            raise WorkflowError(problems[0], code="invalid_uscc", field_errors={"uscc": problems})
    else:
        override_reason = ""
    if not (name or "").strip():
        raise WorkflowError(_("请填写单位名称。"), field_errors={"name": [_("请填写单位名称。")]})
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name.strip(), uscc=code, uscc_override_reason=override_reason,
                **{k: v for k, v in fields.items() if k in ORGANIZATION_FIELDS and v is not None},
            )
            if not rules.is_secretariat(actor):
                Membership.objects.create(user=actor, organization=org)
            audit_record(obj=org, action="organization.create", actor=actor, ip=ip,
                         note=override_reason, data={"uscc": code, "override": bool(override_reason)})
    except IntegrityError as exc:
        msg = _("该统一社会信用代码已注册。如您属于该单位，请联系单位管理员或秘书处将您加入。")
        raise WorkflowError(msg, code="duplicate_uscc", field_errors={"uscc": [msg]}) from exc
    rules.forget_roles(actor)
    return org


def organization_update(*, organization: Organization, actor, ip: str | None = None,
                        **fields: Any) -> Organization:
    if not (rules.is_secretariat(actor) or organization.pk in rules.organization_ids(actor)):
        raise NotPermitted(_("您无权修改该单位信息。"))
    changed = [k for k, v in fields.items() if k in ORGANIZATION_FIELDS and getattr(organization, k) != v]
    if "name" in changed and not (fields["name"] or "").strip():
        raise WorkflowError(_("请填写单位名称。"), field_errors={"name": [_("请填写单位名称。")]})
    with transaction.atomic():
        changes = {k: [_audit_value(getattr(organization, k)), _audit_value(fields[k])] for k in changed}
        for k in changed:
            setattr(organization, k, fields[k])
        if changed:
            organization.save(update_fields=changed)
            audit_record(obj=organization, action="organization.update", actor=actor, ip=ip,
                         data={"fields": changed, "changes": changes})
    return organization


def _audit_value(value):
    """A field value as the audit log keeps it (JSON: dates as ISO text, objects by primary key)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# -- applications ------------------------------------------------------------------
def _clean_answers(category: Category, answers: dict | None) -> dict:
    answers = answers or {}
    if not isinstance(answers, dict):
        raise WorkflowError(_("申报表内容格式错误。"), field_errors={"answers": [_("应为键值对象。")]})
    questions = {q.key: q for q in category.questions.all()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        q = questions.get(key)
        if q is None:
            errors.setdefault("answers", []).append(_("未知的问题：%(key)s。") % {"key": key})
            continue
        if value in (None, ""):
            continue
        try:
            value = answer_clean(q, value)
        except AnswerInvalid as exc:
            errors.setdefault("answers", []).append(str(exc))
            continue
        clean[key] = value
    if errors:
        raise WorkflowError(errors["answers"][0], field_errors=errors)
    return clean


def _nominee_from(data: dict) -> Nominee:
    errors: dict[str, list[str]] = {}
    for field, label in (("name", _("姓名")), ("employer", _("工作单位")), ("id_number", _("身份证号码"))):
        if not str(data.get(field) or "").strip():
            errors[field] = [_("请填写%(label)s。") % {"label": label}]
    number = identifiers.normalize_id_number(str(data.get("id_number") or ""))
    if "id_number" not in errors:
        problems = identifiers.id_number_problems(number)
        if problems:
            errors["id_number"] = problems
    if errors:
        first = next(iter(errors.values()))[0]
        raise WorkflowError(first, code="invalid_nominee", field_errors={"nominee": [first], **errors})
    nominee = Nominee(name=data["name"].strip(), employer=data["employer"].strip(),
                      position=str(data.get("position") or "").strip())
    nominee.set_id_number(number)
    return nominee


def _live_key(category: Category, organization_id: int, nominee: Nominee | None) -> str:
    if nominee is not None:
        return f"ind:{category.pk}:{nominee.id_number_index}"
    return f"org:{category.pk}:{organization_id}"


def application_create(*, actor, category: Category, organization: Organization, title: str,
                       recommending_unit: RecommendingUnit | None = None, nominee: dict | None = None,
                       answers: dict | None = None, commitment: bool = False,
                       ip: str | None = None) -> Application:
    if organization.pk not in rules.organization_ids(actor):
        raise NotPermitted(_("您不是该单位的成员，不能以其名义申报。"))
    cycle = category.cycle
    if cycle.status != CycleState.OPEN:
        raise InvalidState(_("%(cycle)s当前不接受申报。") % {"cycle": cycle})
    if not (title or "").strip():
        raise WorkflowError(_("请填写项目名称。"), field_errors={"title": [_("请填写项目名称。")]})
    clean_answers = _clean_answers(category, answers)
    nominee_obj = None
    if category.is_individual:
        nominee_obj = _nominee_from(nominee or {})
    elif nominee:
        raise WorkflowError(_("组织类申报不填写被推荐个人。"), field_errors={"nominee": [_("组织类申报不填写被推荐个人。")]})
    try:
        with transaction.atomic():
            if nominee_obj is not None:
                nominee_obj.save()
            app = Application.objects.create(
                cycle=cycle, category=category, organization=organization, nominee=nominee_obj,
                recommending_unit=recommending_unit, title=title.strip(), answers=clean_answers,
                commitment=bool(commitment), created_by=actor,
                live_key=_live_key(category, organization.pk, nominee_obj),
            )
            audit_record(obj=app, action="create", actor=actor, target=app.state, ip=ip)
    except IntegrityError as exc:
        msg = (_("该人员在本类别已有一份进行中的申报。") if nominee_obj else
               _("本单位在该类别已有一份进行中的申报（每个单位每个类别每期限报一份）。"))
        raise WorkflowError(msg, code="duplicate_application", field_errors={"category": [msg]}) from exc
    return app


def _ensure_editable(application: Application, actor) -> None:
    if not rules.is_application_applicant(actor, application):
        raise NotPermitted(_("只有申报单位的成员可以修改申报。"))
    if application.state not in EDITABLE:
        raise InvalidState(_("申报已提交，内容已锁定；只有在“草稿”或“待补正”状态下才能修改。"))


def application_update(*, application: Application, actor, ip: str | None = None,
                       **fields: Any) -> Application:
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).select_related("category", "nominee").get(
            pk=application.pk)
        _ensure_editable(app, actor)
        before = {"title": app.title, "answers": dict(app.answers), "commitment": app.commitment,
                  "recommending_unit": app.recommending_unit_id}
        changed = []
        if "title" in fields:
            if not (fields["title"] or "").strip():
                raise WorkflowError(_("请填写项目名称。"), field_errors={"title": [_("请填写项目名称。")]})
            app.title = fields["title"].strip()
            changed.append("title")
        if "answers" in fields:
            merged = {**app.answers, **(fields["answers"] or {})}
            app.answers = _clean_answers(app.category, merged)
            changed.append("answers")
        if "commitment" in fields:
            app.commitment = bool(fields["commitment"])
            changed.append("commitment")
        if "recommending_unit" in fields:
            app.recommending_unit = fields["recommending_unit"]
            changed.append("recommending_unit")
        if fields.get("nominee") and app.category.is_individual:
            new = _nominee_from(fields["nominee"])
            nominee = app.nominee
            nominee.name, nominee.employer, nominee.position = new.name, new.employer, new.position
            nominee.id_number_encrypted = new.id_number_encrypted
            nominee.id_number_index = new.id_number_index
            nominee.id_number_masked = new.id_number_masked
            nominee.save()
            app.live_key = _live_key(app.category, app.organization_id, nominee)
            changed.append("live_key")
        if changed:
            try:
                with transaction.atomic():
                    app.save(update_fields=[*changed, "updated_at"])
            except IntegrityError as exc:
                msg = _("该人员在本类别已有一份进行中的申报。")
                raise WorkflowError(msg, code="duplicate_application",
                                    field_errors={"nominee": [msg]}) from exc
            after = {"title": app.title, "answers": app.answers, "commitment": app.commitment,
                     "recommending_unit": app.recommending_unit_id}
            changes = {k: [before[k], after[k]] for k in changed if k in before and before[k] != after[k]}
            if "live_key" in changed:  # the nominee changed: the audit never holds an ID number
                changes["nominee"] = ["…", app.nominee.id_number_masked]
            audit_record(obj=app, action="update", actor=actor, ip=ip, data={"fields": changed, "changes": changes})
    return app


def application_submit_blockers(application: Application, *, now: dt.datetime) -> list[str]:
    """Everything that keeps this application from being submitted now (empty = ready)."""
    app, cycle, category = application, application.cycle, application.category
    missing: list[str] = []
    if app.state == ApplicationState.RETURNED:
        if app.amendment_deadline and now > app.amendment_deadline:
            missing.append(_("补正期限已过（%(deadline)s）。") % {
                "deadline": timezone.localtime(app.amendment_deadline).strftime("%Y-%m-%d %H:%M")})
    elif not cycle.window_open(now):
        if now < cycle.opens_at:
            missing.append(_("申报尚未开始（%(at)s 开始）。") % {
                "at": timezone.localtime(cycle.opens_at).strftime("%Y-%m-%d %H:%M")})
        else:
            missing.append(_("申报已截止（截止时间 %(at)s）。") % {
                "at": timezone.localtime(cycle.closes_at).strftime("%Y-%m-%d %H:%M")})
    if not app.title.strip():
        missing.append(_("项目名称未填写。"))
    for q in category.questions.all():
        if q.required and (app.answers or {}).get(q.key) in (None, ""):
            missing.append(_("申报表“%(label)s”未填写。") % {"label": q.label})
    present = set(app.documents.values_list("kind", flat=True))
    for req in category.document_requirements.all():
        if req.required and req.kind not in present:
            missing.append(_("缺少申报材料：%(label)s。") % {"label": req.label})
    if cycle.programme.needs_recommender and not app.recommending_unit_id:
        missing.append(_("未选择推荐单位。"))
    if category.is_individual and not app.nominee_id:
        missing.append(_("未填写被推荐个人信息。"))
    if not app.commitment:
        missing.append(_("未勾选诚信承诺。"))
    return missing


def reference_allocate(cycle_id: int) -> str:
    """Next reference of the cycle (MQA-2018-0001): gap-free because the counter row is
    updated in the caller's transaction and rolls back with it."""
    Cycle.objects.filter(pk=cycle_id).update(reference_seq=F("reference_seq") + 1)
    cycle = Cycle.objects.select_related("programme").only("reference_seq", "year", "programme__code").get(pk=cycle_id)
    return f"{cycle.programme.code}-{cycle.year}-{cycle.reference_seq:04d}"


# -- documents ---------------------------------------------------------------------
def document_upload(*, application: Application, actor, kind: str, uploaded,
                    ip: str | None = None) -> Document:
    """Store a checked file in private storage. Only while the application is editable."""
    _ensure_editable(application, actor)
    requirement = application.category.document_requirements.filter(kind=kind).first()
    if requirement is None:
        msg = _("本类别不接收该类型的材料：%(kind)s。") % {"kind": kind}
        raise WorkflowError(msg, code="invalid_kind", field_errors={"kind": [msg]})
    try:
        data, content_type, digest = inspect_upload(uploaded, allowed=requirement.content_types or ["application/pdf"])
    except UploadRejected as exc:
        raise WorkflowError(str(exc), code="invalid_file", field_errors={"file": [str(exc)]}) from exc
    name = (getattr(uploaded, "name", "") or "file").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        _ensure_editable(app, actor)
        doc = Document(application=app, kind=kind, name=name, size=len(data), sha256=digest,
                       content_type=content_type, uploaded_by=actor)
        doc.file.save(name, ContentFile(data), save=False)
        try:
            doc.save()
            audit_record(obj=app, action="document.upload", actor=actor, ip=ip,
                         data={"document": doc.pk, "kind": kind, "sha256": digest, "size": len(data)})
        except Exception:
            doc.file.storage.delete(doc.file.name)
            raise
    return doc


def document_delete(*, document: Document, actor, ip: str | None = None) -> None:
    app = document.application
    _ensure_editable(app, actor)
    with transaction.atomic():
        storage, name = document.file.storage, document.file.name
        audit_record(obj=app, action="document.delete", actor=actor, ip=ip,
                     data={"document": document.pk, "kind": document.kind, "sha256": document.sha256})
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


def document_download_record(*, document: Document, actor, ip: str | None = None) -> None:
    """Log who read which file, when and from where (confidential materials)."""
    with transaction.atomic():
        audit_record(obj=document.application, action="document.download", actor=actor, ip=ip,
                     data={"document": document.pk, "kind": document.kind, "sha256": document.sha256})
