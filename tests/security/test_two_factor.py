"""Two factors for staff (issue 8 §3): with STAFF_OTP_REQUIRED on, the secretariat, the committee
and judges sign in with a password and a TOTP code (django-otp), enrol themselves with a QR code,
get backup codes once; the admin and the API refuse a session that skipped the code; wrong codes
count for django-axes; `manage.py otp_enrol` prints a working otpauth:// URI. Off (the demo), the
password alone signs in."""
from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.views import PENDING_KEY
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"
ISSUER = "上海市政府质量奖"


@pytest.fixture
def otp_on(settings):
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def enrolled(user) -> TOTPDevice:
    return services.totp_enrol_by_command(user=user)


def code(device: TOTPDevice, steps: int = 0) -> str:
    return f.totp_code(device.bin_key, steps=steps)


def password_step(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def signed_in(client) -> str | None:
    return client.session.get(SESSION_KEY)


def verified(client) -> bool:
    return bool(client.session.get(DEVICE_ID_SESSION_KEY))


def sign_in_with_code(client, user, device, steps: int = 0, next_url=None):
    assert password_step(client, user.get_username(), next_url)["Location"] == reverse("login_otp")
    return client.post(reverse("login_otp"), {"code": code(device, steps)})


# -- the web login in two steps ---------------------------------------------------------------
@pytest.mark.parametrize("persona", ["secretariat", "committee_member", "judge"])
def test_staff_sign_in_asks_for_the_code_after_the_password(otp_on, persona, request):
    user = request.getfixturevalue(persona)
    device = enrolled(user)
    client = Client()

    response = password_step(client, user.username)
    assert (response.status_code, response["Location"]) == (302, reverse("login_otp"))
    assert signed_in(client) is None  # the password alone signs nobody in
    page = client.get(reverse("login_otp"))
    assert page.status_code == 200
    assert "两步验证" in page.content.decode() and 'name="code"' in page.content.decode()
    assert client.get(reverse("cycle_list")).status_code == 302  # still anonymous

    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert signed_in(client) == str(user.pk) and verified(client)
    assert PENDING_KEY not in client.session


def test_wrong_code_keeps_the_sign_in_pending(otp_on, judge, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the retry below comes within a second
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")

    response = client.post(reverse("login_otp"), {"code": f"{(int(code(device)) + 1) % 1_000_000:06d}"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert signed_in(client) is None and PENDING_KEY in client.session

    assert client.post(reverse("login_otp"), {"code": code(device)})["Location"] == reverse("home")
    assert signed_in(client) == str(judge.pk)


def test_a_try_right_after_a_wrong_code_is_not_checked_and_says_how_long_to_wait(otp_on, axes_on, judge):
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")
    client.post(reverse("login_otp"), {"code": f"{(int(code(device)) + 1) % 1_000_000:06d}"})
    assert AccessAttempt.objects.get().failures_since_start == 1

    too_soon = client.post(reverse("login_otp"), {"code": code(device)})  # django-otp: wait 1 s after a failure
    assert too_soon.status_code == 200 and signed_in(client) is None
    assert "秒后输入应用当时显示的验证码" in too_soon.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 1  # not checked, so not a failure either

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    assert client.post(reverse("login_otp"), {"code": code(device)})["Location"] == reverse("home")


def test_the_next_page_survives_the_second_step(otp_on, secretariat):
    device = enrolled(secretariat)
    client = Client()
    response = sign_in_with_code(client, secretariat, device, next_url=reverse("cycle_list"))
    assert response["Location"] == reverse("cycle_list")
    assert client.get(reverse("cycle_list")).status_code == 200


def test_a_code_is_accepted_once(otp_on, judge):
    device = enrolled(judge)
    first = Client()
    assert sign_in_with_code(first, judge, device)["Location"] == reverse("home")
    replay = Client()
    assert sign_in_with_code(replay, judge, device).status_code == 200  # same code again: refused
    assert signed_in(replay) is None


def test_the_pending_sign_in_expires(otp_on, judge):
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 601}
    session.save()

    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert signed_in(client) is None and PENDING_KEY not in client.session
    assert client.get(reverse("login_otp"))["Location"] == reverse("login")


def test_a_password_change_during_the_second_step_voids_it(otp_on, judge):
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")
    judge.set_password("another-pw-987")
    judge.save()
    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert response["Location"] == reverse("login")
    assert signed_in(client) is None


def test_the_code_page_without_a_password_step_sends_to_login(otp_on, db):
    assert Client().get(reverse("login_otp"))["Location"] == reverse("login")


def test_applicants_and_recommenders_sign_in_with_the_password_alone(otp_on, applicant, recommender):
    for user in (applicant, recommender):
        client = Client()
        response = password_step(client, user.username)
        assert (response.status_code, response["Location"]) == (302, reverse("home"))
        assert signed_in(client) == str(user.pk)


def test_otp_off_keeps_the_password_only_sign_in_for_the_demo(settings, secretariat, judge):
    settings.STAFF_OTP_REQUIRED = False
    for user in (secretariat, judge):
        client = Client()
        assert password_step(client, user.username)["Location"] == reverse("home")
        assert signed_in(client) == str(user.pk)
    admin_user = f.UserFactory(username="admin-demo", is_staff=True, is_superuser=True)
    client = Client()
    client.post(reverse("admin:login"), {"username": "admin-demo", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
    token = APIClient().post("/api/v1/auth/token/", {"username": "sec", "password": PASSWORD}, format="json")
    assert token.status_code == 200 and set(token.json()) == {"token", "expires_at"}
    assert admin_user.is_superuser


@pytest.mark.parametrize(("env", "expected"), [
    ({"DEBUG": "0"}, "True"), ({"DEBUG": "1"}, "False"),
    ({"DEBUG": "1", "STAFF_OTP_REQUIRED": "1"}, "True"), ({"DEBUG": "0", "STAFF_OTP_REQUIRED": "0"}, "False"),
])
def test_the_policy_defaults_to_on_unless_debug(env, expected, tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "STAFF_OTP_REQUIRED"}}
    base.update(SECRET_KEY="x" * 50, AUDIT_KEY="y" * 40, VAR_DIR=str(tmp_path), **env)
    result = subprocess.run([sys.executable, "-c", "import config.settings as s; print(s.STAFF_OTP_REQUIRED)"],
                            cwd=settings.BASE_DIR, env=base, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == expected, result.stderr


# -- enrolment -----------------------------------------------------------------------------
def test_staff_without_a_device_enrols_with_a_qr_code_and_gets_backup_codes_once(otp_on, secretariat, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = Client()
    response = password_step(client, "sec", next_url=reverse("cycle_list"))
    assert response["Location"] == reverse("otp_setup")
    assert signed_in(client) is None

    page = client.get(reverse("otp_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=secretariat)
    assert not device.confirmed
    # The QR code is inline SVG drawn by the server: no image service, no script, no inline style.
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'class="segno"' in svg and "<path" in svg
    assert "style=" not in svg and "<script" not in html.split("<main", 1)[1]
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    assert client.get(reverse("otp_setup")).context["secret"] == services.totp_secret(device)  # same device on reload

    wrong = client.post(reverse("otp_setup"), {"code": f"{(int(code(device)) + 7) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert signed_in(client) is None
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    confirmed = client.post(reverse("otp_setup"), {"code": code(device)})
    assert confirmed["Location"] == reverse("otp_backup_codes")
    assert signed_in(client) == str(secretariat.pk) and verified(client)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed

    shown = client.get(reverse("otp_backup_codes"))
    codes = shown.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=secretariat).values_list("token", flat=True))
    assert all(c in shown.content.decode() for c in codes)
    assert shown.context["next"] == reverse("cycle_list")
    again = client.get(reverse("otp_backup_codes"))  # shown once
    assert again.context["codes"] is None and not any(c in again.content.decode() for c in codes)
    assert "还有 10 个未使用的备用码" in again.content.decode()
    assert client.get(reverse("cycle_list")).status_code == 200


def test_enrolment_page_refuses_what_it_should(otp_on, applicant, judge):
    assert Client().get(reverse("otp_setup"))["Location"].startswith(reverse("login"))
    client = Client()
    client.force_login(applicant)
    assert client.get(reverse("otp_setup"))["Location"] == reverse("home")
    assert not TOTPDevice.objects.exists()
    # A staff account that has a device goes to the code step, not to a second enrolment.
    enrolled(judge)
    client = Client()
    password_step(client, "judge")
    assert client.get(reverse("otp_setup"))["Location"] == reverse("login_otp")
    assert TOTPDevice.objects.filter(user=judge).count() == 1


def test_voluntary_enrolment_with_otp_off_then_sign_in_asks_for_the_code(settings, judge):
    settings.STAFF_OTP_REQUIRED = False
    client = Client()
    client.force_login(judge)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=judge)
    assert client.post(reverse("otp_setup"), {"code": code(device)})["Location"] == reverse("otp_backup_codes")
    assert verified(client)

    again = Client()
    assert password_step(again, "judge")["Location"] == reverse("login_otp")
    assert again.post(reverse("login_otp"), {"code": code(device, 1)})["Location"] == reverse("home")


def test_backup_code_works_once_and_a_new_set_replaces_the_old(otp_on, judge, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a right code right after a wrong one (else: a second's wait)
    device = enrolled(judge)
    codes = services.backup_codes_create(user=judge)
    client = Client()
    password_step(client, "judge", next_url=reverse("password_change"))
    response = client.post(reverse("login_otp"), {"code": codes[0].upper()}, follow=True)
    assert signed_in(client) == str(judge.pk) and verified(client)
    assert "还剩 9 个" in response.content.decode()

    reuse = Client()
    password_step(reuse, "judge")
    assert reuse.post(reverse("login_otp"), {"code": codes[0]}).status_code == 200
    assert signed_in(reuse) is None

    # A verified session makes a new set; the old set stops working.
    client.post(reverse("otp_backup_codes"))
    new_codes = client.get(reverse("otp_backup_codes")).context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    old = Client()
    password_step(old, "judge")
    assert old.post(reverse("login_otp"), {"code": codes[1]}).status_code == 200
    assert old.post(reverse("login_otp"), {"code": new_codes[0]}).status_code == 302
    assert device.user_id == judge.pk


# -- sessions that skipped the code: pages, admin, API ------------------------------------------
def test_unverified_staff_session_is_signed_out_and_sent_to_the_two_step_login(otp_on, secretariat):
    client = Client()
    client.force_login(secretariat)  # e.g. a session from before the policy was switched on
    response = client.get(reverse("cycle_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fsecretariat%2Fcycles%2F"
    assert signed_in(client) is None


def test_admin_requires_a_verified_session(otp_on, db):
    staff = f.UserFactory(username="sec-admin", groups=["secretariat"], is_staff=True, is_superuser=True)
    device = enrolled(staff)

    unverified = Client()
    unverified.force_login(staff)
    response = unverified.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert signed_in(unverified) is None

    # The admin's own login form does not take a password alone: it sends to the two-step login.
    form = Client().post(reverse("admin:login"), {"username": "sec-admin", "password": PASSWORD, "next": "/admin/"})
    assert form.status_code == 302 and form["Location"] == f"{reverse('login')}?next=%2Fadmin%2F"

    client = Client()
    assert sign_in_with_code(client, staff, device, next_url="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_admin_site_permission_checks_verification(otp_on, rf, db):
    from django.contrib import admin
    from django.contrib.auth.models import AnonymousUser

    staff = f.UserFactory(username="sec-admin", is_staff=True)
    request = rf.get("/admin/")
    request.user = staff
    staff.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    staff.is_verified = lambda: True
    assert admin.site.has_permission(request) is True
    request.user = AnonymousUser()
    assert admin.site.has_permission(request) is False


def test_unverified_staff_session_on_the_api_gets_401_otp_required(otp_on, secretariat):
    client = APIClient()
    client.force_login(secretariat)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先在网页登录页完成两步验证。", "code": "otp_required"}
    assert response["WWW-Authenticate"] == "Token"


def test_verified_staff_session_uses_the_api(otp_on, secretariat):
    device = enrolled(secretariat)
    client = Client()
    sign_in_with_code(client, secretariat, device)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 200 and response.json()["count"] == 0


# -- django-axes counts wrong codes -------------------------------------------------------------
def test_wrong_codes_count_as_failed_logins_and_lock_the_account(otp_on, axes_on, settings, judge):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(judge)
    api_token = f.api_token(judge)
    client = Client()
    password_step(client, "judge")
    wrong = f"{(int(code(device)) + 3) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(reverse("login_otp"), {"code": wrong}).status_code == 200
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("judge", 4)]

    locked = client.post(reverse("login_otp"), {"code": wrong})
    assert locked.status_code == 403 and "账号已暂时锁定" in locked.content.decode()
    assert PENDING_KEY not in client.session and signed_in(client) is None
    assert list(AccessFailureLog.objects.values_list("path_info", "locked_out")) == \
        [(reverse("login_otp"), False)] * 4 + [(reverse("login_otp"), True)]
    assert not AuthToken.objects.filter(user=judge).exists()  # the lockout revoked the API token
    assert APIClient().get("/api/v1/assignments/", HTTP_AUTHORIZATION=f"Token {api_token}").status_code == 401

    # Locked: the password step refuses even the right password, and a right code is never asked.
    again = Client()
    assert password_step(again, "judge").status_code == 403
    assert signed_in(again) is None


def test_the_code_step_refuses_a_locked_account_before_checking_the_code(otp_on, axes_on, judge):
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")
    AccessAttempt.objects.create(username="judge", ip_address="127.0.0.1", user_agent="", failures_since_start=5,
                                 get_data="", post_data="", http_accept="", path_info="/login/")
    response = client.post(reverse("login_otp"), {"code": code(device)})
    assert response.status_code == 403 and "账号已暂时锁定" in response.content.decode()
    assert signed_in(client) is None and PENDING_KEY not in client.session
    assert TOTPDevice.objects.get(pk=device.pk).last_t == device.last_t  # the code was not even tried


def test_a_successful_second_step_resets_the_failure_count(otp_on, axes_on, settings, judge):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(judge)
    client = Client()
    password_step(client, "judge")
    client.post(reverse("login_otp"), {"code": "000000" if code(device) != "000000" else "111111"})
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert client.post(reverse("login_otp"), {"code": code(device)}).status_code == 302
    assert not AccessAttempt.objects.exists()


# -- manage.py otp_enrol ------------------------------------------------------------------------
def test_otp_enrol_prints_an_otpauth_uri_whose_codes_sign_in_through_the_api(otp_on, judge):
    out, err = StringIO(), StringIO()
    call_command("otp_enrol", "judge", stdout=out, stderr=err)
    uri = out.getvalue().splitlines()[0]
    parts = urlsplit(uri)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == f"/{ISSUER}:judge"
    assert query["issuer"] == ISSUER and query["digits"] == "6" and query["period"] == "30"
    assert query["algorithm"] == "SHA1"
    key = base64.b32decode(query["secret"] + "=" * (-len(query["secret"]) % 8))
    assert "judge" in err.getvalue()

    client = APIClient()
    url = "/api/v1/auth/token/"
    response = client.post(url, {"username": "judge", "password": PASSWORD, "otp": f.totp_code(key)}, format="json")
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/assignments/").status_code == 200


def test_otp_enrol_refuses_to_replace_a_device_without_reset(otp_on, judge):
    call_command("otp_enrol", "judge", stdout=StringIO(), stderr=StringIO())
    old = TOTPDevice.objects.get(user=judge)
    with pytest.raises(CommandError, match="--reset"):
        call_command("otp_enrol", "judge", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("otp_enrol", "judge", "--reset", "--backup-codes", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    new = TOTPDevice.objects.get(user=judge)
    assert new.pk != old.pk and new.key != old.key and lines[0] == new.config_url
    assert sorted(lines[1:]) == sorted(StaticToken.objects.filter(device__user=judge).values_list("token", flat=True))
    with pytest.raises(CommandError, match="No user"):
        call_command("otp_enrol", "nobody", stdout=StringIO(), stderr=StringIO())


def test_admin_lists_devices_but_never_shows_a_secret(otp_on, judge):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    root_device = enrolled(root)
    device = enrolled(judge)
    client = Client()
    sign_in_with_code(client, root, root_device)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and "judge" in listing.content.decode()
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert device.key not in body and base64.b32encode(device.bin_key).decode() not in body
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    # Deleting a lost device: the account enrols again at its next sign-in.
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=judge).exists()
    assert password_step(Client(), "judge")["Location"] == reverse("otp_setup")


def test_the_user_menu_links_staff_to_their_two_factor_page(otp_on, judge, applicant):
    device = enrolled(judge)
    client = Client()
    sign_in_with_code(client, judge, device, next_url=reverse("password_change"))
    assert f'href="{reverse("otp_backup_codes")}"' in client.get(reverse("password_change")).content.decode()
    page = client.get(reverse("otp_backup_codes"))
    assert page.status_code == 200 and page.context["enrolled"] and page.context["codes"] is None
    other = Client()
    other.force_login(applicant)
    assert f'href="{reverse("otp_backup_codes")}"' not in other.get(reverse("password_change")).content.decode()


def test_the_two_factor_pages_are_translated_to_english(otp_on, judge):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(client, "judge")
    setup = client.get(reverse("otp_setup")).content.decode()
    main = setup.split("<main", 1)[1].split("</main>", 1)[0].replace(ISSUER, "")
    assert "Turn on two-factor authentication" in main and not cjk.findall(main)
    device = TOTPDevice.objects.get(user=judge)
    client.post(reverse("otp_setup"), {"code": code(device)})
    codes = client.get(reverse("otp_backup_codes")).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Backup codes" in codes and not cjk.findall(codes)
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(again, "judge")
    page = again.get(reverse("login_otp")).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Verify and sign in" in page and not cjk.findall(page)
