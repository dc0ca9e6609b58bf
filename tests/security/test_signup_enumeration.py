"""Sign-up answers the same whether or not an e-mail is registered (issue 8 §7): the owner of a
registered address gets a "you already have an account" mail, a new address an activation link."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Quality-Award-2018"


def _signup(client, username: str, email: str):
    return client.post(reverse("signup"), {"username": username, "first_name": "张三", "email": email,
                                           "password1": PASSWORD, "password2": PASSWORD})


def _page(client, response, email: str) -> str:
    html = client.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(email, "<email>")


@pytest.mark.parametrize("taken", ["taken@example.com", "TAKEN@Example.COM"])
def test_registered_and_new_addresses_get_the_same_answer(taken, django_capture_on_commit_callbacks):
    owner = f.UserFactory(username="owner", email="taken@example.com")
    users_before = get_user_model().objects.count()

    old_client, new_client = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        old = _signup(old_client, "someone", taken)
    assert get_user_model().objects.count() == users_before  # nothing created for a registered address
    with django_capture_on_commit_callbacks(execute=True):
        new = _signup(new_client, "newcomer", "fresh@example.com")

    assert (old.status_code, old["Location"]) == (new.status_code, new["Location"]) == (302, reverse("signup_sent"))
    assert _page(old_client, old, taken) == _page(new_client, new, "fresh@example.com")
    for client in (old_client, new_client):
        assert "_auth_user_id" not in client.session  # nobody is signed in by the form itself
    assert [m.to for m in mail.outbox] == [[taken], ["fresh@example.com"]]
    assert "您已有账号" in mail.outbox[0].subject and owner.username in mail.outbox[0].body
    assert "/signup/activate/" not in mail.outbox[0].body
    assert "请完成注册" in mail.outbox[1].subject


def test_the_form_never_says_an_address_is_registered():
    f.UserFactory(username="owner", email="taken@example.com")
    response = Client().post(reverse("signup"), {"username": "x", "first_name": "", "email": "taken@example.com",
                                                 "password1": "1", "password2": "2"})
    assert response.status_code == 200  # other errors are still shown
    text = response.content.decode()
    assert "已注册" not in text and "taken@example.com" not in text.replace('value="taken@example.com"', "")


def test_activation_link_activates_once_and_signs_in(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "zhangsan", "zhangsan@example.com")
    user = get_user_model().objects.get(username="zhangsan")
    assert not user.is_active
    assert not client.login(username="zhangsan", password=PASSWORD)  # not before the link

    link = re.search(r"https?://[^/\s]+(/signup/activate/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("organization_create")
    page = client.get(response["Location"])
    assert page.context["user"].username == "zhangsan"
    assert "注册成功，欢迎使用。下一步：登记您的申报单位。" in page.content.decode()

    again = Client().get(link)  # used: the sign-in changed what the token covers
    assert again.status_code == 400 and "链接无效" in again.content.decode()


@pytest.mark.parametrize("link", ["/signup/activate/MQ/set-password/", "/signup/activate/%FF%FF/x-y/",
                                  "/signup/activate/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/"])
def test_bad_activation_links_are_refused(link):
    f.UserFactory(username="u1", is_active=False)
    response = Client().get(link)
    assert response.status_code == 400
    assert not get_user_model().objects.get(username="u1").is_active
