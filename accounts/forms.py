from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
