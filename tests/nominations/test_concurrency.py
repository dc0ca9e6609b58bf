"""Two actors, one application, at the same moment (PostgreSQL: real row locks)."""
import threading

import pytest
from django.db import connection

from nominations.enums import ApplicationState as S
from nominations.errors import WorkflowError
from nominations.models import Application, AuditEntry
from nominations.services.audit import audit_verify_chain
from nominations.services.transitions import application_transition
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks"),
]


@pytest.fixture(autouse=True)
def _catalog(transactional_db):
    f.ensure_catalog_data()


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_double_click_submit_only_one_wins(draft, applicant):
    results = _race([lambda: application_transition(application=draft.pk, name="submit", actor=applicant)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["Application", "InvalidState"]
    app = Application.objects.get(pk=draft.pk)
    assert (app.state, app.reference) == (S.SUBMITTED, "QGA-2018-0001")
    assert AuditEntry.objects.filter(object_id=str(app.pk), action="submit").count() == 1


def test_many_submit_at_once_references_unique_and_gap_free(cycle, applicant, unit):
    apps = []
    for _ in range(6):
        org = f.OrganizationFactory()
        f.member(applicant, org)
        applicant.__dict__.pop("_award_org_ids", None)
        apps.append(f.draft_application(cycle=cycle, applicant=applicant, organization=org, unit=unit))
    results = _race([lambda a=a: application_transition(application=a.pk, name="submit", actor=applicant)
                     for a in apps])
    assert not [r for r in results if isinstance(r, (WorkflowError, Exception)) and not isinstance(r, Application)]
    refs = sorted(Application.objects.values_list("reference", flat=True))
    assert refs == [f"QGA-2018-{i:04d}" for i in range(1, 7)]
    assert audit_verify_chain()[0] is True


def test_endorse_and_return_at_once_are_serialised(submitted, recommender, secretariat):
    """Both may succeed only one after the other (endorse, then return from endorsed);
    never both from the same 'submitted' state."""
    _race([
        lambda: application_transition(application=submitted.pk, name="endorse", actor=recommender),
        lambda: application_transition(application=submitted.pk, name="return", actor=secretariat, note="补正"),
    ])
    steps = list(AuditEntry.objects.filter(object_id=str(submitted.pk), action__in=["endorse", "return"])
                 .order_by("id").values_list("action", "source", "target"))
    assert steps in (
        [("endorse", "submitted", "endorsed"), ("return", "endorsed", "returned")],
        [("return", "submitted", "returned")],
    )
    assert Application.objects.get(pk=submitted.pk).state == steps[-1][2]
