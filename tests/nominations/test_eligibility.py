import datetime as dt

import pytest

from nominations.enums import ApplicationState as S
from nominations.errors import ConditionsUnmet
from nominations.models import Application, AwardRecord, Organization, Programme
from nominations.services.eligibility import eligibility_evaluate
from nominations.services.transitions import application_transition
from tests import factories as f


@pytest.fixture
def mqa(secretariat):
    return f.open_cycle("MQA", secretariat=secretariat)


def _endorsed(cycle, applicant, organization, unit, recommender):
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit)
    return f.advance(app, ["submit", "endorse"], {"submit": applicant, "endorse": recommender})


def test_gold_award_years_registered(endorsed, secretariat):
    Organization.objects.filter(pk=endorsed.organization_id).update(
        established_on=endorsed.cycle.opens_at.date() - dt.timedelta(days=365 * 2))
    endorsed.organization.refresh_from_db()
    results = eligibility_evaluate(endorsed, now=endorsed.cycle.opens_at)
    by_kind = {r["kind"]: (r["passed"], r["detail"]) for r in results}
    assert by_kind["years_registered"][0] is False
    assert "已满 1 年（要求 3 年）" in by_kind["years_registered"][1] or "已满 2 年（要求 3 年）" in by_kind["years_registered"][1]
    assert by_kind["declaration"] == (True, "已声明")
    assert by_kind["lockout"] == (True, "近 5 年内未获该奖项")


def test_accept_with_failed_rule_needs_override_reason(endorsed, secretariat):
    Organization.objects.filter(pk=endorsed.organization_id).update(established_on=dt.date.today())
    with pytest.raises(ConditionsUnmet) as err:
        application_transition(application=endorsed, name="accept", actor=secretariat)
    assert len(err.value.missing) == 1 and err.value.missing[0].startswith("资格条件未通过：在本市注册经营满3年")
    assert Application.objects.get(pk=endorsed.pk).state == S.ENDORSED
    app = application_transition(application=endorsed, name="accept", actor=secretariat,
                                 override_reason="经核实为集团重组新设主体，经营历史连续")
    assert app.state == S.ACCEPTED
    assert app.eligibility_override_reason == "经核实为集团重组新设主体，经营历史连续"
    assert [r["passed"] for r in app.eligibility_results if r["kind"] == "years_registered"] == [False]


def test_accept_records_passing_results(accepted):
    assert {r["kind"] for r in accepted.eligibility_results} == {"years_registered", "declaration", "lockout"}
    assert all(r["passed"] for r in accepted.eligibility_results)
    assert accepted.eligibility_override_reason == ""


def test_mayors_award_needs_gold_award_three_years_earlier(mqa, applicant, organization, unit, recommender):
    app = _endorsed(mqa, applicant, organization, unit, recommender)
    gold = Programme.objects.get(code="QGA")
    prior = [r for r in eligibility_evaluate(app, now=mqa.opens_at) if r["kind"] == "prior_award"][0]
    assert (prior["passed"], prior["detail"]) == (False, "系统中无 2015 年度或更早的上海市质量金奖获奖记录")
    AwardRecord.objects.create(organization=organization, programme=gold, year=2016)
    prior = [r for r in eligibility_evaluate(app, now=mqa.opens_at) if r["kind"] == "prior_award"][0]
    assert prior["passed"] is False  # 2016 is only 2 years before 2018
    AwardRecord.objects.create(organization=organization, programme=gold, year=2015)
    prior = [r for r in eligibility_evaluate(app, now=mqa.opens_at) if r["kind"] == "prior_award"][0]
    assert (prior["passed"], prior["detail"]) == (True, "2015 年度获上海市质量金奖")


def test_lockout_after_winning_same_award(endorsed):
    gold = Programme.objects.get(code="QGA")
    AwardRecord.objects.create(organization=endorsed.organization, programme=gold, year=2014)
    lock = [r for r in eligibility_evaluate(endorsed, now=endorsed.cycle.opens_at) if r["kind"] == "lockout"][0]
    assert (lock["passed"], lock["detail"]) == (False, "2014 年度已获上海市质量金奖，5 年内不得再次申报")
    AwardRecord.objects.filter(organization=endorsed.organization).update(year=2013)
    lock = [r for r in eligibility_evaluate(endorsed, now=endorsed.cycle.opens_at) if r["kind"] == "lockout"][0]
    assert lock["passed"] is True


def test_another_organizations_award_does_not_count(mqa, applicant, organization, unit, recommender,
                                                    other_organization):
    AwardRecord.objects.create(organization=other_organization, programme=Programme.objects.get(code="QGA"),
                               year=2010)
    app = _endorsed(mqa, applicant, organization, unit, recommender)
    prior = [r for r in eligibility_evaluate(app, now=mqa.opens_at) if r["kind"] == "prior_award"][0]
    assert prior["passed"] is False
