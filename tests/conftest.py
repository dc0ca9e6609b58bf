"""Personas and the open cycle every test starts from."""
from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Each test stores uploads and certificates in its own private folder."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
    }


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings, tmp_path):
    """Each test writes audit checkpoints to its own folder (they name rows of its database)."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def secretariat(db):
    return f.UserFactory(username="sec", groups=["secretariat"])


@pytest.fixture
def committee_member(db):
    return f.UserFactory(username="committee", groups=["committee"])


@pytest.fixture
def judge(db):
    return f.UserFactory(username="judge", groups=["judge"])


@pytest.fixture
def outsider(db):
    return f.UserFactory(username="outsider")


@pytest.fixture
def organization(db):
    return f.OrganizationFactory(name="上海甲方科技有限公司")


@pytest.fixture
def other_organization(db):
    return f.OrganizationFactory(name="上海乙方制造有限公司")


@pytest.fixture
def applicant(organization):
    user = f.UserFactory(username="applicant")
    f.member(user, organization)
    return user


@pytest.fixture
def other_applicant(other_organization):
    user = f.UserFactory(username="other_applicant")
    f.member(user, other_organization)
    return user


@pytest.fixture
def unit(db):
    return f.RecommendingUnitFactory(name="浦东新区市场监督管理局")


@pytest.fixture
def recommender(unit):
    user = f.UserFactory(username="recommender")
    f.recommender_member(user, unit)
    return user


@pytest.fixture
def other_recommender(db):
    other_unit = f.RecommendingUnitFactory(name="上海市质量协会")
    user = f.UserFactory(username="other_recommender")
    f.recommender_member(user, other_unit)
    return user


@pytest.fixture
def cycle(secretariat):
    """The open 2018 Quality Gold Award cycle (window: 30 days ago to 30 days ahead)."""
    return f.open_cycle("QGA", secretariat=secretariat)


@pytest.fixture
def actors(applicant, recommender, secretariat):
    return {"submit": applicant, "endorse": recommender, "return": secretariat, "accept": secretariat,
            "reject": secretariat, "withdraw": applicant}


@pytest.fixture
def draft(cycle, applicant, organization, unit):
    return f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit)


@pytest.fixture
def submitted(draft, actors):
    return f.advance(draft, ["submit"], actors)


@pytest.fixture
def endorsed(submitted, actors):
    return f.advance(submitted, ["endorse"], actors)


@pytest.fixture
def accepted(endorsed, actors):
    return f.advance(endorsed, ["accept"], actors)
