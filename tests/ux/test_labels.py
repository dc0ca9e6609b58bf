"""Words people see (issue 11 §8): human names instead of codes and usernames, Chinese labels
in the admin, one form of address (您)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from judging.forms import person_label
from judging.models import JudgeProfile
from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


@pytest.fixture
def staff(secretariat):
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    return secretariat


@pytest.mark.parametrize("app_label", ["nominations", "judging"])
def test_every_model_and_field_has_a_chinese_label(app_label):
    missing = []
    for model in apps.get_app_config(app_label).get_models():
        if not chinese(model._meta.verbose_name):
            missing.append(model.__name__)
        for field in model._meta.get_fields():
            if getattr(field, "auto_created", False) or not hasattr(field, "verbose_name"):
                continue
            if not chinese(field.verbose_name):
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


def test_cycle_page_names_the_rubric_instead_of_its_code(client, secretariat, cycle):
    client.force_login(secretariat)
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    assert "GBT19580-2012" not in html and "DB31T598-IND" not in html
    assert "评分标准：卓越绩效评价准则（GB/T 19580-2012）" in html


def test_admin_lists_rubric_names_and_question_labels(client, staff, cycle, draft):
    client.force_login(staff)
    categories = client.get(reverse("admin:nominations_category_changelist")).content.decode()
    assert "卓越绩效评价准则（GB/T 19580-2012）" in categories and ">GBT19580-2012<" not in categories
    assert "排序" in client.get(reverse("admin:nominations_programme_changelist")).content.decode()
    page = client.get(reverse("admin:nominations_application_change", args=[draft.pk])).content.decode()
    assert "compliance" not in page and "&quot;employees&quot;" not in page
    assert "近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录" in page and "<dd>是</dd>" in page


def test_people_are_offered_by_name_and_affiliation_never_by_login(db):
    user = f.UserFactory(username="judge1", first_name="王建国", groups=["judge"])
    assert person_label(user) == "王建国"
    JudgeProfile.objects.update_or_create(user=user, defaults={"affiliation": "上海交通大学"})
    user.refresh_from_db()
    assert person_label(user) == "王建国（上海交通大学）"
    assert "judge1" not in person_label(user)


def test_auto_assign_seed_is_explained(client, secretariat, cycle):
    from judging.forms import AutoAssignForm

    field = AutoAssignForm().fields["seed"]
    assert "随机种子" not in str(field.label) and "复现码" in str(field.label)
    assert "重现" in str(field.help_text)


def test_one_form_of_address_in_templates_and_messages():
    """您, never 你 (the person reading is addressed formally everywhere)."""
    offenders = []
    for folder in ("templates", "nominations", "judging"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".html", ".txt", ".py") or "migrations" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"你(?!们好)", line) and "您" not in line.replace("你", ""):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}")
                elif "你" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_djangos_own_messages_say_nin_too():
    """Django's zh_Hans catalogue says 你 in the password rules and the admin: the project's
    locale/zh_Hans overrides those entries with 您."""
    from django.contrib.auth.password_validation import NumericPasswordValidator, password_validators_help_texts
    from django.utils import translation

    with translation.override("zh-hans"):
        help_text = str(NumericPasswordValidator().get_help_text())
        all_help = " ".join(str(t) for t in password_validators_help_texts())
        old = translation.gettext("Your old password was entered incorrectly. Please enter it again.")
    assert help_text == "您的密码不能全都是数字。"
    assert "你" not in all_help and "您" in old
