"""Brute-force protection (django-axes) on every login path: web login, admin login, API token.

Axes is switched off for the rest of the suite (config/settings_test.py) and on here.
Five failures for one username from one IP address lock that pair for 15 minutes.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from knox.models import AuthToken
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"
TOKEN_URL = "/api/v1/auth/token/"
LOCKED_PAGE = "账号已暂时锁定"
API_LOCKED = {"detail": "登录失败次数过多，账号已暂时锁定。请 15 分钟后再试，或联系评选秘书处。",
              "code": "locked_out"}


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def web_login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def api_token(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def attempts() -> list[tuple[str, str, int]]:
    return list(AccessAttempt.objects.order_by("username", "ip_address")
                .values_list("username", "ip_address", "failures_since_start"))


def fail_web_logins(client, username, times, **extra):
    for _ in range(times):
        response = web_login(client, username, "wrong-password", **extra)
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()


# -- web login --------------------------------------------------------------------------------
def test_web_login_locks_after_five_failures_even_with_the_right_password(applicant):
    client = Client()
    fail_web_logins(client, "applicant", 4)
    assert attempts() == [("applicant", "127.0.0.1", 4)]

    fifth = web_login(client, "applicant", "wrong-password")  # reaches the limit: locked now
    assert fifth.status_code == 403
    assert LOCKED_PAGE in fifth.content.decode()

    sixth = web_login(client, "applicant", PASSWORD)
    body = sixth.content.decode()
    assert sixth.status_code == 403
    assert "registration/locked_out.html" in [template.name for template in sixth.templates]
    assert LOCKED_PAGE in body and 'name="password"' not in body
    assert "该账号已连续 5 次登录失败" in body
    assert "请在 15 分钟后再试" in body and "联系评选秘书处" in body
    assert logged_in_user_id(client) is None
    assert client.get(reverse("login")).context["user"].is_anonymous

    # Recorded: the attempt counter, and one failure-log row per refused login.
    assert attempts() == [("applicant", "127.0.0.1", 6)]
    assert list(AccessFailureLog.objects.order_by("attempt_time", "id")
                .values_list("username", "ip_address", "locked_out")) == [
        ("applicant", "127.0.0.1", False)] * 4 + [("applicant", "127.0.0.1", True)] * 2
    assert not AccessLog.objects.exists()  # no successful login


def test_lockout_is_per_username_and_ip(applicant, other_applicant):
    locked = Client()
    fail_web_logins(locked, "applicant", 5 - 1)
    assert web_login(locked, "applicant", "wrong-password").status_code == 403

    # Another user from the same IP address signs in normally.
    neighbour = Client()
    response = web_login(neighbour, "other_applicant", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(neighbour) == str(other_applicant.pk)

    # The locked user from another address is not locked either (nobody can lock a user out from elsewhere).
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    response = web_login(elsewhere, "applicant", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(elsewhere) == str(applicant.pk)

    # ... and that success does not lift the lock on the original address.
    assert attempts() == [("applicant", "127.0.0.1", 5)]
    assert web_login(Client(), "applicant", PASSWORD).status_code == 403


def test_right_password_before_the_limit_resets_the_counter(applicant):
    client = Client()
    fail_web_logins(client, "applicant", 4)
    response = web_login(client, "applicant", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(applicant.pk)
    assert attempts() == []
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("applicant", "127.0.0.1")]

    # Four more failures are again below the limit: the right password still works.
    client = Client()
    fail_web_logins(client, "applicant", 4)
    assert web_login(client, "applicant", PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(applicant.pk)


def test_lock_expires_after_the_cool_off(applicant):
    client = Client()
    fail_web_logins(client, "applicant", 4)
    assert web_login(client, "applicant", "wrong-password").status_code == 403
    locked_at = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=locked_at - timedelta(minutes=16))

    response = web_login(client, "applicant", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(applicant.pk)
    assert attempts() == []


# -- API token and admin ------------------------------------------------------------------
def test_api_token_lockout_returns_403_locked_out_and_no_token(applicant):
    client = APIClient()
    for _ in range(4):
        response = api_token(client, "applicant", "wrong-password")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["无法使用提供的认证信息登录。"]}

    fifth = api_token(client, "applicant", "wrong-password")
    assert (fifth.status_code, fifth.json()) == (403, API_LOCKED)
    sixth = api_token(client, "applicant", PASSWORD)
    assert (sixth.status_code, sixth.json()) == (403, API_LOCKED)
    assert sixth["Content-Type"] == "application/json"

    assert not AuthToken.objects.exists()
    assert attempts() == [("applicant", "127.0.0.1", 6)]
    assert list(AccessFailureLog.objects.order_by("attempt_time", "id")
                .values_list("username", "path_info", "locked_out")) == [
        ("applicant", TOKEN_URL, False)] * 4 + [("applicant", TOKEN_URL, True)] * 2


def test_every_login_path_shares_one_counter(db):
    staff = f.UserFactory(username="sec-staff", groups=["secretariat"], is_staff=True)
    web, api, admin = Client(), APIClient(), Client()
    admin_login = reverse("admin:login")
    fail_web_logins(web, "sec-staff", 2)
    assert api_token(api, "sec-staff", "wrong-password").status_code == 400
    assert admin.post(admin_login, {"username": "sec-staff", "password": "wrong-password"}).status_code == 200
    assert attempts() == [("sec-staff", "127.0.0.1", 4)]
    assert admin.post(admin_login, {"username": "sec-staff", "password": "wrong-password"}).status_code == 403

    # Locked on every path, even with the right password.
    response = admin.post(admin_login, {"username": "sec-staff", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 403
    assert LOCKED_PAGE in response.content.decode()
    assert logged_in_user_id(admin) is None
    assert web_login(web, "sec-staff", PASSWORD).status_code == 403
    assert logged_in_user_id(web) is None
    response = api_token(api, "sec-staff", PASSWORD)
    assert (response.status_code, response.json()) == (403, API_LOCKED)
    assert not AuthToken.objects.filter(user=staff).exists()
