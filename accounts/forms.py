from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.backends import EMAIL_MAX_LENGTH


class LoginForm(AuthenticationForm):
    """The password step: the username, or the e-mail address (accounts.backends)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("用户名或电子邮箱")
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs.update({"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "username",
                                   "autocapitalize": "none", "spellcheck": "false"})


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
                                      "autocapitalize": "off", "class": "input--code"}),
    )


class EnrolCodeForm(forms.Form):
    code = forms.CharField(
        label=_("认证器应用显示的 6 位验证码"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false", "class": "input--code"}),
    )


class ResetRequestForm(PasswordResetForm):
    """Django's form: the active accounts with a usable password and this address (any case)
    each get a link; the mail goes out after the commit through the project's mail
    (accounts.services.password_reset_mail), never by Django's own sending."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = _("电子邮箱")
        field.help_text = _("填写账号登记的电子邮箱。")
        field.widget.attrs.update({"autocomplete": "email", "autofocus": True, "spellcheck": "false",
                                   "autocapitalize": "none"})

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from accounts.services import password_reset_mail

        password_reset_mail(user=context["user"], uid=context["uid"], token=context["token"], email=to_email)


class ResetPasswordForm(SetPasswordForm):
    """Django's form, checked by AUTH_PASSWORD_VALIDATORS; saved by accounts.services.password_reset_set."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
