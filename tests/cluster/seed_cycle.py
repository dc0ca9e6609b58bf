"""Run in the cluster's environment (DATABASE_URL, S3_*, …): a Quality Gold Award cycle of
another year, in public notice, with N applications already awarded — built fast with the
test factories and states set directly, so that the cluster test can publish the cycle
through an app server and watch the workers issue N certificates. Prints JSON."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from nominations.enums import ApplicationState, CycleState  # noqa: E402
from nominations.models import Application, Cycle  # noqa: E402
from tests import factories as f  # noqa: E402


def main(count: int, year: int, password: str) -> dict:
    with transaction.atomic():
        secretariat = get_user_model().objects.get(username="secretariat")
        cycle = f.open_cycle("QGA", secretariat=secretariat, year=year)
        ids = []
        for i in range(1, count + 1):
            org = f.OrganizationFactory(name=f"上海集群测试{year}第{i}号有限公司",
                                        uscc=f._uscc(50_000_000 + year * 10_000 + i))  # unique across runs
            # Only the first signs in: hashing 100+ passwords would take a minute.
            user = f.UserFactory(username=f"cluster-{year}-{i}", password=password if i == 1 else None)
            f.member(user, org)
            app = f.draft_application(cycle=cycle, applicant=user, organization=org, complete=False,
                                      title=f"卓越绩效管理模式 {i}")
            ids.append(app.pk)
        Application.objects.filter(pk__in=ids).update(state=ApplicationState.AWARDED)
        Cycle.objects.filter(pk=cycle.pk).update(status=CycleState.NOTICE)
    return {"cycle": cycle.pk, "applications": ids, "applicant": f"cluster-{year}-1"}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])))
