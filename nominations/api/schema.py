"""The OpenAPI schema says what the API answers, errors included (issue 8).

`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to every operation the error
answers the framework itself can give, with the bodies of API.md (Conventions), unless the
view documents them itself:

- 400 `{"field": ["message"]}` or `{"detail", "code"}`: any operation with a body, a query
  parameter or a path parameter (validation, a body that does not parse, a bad filter, a
  NUL or an out-of-range integer refused by config.middleware.RequestSanityMiddleware);
- 401 / 403 `{"detail", "code"}`: any operation that is not public (not logged in; a role
  that may not, or a missing CSRF token with session authentication);
- 404: any operation with a path parameter (missing or not visible), and paginated lists
  (a page past the end);
- 415: any operation with a body (a content type the view does not parse);
- 429: any throttled operation.

Paginated lists are documented as `{"count", "next", "previous", "results"}` by
drf-spectacular when the view has a paginator, which every paginated view must name.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from nominations.api.serializers import ErrorSerializer  # {"detail", "code"} (+ "missing")


class ValidationErrorSerializer(serializers.Serializer):
    """A 400: field errors `{"<field>": ["message", ...]}` (nested for nested fields), or
    `{"detail", "code"}` (with `missing` when conditions are unmet), or both."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    missing = serializers.ListField(child=serializers.CharField(), required=False)


DESCRIPTIONS = {
    400: gettext_lazy("输入有误或条件未满足：{\"字段\": [\"说明\"]} 或 {\"detail\", \"code\"}"),
    401: gettext_lazy("未登录（code: not_authenticated）"),
    403: gettext_lazy("已登录但无权执行（code: permission_denied 等）"),
    404: gettext_lazy("不存在或无权查看（code: not_found）"),
    409: gettext_lazy("当前状态不允许（invalid_state）或并发修改（conflict）"),
    415: gettext_lazy("不支持的请求内容类型（code: unsupported_media_type）"),
    429: gettext_lazy("请求过于频繁（code: throttled）"),
}


def error_response(code: int) -> OpenApiResponse:
    return OpenApiResponse(ValidationErrorSerializer if code == 400 else ErrorSerializer,
                           description=DESCRIPTIONS[code])


class AutoSchema(openapi.AutoSchema):
    def _is_public(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(p, AllowAny) for p in permissions)

    def _implied_errors(self, operation: dict) -> list[int]:
        locations = {p.get("in") for p in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        codes = set()
        if has_body or locations & {"query", "path"}:
            codes.add(400)
        if not self._is_public():
            codes |= {401, 403}
        if "path" in locations or (self.method == "GET" and self._is_list_view() and self._get_paginator()):
            codes.add(404)
        if has_body:
            codes.add(415)
        if self.view.get_throttles():
            codes.add(429)
        return sorted(codes)

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._implied_errors(operation):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(error_response(code), str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation
