"""Strict request parsing for the API: every malformed body becomes a 400 before a view runs.

JSON bodies (StrictJSONParser, the default parser) must be an object, nest no deeper than
MAX_DEPTH, carry no NUL or unpaired surrogate in any string or key, no integer outside the
64-bit range of the database's integer columns, and no NaN / Infinity (nor 1e400). Form and multipart
bodies go through DRF's parsers and its CharField (which already refuses NUL); the path and
query string are checked by config.middleware.RequestSanityMiddleware.
"""
from __future__ import annotations

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


class BadInput(ValueError):
    """A value that no field of the API accepts; `field` names the top-level key it sits
    under, when there is one (the answer is then {field: [message]}, like a field error)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    def body(self) -> dict:
        if self.field:
            return {self.field: [str(self)]}
        return {"detail": str(self), "code": "parse_error"}


def string_problem(value: str) -> str | None:
    """Why a string cannot be stored (NUL: PostgreSQL text refuses it; a lone surrogate
    cannot be encoded as UTF-8), or None."""
    if "\x00" in value:
        return _("文本中不能含有空字符（\\u0000）。")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("文本中含有无效的 Unicode 字符（未配对的代理项）。")
    return None


def check_value(value, depth: int = 0) -> None:
    """Walk a parsed JSON value; raise BadInput with a message at the first bad part."""
    if depth > MAX_DEPTH:
        raise BadInput(_("JSON 嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_DEPTH})
    if isinstance(value, str):
        problem = string_problem(value)
        if problem:
            raise BadInput(problem)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise BadInput(_("整数超出允许范围。"))
    elif isinstance(value, float):
        if not math.isfinite(value):  # 1e400 parses as infinity
            raise BadInput(_("数值超出允许范围（非有限数）。"))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, depth + 1)
            check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_value(item, depth + 1)


def install_integer_bounds() -> None:
    """Every DRF and Django form IntegerField refuses values beyond the 64-bit columns (called by
    NominationsConfig.ready): an integer sent as a string ("99999999999999999999") escapes the
    parser's check but not this one. Django's validator classes, so that drf-spectacular
    writes the bounds into the schema (minimum / maximum)."""
    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.utils.translation import gettext_lazy
    from rest_framework import serializers

    from django import forms

    message = gettext_lazy("数值超出允许范围。")
    bounds = [MinValueValidator(INT64_MIN, message=message), MaxValueValidator(INT64_MAX, message=message)]
    serializers.IntegerField.default_validators = bounds
    forms.IntegerField.default_validators = bounds  # the web forms' too (and their Decimal/Float subclasses)


def _no_constant(name: str):
    raise BadInput(_("JSON 中不能使用 %(name)s（非有限数）。") % {"name": name})


def strict_loads(raw: bytes, encoding: str = "utf-8") -> dict:
    """Parse a JSON request body under the limits above, or raise BadInput saying why."""
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise BadInput(_("请求内容不是有效的 %(encoding)s 文本。") % {"encoding": encoding}) from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
        if isinstance(data, dict):
            _check_fields(data)
    except RecursionError:
        raise BadInput(_("JSON 嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_DEPTH}) from None
    except BadInput:
        raise
    except ValueError as exc:  # json.JSONDecodeError, int() of a 5,000-digit literal
        raise BadInput(_("JSON 格式错误：%(error)s") % {"error": exc}) from None
    if not isinstance(data, dict):
        raise BadInput(_("请求内容应为 JSON 对象（{...}）。"))
    return data


def _check_fields(data: dict) -> None:
    for key, item in data.items():
        check_value(key, 1)
        try:
            check_value(item, 1)
        except BadInput as exc:
            exc.field = key
            raise


def is_json(content_type: str) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


# Where RequestSanityMiddleware leaves the body it has already parsed for the parser below.
PARSED_ATTR = "_strict_json"


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the limits above; the body must be an object. Reuses the parse
    done by config.middleware.RequestSanityMiddleware, which applies the same limits to every
    JSON body under /api/ (whatever parsers a view lists)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = getattr(parser_context.get("request"), "_request", None)
        parsed = getattr(request, PARSED_ATTR, None)
        if parsed is not None:
            return parsed
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return strict_loads(stream.read(), encoding)
        except BadInput as exc:
            raise ParseError(str(exc)) from None
