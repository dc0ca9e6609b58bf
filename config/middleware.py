"""Request middleware of the deployment (not of any one app)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError

from nominations.api.parsers import INT64_MAX


class TrustedProxyMiddleware:
    """Behind TRUSTED_PROXY_COUNT reverse proxies, take the client's address from
    X-Forwarded-For, so that throttles, django-axes lockouts and audit records see the
    client rather than the proxy. Each proxy appends the address it saw; the N-th entry
    from the right is the one written by the outermost trusted proxy. With no trusted
    proxy (the default) the header is ignored: a client could write anything in it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)

    def __call__(self, request):
        if self.count > 0:
            forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                         if part.strip()]
            if len(forwarded) >= self.count:
                request.META["REMOTE_ADDR"] = forwarded[-self.count]
        return self.get_response(request)


API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _error_body(status: int) -> dict:
    from django.utils.translation import gettext as _

    messages = {
        400: (_("请求格式有误。"), "bad_request"),
        401: (_("未登录或登录已失效。"), "not_authenticated"),
        403: (_("无权执行此操作。"), "permission_denied"),
        404: (_("接口或对象不存在。"), "not_found"),
        405: (_("不支持该请求方法。"), "method_not_allowed"),
        413: (_("请求内容过大。"), "too_large"),
        429: (_("请求过于频繁，请稍后再试。"), "throttled"),
    }
    detail, code = messages.get(status, (_("服务器内部错误，请稍后重试。"), "server_error") if status >= 500
                                else (_("请求无法处理。"), "error"))
    return {"detail": detail, "code": code}


class ApiJsonErrorsMiddleware:
    """The API never answers with HTML: an error response under /api/ that is not JSON (an
    unknown path, Django's 400/403/404/500 pages, a CSRF or lockout page) is replaced by
    ``{"detail", "code"}`` with the same status. Place it first, so that it sees every
    response, including those made from exceptions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code >= 400 and _is_api(request)
                and not response.get("Content-Type", "").startswith("application/json")
                and not getattr(response, "streaming", False)):
            from django.http import JsonResponse

            json_response = JsonResponse(_error_body(response.status_code), status=response.status_code,
                                         json_dumps_params={"ensure_ascii": False})
            for header, value in response.headers.items():  # Allow, Retry-After, the security headers
                if header.lower() not in ("content-type", "content-length"):
                    json_response.headers[header] = value
            return json_response
        return response


def _huge_path_integer(path: str) -> bool:
    """A path segment of ASCII digits (what Django's <int:> matches) beyond the 64-bit range."""
    return any(segment.isdigit() and segment.isascii() and (len(segment.lstrip("0")) > 19 or int(segment) > INT64_MAX)
               for segment in path.split("/"))


class RequestSanityMiddleware:
    """Refuse, before any view runs, what no view can use safely:
    - a NUL character in the path, a query parameter or a form field (PostgreSQL refuses it
      in text, so it would surface as a database error; some views read request.POST directly);
    - under /api/, an integer-looking query value written with non-ASCII digits or outside
      the 64-bit range of the id columns ({"<param>": [message]});
    - under /api/, a JSON body beyond nominations.api.parsers' limits (not an object, too
      deep, NUL, huge integers, NaN), whichever parsers the view lists; over 5 MB → 413.
    Answers 400 (JSON under /api/, a short page elsewhere). A path id beyond the 64-bit
    range names nothing that can exist: 404, before a view queries the database with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _huge_path_integer(request.path_info):
            return self.not_found(request)
        problem = self.problem(request)
        if problem is not None:
            return self.refuse(request, *problem)
        if _is_api(request) and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            refused = self.check_json_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def check_json_body(request):
        """Every JSON body under /api/ passes nominations.api.parsers' limits, whichever parser
        the view lists; the parsed object is kept for StrictJSONParser (parsed once)."""
        from nominations.api.parsers import PARSED_ATTR, BadInput, is_json, strict_loads

        if not is_json(request.content_type) or not request.META.get("CONTENT_LENGTH", "0").strip("0"):
            return None
        from django.core.exceptions import RequestDataTooBig
        from django.http import JsonResponse

        try:
            data = strict_loads(request.body, request.encoding or settings.DEFAULT_CHARSET)
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE (DRF would read it all)
            from django.utils.translation import gettext as _

            return JsonResponse({"detail": _("请求内容过大。"), "code": "too_large"}, status=413,
                                json_dumps_params={"ensure_ascii": False})
        except BadInput as exc:
            return JsonResponse(exc.body(), status=400, json_dumps_params={"ensure_ascii": False})
        setattr(request, PARSED_ATTR, data)
        return None

    @staticmethod
    def not_found(request):
        from django.http import HttpResponseNotFound, JsonResponse
        from django.utils.translation import gettext as _

        if _is_api(request):
            return JsonResponse(_error_body(404), status=404, json_dumps_params={"ensure_ascii": False})
        return HttpResponseNotFound(_("页面不存在。"), content_type="text/plain; charset=utf-8")

    @staticmethod
    def problem(request) -> tuple[str | None, str] | None:
        from django.utils.translation import gettext as _

        if "\x00" in request.path_info:
            return None, _("地址或查询参数中不能含有空字符。")
        try:
            query = list(request.GET.lists())
        except TooManyFieldsSent:
            return None, _("查询参数过多。")
        for name, values in query:
            if "\x00" in name or any("\x00" in value for value in values):
                return None, _("地址或查询参数中不能含有空字符。")
            if not _is_api(request):
                continue
            for value in values:
                digits = value.strip().lstrip("+-")
                if digits and digits.isdecimal():
                    if not digits.isascii():
                        return name, _("数字应使用半角阿拉伯数字（0–9）。")
                    if len(digits.lstrip("0")) > 19 or int(digits) > INT64_MAX:  # no int() of 5,000 digits
                        return name, _("数值超出允许范围。")
        if request.method == "POST" and request.content_type in FORM_TYPES:
            # Form fields: Django's and DRF's CharField refuse NUL, but some views read
            # request.POST directly (notes, reasons); refuse it once, here, for all of them.
            try:
                fields = list(request.POST.lists())
            except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
                return None, _("表单内容格式有误。")
            for name, values in fields:
                if "\x00" in name or any("\x00" in value for value in values):
                    return None, _("提交的内容中不能含有空字符。")
        return None

    @staticmethod
    def refuse(request, name: str | None, message: str):
        from django.http import HttpResponseBadRequest, JsonResponse

        if _is_api(request):
            body = {name: [message]} if name else {"detail": message, "code": "bad_request"}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        from django.template.loader import render_to_string

        return HttpResponseBadRequest(render_to_string("bad_request.html", {"message": message}))


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from settings.PERMISSIONS_POLICY ({feature: [origins]}; an
    empty list refuses the feature everywhere: ``camera=()``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})

        def origin(value: str) -> str:
            return value if value in ("self", "*") else f'"{value}"'

        self.header = ", ".join(f"{feature}=({' '.join(origin(o) for o in origins)})"
                                for feature, origins in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
