"""Two factors and API tokens in the keyed audit chain (accounts.services): enrolment (web,
`otp_enrol`, the admin), reset, device deletion, backup codes made and used, tokens issued
and revoked (one, or all of an account's). Each entry names the account, the actor, how
("via") and counts, never a secret: no code, key, otpauth URI or token text."""
from __future__ import annotations

import base64
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from nominations.models import AuditEntry
from nominations.services.audit import audit_verify
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-123456"
TOKEN_URL = "/api/v1/auth/token/"
ACCOUNT_ACTIONS = ("otp.", "api_token.", "session.")


@pytest.fixture
def otp_on(settings):
    settings.STAFF_OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture(autouse=True)
def _fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def entries(user=None) -> list[tuple]:
    """(action, actor username or None, data) of the account entries, oldest first."""
    rows = AuditEntry.objects.order_by("seq")
    if user is not None:
        rows = rows.filter(object_type="auth.user", object_id=str(user.pk))
    return [(e.action, e.actor.username if e.actor_id else None, e.data) for e in rows
            if e.action.startswith(ACCOUNT_ACTIONS)]


def assert_no_secret(*secrets: str) -> None:
    text = json.dumps([(e.action, e.note, e.data) for e in AuditEntry.objects.all()], ensure_ascii=False)
    for secret in secrets:
        assert secret and secret.lower() not in text.lower()
    assert audit_verify().ok


def code(device, steps=0) -> str:
    return f.totp_code(device.bin_key, steps=steps)


# -- two factors ------------------------------------------------------------------------------------
def test_web_enrolment_and_its_backup_codes_are_audited(otp_on, secretariat):
    client = Client(REMOTE_ADDR="10.1.1.1")
    assert client.post(reverse("login"), {"username": "sec", "password": PASSWORD})["Location"] == reverse("otp_setup")
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=secretariat)
    assert client.post(reverse("otp_setup"), {"code": code(device)})["Location"] == reverse("otp_backup_codes")
    codes = client.get(reverse("otp_backup_codes")).context["codes"]

    assert entries(secretariat) == [
        ("otp.enrol", "sec", {"device": "totp", "via": "web", "replaced": 0}),
        ("otp.backup_codes_create", "sec", {"count": 10, "via": "enrol", "replaced": 0}),
    ]
    assert set(AuditEntry.objects.filter(action__startswith="otp.").values_list("ip", flat=True)) == {"10.1.1.1"}
    device.refresh_from_db()
    assert_no_secret(device.key, base64.b32encode(device.bin_key).decode(), device.config_url, *codes)


def test_otp_enrol_reset_and_backup_codes_from_the_command_are_audited(judge):
    out = StringIO()
    call_command("otp_enrol", "judge", stdout=out, stderr=StringIO())
    first_uri = out.getvalue().splitlines()[0]
    out = StringIO()
    call_command("otp_enrol", "judge", "--reset", "--backup-codes", stdout=out, stderr=StringIO())
    uri, *codes = out.getvalue().splitlines()

    assert entries(judge) == [
        ("otp.enrol", None, {"device": "totp", "via": "command", "replaced": 0}),
        ("otp.reset", None, {"device": "totp", "via": "command", "replaced": 1}),
        ("otp.backup_codes_create", None, {"count": 10, "via": "command", "replaced": 0}),
    ]
    assert [e.actor_name for e in AuditEntry.objects.filter(action__startswith="otp.")] == ["system"] * 3
    device = TOTPDevice.objects.get(user=judge)
    assert_no_secret(first_uri, uri, device.key, *codes)


def test_a_refused_otp_enrol_writes_nothing(judge):
    services.totp_enrol_by_command(user=judge)
    before = AuditEntry.objects.count()
    with pytest.raises(Exception, match="--reset"):
        call_command("otp_enrol", "judge", stdout=StringIO(), stderr=StringIO())
    assert AuditEntry.objects.count() == before


def test_backup_codes_used_on_the_web_and_the_api_and_a_new_set_are_audited(otp_on, judge):
    services.totp_enrol_by_command(user=judge)
    codes = services.backup_codes_create(user=judge, via="command")
    web = Client(REMOTE_ADDR="10.2.2.2")
    web.post(reverse("login"), {"username": "judge", "password": PASSWORD})
    assert web.post(reverse("login_otp"), {"code": codes[0]})["Location"] == reverse("home")
    api = APIClient(REMOTE_ADDR="10.3.3.3").post(TOKEN_URL, {"username": "judge", "password": PASSWORD,
                                                               "otp": codes[1]}, format="json")
    assert api.status_code == 200
    wrong = web.post(reverse("login_otp"), {"code": codes[0]})  # used: not a second entry
    assert wrong.status_code in (200, 302)
    web.post(reverse("otp_backup_codes"))  # the verified session makes a new set
    new_codes = web.get(reverse("otp_backup_codes")).context["codes"]

    assert entries(judge)[-4:] == [
        ("otp.backup_code_used", "judge", {"left": 9, "via": "web"}),
        ("otp.backup_code_used", "judge", {"left": 8, "via": "api"}),
        ("api_token.issue", "judge", {"expires_at": AuthToken.objects.get(user=judge).expiry.isoformat(
            timespec="seconds")}),
        ("otp.backup_codes_create", "judge", {"count": 10, "via": "web", "replaced": 8}),
    ]
    used = AuditEntry.objects.filter(action="otp.backup_code_used").order_by("seq")
    assert [e.ip for e in used] == ["10.2.2.2", "10.3.3.3"]
    assert_no_secret(*codes, *new_codes, api.json()["token"])


def test_a_totp_sign_in_is_not_an_account_entry(otp_on, judge):
    device = services.totp_enrol_by_command(user=judge)
    before = entries(judge)
    client = Client()
    client.post(reverse("login"), {"username": "judge", "password": PASSWORD})
    assert client.post(reverse("login_otp"), {"code": code(device)})["Location"] == reverse("home")
    assert entries(judge) == before


def test_device_changes_in_the_admin_are_audited_with_the_administrator(judge):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    totp = services.totp_enrol_by_command(user=judge)
    services.backup_codes_create(user=judge)
    client = Client(REMOTE_ADDR="10.4.4.4")
    client.force_login(root)
    page = client.get(f"/admin/otp_totp/totpdevice/{totp.pk}/change/")
    data = {k: ("" if v is None else v) for k, v in page.context["adminform"].form.initial.items()
            if k in {"user", "name", "step", "t0", "digits", "tolerance", "drift", "throttling_failure_count"}}
    data.update(name="新手机", confirmed="on")
    assert client.post(f"/admin/otp_totp/totpdevice/{totp.pk}/change/", data).status_code == 302
    assert client.post(f"/admin/otp_totp/totpdevice/{totp.pk}/delete/", {"post": "yes"}).status_code == 302
    backup = StaticDevice.objects.get(user=judge)
    response = client.post("/admin/otp_static/staticdevice/", {"action": "delete_selected", "post": "yes",
                                                               "_selected_action": [backup.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=judge).exists() and not StaticDevice.objects.filter(user=judge).exists()

    assert entries(judge)[-3:] == [
        ("otp.device_change", "root", {"device": "totp", "via": "admin", "fields": ["name"]}),
        ("otp.device_delete", "root", {"device": "totp", "via": "admin"}),
        ("otp.device_delete", "root", {"device": "backup", "via": "admin"}),
    ]
    assert set(AuditEntry.objects.filter(action__startswith="otp.device").values_list("ip", flat=True)) == {"10.4.4.4"}
    assert_no_secret(totp.key)


def test_a_device_added_in_the_admin_is_an_enrolment_by_the_administrator(judge):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    key = "3132333435363738393031323334353637383930"
    response = client.post("/admin/otp_totp/totpdevice/add/", {
        "user": judge.pk, "name": "发放的令牌", "confirmed": "on", "key": key, "step": 30, "t0": 0, "digits": 6,
        "tolerance": 1, "drift": 0, "throttling_failure_count": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TOTPDevice.objects.get(user=judge).key == key
    assert entries(judge) == [("otp.enrol", "root", {"device": "totp", "via": "admin", "replaced": 0})]
    assert_no_secret(key)


# -- API tokens -------------------------------------------------------------------------------------
def test_a_token_issued_and_revoked_through_the_api_is_audited(applicant):
    api = APIClient(REMOTE_ADDR="10.5.5.5")
    issued = api.post(TOKEN_URL, {"username": "applicant", "password": PASSWORD}, format="json")
    token = issued.json()["token"]
    expiry = AuthToken.objects.get(user=applicant).expiry
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.delete(TOKEN_URL).status_code == 204
    assert not AuthToken.objects.filter(user=applicant).exists()

    assert entries(applicant) == [
        ("api_token.issue", "applicant", {"expires_at": expiry.isoformat(timespec="seconds")}),
        ("api_token.revoke", "applicant", {"reason": "signed_out"}),
    ]
    assert set(AuditEntry.objects.filter(action__startswith="api_token.").values_list("ip", flat=True)) == {"10.5.5.5"}
    assert_no_secret(token, token[:15])


def test_a_refused_sign_in_issues_and_audits_nothing(applicant):
    response = APIClient().post(TOKEN_URL, {"username": "applicant", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert entries() == []


@pytest.mark.parametrize(("change", "reason"), [("password", "password_changed"), ("deactivate", "deactivated")])
def test_revoking_every_token_is_one_entry_with_the_reason(applicant, change, reason):
    tokens = [f.api_token(applicant) for _ in range(2)]
    if change == "password":
        applicant.set_password("new-secret-8642")
        applicant.save()
    else:
        applicant.is_active = False
        applicant.save(update_fields=["is_active"])
    assert entries(applicant)[-1] == ("api_token.revoke_all", None, {"count": 2, "reason": reason})
    assert [a for a, *_ in entries(applicant)] == ["api_token.issue", "api_token.issue", "api_token.revoke_all"]
    assert_no_secret(*tokens)


def test_a_password_change_without_tokens_writes_no_revocation(applicant):
    applicant.set_password("new-secret-8642")
    applicant.save()
    assert entries(applicant) == []


def test_tokens_issued_and_revoked_in_the_admin_are_audited_with_the_administrator(applicant):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.6.6.6")
    client.force_login(root)
    response = client.post("/admin/knox/authtoken/add/", {"user": applicant.pk, "expiry_0": "2030-01-01",
                                                          "expiry_1": "08:00:00"}, follow=True)
    shown = [str(m) for m in response.context["messages"] if str(m).startswith("TOKEN ")]
    assert len(shown) == 1  # the token, shown once to the administrator
    token = shown[0].removeprefix("TOKEN ")
    issued = AuthToken.objects.get(user=applicant)
    assert APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    others = [f.api_token(applicant) for _ in range(2)]
    assert client.post(f"/admin/knox/authtoken/{issued.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.post("/admin/knox/authtoken/", {"action": "delete_selected", "post": "yes", "_selected_action": list(
        AuthToken.objects.filter(user=applicant).values_list("pk", flat=True))}).status_code == 302
    assert not AuthToken.objects.filter(user=applicant).exists()

    assert [(a, actor, d) for a, actor, d in entries(applicant) if actor == "root"] == [
        ("api_token.issue", "root", {"via": "admin", "expires_at": "2030-01-01T00:00:00+00:00"}),
        ("api_token.revoke", "root", {"reason": "admin"}),
        ("api_token.revoke", "root", {"reason": "admin"}),
        ("api_token.revoke", "root", {"reason": "admin"}),
    ]
    assert_no_secret(token, issued.digest, *others)
