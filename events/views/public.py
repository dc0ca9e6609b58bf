"""Pages for everyone and for enterprises: the events page (current and past years), an
event with its registration form, my registrations (cancel, QR code), and the host's view
of its visitors."""
from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import rules, selectors
from events.enums import EventKind, RegistrationState
from events.forms import RegistrationForm
from events.models import Registration
from events.services.registrations import checkin_qr_png, registration_cancel, registration_create
from nominations.errors import WorkflowError
from nominations.models import Organization
from nominations.rules import organization_ids
from nominations.views.common import client_ip, report_error


def decorate(event, now):
    event.status = selectors.public_status(event, now)
    event.places_left = max(0, event.capacity - event.confirmed)
    event.not_yet_open = now < event.registration_opens_at
    return event


def event_or_404(pk):
    event = selectors.event_get(pk)
    if event is None:
        raise Http404(_("活动不存在。"))
    return event


@require_GET
def event_list(request):
    now = timezone.now()
    kind = request.GET.get("kind") if request.GET.get("kind") in EventKind.values else None
    this_year = timezone.localdate(now).year
    events = [decorate(e, now) for e in selectors.events_public(kind=kind)]
    upcoming = [e for e in events if e.ends_at >= now and e.state == "scheduled"]
    upcoming.reverse()  # soonest first
    by_year: OrderedDict[int, list] = OrderedDict()
    for e in events:
        if e in upcoming:
            continue
        year = timezone.localtime(e.starts_at).year
        if year <= this_year:
            by_year.setdefault(year, []).append(e)
    return render(request, "events/list.html", {
        "upcoming": upcoming, "by_year": list(by_year.items()), "kind": kind, "kinds": EventKind.choices,
        "tab": "list"})


def _my_registration(user, event):
    ids = organization_ids(user)
    if not ids:
        return None
    reg = (Registration.objects.filter(event=event, organization_id__in=ids,
                                       status__in=[RegistrationState.CONFIRMED, RegistrationState.WAITLISTED])
           .select_related("organization").prefetch_related("attendees").first())
    if reg is not None:
        selectors.registrations_with_positions([reg])
    return reg


@require_http_methods(["GET", "POST"])
def event_detail(request, pk: int):
    event = decorate(event_or_404(pk), timezone.now())
    user = request.user
    form = mine = None
    if user.is_authenticated and rules.may_register(user) and not rules.is_host_member(user, event):
        mine = _my_registration(user, event)
        orgs = list(Organization.objects.filter(pk__in=organization_ids(user)).order_by("name"))
        if mine is None and event.registration_open():
            form = RegistrationForm(request.POST or None, organizations=orgs, rows=event.per_organization_limit)
            if request.method == "POST" and form.is_valid():
                try:
                    reg = registration_create(event=event, organization=form.cleaned_data["organization"],
                                              attendees=form.attendees(), actor=user, ip=client_ip(request))
                except WorkflowError as exc:
                    report_error(request, exc, form)
                else:
                    if reg.status == RegistrationState.CONFIRMED:
                        messages.success(request, _("报名成功，回执编号 %(r)s。确认邮件（含签到二维码）已发送。")
                                         % {"r": reg.receipt})
                    else:
                        messages.warning(request, _("名额已满，已进入候补名单第 %(n)d 位，回执编号 %(r)s。")
                                         % {"n": reg.position, "r": reg.receipt})
                    return redirect("events:mine")
    if request.method == "POST" and form is None:
        raise PermissionDenied(_("当前不能报名该活动。"))
    return render(request, "events/detail.html", {
        "event": event, "form": form, "mine": mine, "tab": "list",
        "is_host": rules.is_host_member(user, event), "is_secretariat": rules.is_secretariat(user)})


@login_required
@require_GET
def my_registrations(request):
    regs = selectors.registrations_with_positions(list(selectors.registrations_of_user(request.user)))
    now = timezone.now()
    for reg in regs:
        reg.cancellable = (reg.status != RegistrationState.CANCELLED and reg.event.state == "scheduled"
                           and now < reg.event.starts_at)
    hosted = [decorate(e, now) for e in selectors.events_hosted_by(request.user)]
    return render(request, "events/mine.html", {"registrations": regs, "hosted": hosted, "tab": "mine"})


def _registration_or_404(request, pk):
    reg = selectors.registration_for_user(request.user, pk)
    if reg is None:
        raise Http404(_("报名不存在。"))
    return reg


@login_required
@require_POST
def registration_cancel_view(request, pk: int):
    reg = _registration_or_404(request, pk)
    try:
        _reg, promoted = registration_cancel(registration=reg, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("报名 %(r)s 已取消。") % {"r": reg.receipt})
    if rules.is_secretariat(request.user) and request.POST.get("next") == "desk":
        return redirect("events:desk_detail", reg.event_id)
    return redirect("events:mine")


@login_required
@require_GET
def registration_qr(request, pk: int):
    reg = _registration_or_404(request, pk)
    if reg.status != RegistrationState.CONFIRMED:
        raise Http404(_("报名成功后才有签到二维码。"))
    response = HttpResponse(checkin_qr_png(reg, scale=8), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def host_registrations(request, pk: int):
    """The host organization's members (and the secretariat) see who is coming: names and
    organizations; phone numbers only when the secretariat allows it for this event."""
    event = decorate(event_or_404(pk), timezone.now())
    if not rules.may_see_registrations(request.user, event):
        raise PermissionDenied(_("只有秘书处和主办单位可以查看报名名单。"))
    active_only = not rules.is_secretariat(request.user)
    regs = selectors.registrations_with_positions(list(selectors.registrations_for_event(event,
                                                                                         active_only=active_only)))
    return render(request, "events/registrations.html", {
        "event": event, "registrations": regs, "phones": rules.may_see_phones(request.user, event),
        "tab": "list"})
