"""`/api/v1/auth/token/`: POST a password (and a TOTP code for staff) for a token that
expires; DELETE revokes the token the request was made with."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import OtpRequired, TokenAuthentication
from accounts.serializers import (
    AuthErrorSerializer,
    TokenObtainErrorSerializer,
    TokenObtainSerializer,
    TokenSerializer,
)


def locked_out_response() -> Response:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = _("登录失败次数过多，账号已暂时锁定。请 %(minutes)s 分钟后再试，或联系评选秘书处。")
    return Response({"detail": detail % {"minutes": minutes}, "code": "locked_out"}, status=status.HTTP_403_FORBIDDEN)


class TokenView(APIView):
    """`POST` signs in: `{"username", "password"}` (+ `"otp"` for staff accounts that must use
    two factors) → `{"token", "expires_at"}`, a new token each time. `DELETE` with
    `Authorization: Token <token>` revokes that token → 204."""

    def initialize_request(self, request, *args, **kwargs):
        self._method = request.method  # get_authenticators() runs before self.request is the DRF request
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        return [] if getattr(self, "_method", None) == "POST" else [TokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self._method == "POST" else [IsAuthenticated()]

    def get_authenticate_header(self, request):
        return TokenAuthentication().authenticate_header(request)  # 401, not 403, for otp_required

    def get_throttles(self):
        return [AnonRateThrottle()] if self._method == "POST" else []

    @extend_schema(
        operation_id="auth_token_create", request=TokenObtainSerializer, tags=["auth"],
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(TokenObtainErrorSerializer, description="用户名或密码错误（non_field_errors），或字段缺失、过长"),
            401: OpenApiResponse(AuthErrorSerializer, description="须使用两步验证：缺少验证码或验证码不正确（code: otp_required）"),
            403: OpenApiResponse(AuthErrorSerializer, description="登录失败次数过多，账号暂时锁定（code: locked_out）"),
        })
    def post(self, request, *args, **kwargs):
        serializer = TokenObtainSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # authenticate() got this request: the Axes backend refuses a locked-out pair
            # (even with the right password) and flags the request.
            if getattr(request, "axes_locked_out", False):
                return locked_out_response()
            raise
        user = serializer.validated_data["user"]
        if services.two_factor_login(user):
            if not services.has_totp(user):
                raise OtpRequired(_("该账号须使用两步验证，但尚未绑定认证器：请先在网页登录并按提示绑定，或联系评选秘书处。"))
            code = serializer.validated_data.get("otp")
            if not code:
                raise OtpRequired()
            check = services.otp_verify(user=user, code=code, via="api", ip=request.META.get("REMOTE_ADDR"))
            if check.wait:
                raise OtpRequired(services.too_soon_message(check.wait))
            if not check:
                if services.wrong_code_reported(request=request, user=user):
                    return locked_out_response()
                raise OtpRequired(_("验证码不正确或已使用过，请输入认证器应用当前显示的 6 位验证码。"))
        instance, token = services.api_token_create(user=user, ip=request.META.get("REMOTE_ADDR"))
        update_last_login(None, user)
        return Response(TokenSerializer({"token": token, "expires_at": instance.expiry}).data)

    @extend_schema(operation_id="auth_token_destroy", request=None, tags=["auth"],
                   responses={204: OpenApiResponse(description="令牌已注销（之后用它的请求得到 401）"),
                              401: OpenApiResponse(AuthErrorSerializer, description="未提供令牌，或令牌无效、已过期")})
    def delete(self, request, *args, **kwargs):
        services.api_token_revoke(token=request.auth, ip=request.META.get("REMOTE_ADDR"))
        return Response(status=status.HTTP_204_NO_CONTENT)
