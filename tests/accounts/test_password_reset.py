"""Password reset by e-mail (accounts.views, Django's own views and forms): the request page
tells nobody which addresses have an account and is limited like sign-up; the link works once
and expires (PASSWORD_RESET_TIMEOUT); the new password goes through the password validators;
nobody is signed in by it, and a staff account still gives its code at the next sign-in.
What a reset revokes (API tokens, other sessions) is in test_credential_changes.py."""
from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import password_reset_tokens
from nominations.models import AuditEntry
from nominations.services.signup import activation_tokens
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-123456"
NEW_PASSWORD = "Quality-Reset-2018"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the request limits count in the cache
    yield
    cache.clear()


@pytest.fixture
def request_reset(django_capture_on_commit_callbacks):
    def post(email: str, client: Client | None = None):
        client = client or Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": email})
        return client, response
    return post


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)


def sent_page(client, response, email: str) -> str:
    html = client.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(email, "<email>")


def set_password(link: str, password: str = NEW_PASSWORD, client: Client | None = None):
    """Open the mailed link (Django moves the token into the session) and post a new password."""
    client = client or Client()
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    assert client.get(opened["Location"]).status_code == 200
    return client, client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def resets(user) -> list[tuple[str, dict]]:
    return list(AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk),
                                          action="account.password_reset").values_list("ip", "data"))


def signed_in(client) -> bool:
    return client.get(reverse("application_list")).wsgi_request.user.is_authenticated


# -- the request: no enumeration --------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["owner@example.com", "OWNER@Example.COM"])
def test_registered_and_unknown_addresses_get_the_same_answer(typed, request_reset):
    owner = f.UserFactory(username="owner", email="owner@example.com")
    known_client, known = request_reset(typed)
    unknown_client, unknown = request_reset("nobody@example.com")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"]) == \
        (302, reverse("password_reset_done"))
    assert sent_page(known_client, known, typed) == sent_page(unknown_client, unknown, "nobody@example.com")
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]  # exactly one mail, to the stored address
    message = mail.outbox[0]
    assert message.subject == "上海市政府质量奖评审系统：重新设置密码"
    assert "owner" in message.body and "1 小时内" in message.body and "只能使用一次" in message.body
    assert message.body.count("http://testserver") == 0  # links from SITE_URL, never the request's Host
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    assert link_in(message).startswith(f"/password/reset/{uid}/")
    assert not signed_in(known_client) and not signed_in(unknown_client)
    assert not AuditEntry.objects.filter(action__startswith="account.").exists()  # a request changes nothing


@pytest.mark.parametrize("state", ["deactivated", "no_usable_password"])
def test_deactivated_accounts_and_accounts_without_a_password_get_no_mail(state, request_reset):
    user = f.UserFactory(username="quiet", email="quiet@example.com")
    if state == "deactivated":
        user.is_active = False
    else:
        user.set_unusable_password()
    user.save()
    client, response = request_reset("quiet@example.com")
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def test_an_invalid_address_is_refused_in_chinese():
    response = Client().post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "请输入合法的邮件地址" in response.content.decode()
    assert mail.outbox == []


# -- limits -------------------------------------------------------------------------------------
def test_requests_are_limited_per_client_address(settings, request_reset):
    settings.PASSWORD_RESET_POSTS_PER_HOUR = 2
    f.UserFactory(username="owner", email="owner@example.com")
    attacker = Client(REMOTE_ADDR="10.7.7.7")
    statuses = [request_reset(email, attacker)[1].status_code
                for email in ("a@example.com", "b@example.com", "owner@example.com")]
    assert statuses == [302, 302, 429]
    _, throttled = request_reset("owner@example.com", attacker)
    assert throttled.status_code == 429 and throttled["Retry-After"] == "3600"
    assert "请求过于频繁" in throttled.content.decode()
    assert mail.outbox == []  # the limited requests sent nothing
    assert request_reset("owner@example.com", Client(REMOTE_ADDR="10.7.7.8"))[1].status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("address", ["owner@example.com", "nobody@example.com"])
def test_mails_are_limited_per_mailbox_and_the_answer_stays_the_same(address, settings, request_reset):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 2
    f.UserFactory(username="owner", email="owner@example.com")
    answers = [request_reset(address.upper() if i % 2 else address, Client(REMOTE_ADDR=f"10.5.5.{i}"))[1]
               for i in range(4)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == (2 if address.startswith("owner") else 0)


# -- the link -------------------------------------------------------------------------------------
def test_a_reset_sets_the_password_signs_nobody_in_is_audited_and_the_link_works_once(request_reset):
    user = f.UserFactory(username="owner", email="owner@example.com")
    request_reset("owner@example.com")
    link = link_in(mail.outbox[0])
    client, response = set_password(link, client=Client(REMOTE_ADDR="10.4.4.4"))
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_complete"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and "密码已重新设置" in page.content.decode()
    assert not signed_in(client)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert resets(user) == [("10.4.4.4", {"via": "email"})]
    entry = AuditEntry.objects.get(action="account.password_reset")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in json.dumps(entry.data) and NEW_PASSWORD not in json.dumps(entry.data)
    assert entry.actor_id == user.pk

    again = Client().get(link)  # used: the password it covered has changed
    assert again.status_code == 400 and "链接无效或已过期" in again.content.decode()
    assert Client().post(reverse("login"), {"username": "owner@example.com", "password": NEW_PASSWORD}).status_code == 302
    assert Client().post(reverse("login"), {"username": "owner", "password": PASSWORD}).status_code == 200


def test_the_same_link_cannot_set_two_passwords_from_two_browsers(request_reset):
    user = f.UserFactory(username="owner", email="owner@example.com")
    request_reset("owner@example.com")
    link = link_in(mail.outbox[0])
    first, second = Client(), Client()
    opened = [c.get(link)["Location"] for c in (first, second)]  # both hold the token in their session
    assert first.post(opened[0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    late = second.post(opened[1], {"new_password1": "Another-Secret-77", "new_password2": "Another-Secret-77"})
    assert late.status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and len(resets(user)) == 1


@pytest.mark.parametrize("password, message", [("12345678", "密码只包含数字"), ("password", "这个密码太常见了"),
                                               ("owner", "至少")])
def test_the_new_password_goes_through_the_validators_in_chinese(password, message, request_reset):
    user = f.UserFactory(username="owner", email="owner@example.com")
    request_reset("owner@example.com")
    client = Client()
    form_url = client.get(link_in(mail.outbox[0]))["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert message in errors, errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and resets(user) == []
    # the link still works for a good password
    assert client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302


def test_the_link_expires_after_password_reset_timeout(settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    user = f.UserFactory(username="owner", email="owner@example.com")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    now = password_reset_tokens._num_seconds(password_reset_tokens._now())

    def link(age: int) -> str:
        token = password_reset_tokens._make_token_with_timestamp(user, now - age, password_reset_tokens.secret)
        return reverse("password_reset_confirm", args=[uid, token])

    assert Client().get(link(3500)).status_code == 302  # within the hour
    expired = Client().get(link(3700))
    assert expired.status_code == 400 and "链接无效或已过期" in expired.content.decode()


def test_a_link_of_a_deactivated_account_no_longer_works(request_reset):
    user = f.UserFactory(username="owner", email="owner@example.com")
    request_reset("owner@example.com")
    user.is_active = False
    user.save()
    assert Client().get(link_in(mail.outbox[0])).status_code == 400


def test_reset_and_activation_tokens_are_not_interchangeable(request_reset):
    user = f.UserFactory(username="owner", email="owner@example.com")
    request_reset("owner@example.com")
    uidb64, token = link_in(mail.outbox[0]).strip("/").split("/")[-2:]
    # The reset link's token never works as a sign-up activation link (which signs its holder in).
    client = Client()
    assert client.get(reverse("signup_activate", args=[uidb64, token])).status_code == 400
    assert not signed_in(client)
    # Nor does a sign-up token (Django's salt) open the reset form.
    assert Client().get(reverse("password_reset_confirm",
                                args=[uidb64, activation_tokens.make_token(user)])).status_code == 400


def test_a_staff_account_still_gives_its_code_after_a_reset(settings, request_reset):
    settings.STAFF_OTP_REQUIRED = True
    from accounts import services

    judge = f.UserFactory(username="judge", email="judge@example.com", groups=["judge"])
    device = services.totp_enrol_by_command(user=judge)
    request_reset("judge@example.com")
    client, response = set_password(link_in(mail.outbox[0]))
    assert response.status_code == 302 and not signed_in(client)
    login = client.post(reverse("login"), {"username": "judge", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("login_otp")
    assert not signed_in(client)  # the password alone signs nobody in
    done = client.post(reverse("login_otp"), {"code": f.totp_code(device.bin_key)})
    assert done["Location"] == reverse("home") and signed_in(client)


# -- pages ------------------------------------------------------------------------------------------
def test_the_login_page_offers_the_reset_and_the_pages_are_chinese_and_csp_clean(request_reset):
    assert f'href="{reverse("password_reset")}"' in Client().get(reverse("login")).content.decode()
    assert "忘记密码？" in Client().get(reverse("login")).content.decode()
    f.UserFactory(username="owner", email="owner@example.com")
    client, response = request_reset("owner@example.com")
    form_client = Client()
    form_url = form_client.get(link_in(mail.outbox[0]))["Location"]
    pages = {
        "request": (Client().get(reverse("password_reset")), "忘记密码"),
        "sent": (client.get(response["Location"]), "请查收邮件"),
        "form": (form_client.get(form_url), "设置新密码"),
        "invalid": (Client().get("/password/reset/MQ/nope-nope/"), "链接无效或已过期"),
        "complete": (Client().get(reverse("password_reset_complete")), "密码已重新设置"),
    }
    for name, (page, heading) in pages.items():
        html = page.content.decode()
        assert f"<h1>{heading}</h1>" in html, name
        assert "<style" not in html and " style=" not in html, name
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name
        assert page["Content-Type"].startswith("text/html")
    assert pages["invalid"][0].status_code == 400
    assert get_user_model().objects.filter(username="owner").get().check_password(PASSWORD)
