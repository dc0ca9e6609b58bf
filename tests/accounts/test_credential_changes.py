"""A password change, from every place that offers one, ends the account's API tokens and its
other web sessions; a django-axes lockout ends its tokens and every session, signed in or half
way through the two-step sign-in. Password reset by e-mail goes through one view
(accounts.views.PasswordResetConfirmView): a test notices if another reset route appears
without its own test here."""
from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY, views as auth_views
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.views import PENDING_KEY
from nominations.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-123456"
NEW_PASSWORD = "new-secret-8642"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def token_works(token) -> bool:
    status = APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}").status_code
    assert status in (200, 401)
    return status == 200


def signed_in_as(client) -> str | None:
    """Who the client's session signs in, as the next request sees it."""
    response = client.get(reverse("application_list"))
    return str(response.wsgi_request.user.pk) if response.wsgi_request.user.is_authenticated else None


def a_session_of(user) -> Client:
    client = Client()
    client.force_login(user)
    assert signed_in_as(client) == str(user.pk)
    return client


def revocations(user) -> list[tuple[str, dict]]:
    return list(AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk),
                                          action__in=["api_token.revoke_all", "session.revoke_all"])
                .order_by("seq").values_list("action", "data"))


# -- password changes -----------------------------------------------------------------------------
def test_the_web_password_change_ends_tokens_and_the_other_sessions(applicant):
    tokens = [f.api_token(applicant) for _ in range(2)]
    changing, other = a_session_of(applicant), a_session_of(applicant)
    response = changing.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not any(token_works(t) for t in tokens) and not AuthToken.objects.filter(user=applicant).exists()
    assert signed_in_as(changing) == str(applicant.pk)  # the session that changed it stays
    assert signed_in_as(other) is None
    assert revocations(applicant) == [("api_token.revoke_all", {"count": 2, "reason": "password_changed"})]


def test_the_admin_password_change_ends_tokens_and_sessions(applicant):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    token = f.api_token(applicant)
    session = a_session_of(applicant)
    admin = a_session_of(root)
    url = reverse("admin:auth_user_password_change", args=[applicant.pk])
    response = admin.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)
    assert not token_works(token) and signed_in_as(session) is None
    assert signed_in_as(admin) == str(root.pk)
    assert revocations(applicant) == [("api_token.revoke_all", {"count": 1, "reason": "password_changed"})]


def test_manage_py_changepassword_ends_tokens_and_sessions(applicant, monkeypatch):
    token = f.api_token(applicant)
    session = a_session_of(applicant)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)  # the terminal (an edge)
    out = StringIO()
    call_command("changepassword", "applicant", stdout=out)
    assert "Password changed successfully" in out.getvalue()
    assert not token_works(token) and signed_in_as(session) is None
    assert revocations(applicant) == [("api_token.revoke_all", {"count": 1, "reason": "password_changed"})]
    assert APIClient().post("/api/v1/auth/token/", {"username": "applicant", "password": NEW_PASSWORD},
                            format="json").status_code == 200


def test_a_password_reset_by_email_ends_tokens_and_every_session(applicant, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    tokens = [f.api_token(applicant) for _ in range(2)]
    sessions = [a_session_of(applicant) for _ in range(2)]
    resetting = Client()
    with django_capture_on_commit_callbacks(execute=True):
        resetting.post(reverse("password_reset"), {"email": applicant.email})
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = resetting.get(link)["Location"]
    response = resetting.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_complete"))
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)
    assert not any(token_works(t) for t in tokens) and not AuthToken.objects.filter(user=applicant).exists()
    assert all(signed_in_as(s) is None for s in sessions)
    assert signed_in_as(resetting) is None  # the reset signs nobody in
    assert revocations(applicant) == [("api_token.revoke_all", {"count": 2, "reason": "password_changed"})]


def test_every_password_reset_route_is_the_one_tested_here():
    """A new reset route needs its own test here (tokens and sessions end when it sets a password)."""
    from accounts.views import PasswordResetConfirmView, PasswordResetView

    reset_views = (auth_views.PasswordResetView, auth_views.PasswordResetConfirmView)

    def views(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry)
            elif isinstance(entry, URLPattern):
                yield getattr(entry.callback, "view_class", None)

    found = [v for v in views(get_resolver()) if v is not None and issubclass(v, reset_views)]
    assert found == [PasswordResetView, PasswordResetConfirmView]


# -- lockouts ---------------------------------------------------------------------------------------
@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_a_lockout_ends_every_token_and_session_of_the_account_only(axes_on, applicant, other_applicant):
    token, others_token = f.api_token(applicant), f.api_token(other_applicant)
    sessions = [a_session_of(applicant) for _ in range(2)]
    others_session = a_session_of(other_applicant)
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    statuses = [attacker.post(reverse("login"), {"username": "applicant", "password": "wrong"}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 403]

    assert not token_works(token) and all(signed_in_as(s) is None for s in sessions)
    assert token_works(others_token) and signed_in_as(others_session) == str(other_applicant.pk)
    assert revocations(applicant) == [("api_token.revoke_all", {"count": 1, "reason": "locked_out"}),
                                      ("session.revoke_all", {"count": 2, "reason": "locked_out"})]
    assert set(AuditEntry.objects.filter(action__endswith="revoke_all").values_list("ip", flat=True)) == {"10.6.6.6"}
    # The owner, from another address, signs in again (the lock holds the attacker's address only).
    owner = Client(REMOTE_ADDR="10.9.9.9")
    assert owner.post(reverse("login"), {"username": "applicant", "password": PASSWORD}).status_code == 302


def test_a_lockout_at_the_code_step_ends_the_pending_sign_ins_too(axes_on, settings, judge):
    settings.STAFF_OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = services.totp_enrol_by_command(user=judge)
    waiting = Client(REMOTE_ADDR="10.8.8.1")  # another half-done sign-in, elsewhere
    assert waiting.post(reverse("login"), {"username": "judge", "password": PASSWORD})["Location"] == reverse("login_otp")
    assert PENDING_KEY in waiting.session
    verified = Client()
    verified.post(reverse("login"), {"username": "judge", "password": PASSWORD})
    assert verified.post(reverse("login_otp"), {"code": f.totp_code(device.bin_key)})["Location"] == reverse("home")

    guesser = Client(REMOTE_ADDR="10.8.8.2")
    guesser.post(reverse("login"), {"username": "judge", "password": PASSWORD})
    wrong = f"{(int(f.totp_code(device.bin_key)) + 3) % 1_000_000:06d}"
    statuses = [guesser.post(reverse("login_otp"), {"code": wrong}).status_code for _ in range(3)]
    assert statuses == [200, 200, 403]
    assert SESSION_KEY not in guesser.session and PENDING_KEY not in guesser.session
    assert PENDING_KEY not in waiting.session  # ended: its code step starts over
    assert waiting.post(reverse("login_otp"), {"code": f.totp_code(device.bin_key, steps=1)})["Location"] == \
        reverse("login")
    assert signed_in_as(verified) is None
    assert revocations(judge) == [("session.revoke_all", {"count": 3, "reason": "locked_out"})]
