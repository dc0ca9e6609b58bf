import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from nominations.enums import ApplicationState as S
from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import Application, AuditEntry, Cycle, Nominee
from nominations.services.intake import application_create, application_update
from nominations.services.transitions import application_transition
from tests import factories as f


def test_submit_assigns_reference_and_sends_receipts(draft, applicant, recommender,
                                                     django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        app = application_transition(application=draft, name="submit", actor=applicant)
    assert (app.state, app.reference) == (S.SUBMITTED, "QGA-2018-0001")
    assert app.submitted_at is not None
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["【待推荐】QGA-2018-0001 上海甲方科技有限公司",
                        "【申报回执】QGA-2018-0001 2018年度上海市质量金奖"]
    receipt = next(m for m in mail.outbox if "回执" in m.subject)
    assert "applicant@example.com" in receipt.to and "QGA-2018-0001" in receipt.body


def test_submit_incomplete_lists_everything_missing(cycle, applicant, organization):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, complete=False)
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=app, name="submit", actor=applicant)
    assert err.value.missing == [
        "申报表“从业人员数（人）”未填写。",
        "申报表“上年度营业收入（万元）”未填写。",
        "申报表“先进质量管理模式名称”未填写。",
        "申报表“概述（500字以内）”未填写。",
        "申报表“近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录”未填写。",
        "缺少申报材料：申报表（盖章扫描件）。",
        "缺少申报材料：自我评价报告。",
        "未选择推荐单位。",
        "未勾选诚信承诺。",
    ]
    app.refresh_from_db()
    assert (app.state, app.reference) == (S.DRAFT, None)


def _move_window(cycle, *, opens_at=None, closes_at=None):
    Cycle.objects.filter(pk=cycle.pk).update(**{k: v for k, v in
                                               {"opens_at": opens_at, "closes_at": closes_at}.items() if v})


def test_submit_at_last_second_of_window_succeeds(draft, applicant, cycle):
    closes = timezone.now() + dt.timedelta(hours=1)
    _move_window(cycle, closes_at=closes)
    app = application_transition(application=draft, name="submit", actor=applicant,
                                 now=closes - dt.timedelta(seconds=1))
    assert app.state == S.SUBMITTED


def test_submit_at_closing_time_refused_with_deadline(draft, applicant, cycle):
    closes = timezone.make_aware(dt.datetime(2030, 5, 15, 17, 0), timezone.get_fixed_timezone(480))
    _move_window(cycle, closes_at=closes)
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=draft, name="submit", actor=applicant, now=closes)
    assert err.value.missing == ["申报已截止（截止时间 2030-05-15 17:00）。"]
    assert Application.objects.get(pk=draft.pk).state == S.DRAFT


def test_submit_before_window_opens_refused(draft, applicant, cycle):
    opens = timezone.now() + dt.timedelta(days=1)
    _move_window(cycle, opens_at=opens, closes_at=opens + dt.timedelta(days=10))
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=draft, name="submit", actor=applicant)
    assert err.value.missing[0].startswith("申报尚未开始")


def test_double_submit_is_refused_with_state_error(submitted, applicant):
    with pytest.raises(InvalidState) as err:
        application_transition(application=submitted, name="submit", actor=applicant)
    assert err.value.status == 409
    assert AuditEntry.objects.filter(object_id=str(submitted.pk), action="submit").count() == 1


def test_stale_copy_cannot_transition_twice(draft, applicant):
    stale = Application.objects.get(pk=draft.pk)
    application_transition(application=draft, name="submit", actor=applicant)
    with pytest.raises(WorkflowError) as err:
        application_transition(application=stale, name="submit", actor=applicant)
    assert err.value.status == 409


def test_one_live_application_per_organization_and_category(draft, applicant, organization, cycle):
    with pytest.raises(WorkflowError) as err:
        application_create(actor=applicant, category=cycle.categories.get(code="ORG"),
                           organization=organization, title="第二份")
    assert err.value.code == "duplicate_application"
    assert Application.objects.filter(organization=organization).count() == 1


def test_withdrawn_application_frees_the_place(draft, applicant, organization, cycle):
    application_transition(application=draft, name="withdraw", actor=applicant)
    again = application_create(actor=applicant, category=cycle.categories.get(code="ORG"),
                               organization=organization, title="重新申报")
    assert again.state == S.DRAFT


def test_references_are_gap_free_in_order_of_submission(cycle, applicant, organization, secretariat):
    apps = []
    for i in range(3):
        org = organization if i == 0 else f.OrganizationFactory()
        f.member(applicant, org)
        applicant.__dict__.pop("_award_org_ids", None)
        apps.append(f.draft_application(cycle=cycle, applicant=applicant, organization=org,
                                        unit=f.RecommendingUnitFactory()))
    # the second one fails once (incomplete) and must not burn a number
    application_update(application=apps[1], actor=applicant, commitment=False)
    with pytest.raises(ConditionsUnmet):
        application_transition(application=apps[1], name="submit", actor=applicant)
    application_transition(application=apps[0], name="submit", actor=applicant)
    application_update(application=apps[1], actor=applicant, commitment=True)
    application_transition(application=apps[2], name="submit", actor=applicant)
    application_transition(application=apps[1], name="submit", actor=applicant)
    refs = [Application.objects.get(pk=a.pk).reference for a in apps]
    assert refs == ["QGA-2018-0001", "QGA-2018-0003", "QGA-2018-0002"]


def test_other_organization_member_cannot_apply_for_it(cycle, other_applicant, organization):
    with pytest.raises(NotPermitted):
        application_create(actor=other_applicant, category=cycle.categories.get(code="ORG"),
                           organization=organization, title="冒名申报")
    assert not Application.objects.exists()


def test_return_sets_deadline_and_resubmit_keeps_reference(submitted, recommender, applicant,
                                                           django_capture_on_commit_callbacks):
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        app = application_transition(application=submitted, name="return", actor=recommender,
                                     note="请补充近三年财务数据", now=now)
    assert app.state == S.RETURNED
    assert app.amendment_deadline == now + dt.timedelta(days=app.cycle.amendment_days)
    assert app.return_reason == "请补充近三年财务数据"
    assert [m.subject for m in mail.outbox] == ["【请补正】QGA-2018-0001 2018年度上海市质量金奖"]
    assert "请补充近三年财务数据" in mail.outbox[0].body
    application_update(application=app, actor=applicant, title="补正后的项目名称")
    app = application_transition(application=app, name="submit", actor=applicant)
    assert (app.state, app.reference, app.title) == (S.SUBMITTED, "QGA-2018-0001", "补正后的项目名称")


def test_return_without_reason_refused(submitted, recommender):
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=submitted, name="return", actor=recommender, note="  ")
    assert err.value.missing == ["请填写退回理由。"]
    assert Application.objects.get(pk=submitted.pk).state == S.SUBMITTED


def test_resubmit_after_amendment_deadline_refused(submitted, recommender, applicant):
    now = timezone.now()
    app = application_transition(application=submitted, name="return", actor=recommender, note="补充", now=now)
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=app, name="submit", actor=applicant,
                               now=app.amendment_deadline + dt.timedelta(seconds=1))
    assert err.value.missing[0].startswith("补正期限已过")


def test_resubmit_after_window_closed_but_within_amendment_deadline(submitted, recommender, applicant, cycle):
    app = application_transition(application=submitted, name="return", actor=recommender, note="补充")
    _move_window(cycle, closes_at=timezone.now() - dt.timedelta(minutes=1))
    app = application_transition(application=app, name="submit", actor=applicant)
    assert app.state == S.SUBMITTED


def test_edit_after_submit_refused(submitted, applicant):
    with pytest.raises(InvalidState):
        application_update(application=submitted, actor=applicant, title="偷偷修改")
    assert Application.objects.get(pk=submitted.pk).title == "卓越绩效管理模式"


@pytest.mark.parametrize("actor_name,transition,error", [
    ("applicant", "endorse", NotPermitted),
    ("applicant", "accept", NotPermitted),
    ("other_recommender", "endorse", NotPermitted),
    ("recommender", "accept", NotPermitted),
    ("recommender", "reject", NotPermitted),
    ("secretariat", "submit", NotPermitted),
])
def test_wrong_role_refused(submitted, actor_name, transition, error, request):
    actor = request.getfixturevalue(actor_name)
    with pytest.raises(error):
        application_transition(application=submitted, name=transition, actor=actor, note="x")
    assert Application.objects.get(pk=submitted.pk).state == S.SUBMITTED


def test_accept_needs_endorsement_first_where_programme_requires_it(submitted, secretariat):
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=submitted, name="accept", actor=secretariat)
    assert err.value.missing == ["本奖项须先经推荐单位推荐，才能受理。"]


def test_reject_needs_reason_and_frees_place(endorsed, secretariat):
    with pytest.raises(ConditionsUnmet):
        application_transition(application=endorsed, name="reject", actor=secretariat)
    app = application_transition(application=endorsed, name="reject", actor=secretariat, note="不符合申报条件")
    assert (app.state, app.decision_reason, app.live_key) == (S.INELIGIBLE, "不符合申报条件", None)


def test_individual_nominee_id_encrypted_and_masked(cycle, applicant, organization, unit):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                              category_code="IND")
    nominee = Nominee.objects.get(pk=app.nominee_id)
    assert nominee.id_number_masked == "110105********002X"
    assert "11010519491231002X" not in nominee.id_number_encrypted
    assert nominee.get_id_number() == "11010519491231002X"


def test_individual_invalid_id_refused(cycle, applicant, organization):
    with pytest.raises(WorkflowError) as err:
        application_create(actor=applicant, category=cycle.categories.get(code="IND"), organization=organization,
                           title="成果", nominee={"name": "张三", "employer": "某公司", "id_number": "110105194912310021"})
    assert err.value.field_errors["id_number"] == ["身份证号码校验位错误：应为“X”，实为“1”。"]
    assert not Nominee.objects.exists()


def test_same_person_cannot_be_nominated_twice_in_category(cycle, applicant, organization, other_applicant,
                                                            other_organization):
    f.draft_application(cycle=cycle, applicant=applicant, organization=organization, category_code="IND")
    with pytest.raises(WorkflowError) as err:
        f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization,
                            category_code="IND")
    assert err.value.code == "duplicate_application"


def test_answers_validated_by_type(draft, applicant):
    with pytest.raises(WorkflowError) as err:
        application_update(application=draft, actor=applicant, answers={"employees": "很多"})
    assert err.value.message == "“从业人员数（人）”的值格式不正确（应为整数）。"
    with pytest.raises(WorkflowError):
        application_update(application=draft, actor=applicant, answers={"unknown": 1})


def test_changing_nominee_to_a_person_already_nominated_is_refused(cycle, applicant, organization, unit):
    first = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                category_code="IND")
    other = f.OrganizationFactory()
    f.member(applicant, other)
    applicant.__dict__.pop("_award_org_ids", None)
    second = f.draft_application(cycle=cycle, applicant=applicant, organization=other, category_code="IND",
                                 nominee={"name": "李四", "employer": "某公司", "id_number": "440524188001010014"})
    with pytest.raises(WorkflowError) as err:
        application_update(application=second, actor=applicant,
                           nominee={"name": "张三", "employer": "某公司", "id_number": "11010519491231002X"})
    assert err.value.code == "duplicate_application"
    nominee = Nominee.objects.get(pk=second.nominee_id)
    assert (nominee.name, nominee.id_number_masked) == ("李四", "440524********0014")
    assert first.nominee.id_number_masked == "110105********002X"
