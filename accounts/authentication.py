"""DRF authentication: knox tokens under the `Token` keyword, and browser sessions that
must have passed the second step for staff accounts when STAFF_OTP_REQUIRED is on."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication

from accounts import rules


class OtpRequired(exceptions.AuthenticationFailed):
    """401 `{"detail", "code": "otp_required"}`."""

    default_detail = _("该账号须使用两步验证：请输入认证器应用显示的 6 位验证码。")
    default_code = "otp_required"

    def __init__(self, detail=None):
        super().__init__({"detail": detail or self.default_detail, "code": self.default_code})


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>` (REST_KNOX AUTH_HEADER_PREFIX). Knox stores only a
    digest of each token, with its expiry; an expired token is deleted when presented.

    Knox also sweeps the user's other expired tokens on every request (one more query per
    request); here a request reads only its own token (one query, as DRF's Token did), and
    a user's expired tokens are swept when a new one is issued."""

    def authenticate_credentials(self, token):
        # Knox decodes the header's bytes as UTF-8 itself: other bytes would be a 500.
        try:
            token.decode("utf-8") if isinstance(token, bytes) else token
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class SessionAuthentication(DRFSessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing a staff session that
    has not passed the second step: 401 `otp_required`."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and rules.otp_unverified(result[0]):
            raise OtpRequired(_("请先在网页登录页完成两步验证。"))
        return result

