"""`POST /api/v1/auth/token/`: API tokens."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from nominations.enums import Transition

# The history shows the workflow: creation and every transition, oldest first.
HISTORY_ACTIONS = ("create", *Transition.values)


# -- auth -----------------------------------------------------------------------------
class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenObtainView(ObtainAuthToken):
    """`POST /auth/token/` {"username", "password"} → {"token"}; bad credentials → 400;
    too many failures for this username from this IP (django-axes) → 403 `locked_out`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="auth_token_create", request=AuthTokenSerializer,
                   responses={200: TokenSerializer, 400: OpenApiResponse(description="用户名或密码错误"),
                              403: OpenApiResponse(description="登录失败次数过多，账号暂时锁定（code: locked_out）")},
                   tags=["auth"])
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # The serializer passes this request to authenticate(); the Axes backend refuses a
            # locked-out pair (even with the right password) and flags the request.
            if getattr(request, "axes_locked_out", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                detail = _("登录失败次数过多，账号已暂时锁定。请 %(minutes)s 分钟后再试，或联系评选秘书处。")
                return Response({"detail": detail % {"minutes": minutes}, "code": "locked_out"},
                                status=status.HTTP_403_FORBIDDEN)
            raise


