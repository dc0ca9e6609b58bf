"""Request middleware of the deployment (not of any one app)."""
from __future__ import annotations

from django.conf import settings


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
