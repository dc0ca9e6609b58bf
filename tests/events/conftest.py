"""Personas and builders for the events tests: a published Quality Benchmark winner hosting
an exchange visit, enterprises registering for it.

`published_winner` arranges a published application with its frozen award record (what
nominations' publish act writes for it) without running the whole judging path, which
tests/publication covers; the acts under test here are events'."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from events.services.events import EventInput, event_create
from nominations.enums import ApplicationState, NomineeKind
from nominations.models import Application, AwardRecord, Publication
from tests import factories as f

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def published_winner(*, secretariat, cycle=None, name=None, title="“数字孪生”质量追溯典型经验"):
    """(application, award record, organization) of a published Quality Benchmark winner."""
    n = next(_seq)
    cycle = cycle or f.open_cycle("QB", secretariat=secretariat, year=2018, label=f"2018-{n}")
    org = f.OrganizationFactory(name=name or f"上海标杆{n}号质量股份有限公司")
    owner = f.UserFactory(username=f"winner-owner-{n}")
    f.member(owner, org)
    app = f.draft_application(cycle=cycle, applicant=owner, organization=org, category_code="TYPICAL",
                              complete=False, title=title)
    Application.objects.filter(pk=app.pk).update(state=ApplicationState.PUBLISHED)
    publication, _created = Publication.objects.get_or_create(
        cycle=cycle, kind=Publication.Kind.MAIN,
        defaults={"announcement": "经公示无异议，现予公布。", "published_at": timezone.now()})
    award = AwardRecord.objects.create(
        application=app, organization=org, nominee_kind=NomineeKind.ORGANIZATION, programme=cycle.programme,
        year=cycle.year, title=title, holder_name=org.name, category_name="典型经验", cycle_label=cycle.label,
        publication=publication, published_at=timezone.now())
    app.refresh_from_db()
    return app, award, org


@pytest.fixture
def winner(secretariat):
    return published_winner(secretariat=secretariat, name="上海浦江标杆精密机械有限公司")


@pytest.fixture
def host_user(winner):
    user = f.UserFactory(username="host")
    f.member(user, winner[2])
    return user


@pytest.fixture
def third_applicant(db):
    org = f.OrganizationFactory(name="上海丙方食品有限公司")
    user = f.UserFactory(username="third_applicant")
    f.member(user, org)
    return user


def org_of(user):
    return user.memberships.get().organization


def event_input(host_ids, **overrides) -> EventInput:
    now = timezone.now()
    values = dict(kind="exchange_visit", title="走进标杆：精密制造质量管理参观交流", topic="", description="参观生产线并座谈交流。",
                  starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=7, hours=3),
                  location="上海市浦东新区张江路100号", capacity=4, per_organization_limit=2,
                  registration_opens_at=now - dt.timedelta(days=1),
                  registration_closes_at=now + dt.timedelta(days=5), host_applications=list(host_ids))
    values.update(overrides)
    return EventInput(**values)


@pytest.fixture
def event(secretariat, winner):
    return event_create(actor=secretariat, data=event_input([winner[0].pk]))


def people(n: int, prefix: str = "员工") -> list[dict]:
    return [{"name": f"{prefix}{i + 1}", "position": "质量经理", "phone": f"1380000{i:04d}"} for i in range(n)]
