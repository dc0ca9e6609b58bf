"""A judge's autosave and submit at the same moment (PostgreSQL: real row locks), through the
careful path and through the autosave's one statement (issue 9)."""
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from judging.enums import AssignmentState
from judging.models import Assignment, ItemScore
from judging.services import scoresheet_save, scoresheet_submit
from tests import factories as f
from tests.judging.conftest import assign_and_accept, fill, make_judges, set_judges_document, start_review

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks"),
]


@pytest.fixture(autouse=True)
def _catalog(transactional_db):
    f.ensure_catalog_data()


def test_submitted_at_is_taken_after_the_lock_not_before_a_save_that_held_it(accepted, secretariat):
    """The submit waits for an autosave holding the sheet's lock; its timestamp is taken once it
    has the lock, so it is never earlier than the score saved just before it (issue 7)."""
    set_judges_document(accepted.cycle, 1)
    [judge] = make_judges(1, prefix="lock")
    [a] = assign_and_accept(accepted, [judge], secretariat)
    start_review(accepted, secretariat)
    fill(a, judge, 60)
    locked, submit_called, results = threading.Event(), threading.Event(), {}

    def autosave():
        try:
            with transaction.atomic():
                Assignment.objects.select_for_update().get(pk=a.pk)
                locked.set()
                submit_called.wait(10)
                time.sleep(0.3)  # let the submit reach the lock (ordering only; nothing is timed)
                scoresheet_save(assignment=a.pk, items=[{"criterion": "4.1.2", "strengths": "最后一次保存"}],
                                actor=judge)
        finally:
            connection.close()

    def submit():
        try:
            locked.wait(10)
            submit_called.set()
            results["submit"] = scoresheet_submit(assignment=Assignment.objects.get(pk=a.pk), actor=judge)
        except Exception as exc:  # asserted below
            results["submit"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=autosave), threading.Thread(target=submit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    submitted = Assignment.objects.get(pk=a.pk)
    last_save = max(ItemScore.objects.filter(assignment=a).values_list("updated_at", flat=True))
    assert isinstance(results["submit"], Assignment)
    assert ItemScore.objects.get(assignment=a, criterion__code="4.1.2").strengths == "最后一次保存"
    assert (submitted.state, submitted.submitted_at >= last_save) == ("submitted", True)


def _someone_waits_for_a_lock(seconds: float = 10) -> bool:
    """True once another session of this test database waits for a lock (polled; ordering only,
    nothing is timed). Other test processes use other databases on the same server."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid "
                           "WHERE NOT l.granted AND s.datname = current_database()")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_an_autosave_waits_for_the_submission_holding_the_sheet_then_refuses(accepted, secretariat):
    """The submission locks the sheet; an autosave arriving meanwhile waits, then sees the sheet
    submitted and saves nothing (409), instead of changing a submitted score."""
    set_judges_document(accepted.cycle, 1)
    [judge] = make_judges(1, prefix="race")
    [assignment] = assign_and_accept(accepted, [judge], secretariat)
    start_review(accepted, secretariat)
    fill(assignment, judge, 60)
    locked, results = threading.Event(), {}

    def submit():
        try:
            with transaction.atomic():
                held = Assignment.objects.select_for_update().select_related("application__organization").get(
                    pk=assignment.pk)
                locked.set()
                results["autosave waited"] = _someone_waits_for_a_lock()
                scoresheet_submit(assignment=held, actor=judge)
        finally:
            connection.close()

    def autosave():
        try:
            locked.wait(10)
            client = APIClient()
            client.force_authenticate(judge)
            results["autosave"] = client.put(f"/api/v1/assignments/{assignment.pk}/scoresheet/",
                                             {"items": [{"criterion": "4.1.2", "percent": 5}]}, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit), threading.Thread(target=autosave)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["autosave waited"]  # it reached the lock while the submission held it
    assert results["autosave"].status_code == 409, results["autosave"].content
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert ItemScore.objects.get(assignment=assignment, criterion__code="4.1.2").percent == 60
