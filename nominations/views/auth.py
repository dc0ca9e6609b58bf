"""Sign out, sign up (applicants) and password change (the two-step sign-in: accounts.views)."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from nominations.forms.intake import SignupForm
from nominations.services.signup import signup_activate, signup_request
from nominations.views.common import HOUR, client_ip, counted_over, post_data



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
    """Applicants register themselves with a name, an e-mail address (their login) and a
    password. The answer is the same whether or not the address already has an account
    (services.signup), and there is no username to be taken: "check your mailbox"; the link
    in the mail activates the account, signs the applicant in and asks for the organization.

    Limits, per hour: SIGNUP_POSTS_PER_HOUR sign-up posts from one client address (then a
    429 with Retry-After), and SIGNUP_MAILS_PER_HOUR mails to one e-mail address (past it the
    answer is the same "check your mailbox" and nothing is sent or created, so nobody can
    fill a stranger's mailbox). Neither depends on whether the address has an account."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(post_data(request))
    if request.method == "POST":
        if counted_over(f"throttle:signup-web:{client_ip(request) or 'unknown'}", settings.SIGNUP_POSTS_PER_HOUR):
            kept = SignupForm(initial={k: request.POST.get(k, "") for k in ("first_name", "email")})
            response = render(request, "registration/signup.html", {"form": kept, "throttled": True}, status=429)
            response["Retry-After"] = str(HOUR)
            return response
        if form.is_valid():
            data = form.cleaned_data
            address = data["email"].lower()
            if not counted_over(f"throttle:signup-mail:{salted_hmac('signup-mail', address).hexdigest()}",
                                 settings.SIGNUP_MAILS_PER_HOUR):
                signup_request(first_name=data["first_name"], email=data["email"], password=data["password1"],
                               ip=client_ip(request))
            else:
                make_password(data["password1"])  # the same work as a sign-up
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
