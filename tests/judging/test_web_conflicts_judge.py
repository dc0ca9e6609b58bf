"""The judge's own conflicts on the dashboard: listed with source and reason, declared by credit
code or from the list of applicants, withdrawn only when declared by the judge and not pinned."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from judging.models import Conflict, JudgeProfile
from judging.services import conflict_add, conflict_declare, conflicts_scan
from nominations.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

HOME = "judging:home"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def rows(response) -> list[tuple]:
    return [(c.organization.name, c.get_source_display(), c.reason, c.status, c.pinned)
            for c in response.context["my_conflicts"]]


def withdraw_url(conflict) -> str:
    return reverse("judging:my_conflict_withdraw", args=[conflict.pk])


def declare(client, **data):
    return client.post(reverse("judging:my_conflict_declare"), {f"declare-{k}": v for k, v in data.items()})


@pytest.fixture
def third_organization(db):
    return f.OrganizationFactory(name="上海丙方咨询有限公司")


@pytest.fixture
def three_conflicts(judge, organization, other_organization, third_organization, secretariat):
    """A declared, a pinned secretariat and a detected conflict of `judge`; one of another judge."""
    declared = conflict_declare(judge=judge, organization=organization, actor=judge, reason="配偶在该公司任职")
    pinned = conflict_add(judge=judge, organization=other_organization, actor=secretariat, reason="曾任独立董事")
    JudgeProfile.objects.create(user=judge, affiliation="丙方", affiliation_uscc=third_organization.uscc)
    [detected] = conflicts_scan(judges=[judge], organizations=[third_organization], actor=secretariat)
    other_judge = f.UserFactory(username="other-judge", groups=["judge"])
    conflict_declare(judge=other_judge, organization=organization, actor=other_judge, reason="别人的声明")
    return declared, pinned, detected


def test_dashboard_lists_own_conflicts_with_source_and_reason(judge, three_conflicts):
    declared, pinned, detected = three_conflicts
    response = login(judge).get(reverse(HOME))
    assert response.status_code == 200
    assert sorted(rows(response)) == sorted([
        ("上海甲方科技有限公司", "专家声明", "配偶在该公司任职", "active", False),
        ("上海乙方制造有限公司", "秘书处认定", "曾任独立董事", "active", True),
        ("上海丙方咨询有限公司", "系统检测", "专家的工作单位（丙方）即该申报单位", "active", False),
    ])
    html = response.content.decode()
    assert "我的利益冲突声明" in html
    assert "别人的声明" not in html
    # only the judge's own, unpinned declaration has a withdraw button
    assert withdraw_url(declared) in html
    assert withdraw_url(pinned) not in html
    assert withdraw_url(detected) not in html


def test_declare_by_credit_code(judge, organization):
    response = declare(login(judge), uscc=organization.uscc.lower(), reason="近三年曾在该单位任职")
    assert response.status_code == 302
    assert response["Location"] == reverse(HOME) + "#my-conflicts"
    conflict = Conflict.objects.get(judge=judge)
    assert (conflict.organization, conflict.source, conflict.reason, conflict.status, conflict.pinned) == (
        organization, "declared", "近三年曾在该单位任职", "active", False)
    assert list(AuditEntry.objects.filter(object_type="judging.conflict", object_id=str(conflict.pk))
                .values_list("action", flat=True)) == ["conflict.declare"]


def test_declare_from_the_list_of_applicants(judge, accepted, other_organization):
    client = login(judge)
    page = client.get(reverse(HOME))
    choices = [org.pk for org in page.context["declare_form"].fields["organization"].queryset]
    assert choices == [accepted.organization_id]  # organizations with applications only
    response = declare(client, organization=accepted.organization_id, reason="曾为其提供咨询")
    assert response.status_code == 302
    assert list(Conflict.objects.values_list("judge", "organization", "source", "reason")) == [
        (judge.pk, accepted.organization_id, "declared", "曾为其提供咨询")]
    follow = client.get(response["Location"])
    assert rows(follow) == [(accepted.organization.name, "专家声明", "曾为其提供咨询", "active", False)]


@pytest.mark.parametrize("data, field, error", [
    ({"uscc": "", "reason": "亲属"}, None, "请填写统一社会信用代码，或从列表中选择申报单位。"),
    ({"uscc": "123", "reason": "亲属"}, "uscc", "统一社会信用代码应为18位，当前为3位。"),
    ({"uscc": "ORGCODE", "reason": ""}, "reason", "该字段是必填项。"),
])
def test_bad_declaration_changes_nothing(judge, organization, data, field, error):
    data = {k: (organization.uscc if v == "ORGCODE" else v) for k, v in data.items()}
    response = declare(login(judge), **data)
    assert response.status_code == 400
    form = response.context["declare_form"]
    assert error in (form.non_field_errors() if field is None else form.errors[field])
    assert messages_of(response) == ["请按提示填写回避声明。"]
    assert not Conflict.objects.exists()


def test_unknown_credit_code_is_refused(judge):
    code = f.OrganizationFactory.build().uscc  # a valid code no organization has
    response = declare(login(judge), uscc=code, reason="亲属")
    assert response.status_code == 400
    assert response.context["declare_form"].errors["uscc"] == [
        f"系统中没有统一社会信用代码为 {code} 的单位；请核对代码，或联系秘书处在您的专家档案中登记关联单位。"]
    assert not Conflict.objects.exists()


def test_withdraw_own_declaration(judge, three_conflicts):
    declared, pinned, detected = three_conflicts
    client = login(judge)
    response = client.post(withdraw_url(declared))
    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["已撤销与“上海甲方科技有限公司”的回避声明。"]
    assert set(Conflict.objects.filter(judge=judge).values_list("pk", flat=True)) == {pinned.pk, detected.pk}
    assert AuditEntry.objects.filter(action="conflict.withdraw", object_id=str(declared.pk)).count() == 1


def test_forged_withdraw_of_pinned_or_detected_gets_the_refusal(judge, three_conflicts):
    declared, pinned, detected = three_conflicts
    client = login(judge)
    for conflict, refusal in ((pinned, "该回避记录已由秘书处锁定，您不能撤销。"),
                              (detected, "只有您本人声明且仍有效的回避可以撤销；其他记录请联系秘书处。")):
        response = client.post(withdraw_url(conflict), follow=True)
        assert response.status_code == 200
        assert refusal in " ".join(messages_of(response))
    assert Conflict.objects.filter(judge=judge).count() == 3


def test_withdrawing_someone_elses_conflict_is_404(judge, three_conflicts):
    others = Conflict.objects.exclude(judge=judge).get()
    response = login(judge).post(withdraw_url(others))
    assert response.status_code == 404
    assert Conflict.objects.filter(pk=others.pk).exists()
    assert login(judge).post(reverse("judging:my_conflict_withdraw", args=[999999])).status_code == 404


def test_non_judges_cannot_declare(applicant, secretariat, organization):
    for user in (applicant, secretariat):
        response = declare(login(user), uscc=organization.uscc, reason="亲属")
        assert response.status_code == 403
    assert not Conflict.objects.exists()


def test_get_is_not_allowed(judge, three_conflicts):
    declared = three_conflicts[0]
    client = login(judge)
    assert client.get(reverse("judging:my_conflict_declare")).status_code == 405
    assert client.get(withdraw_url(declared)).status_code == 405
