"""Public pages (no login): 公示 list and detail, the real-name objection form, winners,
certificate verification. Plus the applicant's results page and certificate download.

Nothing here shows a nominee's identity document: the selectors do not even load it.
"""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import AnonRateThrottle

from nominations import rules
from nominations.selectors import public as selectors_public
from nominations.enums import ApplicationState as S
from nominations.errors import WorkflowError
from nominations.models import CHECK_CODE_LENGTH
from nominations.forms.publication import CONTACT_HELP, ObjectionForm, WinnersFilterForm
from nominations.services.notices import local_end_label, notice_window_check
from nominations.services.objections import objection_file
from nominations.views.common import apply_field_errors, client_ip, counted_over

RECEIPT_SALT = "objection-receipt"
RECEIPT_MAX_AGE = 7 * 24 * 3600
# Outcomes an applicant learns when the cycle's results are announced.
NOT_AWARDED_RESULTS = frozenset({S.NOT_AWARDED, S.ELIMINATED})


# -- helpers -----------------------------------------------------------------------
def decorate_notice(notice):
    """Attach the window as shown to people: a notice ending at midnight ends "24:00"
    of its last day (Asia/Shanghai)."""
    notice.start_label = timezone.localtime(notice.starts_at).strftime("%Y-%m-%d %H:%M")
    notice.end_label = local_end_label(notice.ends_at)
    return notice


def notice_phase(notice, now) -> str:
    if now < notice.starts_at:
        return "upcoming"
    return "open" if now < notice.ends_at else "closed"


def _notice_or_404(pk):
    notice = selectors_public.notice_public(pk)
    if notice is None:
        raise Http404(_("公示不存在。"))
    return notice


def _rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) from REST_FRAMEWORK's throttle rates, e.g. "10/hour"."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope) or "10/hour"
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class WebAnonRateThrottle(AnonRateThrottle):
    """The API's anonymous throttle for public web pages: the same rate ("anon"), the same
    shared cache (Redis or the database, so every app server counts together), a counter
    of its own. Signed-in users are not throttled, as in the API."""

    cache_format = "throttle_web_%(scope)s_%(ident)s"


def throttled_response(request):
    """None when the request may go on; else the 429 page, with Retry-After."""
    throttle = WebAnonRateThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = max(1, int(throttle.wait() or 1))
    response = render(request, "public/throttled.html", {"wait": wait, "public_tab": "verify"}, status=429)
    response["Retry-After"] = str(wait)
    return response


def objection_throttled(request) -> bool:
    """A simple per-IP counter shared with the cache: at most N objection posts per period."""
    limit, seconds = _rate("objection")
    return counted_over(f"throttle:objection-web:{client_ip(request) or 'unknown'}", limit, seconds)


# -- 公示 --------------------------------------------------------------------------
@require_GET
def notice_list(request):
    now = timezone.now()
    notices = list(selectors_public.notices_public())
    rows = [{"notice": decorate_notice(n), "phase": notice_phase(n, now), "entries": list(n.entries.all())} for n in notices]
    return render(request, "public/notice_list.html", {
        "current_rows": [r for r in rows if r["phase"] != "closed"],
        "past_rows": [r for r in rows if r["phase"] == "closed"],
        "public_tab": "notices",
    })


@require_GET
def notice_detail(request, pk: int):
    notice = decorate_notice(_notice_or_404(pk))
    return render(request, "public/notice_detail.html", {
        "notice": notice, "phase": notice_phase(notice, timezone.now()),
        "entries": list(notice.entries.all()), "public_tab": "notices",
    })


@require_http_methods(["GET", "POST"])
def objection_create(request, pk: int):
    """The real-name objection form; inside the window only. Nothing is saved otherwise."""
    notice = decorate_notice(_notice_or_404(pk))
    entries = list(notice.entries.all())
    context = {"notice": notice, "entries": entries, "public_tab": "notices", "contact_help": CONTACT_HELP,
               "phase": notice_phase(notice, timezone.now())}
    try:
        notice_window_check(notice=notice)
    except WorkflowError as exc:
        context.update(closed_message=exc.message, posted=request.method == "POST")
        return render(request, "public/objection_closed.html", context,
                      status=400 if request.method == "POST" else 200)
    if request.method != "POST":
        initial = {"application": request.GET.get("application", "")}
        context["form"] = ObjectionForm(entries=entries, initial=initial)
        return render(request, "public/objection_form.html", context)

    form = ObjectionForm(request.POST, request.FILES, entries=entries)
    context["form"] = form
    if objection_throttled(request):
        context["error"] = _("提交过于频繁，请稍后再试。如需提交更多材料，请与公示联系人联系。")
        return render(request, "public/objection_form.html", context, status=429)
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection = objection_file(
                notice=notice, application_id=data["application"], name=data["name"], phone=data["phone"],
                email=data["email"], organization=data["organization"], content=data["content"],
                evidence=data.get("evidence"), ip=client_ip(request))
        except WorkflowError as exc:
            if exc.code in ("notice_closed", "notice_not_open"):
                context.update(closed_message=exc.message, posted=True)
                return render(request, "public/objection_closed.html", context, status=400)
            apply_field_errors(form, exc)
            if not form.errors:
                form.add_error(None, exc.message)
        else:
            token = signing.dumps(objection.pk, salt=RECEIPT_SALT)
            return redirect("public_objection_received", pk=notice.pk, token=token)
    context["error"] = _("异议未提交，请按提示修改后重新提交。")
    return render(request, "public/objection_form.html", context, status=400)


@require_GET
def objection_received(request, pk: int, token: str):
    """The receipt: shown only with the signed token from the submission."""
    notice = decorate_notice(_notice_or_404(pk))
    try:
        objection_id = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404(_("回执不存在或已过期。")) from None
    objection = notice.objections.filter(pk=objection_id).select_related("application").first()
    if objection is None:
        raise Http404(_("回执不存在或已过期。"))
    entry = notice.entries.filter(application_id=objection.application_id).first()
    return render(request, "public/objection_received.html", {
        "notice": notice, "objection": objection, "entry_name": entry.name if entry else "",
        "public_tab": "notices"})


# -- winners -----------------------------------------------------------------------
@require_GET
def winners(request):
    form = WinnersFilterForm(request.GET or None, labels=selectors_public.published_cycle_labels())
    programme = cycle_label = None
    if form.is_valid():
        programme = form.cleaned_data["programme"] or None
        cycle_label = form.cleaned_data["cycle"] or None
    by_announcement = defaultdict(list)
    for award in selectors_public.winners(programme=programme, cycle_label=cycle_label):
        by_announcement[award.publication_id].append(award)
    sections = [{"publication": p, "cycle": p.cycle, "winners": by_announcement.get(p.pk, [])}
                for p in selectors_public.publications(programme=programme, cycle_label=cycle_label)]
    return render(request, "public/winners.html", {
        "form": form, "sections": sections, "filtered": bool(programme or cycle_label), "public_tab": "winners"})


# -- certificate verification --------------------------------------------------------
@require_GET
def certificate_verify(request, code: str):
    if (limited := throttled_response(request)) is not None:
        return limited
    cert = selectors_public.certificate_by_code(code)
    if cert is None:
        return render(request, "public/verify_not_found.html", {"public_tab": "verify"}, status=404)
    return render(request, "public/verify.html", {"cert": cert, "public_tab": "verify"})


@require_GET
def verify_lookup(request):
    """Check a certificate: by its verification code (or the pasted QR URL), or by hand with
    the number and check code printed under the QR code."""
    if (limited := throttled_response(request)) is not None:
        return limited
    code = (request.GET.get("code") or "").strip()
    if "/verify/" in code:  # a pasted verification URL
        code = code.rstrip("/").rsplit("/", 1)[-1]
    if code:
        return redirect("certificate_verify", code=code)
    number = (request.GET.get("number") or "").strip()
    check = (request.GET.get("check") or "").strip()
    context = {"public_tab": "verify", "number": number, "check": check, "errors": {}}
    if "number" in request.GET or "check" in request.GET:
        if not number:
            context["errors"]["number"] = _("请填写证书编号。")
        if not check:
            context["errors"]["check"] = _("请填写查验码（证书二维码下方的 8 位字符）。")
        elif len("".join(check.split())) != CHECK_CODE_LENGTH:
            context["errors"]["check"] = _("查验码为 %(n)d 位字符，请核对。") % {"n": CHECK_CODE_LENGTH}
        if not context["errors"]:
            cert = selectors_public.certificate_by_number(number, check)
            if cert is None:
                return render(request, "public/verify_not_found.html",
                              {"public_tab": "verify", "by_number": True, "number": number}, status=404)
            return render(request, "public/verify.html", {"cert": cert, "public_tab": "verify"})
        return render(request, "public/verify_lookup.html", context, status=400)
    return render(request, "public/verify_lookup.html", context)


# -- applicant: results and certificate --------------------------------------------
@login_required
@require_GET
def applicant_results(request):
    """The applicant's applications: a published (or revoked) award shows its result at once,
    with its announcement; other outcomes once the cycle's results are announced."""
    published, pending = [], []
    apps = list(selectors_public.applicant_results(request.user))
    mains = selectors_public.main_announcements({app.cycle_id for app in apps})
    for app in apps:
        award = getattr(app, "award_record", None) if app.state in (S.PUBLISHED, S.REVOKED) else None
        publication = award.publication if award is not None else None
        if publication is None and app.state in NOT_AWARDED_RESULTS:
            publication = mains.get(app.cycle_id)
        if publication is None:
            pending.append(app)
            continue
        certificate = getattr(app, "certificate", None) if app.state in (S.PUBLISHED, S.REVOKED) else None
        published.append({"app": app, "publication": publication, "certificate": certificate,
                          "awarded": app.state == S.PUBLISHED})
    return render(request, "nominations/publication/results.html", {
        "results": published, "pending": pending, "is_applicant": rules.is_applicant(request.user)})


@login_required
@require_GET
def application_certificate(request, pk: int):
    """The certificate PDF, for the application's applicants and the secretariat; 404 otherwise."""
    cert = selectors_public.certificate_for_user(request.user, pk)
    if cert is None:
        raise Http404(_("证书不存在或您无权下载。"))
    if cert.revoked_at and not rules.is_secretariat(request.user):
        raise Http404(_("该证书已撤销，不再提供下载。"))
    if not cert.pdf:
        raise Http404(_("证书正在生成，请稍后再试。"))
    try:
        handle = cert.pdf.open("rb")
    except FileNotFoundError:
        raise Http404(_("证书文件不存在，请联系秘书处。")) from None
    response = FileResponse(handle, as_attachment=True, filename=f"{cert.number}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
