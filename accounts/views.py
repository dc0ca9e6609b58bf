"""Web sign-in in two steps, TOTP enrolment, backup codes and password reset by e-mail.

Step 1 (`login`) checks the password. An account that signs in with two factors
(accounts.services.two_factor_login) is not signed in yet: the session holds a *pending*
sign-in (user id, authentication backend, the password-derived session hash, the time,
where to go next) and the browser goes to step 2 (`login_otp`), or to enrolment
(`otp_setup`) when the account has no TOTP device yet. Only a right code signs in
(django.contrib.auth.login, then django_otp.login marks the session verified). So no
session is ever signed in with the password alone when two factors are required.

Wrong codes count as failed logins for django-axes (same counter as wrong passwords, per
username and address); at the limit the pending sign-in is dropped and the lockout page shown.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import rules, services
from accounts.forms import EnrolCodeForm, LoginForm, OtpCodeForm, ResetPasswordForm, ResetRequestForm
from accounts.tokens import password_reset_tokens
from nominations.views.common import HOUR, client_ip, counted_over  # shared with the other web views

PENDING_KEY = services.PENDING_LOGIN_KEY
BACKUP_CODES_KEY = "accounts.backup_codes"


# -- the pending sign-in -------------------------------------------------------------------
def pending_start(request, user, next_url: str) -> None:
    request.session.cycle_key()  # a new session key for the half-signed-in state
    request.session[PENDING_KEY] = {
        "user": user.pk, "backend": user.backend, "hash": user.get_session_auth_hash(),
        "at": int(time.time()), "next": next_url,
    }


def pending_user(request):
    """The account waiting for its second step, if the pending sign-in is still good: not
    expired (OTP_LOGIN_TIMEOUT seconds), the account active, its password unchanged."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > settings.OTP_LOGIN_TIMEOUT:
        pending_clear(request)
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), pending.get("hash", "")):
        pending_clear(request)
        return None
    user.backend = pending["backend"]
    return user


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_next(request) -> str:
    pending = request.session.get(PENDING_KEY) or {}
    return pending.get("next") or resolve_default_next()


def resolve_default_next() -> str:
    return reverse(settings.LOGIN_REDIRECT_URL)


def sign_in(request, user, device) -> str:
    """Complete the sign-in after the second step; returns where to go."""
    next_url = pending_next(request)
    login(request, user, backend=user.backend)
    otp_login(request, device)
    pending_clear(request)
    return next_url


def axes_locked(request, username: str) -> bool:
    """Whether django-axes locks this username from this address now (then the request is
    flagged, and AxesMiddleware answers with the lockout page)."""
    if not settings.AXES_ENABLED:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": username}
    if AxesProxyHandler.is_allowed(request, credentials):
        return False
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return True


def code_failed(request, user) -> bool:
    """Record a wrong code as a failed login; True when that locked the account (the pending
    sign-in is then dropped)."""
    if services.wrong_code_reported(request=request, user=user):
        pending_clear(request)
        return True
    return False


too_soon = services.too_soon_message


# -- step 1: password ----------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not services.two_factor_login(user):
            return super().form_valid(form)
        pending_start(self.request, user, self.get_success_url())
        return redirect("login_otp" if services.has_totp(user) else "otp_setup")


# -- step 2: the code ----------------------------------------------------------------------
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_otp(request):
    user = pending_user(request)
    if user is None:
        messages.warning(request, _("登录已超时或未完成，请重新输入用户名和密码。"))
        return redirect("login")
    if not services.has_totp(user):
        return redirect("otp_setup")
    form = OtpCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if axes_locked(request, user.get_username()):
            pending_clear(request)
            return render(request, "registration/login_otp.html", {"form": form, "pending": user}, status=403)
        check = services.otp_verify(user=user, code=form.cleaned_data["code"], via="web", ip=client_ip(request))
        device = check.device
        if device is not None:
            next_url = sign_in(request, user, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, _("您使用了一个备用码（每个只能用一次），还剩 %(left)s 个。用完前请在“两步验证”页面生成新的备用码。")
                                 % {"left": services.backup_codes_left(user)})
            return redirect(next_url)
        if check.wait:
            form.add_error("code", too_soon(check.wait))
        else:
            form.add_error("code", _("验证码不正确或已使用过。请输入认证器应用当前显示的 6 位数字，或一个未用过的备用码。"))
            code_failed(request, user)
    return render(request, "registration/login_otp.html", {"form": form, "pending": user})


# -- enrolment ---------------------------------------------------------------------------
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Bind an authenticator app: scan the QR code (or type the secret), confirm with a first
    code; the account then gets its backup codes, shown once. Reached in the middle of a
    sign-in (a staff account without a device when two factors are required) or, by a
    signed-in staff account, by choice."""
    user = pending_user(request)
    pending = user is not None
    if not pending:
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if not rules.is_staff_account(user):
            messages.info(request, _("两步验证适用于秘书处、审定委员和评审专家账号。"))
            return redirect("home")
    if services.has_totp(user):
        if pending:
            return redirect("login_otp")
        messages.info(request, _("您的账号已启用两步验证。"))
        return redirect("otp_backup_codes")
    device = services.totp_enrolment_device(user)
    form = EnrolCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if pending and axes_locked(request, user.get_username()):
            pending_clear(request)
            return render(request, "registration/otp_setup.html", _setup_context(device, form, pending), status=403)
        check = services.totp_enrol_confirm(device=device, code=form.cleaned_data["code"], ip=client_ip(request))
        if check:
            device = check.device
            codes = services.backup_codes_create(user=user, via="enrol", actor=user, ip=client_ip(request))
            if pending:
                next_url = sign_in(request, user, device)
            else:
                otp_login(request, device)
                next_url = reverse("otp_backup_codes")
            request.session[BACKUP_CODES_KEY] = {"codes": codes, "next": next_url}
            messages.success(request, _("两步验证已启用。"))
            return redirect("otp_backup_codes")
        if check.wait:
            form.add_error("code", too_soon(check.wait))
        else:
            form.add_error("code", _("验证码不正确。请确认手机时间准确，并输入应用当前显示的 6 位数字。"))
            if pending:
                code_failed(request, user)
    return render(request, "registration/otp_setup.html", _setup_context(device, form, pending))


def _setup_context(device, form, pending) -> dict:
    return {"form": form, "qr_svg": services.totp_qr_svg(device), "secret": services.totp_secret(device),
            "issuer": settings.OTP_TOTP_ISSUER, "account": device.user.get_username(), "pending": pending}


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_backup_codes(request):
    """The backup codes just made, shown once (the session forgets them on display); a
    verified staff session may replace its set here."""
    user = request.user
    if request.method == "POST":
        if not (services.has_totp(user) and user.is_verified()):
            messages.error(request, _("请先用两步验证登录，再生成新的备用码。"))
            return redirect("otp_backup_codes")
        codes = services.backup_codes_create(user=user, via="web", actor=user, ip=client_ip(request))
        request.session[BACKUP_CODES_KEY] = {"codes": codes, "next": reverse("otp_backup_codes")}
        messages.success(request, _("已生成新的备用码，原来的备用码已全部作废。"))
        return redirect("otp_backup_codes")
    shown = request.session.pop(BACKUP_CODES_KEY, None) or {}
    next_url = shown.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = resolve_default_next()
    return render(request, "registration/otp_backup_codes.html", {
        "codes": shown.get("codes"), "next": next_url, "enrolled": services.has_totp(user),
        "left": services.backup_codes_left(user), "verified": user.is_verified(),
    })


# -- password reset by e-mail ------------------------------------------------------------------
RESET_EMAIL_KEY = "accounts.password_reset_email"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. Every valid request gets the same answer (the "sent" page, whatever
    the address): the mail goes only to an active account with a usable password and this
    address (Django's PasswordResetForm.get_users), after the commit (accounts.services).

    Limits, per hour, with sign-up's counters in the shared cache: PASSWORD_RESET_POSTS_PER_HOUR
    posts from one client address (then a 429 with Retry-After), PASSWORD_RESET_MAILS_PER_HOUR
    requests for one e-mail address (past it the same answer, and nothing is sent). Neither
    depends on whether the address has an account."""

    template_name = "registration/password_reset_form.html"
    form_class = ResetRequestForm
    token_generator = password_reset_tokens
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if counted_over(f"throttle:reset-web:{client_ip(request) or 'unknown'}", settings.PASSWORD_RESET_POSTS_PER_HOUR):
            kept = self.form_class(initial={"email": str(request.POST.get("email", ""))[:254]})
            response = self.render_to_response(self.get_context_data(form=kept, throttled=True), status=429)
            response["Retry-After"] = str(HOUR)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        self.request.session[RESET_EMAIL_KEY] = form.cleaned_data["email"]
        if counted_over(f"throttle:reset-mail:{salted_hmac('reset-mail', address).hexdigest()}",
                        settings.PASSWORD_RESET_MAILS_PER_HOUR):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """After a request: the same page whatever happened to the address."""

    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "email": self.request.session.get(RESET_EMAIL_KEY, ""),
                **services.password_reset_link_lifetime()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of the mail (Django moves the token into the session and the address bar to
    .../set-password/, so the token leaves no Referer). A wrong, used or expired link, or one of
    an account since deactivated or left without a usable password: 400 and the "invalid
    link" page. The new password goes through accounts.services.password_reset_set (tokens
    revoked, other sessions ended, audited); nobody is signed in: a staff account still gives
    its second factor at the next sign-in."""

    template_name = "registration/password_reset_confirm.html"
    form_class = ResetPasswordForm
    token_generator = password_reset_tokens
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is not None and not (user.is_active and user.has_usable_password()):
            return None
        return user

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        token = self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        user = services.password_reset_set(form=form, token=token, ip=client_ip(self.request))
        if user is None:
            self.validlink = False
            return self.render_to_response(self.get_context_data(form=None))
        self.request.session.pop(RESET_EMAIL_KEY, None)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
