"""A judge's autosave and submit at the same moment (PostgreSQL: real row locks)."""
import threading
import time

import pytest
from django.db import connection, transaction

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
