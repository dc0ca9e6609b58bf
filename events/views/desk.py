"""The secretariat's event desk: create and edit, registrations, Excel export, check-in at
the door (by QR code on a phone, or by name), cancel, reschedule, close with attendance and
summary. Every write calls one service."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import selectors
from events.export import xlsx_response
from events.forms import (CancelEventForm, CheckInSearchForm, CloseEventForm, EventForm, changes_from_form,
                          hosts_from_form)
from events.services.events import EDITABLE, EventInput, event_cancel, event_close, event_create, event_update
from events.services.registrations import registration_check_in, registration_from_token
from events.views.public import decorate, event_or_404
from nominations.errors import WorkflowError
from nominations.views.common import client_ip, report_error, secretariat_required


@secretariat_required
@require_GET
def desk(request):
    now = timezone.now()
    events = [decorate(e, now) for e in selectors.events_for_desk()]
    return render(request, "events/desk/list.html", {
        "events": events, "flagged": [e for e in events if e.host_revoked and e.state == "scheduled"], "tab": "desk"})


@secretariat_required
@require_http_methods(["GET", "POST"])
def event_create_view(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(actor=request.user, data=EventInput(**form.cleaned_data), ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect("events:desk_detail", event.pk)
    return render(request, "events/desk/form.html", {"form": form, "event": None, "tab": "desk"})


@secretariat_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request, pk: int):
    event = event_or_404(pk)
    hosts = list(event.hosts.all())
    initial = {name: getattr(event, name) for name in EDITABLE}
    initial["starts_at"], initial["ends_at"] = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    initial["registration_opens_at"] = timezone.localtime(event.registration_opens_at)
    initial["registration_closes_at"] = timezone.localtime(event.registration_closes_at)
    initial["host_applications"] = [h.application_id for h in hosts]
    form = EventForm(request.POST or None, initial=initial, extra_hosts=hosts)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        host_ids = data.pop("host_applications")
        try:
            # Only what the secretariat changed, as the admin and the API's PATCH send it.
            event_update(event=event, actor=request.user, changes=changes_from_form(event, data),
                         host_applications=hosts_from_form(hosts, host_ids), ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("活动已保存；如调整了时间或地点，已通知所有报名单位。"))
            return redirect("events:desk_detail", event.pk)
    return render(request, "events/desk/form.html", {"form": form, "event": event, "tab": "desk"})


@secretariat_required
@require_GET
def desk_detail(request, pk: int):
    event = decorate(event_or_404(pk), timezone.now())
    search = CheckInSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    regs = selectors.registrations_with_positions(list(selectors.registrations_for_event(event, query=query)))
    counts = selectors.event_counts(event)
    return render(request, "events/desk/detail.html", {
        "event": event, "registrations": regs, "search": search, "query": query, "counts": counts,
        "cancel_form": CancelEventForm(), "close_form": CloseEventForm(initial={"attendance": counts["checked_in"]}),
        "ended": timezone.now() >= event.ends_at, "tab": "desk"})


@secretariat_required
@require_POST
def event_cancel_view(request, pk: int):
    event = event_or_404(pk)
    form = CancelEventForm(request.POST)
    try:
        event_cancel(event=event, actor=request.user, reason=request.POST.get("reason", ""), ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc, form)
    else:
        messages.success(request, _("活动已取消，已通知所有报名单位。"))
    return redirect("events:desk_detail", event.pk)


@secretariat_required
@require_POST
def event_close_view(request, pk: int):
    event = event_or_404(pk)
    try:
        event_close(event=event, actor=request.user, attendance=request.POST.get("attendance"),
                    summary=request.POST.get("summary", ""), ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("已登记实到人数和活动纪要，纪要已在公开页面展示。"))
    return redirect("events:desk_detail", event.pk)


@secretariat_required
@require_GET
def event_export_view(request, pk: int):
    return xlsx_response(event_or_404(pk))


@secretariat_required
@require_POST
def check_in_view(request, pk: int, reg_pk: int):
    """Check in from the desk's list (one attendee, or the whole registration)."""
    event = event_or_404(pk)
    reg = selectors.registrations_for_event(event).filter(pk=reg_pk).first()
    if reg is None:
        raise Http404(_("报名不存在。"))
    attendee = request.POST.get("attendee")
    try:
        registration_check_in(registration=reg, actor=request.user, attendee_ids=[attendee] if attendee else None,
                              ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("%(org)s 已签到。") % {"org": reg.organization.name})
    query = request.POST.get("q", "")
    target = redirect("events:desk_detail", event.pk)
    if query:
        target["Location"] += "?" + urlencode({"q": query})
    return target


@secretariat_required
@require_http_methods(["GET", "POST"])
def check_in_scan(request, token: str):
    """Where the QR code on a registrant's phone or e-mail leads: the secretariat's phone
    shows the registration and checks everyone in with one tap."""
    reg = registration_from_token(token)
    if reg is None:
        raise Http404(_("签到码无效。"))
    if request.method == "POST":
        try:
            registration_check_in(registration=reg, actor=request.user, ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc)
        else:
            messages.success(request, _("签到成功：%(org)s。") % {"org": reg.organization.name})
        return redirect("events:checkin_scan", token)
    selectors.registrations_with_positions([reg])
    return render(request, "events/desk/scan.html", {"reg": reg, "event": reg.event, "token": token,
                                                     "attendees": list(reg.attendees.all()), "tab": "desk"})
