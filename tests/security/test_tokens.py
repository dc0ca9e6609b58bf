"""API tokens with a life cycle (issue 8 §4, django-rest-knox): `POST /api/v1/auth/token/` →
`{"token", "expires_at"}`, a new token per sign-in with the account's lifetime (8 h staff, 7 days
applicants), `DELETE` revokes the token used; every token of an account dies when its password
changes, when django-axes locks it, or when it is deactivated; staff send `"otp"` when two
factors are required (401 `otp_required` without it)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient, APIRequestFactory

from accounts import services
from accounts.authentication import TokenAuthentication
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "pw-123456"
OTP_REQUIRED = "otp_required"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def obtain(username, password=PASSWORD, **extra):
    return APIClient().post(URL, {"username": username, "password": password, **extra}, format="json")


def api(token=None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token) -> bool:
    status = api(token).get("/api/v1/applications/").status_code
    assert status in (200, 401)
    return status == 200


def tokens_of(user) -> int:
    return AuthToken.objects.filter(user=user).count()


# -- obtaining ----------------------------------------------------------------------------------
def test_token_answer_has_the_token_and_when_it_expires(applicant):
    before = timezone.now()
    response = obtain("applicant")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() == timedelta(hours=8)  # Asia/Shanghai, with its offset
    assert before + timedelta(days=7) <= expires_at <= timezone.now() + timedelta(days=7)
    assert AuthToken.objects.get(user=applicant).expiry == expires_at
    # Only a digest is stored, never the token itself.
    assert not AuthToken.objects.filter(digest=body["token"]).exists()
    assert body["token"] not in str(list(AuthToken.objects.values_list("digest", "token_key")))
    assert works(body["token"])


@pytest.mark.parametrize("persona", ["secretariat", "committee_member", "judge"])
def test_staff_tokens_live_eight_hours(persona, request):
    user = request.getfixturevalue(persona)
    body = obtain(user.username).json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires_at - timezone.now() <= timedelta(hours=8)


def test_lifetimes_come_from_the_settings(settings, applicant, judge):
    settings.API_TOKEN_TTL = timedelta(hours=3)
    settings.API_TOKEN_TTL_STAFF = timedelta(minutes=30)
    applicant_left = datetime.fromisoformat(obtain("applicant").json()["expires_at"]) - timezone.now()
    judge_left = datetime.fromisoformat(obtain("judge").json()["expires_at"]) - timezone.now()
    assert timedelta(hours=2, minutes=59) < applicant_left <= timedelta(hours=3)
    assert timedelta(minutes=29) < judge_left <= timedelta(minutes=30)


def test_each_sign_in_gets_a_new_token_and_both_work(applicant):
    first, second = obtain("applicant").json()["token"], obtain("applicant").json()["token"]
    assert first != second and tokens_of(applicant) == 2
    assert works(first) and works(second)


def test_wrong_password_gets_no_token(applicant):
    response = obtain("applicant", "wrong")
    assert (response.status_code, response.json()) == (400, {"non_field_errors": ["无法使用提供的认证信息登录。"]})
    assert not AuthToken.objects.exists()


def test_a_stale_authorization_header_does_not_stop_a_new_sign_in(applicant):
    client = api("no-such-token-0123456789")
    response = client.post(URL, {"username": "applicant", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert works(response.json()["token"]) and tokens_of(applicant) == 1


def test_token_keyword_is_token_and_others_are_refused(applicant):
    token = obtain("applicant").json()["token"]
    assert APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    bearer = APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.status_code == 401 and bearer["WWW-Authenticate"] == "Token"
    assert APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}x").status_code == 401
    assert APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION="Token").status_code == 401


def test_a_request_reads_its_token_in_one_query(applicant):
    token = f.api_token(applicant)
    for _ in range(3):  # other (expired) tokens of the user are not swept per request
        AuthToken.objects.create(user=applicant, expiry=timedelta(days=-1))
    request = APIRequestFactory().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as queries:
        user, auth = TokenAuthentication().authenticate(request)
    assert len(queries) == 1 and user == applicant and auth.user_id == applicant.pk


def test_expired_expired_tokens_of_a_user_are_swept_at_the_next_sign_in(applicant):
    for _ in range(3):
        AuthToken.objects.create(user=applicant, expiry=timedelta(days=-1))
    live = f.api_token(applicant)
    assert tokens_of(applicant) == 1 and works(live)


# -- expiry and revocation -----------------------------------------------------------------------
def test_an_expired_token_is_refused_and_deleted(applicant):
    token = obtain("applicant").json()["token"]
    AuthToken.objects.filter(user=applicant).update(expiry=timezone.now() - timedelta(seconds=1))
    response = api(token).get("/api/v1/applications/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()
    assert not AuthToken.objects.exists()


def test_a_token_just_before_its_expiry_still_works(applicant):
    token = obtain("applicant").json()["token"]
    AuthToken.objects.filter(user=applicant).update(expiry=timezone.now() + timedelta(seconds=30))
    assert works(token)


def test_delete_revokes_the_token_used_and_only_that_one(applicant):
    used, other = obtain("applicant").json()["token"], obtain("applicant").json()["token"]
    response = api(used).delete(URL)
    assert response.status_code == 204 and response.content == b""
    assert not works(used)
    again = api(used).delete(URL)
    assert again.status_code == 401
    assert works(other) and tokens_of(applicant) == 1


def test_delete_without_a_token_is_401_and_revokes_nothing(applicant):
    f.api_token(applicant)
    assert api().delete(URL).status_code == 401
    session = APIClient()
    session.force_login(applicant)
    assert session.delete(URL).status_code == 401  # a browser session has no token to revoke
    assert tokens_of(applicant) == 1


# -- every token dies with the password, a lockout, a deactivation ---------------------------------
def test_a_password_change_on_the_web_revokes_every_token(applicant):
    tokens = [f.api_token(applicant) for _ in range(2)]
    client = Client()
    client.force_login(applicant)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "new-secret-8642", "new_password2": "new-secret-8642"})
    assert response.status_code == 302
    assert not any(works(t) for t in tokens) and tokens_of(applicant) == 0
    assert client.get(reverse("application_list")).status_code == 200  # the changing session stays
    assert obtain("applicant", "new-secret-8642").status_code == 200


@pytest.mark.parametrize("how", ["set_password", "hash assigned", "hash assigned, password field only"])
def test_a_password_change_by_any_save_revokes_every_token(applicant, how):
    token = f.api_token(applicant)
    if how == "set_password":
        applicant.set_password("new-secret-8642")
        applicant.save()
    elif how == "hash assigned":
        applicant.password = make_password("new-secret-8642")
        applicant.save()
    else:
        applicant.password = make_password("new-secret-8642")
        applicant.save(update_fields=["password"])
    assert not works(token) and tokens_of(applicant) == 0


def test_saving_a_user_without_a_password_change_keeps_tokens(applicant):
    token = f.api_token(applicant)
    applicant.first_name = "新名字"
    applicant.save()
    applicant.save(update_fields=["last_login"])
    assert works(token)


def test_a_rehash_at_sign_in_is_not_a_password_change(settings, applicant):
    """check_password() re-hashes a password stored with an older hasher; tokens survive it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    token = f.api_token(applicant)
    assert applicant.password.startswith("md5$")
    client = Client()
    assert client.post(reverse("login"), {"username": "applicant", "password": PASSWORD}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.password.startswith("pbkdf2_sha256$")
    assert works(token)


def test_deactivation_revokes_every_token(applicant):
    token = f.api_token(applicant)
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    assert tokens_of(applicant) == 0 and not works(token)
    applicant.is_active = True
    applicant.save()
    assert not works(token)  # reactivating brings no token back


def test_deactivation_in_the_admin_revokes_every_token(applicant, db):
    admin_user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    token = f.api_token(applicant)
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{applicant.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions",
                                                                                  "is_active", "password"}}
    data.update({"date_joined_0": timezone.localtime(applicant.date_joined).strftime("%Y-%m-%d"),
                 "date_joined_1": timezone.localtime(applicant.date_joined).strftime("%H:%M:%S"),
                 "last_login_0": "", "last_login_1": ""})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/auth/user/{applicant.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    applicant.refresh_from_db()
    assert not applicant.is_active
    assert not works(token)


def test_an_axes_lockout_revokes_every_token(settings, applicant):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    token = f.api_token(applicant)
    client = APIClient(REMOTE_ADDR="10.9.8.7")
    statuses = [client.post(URL, {"username": "applicant", "password": "wrong"}, format="json").status_code
                for _ in range(5)]
    assert statuses == [400] * 4 + [403]
    assert tokens_of(applicant) == 0 and not works(token)
    assert AccessAttempt.objects.get().failures_since_start == 5


# -- with two factors required ----------------------------------------------------------------------
@pytest.fixture
def otp_on(settings):
    settings.STAFF_OTP_REQUIRED = True


def test_staff_token_needs_the_code(otp_on, settings, secretariat):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = services.totp_enrol_by_command(user=secretariat)

    missing = obtain("sec")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "该账号须使用两步验证：请输入认证器应用显示的 6 位验证码。", "code": OTP_REQUIRED}
    blank = obtain("sec", otp="")
    assert (blank.status_code, blank.json()["code"]) == (401, OTP_REQUIRED)
    wrong = obtain("sec", otp=f"{(int(f.totp_code(device.bin_key)) + 5) % 1_000_000:06d}")
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "验证码不正确或已使用过，请输入认证器应用当前显示的 6 位验证码。", "code": OTP_REQUIRED}
    assert not AuthToken.objects.exists()

    right = obtain("sec", otp=f.totp_code(device.bin_key))
    assert right.status_code == 200 and set(right.json()) == {"token", "expires_at"}
    assert works(right.json()["token"])
    replay = obtain("sec", otp=f.totp_code(device.bin_key))
    assert (replay.status_code, replay.json()["code"]) == (401, OTP_REQUIRED)
    # A full-width code from a Chinese input method is the same code.
    fullwidth = f.totp_code(device.bin_key, steps=1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert obtain("sec", otp=fullwidth).status_code == 200


def test_staff_token_with_a_backup_code_once(otp_on, judge):
    services.totp_enrol_by_command(user=judge)
    code = services.backup_codes_create(user=judge)[0]
    first = obtain("judge", otp=code)
    assert first.status_code == 200 and works(first.json()["token"])
    again = obtain("judge", otp=code)
    assert again.status_code == 401 and again.json()["code"] == OTP_REQUIRED
    assert tokens_of(judge) == 1


def test_staff_without_a_device_is_told_to_enrol(otp_on, judge):
    response = obtain("judge", otp="123456")
    assert response.status_code == 401 and response.json()["code"] == OTP_REQUIRED
    assert "尚未绑定认证器" in response.json()["detail"]
    assert not AuthToken.objects.exists()


def test_applicant_token_needs_no_code_even_with_the_policy_on(otp_on, applicant):
    response = obtain("applicant")
    assert response.status_code == 200 and set(response.json()) == {"token", "expires_at"}
    assert works(response.json()["token"])


def test_wrong_api_codes_count_for_axes_and_lock(otp_on, settings, judge):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = services.totp_enrol_by_command(user=judge)
    old = f.api_token(judge)
    wrong = f"{(int(f.totp_code(device.bin_key)) + 5) % 1_000_000:06d}"
    statuses = [obtain("judge", otp=wrong).status_code for _ in range(5)]
    assert statuses == [401] * 4 + [403]
    locked = obtain("judge", otp=f.totp_code(device.bin_key))
    assert locked.status_code == 403 and locked.json()["code"] == "locked_out"
    assert not works(old) and tokens_of(judge) == 0


def test_a_wrong_password_is_a_400_before_any_code_question(otp_on, judge):
    services.totp_enrol_by_command(user=judge)
    response = obtain("judge", "wrong")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert "code" not in response.json() and not AuthToken.objects.exists()  # no code question, no token


# -- the schema -------------------------------------------------------------------------------------
def test_schema_documents_the_token_life_cycle(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    token_path = schema["paths"]["/api/v1/auth/token/"]
    post, delete = token_path["post"], token_path["delete"]
    request_props = schema["components"]["schemas"]["TokenObtainRequest"]["properties"]
    assert {"username", "password", "otp"} <= set(request_props)
    assert set(schema["components"]["schemas"]["TokenObtainRequest"]["required"]) == {"username", "password"}
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ok]["properties"]) == {"token", "expires_at"}
    assert {"200", "400", "401", "403"} <= set(post["responses"])
    error = post["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][error]["properties"]) == {"detail", "code"}
    assert set(delete["responses"]) >= {"204", "401"} and "content" not in delete["responses"]["204"]
    assert post.get("security") in (None, [], [{}]) or {} in post["security"]


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_malformed_sign_in_fields_are_a_400(applicant, fmt):
    client = APIClient()
    for body in ({"username": "appli\x00cant", "password": PASSWORD}, {"username": "applicant", "password": "x" * 5000},
                 {"username": "applicant"}, {"username": "applicant", "password": PASSWORD, "otp": "1" * 40}):
        if fmt == "json" and any("\x00" in v for v in body.values()):
            continue  # the JSON parser refuses NUL before the serializer (tests/security/test_bad_input.py)
        response = client.post(URL, body, format=fmt)
        assert response.status_code == 400, (body, response.content)
        body = response.json()
        assert set(body) <= {"username", "password", "otp", "non_field_errors"} or set(body) == {"detail", "code"}
    assert not AuthToken.objects.exists()


def test_a_token_header_that_is_not_utf8_is_a_401_not_a_500(db):
    from rest_framework.test import APIClient

    response = APIClient().delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=b"Token \xff\xfe\xfd".decode("latin-1"))
    assert response.status_code == 401 and response.json()["detail"]


@pytest.mark.django_db
def test_a_token_of_the_wrong_shape_is_a_401_before_any_query():
    """A NUL in the token reached PostgreSQL as a text parameter: 500. Now any token that is not
    knox's shape (hex, optional prefix) is refused with the same 401 as a wrong one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = APIClient()
    for token in ("abc\x00def", "é" * 20, "x" * 300):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 401, (token, response.content)
        assert response.json()["code"] == "authentication_failed"
        assert not [q for q in ctx.captured_queries if "knox_authtoken" in (q["sql"] or "")]
