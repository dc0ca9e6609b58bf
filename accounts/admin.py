"""The admin site: with STAFF_OTP_REQUIRED on, a staff session must have passed the second
step (django-otp's OTPAdminSite asks for the code on its own login form; ours sends the
admin's login to the two-step web login instead, so there is one way in)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from accounts import rules


class AwardAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and not rules.otp_unverified(request.user)

    def login(self, request, extra_context=None):
        if not settings.STAFF_OTP_REQUIRED or (request.method == "GET" and request.user.is_authenticated):
            # (signed in but not admitted: the admin's own page says so)
            return super().login(request, extra_context)
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
