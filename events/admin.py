"""Admin: events and registrations are read here; every change goes through the services
(the desk at /secretariat/events/ for events; the actions below for registrations)."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from events.models import Attendee, Event, EventHost, Registration
from events.services.registrations import registration_cancel, registration_check_in
from nominations.errors import WorkflowError


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventHostInline(ReadOnlyMixin, admin.TabularInline):
    model = EventHost
    fields = ("name", "title", "award", "application")
    extra = 0


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "location", "capacity", "state")
    list_filter = ("kind", "state")
    search_fields = ("title", "hosts__name")
    inlines = [EventHostInline]


class AttendeeInline(ReadOnlyMixin, admin.TabularInline):
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
            modeladmin.message_user(request, f"{reg.receipt}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("receipt", "event", "organization", "persons", "status", "created_at")
    list_filter = ("status", "event")
    search_fields = ("receipt", "organization__name", "attendees__name")
    list_select_related = ("event", "organization")
    inlines = [AttendeeInline]
    actions = ["check_in", "cancel"]

    @admin.action(description=_("为所选报名的全部人员签到"))
    def check_in(self, request, queryset):
        _run(self, request, queryset, lambda reg: registration_check_in(registration=reg, actor=request.user),
             _("已签到 %(n)d 个报名。"))

    @admin.action(description=_("取消所选报名（候补按顺序转正）"))
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda reg: registration_cancel(registration=reg, actor=request.user),
             _("已取消 %(n)d 个报名。"))
