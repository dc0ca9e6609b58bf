"""Site visits: shortlisting from the document-review ranking, and the site-visit report.

shortlist / eliminate are application transitions (application_transition, guarded by
judging.hooks: every document sheet in). The report is written by the site panel's leader
or the secretariat while the application is in site review; finish_review needs it.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from judging import rules
from judging.enums import AssignmentState, Stage
from judging.errors import InvalidState, JudgingError, NotFound, NotPermitted, WorkflowError
from judging.models import Assignment, SiteVisitReport
from judging.selectors.conflicts import conflict_reasons
from judging.selectors.scoresheets import criteria_for_application
from judging.services.scoresheets import parse_percent
from nominations.enums import ApplicationState
from nominations.models import Application
from nominations.services.transitions import application_transition


def application_shortlist(*, application, actor, note: str = "", ip: str | None = None) -> Application:
    """document_review → site_review (the programme has a site stage; every document sheet in)."""
    return application_transition(application=application, name="shortlist", actor=actor, note=note, ip=ip)


def application_eliminate(*, application, actor, note: str = "", ip: str | None = None) -> Application:
    """document_review / site_review → eliminated (every sheet of the stage in)."""
    return application_transition(application=application, name="eliminate", actor=actor, note=note, ip=ip)


def applications_shortlist(*, shortlisted, eliminated=(), actor, note: str = "", ip: str | None = None) -> dict:
    """Apply a shortlist decision taken on the ranking: shortlist some, eliminate others.
    Each application is its own transaction; returns {"done": [ids], "errors": {id: message}}."""
    done, errors = [], {}
    for name, apps in (("shortlist", shortlisted), ("eliminate", eliminated)):
        for app in apps:
            pk = getattr(app, "pk", app)
            try:
                application_transition(application=pk, name=name, actor=actor, note=note, ip=ip)
                done.append(pk)
            except WorkflowError as exc:
                errors[pk] = exc.message
    return {"done": done, "errors": errors}


def site_report_permission(*, application: Application, actor, now=None) -> None:
    if rules.is_secretariat(actor):
        return
    own = Assignment.objects.filter(application=application, stage=Stage.SITE,
                                    judge_id=getattr(actor, "pk", None)).first()
    if own is None or own.state == AssignmentState.DECLINED or conflict_reasons(
            judge=actor, organization=application.organization, now=now):
        raise NotFound(_("申报不存在或您无权查看。"))
    if not own.is_leader or own.state == AssignmentState.ASSIGNED:
        raise NotPermitted(_("只有现场评审组组长或秘书处可以填写现场评审报告。"))


def _clean_findings(findings, application) -> tuple[list[dict], list[str]]:
    if findings in (None, ""):
        return [], []
    if not isinstance(findings, list):
        return [], [_("findings 应为列表。")]
    criteria = {c.code for c in criteria_for_application(application)}
    clean, errors = [], []
    for index, item in enumerate(findings, start=1):
        if not isinstance(item, dict):
            errors.append(_("第 %(i)d 条发现格式错误。") % {"i": index})
            continue
        code = str(item.get("criterion") or "").strip()
        if code not in criteria:
            errors.append(_("第 %(i)d 条发现：评分条款“%(code)s”不属于本申报的评分标准。") % {"i": index, "code": code})
            continue
        percent, problem = parse_percent(item.get("adjusted_percent"))
        if problem:
            errors.append(_("第 %(i)d 条发现（%(code)s）：调整后%(problem)s。") % {"i": index, "code": code,
                                                                         "problem": problem})
            continue
        finding = item.get("finding") or ""
        if not isinstance(finding, str):
            errors.append(_("第 %(i)d 条发现：finding 应为文本。") % {"i": index})
            continue
        clean.append({"criterion": code, "finding": finding.strip(), "adjusted_percent": percent})
    return clean, errors


def site_report_save(*, application: Application | int, actor, summary: str, recommendation: str = "",
                     findings=None, visited_on=None, now: dt.datetime | None = None,
                     ip: str | None = None) -> SiteVisitReport:
    """Create or update the site-visit report (findings per item with adjusted percents)."""
    from nominations.services.audit import audit_record

    now = now or timezone.now()
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = (Application.objects.select_for_update(of=("self",)).select_related("organization", "category")
               .get(pk=pk))
        site_report_permission(application=app, actor=actor, now=now)
        if app.state != ApplicationState.SITE_REVIEW:
            raise InvalidState(_("该申报当前为“%(state)s”，不在现场评审阶段。") % {"state": app.get_state_display()})
        errors: dict[str, list[str]] = {}
        summary = (summary or "").strip() if isinstance(summary, str) else ""
        if not summary:
            errors["summary"] = [_("请填写现场评审综述。")]
        if recommendation is not None and not isinstance(recommendation, str):
            errors["recommendation"] = [_("评审建议应为文本。")]
        clean, finding_errors = _clean_findings(findings, app)
        if finding_errors:
            errors["findings"] = finding_errors
        if visited_on not in (None, "") and not isinstance(visited_on, dt.date):
            parsed = parse_date(str(visited_on))
            if parsed is None:
                errors["visited_on"] = [_("现场评审日期格式应为 YYYY-MM-DD。")]
            visited_on = parsed
        if errors:
            first = next(iter(errors.values()))[0]
            raise JudgingError(first, code="invalid", field_errors=errors)
        report = SiteVisitReport.objects.select_for_update().filter(application=app).first()
        created = report is None
        if report is None:
            report = SiteVisitReport(application=app, submitted_at=now)
        report.leader = actor
        report.summary, report.recommendation = summary, (recommendation or "").strip()
        report.findings, report.visited_on = clean, visited_on or None
        report.save()
        audit_record(obj=report, action="site_report.create" if created else "site_report.update", actor=actor,
                     ip=ip, data={"application": app.pk, "findings": len(clean)})
    return report
