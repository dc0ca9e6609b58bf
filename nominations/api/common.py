"""Shared pieces of the nominations and judging APIs: error responses for the schema,
validation, client address, the secretariat permission, pagination, the public catalog mixin."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.throttling import AnonRateThrottle

from nominations import rules



def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def error_responses(*codes: int) -> dict:
    """Error answers for @extend_schema: a 400 has field errors or {"detail", "code"}, the
    others {"detail", "code"} (API.md, Conventions). nominations.api.schema.AutoSchema adds
    the ones the framework implies (401, 403, 404, 415, 429) to every operation anyway."""
    from nominations.api.schema import error_response

    return {code: error_response(code) for code in codes}


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def reject_unwritable(data, serializer: serializers.Serializer) -> None:
    """PATCH must not silently drop fields it cannot change (state, uscc, ...)."""
    writable = {name for name, field in serializer.fields.items() if not field.read_only}
    messages = {"state": _("状态只能通过流转操作（transitions）改变。"),
                "uscc": _("统一社会信用代码登记后不能修改；如有错误，请联系秘书处。")}
    unknown = sorted(set(data.keys()) - writable)
    if unknown:
        raise ValidationError({key: [messages.get(key, _("该字段不能修改。"))] for key in unknown})


class IsSecretariat(BasePermission):
    message = _("只有秘书处可以执行此操作。")

    def has_permission(self, request, view) -> bool:
        return rules.is_secretariat(request.user)


class ApplicationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PublicCatalogView:
    """Mixin for the public catalog: anyone may read, anonymous callers are throttled."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    pagination_class = None


