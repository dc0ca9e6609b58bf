"""DRF authentication: knox tokens under the `Token` keyword, and browser sessions that
must have passed the second step for staff accounts when STAFF_OTP_REQUIRED is on."""
from __future__ import annotations

import re
from functools import lru_cache
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication

from accounts import rules
from config.db import planned_cursor


class OtpRequired(exceptions.AuthenticationFailed):
    """401 `{"detail", "code": "otp_required"}`."""

    default_detail = _("该账号须使用两步验证：请输入认证器应用显示的 6 位验证码。")
    default_code = "otp_required"

    def __init__(self, detail=None):
        super().__init__({"detail": detail or self.default_detail, "code": self.default_code})


# Knox tokens are hex (with an optional TOKEN_PREFIX); anything else is refused before a query.
_TOKEN_SHAPE = re.compile(r"[0-9A-Za-z_-]{1,256}")


@lru_cache(maxsize=4)
def _token_sql(vendor: str) -> str:
    """The token lookup with its user, as knox's ``filter(token_key=…).select_related("user")``
    would build it, written once per database: every API request runs it, and the ORM spent
    more time compiling it than the database spends answering it (benchmarks/autosave.py)."""
    q = connection.ops.quote_name
    token_model, user_model = get_token_model(), get_user_model()
    columns = [f"t.{q(f.column)}" for f in token_model._meta.concrete_fields]
    columns += [f"u.{q(f.column)}" for f in user_model._meta.concrete_fields]
    user_fk = token_model._meta.get_field("user")
    return (f"SELECT {', '.join(columns)} FROM {q(token_model._meta.db_table)} t "
            f"JOIN {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)} = t.{q(user_fk.column)} "
            f"WHERE t.{q(token_model._meta.get_field('token_key').column)} = %s")


@lru_cache(maxsize=8)
def _converters(model, vendor: str) -> list[tuple]:
    """Per concrete field: (its column expression, the converters the ORM would apply to a
    value read from this database: timezone-aware datetimes on SQLite, …). They depend on the
    settings and the database vendor only."""
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


def _loaded(model, values) -> object:
    fields = model._meta.concrete_fields
    converted = []
    for value, (col, converters) in zip(values, _converters(model, connection.vendor)):
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _tokens_with_user(token_key: str) -> list:
    """Knox tokens with this key, each with its user loaded (one query)."""
    token_model, user_model = get_token_model(), get_user_model()
    width = len(token_model._meta.concrete_fields)
    with planned_cursor() as cursor:  # planned once per connection on PostgreSQL
        cursor.execute(_token_sql(connection.vendor), [token_key])
        rows = cursor.fetchall()
    tokens = []
    for row in rows:
        token = _loaded(token_model, row[:width])
        token.user = _loaded(user_model, row[width:])
        tokens.append(token)
    return tokens


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>` (REST_KNOX AUTH_HEADER_PREFIX). Knox stores only a
    digest of each token, with its expiry; an expired token is deleted when presented.

    Knox also sweeps the user's other expired tokens on every request (one more query per
    request); here a request reads only its own token with its user (one query, its SQL
    built once), and a user's expired tokens are swept when a new one is issued. Tokens are
    issued without AUTO_REFRESH (settings.REST_KNOX), so a request never writes."""

    def authenticate_credentials(self, token):
        # Knox decodes the header's bytes as UTF-8 itself: other bytes would be a 500.
        try:
            token = token.decode("utf-8") if isinstance(token, bytes) else token
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        message = _("令牌无效。")
        if not _TOKEN_SHAPE.fullmatch(token):  # e.g. a NUL, which PostgreSQL text cannot hold: 401, not 500
            raise exceptions.AuthenticationFailed(message)
        for auth_token in _tokens_with_user(token[:CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, ValueError):  # binascii.Error is a ValueError
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

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

