"""API shapes of `/api/v1/auth/token/` (API.md, Conventions)."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.backends import EMAIL_MAX_LENGTH


class TokenObtainSerializer(serializers.Serializer):
    """Checks the password like DRF's AuthTokenSerializer did (same messages), through
    authenticate() with the request, so that django-axes counts failures and locks."""

    username = serializers.CharField(write_only=True, max_length=EMAIL_MAX_LENGTH,
                                     help_text=_("用户名，或账号的电子邮箱"))
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=4096)
    otp = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32,
                                help_text=_("认证器应用显示的 6 位验证码（或一个备用码）；须使用两步验证的账号必填。"))

    def validate(self, attrs):
        user = authenticate(request=self.context.get("request"), username=attrs["username"],
                            password=attrs["password"])
        if not user:
            # DRF's own message and code (its translations).
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("请求时放在 Authorization 头：Token <token>"))
    expires_at = serializers.DateTimeField()


# -- errors (documentation only: the views and the exception handler produce these bodies) ----
class AuthErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="otp_required | locked_out | not_authenticated | authentication_failed")


class TokenObtainErrorSerializer(serializers.Serializer):
    """400: the messages per field; a wrong username or password under non_field_errors."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    username = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)
    otp = serializers.ListField(child=serializers.CharField(), required=False)
