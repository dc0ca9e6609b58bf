"""After the notice: confirm, overturn, publish (one application or a whole cycle), revoke.

Each act is one function whose body does all of its effects, in order, in one transaction;
slow work (certificate rendering, e-mail) is queued on commit. Locks are always taken cycle
first, then applications in reference order, so that two acts never wait on each other.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_fsm import ConcurrentTransition

from nominations.enums import ApplicationState as S
from nominations.enums import CycleState, NomineeKind
from nominations.enums import Transition as T
from nominations.errors import ConcurrentChange, ConditionsUnmet, InvalidState, NotPermitted
from nominations.models import OBJECTION_OPEN, Application, AwardRecord, Certificate, Cycle, ObjectionState, Publication
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record
from nominations.services.certificates import batch_queue, certificate_allocate
from nominations.services.notices import application_notice, local_end_label, public_view
from nominations.services.transitions import (
    application_lock,
    cycle_lock,
    cycle_transition_run,
    transition_check,
    transition_run,
)


def _secretariat(actor, what: str) -> None:
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以%(what)s。") % {"what": what})


def _enqueue_result_email(pk: int) -> None:
    from nominations.tasks import send_result_email

    transaction.on_commit(lambda: send_result_email.enqueue(pk))


# -- confirm / overturn -------------------------------------------------------------------
def confirm_blockers(application: Application, *, now: dt.datetime) -> list[str]:
    notice = application_notice(application)
    if notice is None:
        return [_("该申报未经公示。")]
    missing = []
    if now < notice.ends_at:
        missing.append(_("公示期尚未结束（%(end)s 结束），不能确认。") % {"end": local_end_label(notice.ends_at)})
    open_count = application.objections.filter(status__in=OBJECTION_OPEN).count()
    if open_count:
        missing.append(_("尚有 %(n)d 件异议未处理完毕。") % {"n": open_count})
    if application.objections.filter(status=ObjectionState.UPHELD).exists():
        missing.append(_("存在成立的异议，应执行“公示异议成立”。"))
    return missing


def application_confirm(*, application: Application | int, actor, note: str = "", ip: str | None = None,
                        now: dt.datetime | None = None) -> Application:
    """Confirm an application after its notice (public_notice → awarded). Effects: lock →
    the notice has ended, no objection open or upheld → the transition → audit entry."""
    try:
        with transaction.atomic():
            app = application_lock(application)
            now = now or timezone.now()
            missing = confirm_blockers(app, now=now) if app.state == S.PUBLIC_NOTICE else []
            if missing:
                raise ConditionsUnmet(missing[0], missing=missing)
            transition_run(app, T.CONFIRM, actor=actor, now=now, note=(note or "").strip(), ip=ip)
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该申报已被他人同时处理，请刷新页面后重试。")) from exc
    return app


def application_overturn(*, application: Application | int, actor, note: str = "", ip: str | None = None,
                         now: dt.datetime | None = None) -> Application:
    """Withdraw an application from the award after an upheld objection (public_notice →
    not_awarded). Effects: lock → an upheld objection exists → the transition → audit entry →
    on commit, the result e-mail to the applicant."""
    with transaction.atomic():
        app = application_lock(application)
        now = now or timezone.now()
        if app.state == S.PUBLIC_NOTICE and not app.objections.filter(status=ObjectionState.UPHELD).exists():
            msg = _("没有成立的异议，不能撤销其入选资格。")
            raise ConditionsUnmet(msg, missing=[msg])
        upheld = list(app.objections.filter(status=ObjectionState.UPHELD).values_list("receipt", flat=True))
        transition_run(app, T.OVERTURN, actor=actor, now=now, note=(note or "").strip(), ip=ip,
                       data={"objections": upheld})
        _enqueue_result_email(app.pk)
    return app


# -- publish ---------------------------------------------------------------------------------
def _announcement(cycle: Cycle, *, text: str | None, actor, now: dt.datetime, names: list[str]) -> Publication:
    """The announcement a publication goes into: the cycle's main one when it has none yet
    (its text is required), else a supplementary announcement (补充公告)."""
    text = (text or "").strip()
    has_main = Publication.objects.filter(cycle=cycle, kind=Publication.Kind.MAIN).exists()
    if not has_main and not text:
        msg = _("本周期尚未发布结果公告：请填写公告内容。")
        raise ConditionsUnmet(msg, missing=[msg], field_errors={"announcement": [msg]})
    if has_main and not text:
        text = _("经公示，现补充公布%(cycle)s获奖名单：%(names)s。") % {"cycle": cycle, "names": pgettext("list separator", "、").join(names)}
    return Publication.objects.create(
        cycle=cycle, kind=Publication.Kind.SUPPLEMENT if has_main else Publication.Kind.MAIN, announcement=text,
        published_at=now, published_by=actor if getattr(actor, "is_authenticated", False) else None)


def _publish_one(app: Application, *, publication: Publication, actor, now: dt.datetime, note: str,
                 ip: str | None) -> Certificate:
    """Inside a publishing act, for one LOCKED awarded application: the transition → its award
    record (what the public sees, frozen now, in this announcement) → its certificate number."""
    transition_run(app, T.PUBLISH, actor=actor, now=now, note=note, ip=ip, data={"publication": publication.pk})
    view = public_view(app)
    nominee = app.nominee
    AwardRecord.objects.update_or_create(application=app, defaults={
        "organization": app.organization if not nominee else None,
        "nominee_index": nominee.id_number_index if nominee else "",
        "nominee_kind": NomineeKind.INDIVIDUAL if nominee else NomineeKind.ORGANIZATION,
        "programme": app.cycle.programme, "year": app.cycle.year, "title": view["title"],
        "holder_name": view["name"], "category_name": view["category"], "cycle_label": app.cycle.label,
        "publication": publication, "published_at": now, "revoked_at": None})
    return certificate_allocate(application=app, now=now)


def application_publish(*, application: Application | int, actor, announcement: str | None = None,
                        note: str = "", ip: str | None = None, now: dt.datetime | None = None) -> Application:
    """Publish one confirmed application (awarded → published), e.g. one confirmed late after
    an objection. Effects, in one transaction: lock the cycle, then the application → the
    announcement it goes into (the cycle's main one when there is none yet, with the given
    text; else a supplementary 补充公告) → the transition → award record with the public view
    frozen → certificate number → audit entries → on commit: certificate rendering, the
    result e-mail. The application is then on the public winners list and the applicant's
    results."""
    _secretariat(actor, _("发布结果"))
    pk = application.pk if isinstance(application, Application) else application
    cycle_id = Application.objects.filter(pk=pk).values_list("cycle_id", flat=True).first()
    try:
        with transaction.atomic():
            cycle = cycle_lock(cycle_id) if cycle_id else None
            app = application_lock(application)
            now = now or timezone.now()
            transition_check(app, T.PUBLISH, actor)  # permission and state, before any row is written
            publication = _announcement(cycle, text=announcement, actor=actor, now=now,
                                        names=[public_view(app)["name"]])
            cert = _publish_one(app, publication=publication, actor=actor, now=now, note=(note or "").strip(), ip=ip)
            audit_record(obj=publication, action="publication.publish", actor=actor, ip=ip,
                         data={"cycle": cycle.pk, "kind": publication.kind, "applications": [app.pk]})
            cert_pk = cert.pk

            def _render():
                from nominations.tasks import render_certificate
                render_certificate.enqueue(cert_pk)

            transaction.on_commit(_render)
            _enqueue_result_email(app.pk)
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该申报已被他人同时处理，请刷新页面后重试。")) from exc
    return app


def cycle_publish(*, cycle: Cycle | int, actor, announcement: str, note: str = "", ip: str | None = None,
                  now: dt.datetime | None = None) -> Publication:
    """Publish a cycle's results in one announcement (notice → published). Effects, in one
    transaction: lock the cycle → no application still on notice, at least one confirmed →
    the announcement (main, or supplementary when applications were published one by one
    before) → per confirmed application (locked, in reference order): transition, frozen award
    record, certificate number → the cycle's transition → audit entries → a certificate batch →
    on commit: the batch's rendering, the result e-mails of those not awarded."""
    _secretariat(actor, _("发布结果"))
    try:
        with transaction.atomic():
            locked = cycle_lock(cycle)
            now = now or timezone.now()
            if locked.status != CycleState.NOTICE:
                raise InvalidState(_("评选周期当前为“%(state)s”，只有公示阶段的周期才能发布结果。")
                                   % {"state": locked.get_status_display()})
            pending = list(locked.applications.filter(state=S.PUBLIC_NOTICE).values_list("reference", flat=True))
            if pending:
                raise InvalidState(_("仍有申报处于公示中，未确认：%(refs)s。请先逐一确认或撤销后再发布。")
                                   % {"refs": pgettext("list separator", "、").join(pending)}, missing=pending)
            pks = list(locked.applications.filter(state=S.AWARDED).order_by("reference", "id")
                       .values_list("pk", flat=True))
            if not pks:
                msg = _("本周期没有公示通过的申报，无可发布的结果。")
                raise ConditionsUnmet(msg, missing=[msg])
            if not (announcement or "").strip():
                msg = _("请填写发布公告。")
                raise ConditionsUnmet(msg, missing=[msg], field_errors={"announcement": [msg]})
            publication = _announcement(locked, text=announcement, actor=actor, now=now, names=[])
            for pk in pks:
                _publish_one(application_lock(pk), publication=publication, actor=actor, now=now,
                             note=(note or "").strip(), ip=ip)
            cycle_transition_run(locked, "publish", actor=actor, now=now, note=(note or "").strip(), ip=ip,
                                 data={"publication": publication.pk})
            audit_record(obj=publication, action="publication.publish", actor=actor, ip=ip,
                         data={"cycle": locked.pk, "kind": publication.kind, "applications": pks})
            batch_queue(cycle=locked, actor=actor)
            cycle_pk = locked.pk

            def _results():
                from nominations.tasks import send_cycle_results
                send_cycle_results.enqueue(cycle_pk)

            transaction.on_commit(_results)
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该评选周期已被他人同时修改，请刷新后重试。")) from exc
    return publication


# -- revoke ------------------------------------------------------------------------------------
def application_revoke(*, application: Application | int, actor, reason: str, ip: str | None = None,
                       now: dt.datetime | None = None) -> Application:
    """Revoke a published award (published → revoked), with a reason. Effects: lock → the
    transition → the certificate marked revoked (its verification says so) → the award record
    marked revoked (off the winners list, no longer a prior award) → audit entry."""
    reason = (reason or "").strip()
    with transaction.atomic():
        app = application_lock(application)
        now = now or timezone.now()
        transition_run(app, T.REVOKE, actor=actor, now=now, note=reason, ip=ip)
        Certificate.objects.filter(application=app, revoked_at__isnull=True).update(revoked_at=now,
                                                                                    revoke_reason=reason)
        AwardRecord.objects.filter(application=app, revoked_at__isnull=True).update(revoked_at=now)
    return app
