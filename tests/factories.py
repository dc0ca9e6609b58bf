"""factory_boy factories with no surprises, plus builders that drive applications
through the real transition service (never writing the state field)."""
from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from nominations.demo import build_cycle, sample_pdf
from nominations.enums import RecommenderKind
from nominations.identifiers import make_id_number, make_org_code_uscc
from nominations.models import Membership, Organization, RecommenderMembership, RecommendingUnit
from nominations.services.intake import application_create, document_upload
from nominations.services.transitions import application_transition, cycle_transition


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw-123456")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


def _uscc(n: int) -> str:
    """A valid credit code whose embedded organization code checks, too."""
    return make_org_code_uscc("91310115", f"{n:08d}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"上海测试{n}号有限公司")
    uscc = factory.Sequence(lambda n: _uscc(n + 1))
    established_on = factory.Faker("date_between", start_date="-20y", end_date="-6y")
    district = "浦东新区"
    industry = "制造业"
    contact_email = factory.LazyAttribute(lambda o: f"org{o.uscc[-6:]}@example.com")


class RecommendingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendingUnit

    name = factory.Sequence(lambda n: f"测试推荐单位{n}")
    kind = RecommenderKind.DISTRICT


def member(user, organization) -> None:
    Membership.objects.get_or_create(user=user, organization=organization)


def recommender_member(user, unit) -> None:
    RecommenderMembership.objects.get_or_create(user=user, unit=unit)


def api_token(user) -> str:
    """A new API token for `user`, as `POST /api/v1/auth/token/` issues one (knox: a token per
    sign-in, with the account's lifetime), for `Authorization: Token <token>`."""
    from accounts.services import api_token_create

    return api_token_create(user=user)[1]


def totp_code(key: bytes, *, steps: int = 0) -> str:
    """The 6-digit TOTP code (RFC 6238: HMAC-SHA1, 30-second steps) an authenticator app shows
    for the secret `key` now, or `steps` time steps later (a code is accepted once, so a test
    that signs in twice uses the next step's code the second time)."""
    import hmac
    import struct
    import time
    from hashlib import sha1

    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30) + steps), sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def open_cycle(code: str = "QGA", *, secretariat, **kwargs):
    cycle = build_cycle(code, **kwargs)
    return cycle_transition(cycle=cycle, name="open", actor=secretariat)


def valid_id_number(seq: int = 1) -> str:
    return make_id_number(f"3101041980{(seq % 12) + 1:02d}{(seq % 28) + 1:02d}{seq % 1000:03d}")


def pdf_upload(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_pdf(name), content_type="application/pdf")


def complete_answers(category) -> dict:
    values = {"integer": 100, "decimal": "1234.50", "date": "2018-01-01", "boolean": True, "text": "内容"}
    return {q.key: values[q.type] for q in category.questions.all()}


def draft_application(*, cycle, applicant, organization, unit=None, category_code: str = "ORG",
                      complete: bool = True, title: str = "卓越绩效管理模式", nominee: dict | None = None):
    category = cycle.categories.get(code=category_code)
    if category.is_individual and nominee is None:
        nominee = {"name": "张三", "employer": organization.name, "position": "总监",
                   "id_number": "11010519491231002X"}
    app = application_create(actor=applicant, category=category, organization=organization, title=title,
                             recommending_unit=unit, nominee=nominee,
                             answers=complete_answers(category) if complete else {}, commitment=complete)
    if complete:
        for req in category.document_requirements.filter(required=True):
            document_upload(application=app, actor=applicant, kind=req.kind, uploaded=pdf_upload(f"{req.kind}.pdf"))
    return app


def advance(app, steps: list[str], actors: dict, notes: dict | None = None, **params):
    """Run transitions in order through the service; actors maps step -> user."""
    notes = notes or {}
    for step in steps:
        app = application_transition(application=app, name=step, actor=actors[step],
                                     note=notes.get(step, "测试说明"), **params.get(step, {}))
    return app


def ensure_catalog_data() -> None:
    """Re-load what data migrations load (transactional tests flush the database)."""
    import importlib

    from django.apps import apps

    importlib.import_module("nominations.migrations.0002_catalog_data").load(apps, None)
    importlib.import_module("judging.migrations.0002_rubric_data").load(apps, None)


def notice_with(apps, *, created_by=None, days_before: int = 1, days_after: int = 6):
    """A notice row listing `apps` with their frozen entries, for read-side tests (acts open
    notices through nominations.services.notices.notice_open)."""
    import datetime as dt

    from django.utils import timezone

    from nominations.models import NoticeEntry, PublicNotice
    from nominations.services.notices import public_view

    now = timezone.now()
    notice = PublicNotice.objects.create(
        cycle=apps[0].cycle, starts_at=now - dt.timedelta(days=days_before), ends_at=now + dt.timedelta(days=days_after),
        days=days_before + days_after, description="现将拟授奖名单予以公示。", contact="秘书处 021-12345678",
        created_by=created_by)
    for order, app in enumerate(apps):
        NoticeEntry.objects.create(notice=notice, application=app, order=order, **public_view(app))
    return notice
