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
from nominations.views.common import post_data


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
    """Applicants register themselves, are signed in, and are asked to register their organization."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("注册成功，欢迎使用。下一步：登记您的申报单位。"))
        return redirect("organization_create")
    return render(request, "registration/signup.html", {"form": form})
