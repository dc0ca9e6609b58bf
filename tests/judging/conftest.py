"""Judging personas and builders. Everything goes through the real services."""
from __future__ import annotations

import itertools

import pytest

from judging.models import Criterion
from judging.services import (
    assignment_accept,
    assignment_create,
    assignment_submit,
    scoresheet_save,
)
from nominations.models import Cycle
from tests import factories as f

GBT = "GBT19580-2012"
_seq = itertools.count(1)


def gbt_codes() -> list[str]:
    return list(Criterion.objects.filter(rubric__code=GBT, parent__isnull=False).order_by("order")
                .values_list("code", flat=True))


def make_judges(n: int, prefix: str = "j", **kwargs) -> list:
    return [f.UserFactory(username=f"{prefix}{i}", first_name=f"专家{prefix.upper()}{i}", groups=["judge"], **kwargs)
            for i in range(1, n + 1)]


def set_judges_document(cycle, k: int):
    Cycle.objects.filter(pk=cycle.pk).update(judges_document=k)
    cycle.refresh_from_db()
    return cycle


def new_accepted_application(*, cycle, recommender, unit, secretariat, organization=None, title=None,
                             industry="制造业"):
    n = next(_seq)
    org = organization or f.OrganizationFactory(name=f"上海评审测试{n}号有限公司", industry=industry)
    user = f.UserFactory(username=f"app-user-{n}")
    f.member(user, org)
    app = f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit, title=title or f"模式{n}")
    return f.advance(app, ["submit", "endorse", "accept"],
                     {"submit": user, "endorse": recommender, "accept": secretariat})


def assign_and_accept(app, judges, secretariat, stage="document"):
    out = []
    for judge in judges:
        a = assignment_create(application=app, judge=judge, stage=stage, actor=secretariat)
        out.append(assignment_accept(assignment=a, actor=judge))
    return out


def start_review(app, secretariat):
    return f.advance(app, ["start_review"], {"start_review": secretariat})


def fill(assignment, judge, percents):
    """Score every item: `percents` is one int for all items or {code: percent} (others 50)."""
    from judging.selectors import criteria_for_application

    codes = [c.code for c in criteria_for_application(assignment.application)]
    if isinstance(percents, int):
        percents = {c: percents for c in codes}
    items = [{"criterion": c, "percent": percents.get(c, 50), "strengths": "优势", "opportunities": "改进"}
             for c in codes]
    return scoresheet_save(assignment=assignment, items=items, actor=judge)


def fill_and_submit(assignment, judge, percents):
    fill(assignment, judge, percents)
    return assignment_submit(assignment=assignment, actor=judge)


@pytest.fixture
def judges(db):
    return make_judges(5)


@pytest.fixture
def review_app(cycle, accepted, judges, secretariat):
    """The `accepted` application in document review with five accepted judges (first = leader)."""
    assignments = assign_and_accept(accepted, judges, secretariat)
    app = start_review(accepted, secretariat)
    return app, assignments
