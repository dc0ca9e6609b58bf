"""Sign out, sign up (applicants) and password change (the two-step sign-in: accounts.views)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from nominations.forms.intake import SignupForm
from nominations.services.signup import signup_activate, signup_request
from nominations.views.common import client_ip, post_data


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。"))
        return response


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Applicants register themselves. The answer is the same whether or not the e-mail
    already has an account (services.signup): "check your mailbox"; the link in the mail
    activates the account, signs the applicant in and asks for the organization."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_request(username=data["username"], first_name=data["first_name"], email=data["email"],
                       password=data["password1"], ip=client_ip(request))
        request.session["signup_email"] = data["email"]
        return redirect("signup_sent")
    return render(request, "registration/signup.html", {"form": form})


def signup_sent(request):
    """After a sign-up: the same page whatever happened to the address."""
    return render(request, "registration/signup_sent.html", {"email": request.session.get("signup_email", "")})


def signup_activate_view(request, uidb64: str, token: str):
    """The activation link of the sign-up mail: activates, signs in once, asks for the organization."""
    user = signup_activate(uidb64=uidb64, token=token, ip=client_ip(request))
    if user is None:
        return render(request, "registration/signup_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop("signup_email", None)
    messages.success(request, _("注册成功，欢迎使用。下一步：登记您的申报单位。"))
    return redirect("organization_create")
