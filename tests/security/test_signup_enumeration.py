"""Sign-up tells nobody which addresses or usernames exist (issue 8 §7): the public form asks
no username (the account gets a generated one and signs in with its e-mail address), and
answers the same whether or not the e-mail is registered: the owner of a registered address
gets a "you already have an account" mail, a new address an activation link. The limits
(posts per client address, mails per e-mail address) answer alike for taken and free."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from nominations.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Quality-Award-2018"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the sign-up limits count in the cache
    yield
    cache.clear()


def _signup(client, email: str, **extra):
    return client.post(reverse("signup"), {"first_name": "张三", "email": email,
                                           "password1": PASSWORD, "password2": PASSWORD, **extra})


def _page(client, response, email: str) -> str:
    html = client.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(email, "<email>")


def _users() -> set[tuple[str, str, bool]]:
    return set(get_user_model().objects.values_list("username", "email", "is_active"))


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/signup/activate/\S+)", message.body).group(1)


@pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@Example.COM"])
def test_registered_and_new_addresses_get_the_same_answer(taken, django_capture_on_commit_callbacks):
    owner = f.UserFactory(username="owner", email="taken@example.com")
    users_before = _users()

    old_client, new_client = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        old = _signup(old_client, taken)
    assert _users() == users_before  # nothing created for a registered address
    with django_capture_on_commit_callbacks(execute=True):
        new = _signup(new_client, "fresh@example.com")

    assert (old.status_code, old["Location"]) == (new.status_code, new["Location"]) == (302, reverse("signup_sent"))
    assert _page(old_client, old, taken) == _page(new_client, new, "fresh@example.com")
    for client in (old_client, new_client):
        assert "_auth_user_id" not in client.session  # nobody is signed in by the form itself
    assert [m.to for m in mail.outbox] == [[taken], ["fresh@example.com"]]
    assert "您已有账号" in mail.outbox[0].subject and owner.username in mail.outbox[0].body
    assert "/signup/activate/" not in mail.outbox[0].body
    assert "请完成注册" in mail.outbox[1].subject and "fresh@example.com" in mail.outbox[1].body


def test_the_form_asks_no_username():
    page = Client().get(reverse("signup"))
    assert list(page.context["form"].fields) == ["first_name", "email", "password1", "password2"]
    assert 'name="username"' not in page.content.decode()
    assert "无需设置用户名" in page.content.decode()


@pytest.mark.parametrize("posted_username", ["applicant1", "secretariat", "judge1"])
def test_a_taken_username_cannot_be_probed(posted_username, django_capture_on_commit_callbacks):
    """Whatever username a prober sends along (the form has no such field), a taken name and a
    free one get the same answer, one mail and one new account each, with a generated name."""
    holder = f.UserFactory(username=posted_username)
    before = _users()
    answers, pages = [], []
    for name, email in [(posted_username, "probe-a@example.com"), ("nobody-has-this", "probe-b@example.com")]:
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = _signup(client, email, username=name)
        answers.append((response.status_code, response["Location"]))
        pages.append(_page(client, response, email))
    assert answers[0] == answers[1] == (302, reverse("signup_sent"))
    assert pages[0] == pages[1]
    assert [m.to for m in mail.outbox] == [["probe-a@example.com"], ["probe-b@example.com"]]
    new = _users() - before
    assert {email for _, email, _ in new} == {"probe-a@example.com", "probe-b@example.com"}
    assert all(re.fullmatch(r"a[a-km-z2-9]{11}", username) and not active for username, _, active in new)
    holder.refresh_from_db()
    assert (holder.email, holder.is_active) == (f"{posted_username}@example.com", True)


def test_the_form_never_says_an_address_is_registered():
    f.UserFactory(username="owner", email="taken@example.com")
    response = Client().post(reverse("signup"), {"first_name": "", "email": "taken@example.com",
                                                 "password1": "1", "password2": "2"})
    assert response.status_code == 200  # other errors are still shown
    text = response.content.decode()
    assert "已注册" not in text and "taken@example.com" not in text.replace('value="taken@example.com"', "")
    assert not response.context["form"].is_valid()
    assert set(response.context["form"].errors) == {"first_name", "password2"}


def test_the_password_checks_see_the_name_and_address():
    response = Client().post(reverse("signup"), {"first_name": "张三", "email": "zhangsan2018@example.com",
                                                 "password1": "zhangsan2018", "password2": "zhangsan2018"})
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors  # too similar to the e-mail address
    assert not get_user_model().objects.filter(email="zhangsan2018@example.com").exists()


def test_activation_link_activates_once_and_signs_in(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "zhangsan@example.com")
    user = get_user_model().objects.get(email="zhangsan@example.com")
    assert not user.is_active and user.first_name == "张三"
    assert not client.login(username="zhangsan@example.com", password=PASSWORD)  # not before the link

    link = _link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("organization_create")
    page = client.get(response["Location"])
    assert page.context["user"].pk == user.pk
    assert "注册成功，欢迎使用。下一步：登记您的申报单位。" in page.content.decode()
    assert list(AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk))
                .values_list("action", "actor_id")) == [("signup", None), ("signup.activate", user.pk)]

    again = Client().get(link)  # used: the sign-in changed what the token covers
    assert again.status_code == 400 and "链接无效" in again.content.decode()


def test_signing_up_again_before_activating_resends_the_link_and_keeps_the_first_password(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(Client(), "lisi@example.com")
    user = get_user_model().objects.get(email="lisi@example.com")
    first_hash = user.password
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("signup"), {"first_name": "别人", "email": "lisi@example.com",
                                                     "password1": "another-secret-77", "password2": "another-secret-77"})
    assert response["Location"] == reverse("signup_sent")
    assert get_user_model().objects.filter(email__iexact="lisi@example.com").count() == 1
    user.refresh_from_db()
    assert (user.password, user.first_name, user.is_active) == (first_hash, "张三", False)
    assert "您已有账号" in mail.outbox[1].subject and "尚未完成注册" in mail.outbox[1].body
    client = Client()
    assert client.get(_link(mail.outbox[1])).status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)


def test_an_inactive_account_the_secretariat_made_is_never_activated_by_a_link(django_capture_on_commit_callbacks):
    """Only accounts made by sign-up and never activated get (and accept) an activation link."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    parked = f.UserFactory(username="parked", email="parked@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _signup(Client(), "parked@example.com")
    assert "/signup/activate/" not in mail.outbox[0].body
    link = reverse("signup_activate", args=[urlsafe_base64_encode(force_bytes(parked.pk)),
                                            default_token_generator.make_token(parked)])
    assert Client().get(link).status_code == 400
    parked.refresh_from_db()
    assert not parked.is_active


@pytest.mark.parametrize("link", ["/signup/activate/MQ/set-password/", "/signup/activate/%FF%FF/x-y/",
                                  "/signup/activate/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/"])
def test_bad_activation_links_are_refused(link):
    f.UserFactory(username="u1", is_active=False)
    response = Client().get(link)
    assert response.status_code == 400
    assert not get_user_model().objects.get(username="u1").is_active


# -- the limits ----------------------------------------------------------------------------------
def test_posts_from_one_address_are_limited_alike_for_taken_and_free(settings, django_capture_on_commit_callbacks):
    settings.SIGNUP_POSTS_PER_HOUR = 2
    f.UserFactory(username="owner", email="taken@example.com")
    client = Client(REMOTE_ADDR="10.1.2.3")
    with django_capture_on_commit_callbacks(execute=True):
        assert _signup(client, "taken@example.com").status_code == 302
        assert _signup(client, "free1@example.com").status_code == 302
    before, sent = _users(), len(mail.outbox)
    answers = []
    for email in ("taken@example.com", "free2@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = _signup(client, email)
        answers.append((response.status_code, response["Retry-After"],
                        re.sub(r'value="[^"]*"', "", response.content.decode())))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (429, "3600") and "注册请求过于频繁" in answers[0][2]
    assert (_users(), len(mail.outbox)) == (before, sent)  # nothing created, nobody mailed
    assert _signup(Client(REMOTE_ADDR="10.1.2.4"), "free3@example.com").status_code == 302  # another address


def test_one_mailbox_gets_at_most_the_hourly_mails(settings, django_capture_on_commit_callbacks):
    settings.SIGNUP_MAILS_PER_HOUR = 2
    f.UserFactory(username="owner", email="taken@example.com")
    for email in ("taken@example.com", "free@example.com"):
        for n in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                response = Client(REMOTE_ADDR=f"10.0.0.{n}").post(reverse("signup"), {
                    "first_name": "张三", "email": email.upper() if n % 2 else email,
                    "password1": PASSWORD, "password2": PASSWORD})
            assert response["Location"] == reverse("signup_sent")
    assert [m.to[0].lower() for m in mail.outbox] == ["taken@example.com"] * 2 + ["free@example.com"] * 2
    assert get_user_model().objects.filter(email__iexact="free@example.com").count() == 1
