"""The admin site: with STAFF_OTP_REQUIRED on, a staff session must have passed the second
step (django-otp's OTPAdminSite asks for the code on its own login form; ours sends the
admin's login to the two-step web login instead, so there is one way in).

django-otp's device admins (TOTP devices, backup codes) and knox's token admin are wrapped so
that adding, changing and deleting a device or a token goes through accounts.services and
into the audit chain (`audit_account_admins`, called from AccountsConfig.ready once the
admins are registered)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from accounts import rules, services


class AwardAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and not rules.otp_unverified(request.user)

    def login(self, request, extra_context=None):
        if not settings.STAFF_OTP_REQUIRED or (request.method == "GET" and request.user.is_authenticated):
            # (signed in but not admitted: the admin's own page says so)
            return super().login(request, extra_context)
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


class AuditedDeviceAdmin:
    """Mixed into django-otp's device admins: every save and delete through the services."""

    def save_model(self, request, obj, form, change):
        services.otp_device_admin_save(device=obj, created=not change, changed=list(form.changed_data),
                                       actor=request.user, ip=request.META.get("REMOTE_ADDR"))

    def delete_model(self, request, obj):
        services.otp_device_delete(device=obj, actor=request.user, ip=request.META.get("REMOTE_ADDR"))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for device in queryset.select_related("user"):
                services.otp_device_delete(device=device, actor=request.user, ip=request.META.get("REMOTE_ADDR"))


class AuditedTokenAdmin:
    """Mixed into knox's token admin: issuing and revoking through the services."""

    def save_model(self, request, obj, form, change):
        if not change and getattr(form, "token", None):
            self.message_user(request, "TOKEN " + form.token, messages.INFO)  # shown once, as knox does
        services.api_token_admin_save(token=obj, created=not change, actor=request.user,
                                      ip=request.META.get("REMOTE_ADDR"))

    def delete_model(self, request, obj):
        services.api_token_revoke(token=obj, actor=request.user, reason="admin", ip=request.META.get("REMOTE_ADDR"))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for token in queryset.select_related("user"):
                services.api_token_revoke(token=token, actor=request.user, reason="admin",
                                          ip=request.META.get("REMOTE_ADDR"))


def audit_account_admins(site=None) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    site = site or admin.site
    for model, mixin in ((TOTPDevice, AuditedDeviceAdmin), (StaticDevice, AuditedDeviceAdmin),
                         (AuthToken, AuditedTokenAdmin)):
        if not site.is_registered(model):
            continue
        current = type(site.get_model_admin(model))
        if issubclass(current, mixin):
            continue
        site.unregister(model)
        site.register(model, type(f"Audited{current.__name__}", (mixin, current), {"__module__": __name__}))
