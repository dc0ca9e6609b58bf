import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from judging.models import Criterion, Rubric, RubricLocked
from nominations.demo import build_cycle
from nominations.enums import CycleState
from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted
from nominations.models import AuditEntry, Cycle, Programme
from nominations.services.transitions import cycle_transition, cycles_close_expired


def test_programmes_loaded_by_migration(db):
    assert list(Programme.objects.values_list("code", "name", "has_site_stage", "needs_recommender")) == [
        ("MQA", "上海市市长质量奖", True, True),
        ("QGA", "上海市质量金奖", True, True),
        ("QB", "上海市质量标杆", False, True),
    ]


def test_gbt19580_rubric_exactly_as_the_standard(db):
    rubric = Rubric.objects.get(code="GBT19580-2012")
    categories = {c.code: (c.title, c.max_points, c.kind) for c in rubric.criteria.filter(parent__isnull=True)}
    assert categories == {
        "4.1": ("领导", Decimal("110.00"), "process"), "4.2": ("战略", Decimal("90.00"), "process"),
        "4.3": ("顾客与市场", Decimal("90.00"), "process"), "4.4": ("资源", Decimal("130.00"), "process"),
        "4.5": ("过程管理", Decimal("100.00"), "process"),
        "4.6": ("测量、分析与改进", Decimal("80.00"), "process"), "4.7": ("结果", Decimal("400.00"), "result"),
    }
    items = rubric.criteria.filter(parent__isnull=False).select_related("parent")
    assert items.count() == 23
    assert rubric.total_points == Decimal("1000")
    for cat in rubric.criteria.filter(parent__isnull=True):
        assert sum(c.max_points for c in cat.children.all()) == cat.max_points
    assert sum(i.max_points for i in items if i.kind == "process") == 600
    assert sum(i.max_points for i in items if i.kind == "result") == 400
    assert {i.code: i.max_points for i in items}["4.4.3"] == Decimal("15.00")


def test_default_rubrics_are_marked_configurable(db):
    assert dict(Rubric.objects.values_list("code", "configurable_default")) == {
        "GBT19580-2012": False, "DB31T598-IND": True, "QB-TYPICAL": True}
    for rubric in Rubric.objects.all():
        assert rubric.total_points == Decimal("1000")


def test_rubric_frozen_once_a_cycle_using_it_opens(secretariat):
    cycle = build_cycle("QB")
    item = Criterion.objects.get(rubric__code="QB-TYPICAL", code="4.1")
    item.title = "示范效应（草案修改）"
    item.save()  # still a draft cycle: allowed
    cycle_transition(cycle=cycle, name="open", actor=secretariat)
    item.title = "开放后修改"
    with pytest.raises(RubricLocked):
        item.save()
    with pytest.raises(RubricLocked):
        item.delete()
    assert Criterion.objects.get(pk=item.pk).title == "示范效应（草案修改）"


def test_cycle_transitions_are_secretariat_only_and_audited(secretariat, applicant):
    cycle = build_cycle("QGA")
    with pytest.raises(NotPermitted):
        cycle_transition(cycle=cycle, name="open", actor=applicant)
    cycle = cycle_transition(cycle=cycle, name="open", actor=secretariat, note="开放申报")
    assert cycle.status == CycleState.OPEN
    with pytest.raises(InvalidState):
        cycle_transition(cycle=cycle, name="open", actor=secretariat)
    entry = AuditEntry.objects.get(object_type="nominations.cycle", object_id=str(cycle.pk))
    assert (entry.action, entry.source, entry.target, entry.note) == ("open", "draft", "open", "开放申报")


def test_cycle_cannot_open_after_its_window(secretariat):
    cycle = build_cycle("QGA", closes_at=timezone.now() - dt.timedelta(days=1),
                        opens_at=timezone.now() - dt.timedelta(days=40))
    with pytest.raises(ConditionsUnmet) as err:
        cycle_transition(cycle=cycle, name="open", actor=secretariat)
    assert err.value.missing == ["申报截止时间已过，请先调整申报时间。"]


def test_open_cycles_close_by_themselves_when_window_ends(cycle):
    assert cycles_close_expired() == []
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert cycles_close_expired() == [cycle.pk]
    cycle.refresh_from_db()
    assert cycle.status == CycleState.CLOSED
    entry = AuditEntry.objects.filter(object_type="nominations.cycle", action="close").get()
    assert (entry.actor_name, entry.note) == ("system", "申报截止，系统自动关闭")


def test_cycle_moves_to_deliberation_and_notice_needs_approved_applications(cycle, secretariat):
    for name in ["close", "start_judging", "start_deliberation"]:
        cycle = cycle_transition(cycle=cycle, name=name, actor=secretariat)
    assert cycle.status == CycleState.DELIBERATION
    from nominations.services.notices import NoticeInput, notice_open

    with pytest.raises(ConditionsUnmet) as err:
        notice_open(cycle=cycle, actor=secretariat, data=NoticeInput(description="公示", contact="秘书处"))
    assert err.value.missing == ["本周期没有审定通过的申报，无需公示。"]
    with pytest.raises(ConditionsUnmet) as err:  # the bare cycle transition cannot open a notice
        cycle_transition(cycle=cycle, name="start_notice", actor=secretariat)
    assert err.value.code == "act_required"
    assert Cycle.objects.get(pk=cycle.pk).status == CycleState.DELIBERATION
