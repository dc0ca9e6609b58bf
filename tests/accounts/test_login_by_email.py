"""Signing in by username or e-mail address (accounts.backends): sign-up gives no username to
choose, so applicants who signed up sign in with their address; every account keeps its
username; failures read and cost alike; django-axes counts one account under either spelling."""
from __future__ import annotations

import io
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.backends import axes_username
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-123456"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def web_login(client, login, password=PASSWORD):
    return client.post(reverse("login"), {"username": login, "password": password})


def signed_in(client) -> str | None:
    return client.session.get(SESSION_KEY)


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_signed_up_applicant_signs_in_with_the_address_or_the_generated_username(
        django_capture_on_commit_callbacks):
    password = "Quality-Award-2018"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("signup"), {"first_name": "王五", "email": "Wangwu@Example.com",
                                          "password1": password, "password2": password})
    link = re.search(r"https?://[^/\s]+(/signup/activate/\S+)", mail.outbox[0].body).group(1)
    assert "Wangwu@Example.com" in mail.outbox[0].body  # the mail says what to sign in with
    assert Client().get(link).status_code == 302
    user = get_user_model().objects.get(email="Wangwu@Example.com")

    for login in ("Wangwu@Example.com", "wangwu@example.com", " WANGWU@EXAMPLE.COM", user.username):
        client = Client()
        response = web_login(client, login, password)
        assert response.status_code == 302, login
        assert signed_in(client) == str(user.pk)
    token = APIClient().post(TOKEN_URL, {"username": "wangwu@example.com", "password": password}, format="json")
    assert token.status_code == 200 and AuthToken.objects.filter(user=user).count() == 1


def test_every_demo_account_still_signs_in_by_username_and_by_address():
    call_command("seed_demo", stdout=io.StringIO())
    for username in ("applicant1", "secretariat", "judge1", "committee1", "recommender1", "benchmark1"):
        user = get_user_model().objects.get(username=username)
        for login in (username, user.email):
            client = Client()
            assert web_login(client, login, "demo12345").status_code == 302, login
            assert signed_in(client) == str(user.pk)


def test_an_unknown_address_and_a_wrong_password_read_alike(applicant):
    pages = []
    for login, password in [("applicant@example.com", "wrong-password"), ("nobody@example.com", PASSWORD),
                            ("applicant", "wrong-password"), ("nobody", PASSWORD)]:
        client = Client()
        response = web_login(client, login, password)
        assert response.status_code == 200 and signed_in(client) is None
        pages.append(_without_csrf(response).replace(login, "<login>"))
    assert len(set(pages)) == 1
    assert "用户名或密码不正确" in pages[0]


def test_an_account_not_yet_activated_does_not_sign_in_by_address(db):
    f.UserFactory(username="pending", email="pending@example.com", is_active=False)
    client = Client()
    assert web_login(client, "pending@example.com").status_code == 200
    assert signed_in(client) is None
    assert authenticate(username="pending@example.com", password=PASSWORD) is None


def test_an_address_shared_by_two_accounts_signs_in_neither_by_address(db):
    first = f.UserFactory(username="first", email="shared@example.com")
    second = f.UserFactory(username="second", email="SHARED@example.com")
    assert authenticate(username="shared@example.com", password=PASSWORD) is None
    assert authenticate(username="first", password=PASSWORD) == first
    assert authenticate(username="second", password=PASSWORD) == second
    second.is_active = False
    second.save(update_fields=["is_active"])
    assert authenticate(username="shared@example.com", password=PASSWORD) == first  # one active holder


def test_a_username_that_looks_like_an_address_wins_over_another_accounts_address(db):
    named = f.UserFactory(username="boss@example.com", email="boss-real@example.com")
    f.UserFactory(username="someone", email="boss@example.com")
    assert authenticate(username="boss@example.com", password=PASSWORD) == named


def test_the_login_page_says_username_or_address_and_takes_a_long_address(db):
    page = Client().get(reverse("login"))
    html = page.content.decode()
    assert "用户名或电子邮箱" in html and 'maxlength="254"' in html
    long_address = "x" * 60 + "@" + "y" * 120 + ".example.com"  # longer than a username may be
    user = f.UserFactory(username="longmail", email=long_address)
    client = Client()
    assert web_login(client, long_address).status_code == 302
    assert signed_in(client) == str(user.pk)


# -- django-axes sees one account whatever the spelling ------------------------------------------
def test_axes_counts_the_username_and_the_address_together_and_the_lockout_revokes_tokens(settings, applicant):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 4
    token = f.api_token(applicant)
    client = Client(REMOTE_ADDR="10.7.7.7")
    for login in ("applicant", "applicant@example.com", "APPLICANT@example.com"):
        assert web_login(client, login, "wrong").status_code == 200
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("applicant", 3)]
    assert web_login(client, "applicant@example.com", "wrong").status_code == 403  # the fourth: locked
    assert web_login(client, "applicant", PASSWORD).status_code == 403  # either spelling, right password
    assert web_login(client, "applicant@example.com", PASSWORD).status_code == 403
    assert not AuthToken.objects.filter(user=applicant).exists()
    assert APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_axes_username_keeps_what_was_typed_when_no_account_matches(applicant, rf):
    request = rf.post("/login/", {"username": "Applicant@Example.com"})
    assert axes_username(request) == "applicant"
    assert axes_username(request, {"username": "ghost@example.com"}) == "ghost@example.com"
    assert axes_username(request, {"username": "ghost"}) == "ghost"
    assert axes_username(request, {"username": None}) is None
