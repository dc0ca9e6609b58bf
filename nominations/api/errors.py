"""Map domain errors to the API's error bodies (API.md: detail, code, missing / field errors)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from nominations.errors import WorkflowError


def workflow_error_response(exc: WorkflowError) -> Response:
    if exc.field_errors and exc.status == 400 and not exc.missing:
        body = {**exc.field_errors}
        body.setdefault("detail", exc.message)
        body.setdefault("code", exc.code)
        return Response(body, status=exc.status)
    body = {"detail": exc.message, "code": exc.code}
    if exc.missing:
        body["missing"] = exc.missing
    return Response(body, status=exc.status)


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        return workflow_error_response(exc)
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": _("当前状态不允许该操作。"), "code": "invalid_state"},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ConcurrentTransition):
        return Response({"detail": _("数据已被他人同时修改，请刷新后重试。"), "code": "conflict"},
                        status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ParseError) and response is not None:
        # A body that is not JSON, not an object, too deep, or carries NUL / huge integers
        # (nominations.api.parsers): one shape with a code, like the other errors.
        response.data = {"detail": str(exc.detail), "code": "parse_error"}
    return with_code(response, exc)


def with_code(response, exc):
    """DRF's own errors (not authenticated, permission denied, not found, method not allowed,
    unsupported media type, throttled) answer {"detail"}; add the "code" every error body
    has (API.md, Conventions), e.g. "not_authenticated", "throttled"."""
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        response.data = {"detail": response.data["detail"], "code": codes if isinstance(codes, str) else "error"}
    return response
