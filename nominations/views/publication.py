"""Secretariat pages after the committee: the notice desk (公示), the holiday calendar,
the objection desk (异议), publication, certificate issuing and revocation.

Thin views: parse with a form, call one service, turn a WorkflowError into a message.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nominations import selectors
from nominations.selectors import public as selectors_public
from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.errors import WorkflowError
from nominations.services import consequences
from nominations.services.jobs import batch_status
from nominations.forms.publication import (
    HolidayForm,
    NoteForm,
    NoticeStartForm,
    ObjectionFilterForm,
    PublishForm,
    ResolutionForm,
    RevokeForm,
)
from nominations.models import (
    OBJECTION_OPEN,
    Application,
    CertificateBatch,
    Cycle,
    Holiday,
    Objection,
    ObjectionState,
    Publication,
    PublicNotice,
)
from nominations.models.publication import ObjectionState as O
from nominations.services.certificates import BATCH_STALE_AFTER, certificate_batch_create
from nominations.services.notices import holiday_add, holiday_delete, local_end_label, notice_open
from nominations.services.objections import objection_investigate, objection_resolve
from nominations.services.publication import (
    application_confirm,
    application_overturn,
    application_revoke,
    cycle_publish,
)
from nominations.views.common import (
    client_ip,
    error_html,
    paginate,
    report_error,
    secretariat_required,
)
from nominations.views.public import decorate_notice

NOTICE_STAGES = [CycleState.DELIBERATION, CycleState.NOTICE, CycleState.PUBLISHED, CycleState.ARCHIVED]
DECISIONS = {"confirm": gettext_lazy("公示通过"), "overturn": gettext_lazy("公示异议成立")}
OBJECTION_ACTIONS = {"investigate": gettext_lazy("开始调查核实"), "uphold": gettext_lazy("异议成立"),
                     "dismiss": gettext_lazy("异议不成立")}


def _cycle_or_404(pk) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)


# -- overview ----------------------------------------------------------------------
@secretariat_required
@require_GET
def notice_overview(request):
    """Cycles from committee deliberation on, with links to their desks."""
    cycles = list(Cycle.objects.filter(status__in=NOTICE_STAGES).select_related("programme")
                  .order_by("-year", "programme__order"))
    open_counts = selectors_public.objection_counts_by_status()
    return render(request, "nominations/publication/overview.html", {
        "cycles": cycles, "open_objections": sum(open_counts[s] for s in OBJECTION_OPEN),
        "pub_tab": "overview"})


# -- notice desk -------------------------------------------------------------------
def _notice_desk_context(request, cycle: Cycle, form: NoticeStartForm | None = None) -> dict:
    notices = [decorate_notice(n) for n in PublicNotice.objects.filter(cycle=cycle).order_by("-starts_at")]
    now = timezone.now()
    rows = list(selectors_public.notice_desk_applications(cycle))
    can_start = cycle.status == CycleState.DELIBERATION
    return {
        "cycle": cycle, "notices": notices, "notice": notices[0] if notices else None, "now": now,
        "rows": rows, "approved": [r for r in rows if r.state == S.APPROVED],
        "form": form or (NoticeStartForm(cycle=cycle) if can_start else None), "can_start": can_start,
        "decision_form": NoteForm(), "pub_tab": "notice",
    }


@secretariat_required
@require_GET
def notice_desk(request, pk: int):
    cycle = _cycle_or_404(pk)
    return render(request, "nominations/publication/notice_desk.html", _notice_desk_context(request, cycle))


@secretariat_required
@require_POST
def notice_start(request, pk: int):
    """Open the cycle's notice for every approved application (notices.notice_open)."""
    cycle = _cycle_or_404(pk)
    form = NoticeStartForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            notice = notice_open(cycle=cycle, actor=request.user, data=form.notice_input(), ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("公示已开始：%(start)s 至 %(end)s，共 %(n)d 项。") % {
                "start": timezone.localtime(notice.starts_at).strftime("%Y-%m-%d %H:%M"),
                "end": local_end_label(notice.ends_at),
                "n": notice.applications.count()})
            return redirect("notice_desk", pk=cycle.pk)
    context = _notice_desk_context(request, cycle, form)
    return render(request, "nominations/publication/notice_desk.html", context, status=400)


@secretariat_required
@require_http_methods(["GET", "POST"])
def notice_decide(request, pk: int, name: str):
    """confirm / overturn one application in public notice (publication.application_confirm /
    application_overturn). GET: the confirmation page with what it will do."""
    if name not in DECISIONS:
        raise Http404(_("未知的操作。"))
    app = get_object_or_404(Application.objects.select_related("cycle__programme", "organization", "nominee"), pk=pk)
    if request.method == "GET":
        return render(request, "nominations/publication/decide_confirm.html", {
            "app": app, "cycle": app.cycle, "name": name, "label": DECISIONS[name], "pub_tab": "notice",
            "danger": name == "overturn", "form": NoteForm(),
            "consequences": consequences.notice_decision_consequences(app, name)})
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        act = application_confirm if name == "confirm" else application_overturn
        act(application=app, actor=request.user, note=note, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("“%(name)s”：已执行“%(label)s”。") % {
            "name": app.display_name, "label": DECISIONS[name]})
    return redirect("notice_desk", pk=app.cycle_id)


# -- holidays ----------------------------------------------------------------------
@secretariat_required
@require_http_methods(["GET", "POST"])
def holiday_list(request):
    form = HolidayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                holiday = holiday_add(actor=request.user, date=data["date"], name=data["name"],
                                      is_workday=data["is_workday"], ip=client_ip(request))
            except WorkflowError as exc:
                report_error(request, exc, form)
            else:
                messages.success(request, _("已添加 %(date)s %(name)s。") % {
                    "date": holiday.date.isoformat(), "name": holiday.name})
                return redirect("holiday_list")
        status = 400
    today = timezone.localdate()
    holidays = list(Holiday.objects.filter(date__gte=today.replace(month=1, day=1)).order_by("date"))
    return render(request, "nominations/publication/holidays.html", {
        "form": form, "holidays": holidays, "today": today, "pub_tab": "holidays"}, status=status)


@secretariat_required
@require_POST
def holiday_remove(request, pk: int):
    holiday = get_object_or_404(Holiday, pk=pk)
    try:
        holiday_delete(actor=request.user, holiday=holiday, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("已删除 %(date)s %(name)s。") % {
            "date": holiday.date.isoformat(), "name": holiday.name})
    return redirect("holiday_list")


# -- objection desk ------------------------------------------------------------------
@secretariat_required
@require_GET
def objection_desk(request):
    notices = list(PublicNotice.objects.select_related("cycle__programme").order_by("-starts_at"))
    form = ObjectionFilterForm(request.GET or None, notices=notices)
    notice = status = None
    if form.is_valid():
        if form.cleaned_data["notice"]:
            notice = next((n for n in notices if str(n.pk) == form.cleaned_data["notice"]), None)
        status = form.cleaned_data["status"] or None
    page, query = paginate(request, selectors_public.objections_for_desk(notice=notice, status=status))
    counts = selectors_public.objection_counts_by_status(notice=notice)
    return render(request, "nominations/publication/objection_desk.html", {
        "form": form, "page_obj": page, "query": query, "notice": notice, "status": status,
        "counts": [(s, s.label, counts[s]) for s in ObjectionState], "pub_tab": "objections",
        "open_states": OBJECTION_OPEN})


def _objection_or_404(pk) -> Objection:
    return get_object_or_404(selectors_public.objections_for_desk(), pk=pk)


@secretariat_required
@require_GET
def objection_detail(request, pk: int):
    objection = _objection_or_404(pk)
    return render(request, "nominations/publication/objection_detail.html", {
        "objection": objection, "form": ResolutionForm(), "pub_tab": "objections",
        "is_open": objection.status in OBJECTION_OPEN})


@secretariat_required
@require_http_methods(["GET", "POST"])
def objection_action(request, pk: int, name: str):
    """investigate (POST), or an outcome: GET shows the confirmation page (what the outcome
    means for the objector and the application) with the written resolution; POST decides."""
    if name not in OBJECTION_ACTIONS:
        raise Http404(_("未知的操作。"))
    objection = _objection_or_404(pk)
    if request.method == "GET":
        if name == "investigate":
            return redirect("objection_detail", pk=objection.pk)
        return _outcome_page(request, objection, name, ResolutionForm())
    form = ResolutionForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    try:
        if name == "investigate":
            objection = objection_investigate(objection=objection, actor=request.user, ip=client_ip(request))
        else:
            objection = objection_resolve(objection=objection, actor=request.user, ip=client_ip(request),
                                          outcome=O.UPHELD if name == "uphold" else O.DISMISSED,
                                          resolution=resolution)
    except WorkflowError as exc:
        report_error(request, exc, form)
        if name != "investigate":
            return _outcome_page(request, _objection_or_404(pk), name, form, status=exc.status)
        return render(request, "nominations/publication/objection_detail.html", {
            "objection": _objection_or_404(pk), "form": form, "pub_tab": "objections",
            "is_open": True, "failed_action": name}, status=exc.status)
    messages.success(request, _("异议 %(id)s：%(label)s。") % {"id": objection.receipt, "label": OBJECTION_ACTIONS[name]}
                     + (_("已通过电子邮件告知异议人。") if name != "investigate" and objection.email else ""))
    return redirect("objection_detail", pk=objection.pk)


def _outcome_page(request, objection, name: str, form, status: int = 200):
    outcome = "uphold" if name == "uphold" else "dismiss"
    return render(request, "nominations/publication/objection_outcome.html", {
        "objection": objection, "form": form, "name": name, "label": OBJECTION_ACTIONS[name],
        "pub_tab": "objections", "danger": outcome == "uphold",
        "consequences": consequences.objection_outcome_consequences(objection, outcome)}, status=status)


@secretariat_required
@require_GET
def objection_evidence(request, pk: int):
    objection = _objection_or_404(pk)
    if not objection.evidence:
        raise Http404(_("该异议没有证据材料。"))
    try:
        handle = objection.evidence.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    response = FileResponse(handle, as_attachment=True, filename=f"objection-{objection.pk}-evidence.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- publication and certificates ------------------------------------------------------
def _publication_context(cycle: Cycle, form: PublishForm | None = None) -> dict:
    announcements = list(Publication.objects.filter(cycle=cycle).order_by("published_at", "id"))
    publication = announcements[0] if announcements else None
    batches = list(selectors_public.cycle_batches(cycle)[:10])
    latest = batches[0] if batches else None
    now = timezone.now()
    running = (latest is not None and latest.status in (CertificateBatch.Status.PENDING,
                                                        CertificateBatch.Status.RUNNING)
               and latest.created_at >= now - BATCH_STALE_AFTER)  # older: taken as lost, may be re-run
    all_counts = selectors.cycle_state_counts(cycle)
    counts = {state: all_counts[state] for state in (S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED)}
    pending = list(Application.objects.filter(cycle=cycle, state=S.PUBLIC_NOTICE)
                   .select_related("organization", "nominee").order_by("reference"))
    return {
        "cycle": cycle, "publication": publication, "announcements": announcements, "batches": batches, "latest": latest, "running": running,
        "batch_job": batch_status(latest, now=now) if latest else None,
        "elapsed": _elapsed(latest, now) if latest else "", "counts": counts, "pending": pending,
        "certificates": list(selectors_public.cycle_certificates(cycle)) if publication else [],
        "form": form or (PublishForm() if cycle.status == CycleState.NOTICE and not publication else None),
        "pub_tab": "publication",
    }


def _elapsed(batch: CertificateBatch, now) -> str:
    if batch.status in (CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED):
        seconds = batch.elapsed_ms / 1000
    else:
        seconds = (now - batch.created_at).total_seconds()
    return _("%(s).1f 秒") % {"s": seconds} if seconds < 120 else _("%(m)d 分 %(s)d 秒") % {
        "m": seconds // 60, "s": seconds % 60}


@secretariat_required
@require_GET
def publication_desk(request, pk: int):
    cycle = _cycle_or_404(pk)
    return render(request, "nominations/publication/publication_desk.html", _publication_context(cycle))


@secretariat_required
@require_http_methods(["GET", "POST"])
def publication_publish(request, pk: int):
    """GET: the confirmation page — who goes on the winners list, how many certificates,
    who is e-mailed — with the announcement. POST: publish the cycle (publication.cycle_publish)."""
    cycle = _cycle_or_404(pk)
    form = PublishForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cycle_publish(cycle=cycle, actor=request.user, ip=client_ip(request),
                              announcement=form.cleaned_data["announcement"])
            except WorkflowError as exc:
                report_error(request, exc, form)
                status = exc.status
            else:
                messages.success(request, _("结果已发布，证书在后台生成，进度显示在本页。"))
                return redirect("publication_desk", pk=cycle.pk)
    return render(request, "nominations/publication/publish_confirm.html", {
        "cycle": cycle, "form": form, "pub_tab": "publication",
        "consequences": consequences.cycle_publish_consequences(cycle)}, status=status)


@secretariat_required
@require_POST
def certificates_reissue(request, pk: int):
    cycle = _cycle_or_404(pk)
    try:
        certificate_batch_create(cycle=cycle, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("已开始重新生成证书；已生成的证书保持不变，不会重复颁发。"))
    return redirect("publication_desk", pk=cycle.pk)


@secretariat_required
@require_GET
def batch_combined_pdf(request, pk: int):
    batch = get_object_or_404(CertificateBatch.objects.select_related("cycle__programme"), pk=pk)
    if not batch.combined_pdf:
        raise Http404(_("合并打印文件尚未生成。"))
    try:
        handle = batch.combined_pdf.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    name = f"{batch.cycle.programme.code}-{batch.cycle.year}-certificates.pdf"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@secretariat_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request, pk: int):
    """Revoke a published award (application transition revoke, with a reason)."""
    app = get_object_or_404(Application.objects.select_related("cycle__programme", "organization", "nominee",
                                                               "category", "certificate"), pk=pk)
    cert = getattr(app, "certificate", None)
    if cert is None:
        raise Http404(_("该申报没有证书。"))
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application_revoke(application=app, actor=request.user, reason=form.cleaned_data["reason"],
                                   ip=client_ip(request))
            except WorkflowError as exc:
                report_error(request, exc, form)
                status = exc.status
            else:
                messages.success(request, _("证书 %(number)s 已撤销；验证页面现显示“已撤销”。") % {
                    "number": cert.number})
                return redirect("publication_desk", pk=app.cycle_id)
    return render(request, "nominations/publication/revoke.html", {
        "app": app, "cert": cert, "form": form, "pub_tab": "publication",
        "consequences": consequences.application_revoke_consequences(app),
        "consequences_title": _("撤销奖项将会：")}, status=status)
