"""Admin of events and registrations.

Every act goes through the same service as the secretariat desk and the API
(events.services): create and edit (a new time or place is a reschedule), reschedule, cancel
and close an event; check in or cancel a registration. No admin page saves a model itself and
nobody edits a state here: the change page of a scheduled event is a form whose values go to
`event_update`, and the other acts have their own pages (a form, then the service). A refusal
of the service is shown as an admin message and at its field; nothing is changed then.
Cancelled and finished events are read-only.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.enums import ACTIVE_REGISTRATION, EventState
from events.forms import DT_WIDGET, CancelEventForm, CloseEventForm, EventForm, changes_from_form, hosts_from_form
from events.models import Attendee, Event, EventHost, Registration
from events.selectors import event_counts
from events.services.events import EDITABLE, EventInput, event_cancel, event_close, event_create, event_update
from events.services.registrations import registration_cancel, registration_check_in
from nominations import rules
from nominations.errors import WorkflowError
from nominations.views.common import client_ip, report_error

ACTS = ("reschedule", "cancel", "close")
# The admin's look for the desk form's widgets (what formfield_for_dbfield gives model fields).
WIDGET_CLASSES = {"title": "vTextField", "topic": "vTextField", "location": "vTextField",
                  "description": "vLargeTextField"}


class SecretariatRoleMixin:
    """The secretariat is a role (rules.is_secretariat), not a set of model permissions."""

    def has_module_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventHostInline(SecretariatRoleMixin, ReadOnlyMixin, admin.TabularInline):
    model = EventHost
    fields = ("name", "title", "award", "application_reference")
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("申报"))
    def application_reference(self, host):
        return host.application.reference or host.application_id


class RescheduleForm(forms.Form):
    """A new time or place: `event_update` with these fields only (every registrant is e-mailed)."""

    starts_at = forms.DateTimeField(label=_("开始时间"), **DT_WIDGET)
    ends_at = forms.DateTimeField(label=_("结束时间"), **DT_WIDGET)
    location = forms.CharField(label=_("地点"), max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"}))
    registration_closes_at = forms.DateTimeField(label=_("报名截止"), help_text=_("报名应在活动开始前截止"),
                                                 **DT_WIDGET)


def _local(value):
    return timezone.localtime(value) if isinstance(value, dt.datetime) else value


@admin.register(Event)
class EventAdmin(SecretariatRoleMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "location", "capacity", "state")
    list_filter = ("kind", "state")
    search_fields = ("title", "hosts__name")
    inlines = [EventHostInline]
    change_form_template = "events/admin/event_change_form.html"
    fieldsets = (
        (None, {"fields": ("kind", "title", "topic", "description", "state")}),
        (_("时间与地点"), {"fields": ("starts_at", "ends_at", "location")}),
        (_("报名"), {"fields": ("capacity", "per_organization_limit", "registration_opens_at",
                                "registration_closes_at", "show_phones_to_host")}),
    )
    outcome_fieldsets = {
        EventState.CANCELLED: (_("取消"), {"fields": ("cancel_reason", "cancelled_at")}),
        EventState.DONE: (_("结果"), {"fields": ("attendance", "summary", "closed_at")}),
    }
    readonly_fields = [name for _title, spec in (*fieldsets, *outcome_fieldsets.values()) for name in spec["fields"]]

    def get_fieldsets(self, request, obj=None):
        """The read-only page of a cancelled or finished event, with its outcome."""
        outcome = self.outcome_fieldsets.get(getattr(obj, "state", None))
        return [*self.fieldsets, outcome] if outcome else list(self.fieldsets)

    # -- permissions: acts are the services'; nothing is ever deleted -----------------------
    def has_add_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state != EventState.SCHEDULED:
            return False
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        acts = [path(f"<path:object_id>/{act}/", self.admin_site.admin_view(self.act_view), {"act": act},
                     name="%s_%s_%s" % (*info, act)) for act in ACTS]
        return [*acts, *super().get_urls()]

    # -- create and edit (the change page of a scheduled event) -----------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        add = object_id is None
        obj = None
        if add:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            if not self.has_change_permission(request, obj):  # cancelled or done: the read-only page
                return super().changeform_view(request, object_id, form_url, self._tools(obj, extra_context))
        hosts = [] if add else list(obj.hosts.all())
        initial = {}
        if obj is not None:
            initial = {name: _local(getattr(obj, name)) for name in EDITABLE}
            initial["host_applications"] = [h.application_id for h in hosts]
        form = EventForm(request.POST if request.method == "POST" else None, initial=initial, extra_hosts=hosts)
        for name, css in WIDGET_CLASSES.items():
            form.fields[name].widget.attrs["class"] = css
        if request.method == "POST" and form.is_valid():
            try:
                if add:
                    obj = event_create(actor=request.user, data=EventInput(**form.cleaned_data),
                                       ip=client_ip(request))
                else:
                    data = dict(form.cleaned_data)
                    host_ids = data.pop("host_applications")
                    event_update(event=obj, actor=request.user, changes=changes_from_form(obj, data),
                                 host_applications=hosts_from_form(hosts, host_ids), ip=client_ip(request))
            except WorkflowError as exc:
                report_error(request, exc, form)
            else:
                self.message_user(request, gettext("活动已创建。") if add else
                                  gettext("活动已保存；如调整了时间或地点，已通知所有报名单位。"), messages.SUCCESS)
                return self._after_save(request, obj)
        fieldsets = [
            (None, {"fields": ["kind", "title", "host_applications", "topic", "description"]}),
            (_("时间与地点"), {"fields": ["starts_at", "ends_at", "location"]}),
            (_("报名"), {"fields": ["capacity", "per_organization_limit", "registration_opens_at",
                                    "registration_closes_at", "show_phones_to_host"]}),
        ]
        adminform = helpers.AdminForm(form, fieldsets, {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": (gettext("新建交流活动") if add else gettext("编辑交流活动")),
            "subtitle": str(obj) if obj else None,
            "adminform": adminform,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + adminform.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "edit_help": None if add else gettext("修改时间或地点即为改期：系统将以电子邮件通知所有报名单位。"),
        }
        context = self._tools(obj, {**context, **(extra_context or {})}) if obj else {**context, **(extra_context or {})}
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)

    def _after_save(self, request, obj):
        info = self.opts.app_label, self.opts.model_name
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:%s_%s_add" % info))
        if "_continue" in request.POST:
            return HttpResponseRedirect(reverse("admin:%s_%s_change" % info, args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:%s_%s_changelist" % info))

    def _tools(self, obj, extra_context):
        """The event's state, its registrations and the links to its acts, on its change page."""
        counts = event_counts(obj)
        now = timezone.now()
        scheduled = obj.state == EventState.SCHEDULED
        info = self.opts.app_label, self.opts.model_name
        acts = []
        if scheduled:
            acts.append((reverse("admin:%s_%s_reschedule" % info, args=[obj.pk]), gettext("改期")))
            if now >= obj.ends_at:
                acts.append((reverse("admin:%s_%s_close" % info, args=[obj.pk]), gettext("登记结果")))
            acts.append((reverse("admin:%s_%s_cancel" % info, args=[obj.pk]), gettext("取消活动")))
        return {**(extra_context or {}), "event_acts": acts, "event_counts": counts,
                "event_state": obj.get_state_display(),
                "desk_url": reverse("events:desk_detail", args=[obj.pk])}

    # -- reschedule, cancel, close: a form page, then the service ---------------------------
    def act_view(self, request, object_id, act):
        spec = self._acts().get(act)
        obj = self.get_object(request, unquote(object_id))
        if spec is None or obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        info = self.opts.app_label, self.opts.model_name
        change_url = reverse("admin:%s_%s_change" % info, args=[obj.pk])
        form = spec["form"](request.POST if request.method == "POST" else None, initial=spec["initial"](obj))
        for field in form.fields.values():
            field.required = False  # a blank value goes to the service, which says what is missing
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                spec["run"](request, obj, form.cleaned_data)
            except WorkflowError as exc:
                report_error(request, exc, form)
                status = exc.status
            else:
                self.message_user(request, spec["done"], messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        elif request.method == "POST":
            status = 400
        adminform = helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self)
        active = Registration.objects.filter(event=obj, status__in=ACTIVE_REGISTRATION).count()
        context = {
            **self.admin_site.each_context(request),
            "title": spec["title"], "subtitle": str(obj), "opts": self.opts, "original": obj,
            "adminform": adminform, "errors": helpers.AdminErrorList(form, []), "media": self.media + adminform.media,
            "change_url": change_url, "button": spec["button"], "danger": spec.get("danger", False),
            "consequences": spec["consequences"](obj, active),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "events/admin/event_act.html", context, status=status)

    def _acts(self):
        def notified(obj, active):
            return [ngettext("将以电子邮件通知 %(n)d 个报名单位（报名成功和候补的）。",
                             "将以电子邮件通知 %(n)d 个报名单位（报名成功和候补的）。", active) % {"n": active}]

        def reschedule(request, obj, data):
            event_update(event=obj, actor=request.user, changes=changes_from_form(obj, data), ip=client_ip(request))

        def cancel(request, obj, data):
            event_cancel(event=obj, actor=request.user, reason=data["reason"], ip=client_ip(request))

        def close(request, obj, data):
            event_close(event=obj, actor=request.user, attendance=data["attendance"], summary=data["summary"],
                        ip=client_ip(request))

        return {
            "reschedule": {
                "title": gettext("活动改期"), "form": RescheduleForm, "run": reschedule, "button": gettext("改期"),
                "initial": lambda obj: {name: _local(getattr(obj, name)) for name in RescheduleForm.base_fields},
                "done": gettext("活动已改期，已通知所有报名单位。"),
                "consequences": lambda obj, active: notified(obj, active) + [
                    gettext("候补名单和报名顺序不变；报名单位的活动前一天提醒按新时间发送。")],
            },
            "cancel": {
                "title": gettext("取消活动"), "form": CancelEventForm, "run": cancel, "button": gettext("取消活动"),
                "initial": lambda obj: {}, "danger": True,
                "done": gettext("活动已取消，已通知所有报名单位。"),
                "consequences": lambda obj, active: notified(obj, active) + [
                    gettext("取消原因写入通知邮件，并在公开的活动页面展示。"), gettext("不能恢复。")],
            },
            "close": {
                "title": gettext("登记活动结果"), "form": CloseEventForm, "run": close,
                "button": gettext("登记并结束活动"),
                "initial": lambda obj: {"attendance": event_counts(obj)["checked_in"]},
                "done": gettext("已登记实到人数和活动纪要，纪要已在公开页面展示。"),
                "consequences": lambda obj, active: [gettext("活动纪要将在公开的活动页面展示。"),
                                                     gettext("活动状态变为“已结束”，不能再修改或取消。")],
            },
        }


class AttendeeInline(SecretariatRoleMixin, ReadOnlyMixin, admin.TabularInline):
    model = Attendee
    fields = ("name", "position", "phone", "checked_in_at")
    extra = 0


def _run(modeladmin, request, queryset, act, done_message):
    done = 0
    for reg in queryset:
        try:
            act(reg)
            done += 1
        except WorkflowError as exc:
            modeladmin.message_user(request, gettext("%(receipt)s：%(message)s") % {"receipt": reg.receipt,
                                                                                  "message": exc.message},
                                    messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


@admin.register(Registration)
class RegistrationAdmin(SecretariatRoleMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("receipt", "event", "organization", "persons", "status", "created_at")
    list_filter = ("status", "event")
    search_fields = ("receipt", "organization__name", "attendees__name")
    list_select_related = ("event", "organization")
    inlines = [AttendeeInline]
    actions = ["check_in", "cancel"]

    @admin.action(description=_("为所选报名的全部人员签到"))
    def check_in(self, request, queryset):
        _run(self, request, queryset, lambda reg: registration_check_in(registration=reg, actor=request.user,
                                                                        ip=client_ip(request)),
             _("已签到 %(n)d 个报名。"))

    @admin.action(description=_("取消所选报名（候补按顺序转正）"))
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda reg: registration_cancel(registration=reg, actor=request.user,
                                                                        ip=client_ip(request)),
             _("已取消 %(n)d 个报名。"))
