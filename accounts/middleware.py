"""A signed-in staff session that has not passed the second step may not use the site when
STAFF_OTP_REQUIRED is on (one that predates the policy, or was opened by another path):
it is signed out and sent to the two-step login. Place after django_otp's OTPMiddleware.
The API answers such a session itself (accounts.authentication: 401 `otp_required`)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import rules


class StaffOTPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_OTP_REQUIRED and not request.path_info.startswith(("/api/", settings.STATIC_URL)):
            user = getattr(request, "user", None)
            if user is not None and rules.otp_unverified(user):
                logout(request)
                if request.path_info != reverse("login"):
                    messages.warning(request, _("该账号须使用两步验证，请重新登录。"))
                    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
