"""Background work on several workers (issue 10 §3): a certificate batch is shared chunk by
chunk, resumes after a worker dies, and never duplicates or skips a certificate; the cron
commands are safe when two machines run them at the same moment.

The PostgreSQL tests race real threads, each with its own database connection (real row
locks); the others run everywhere."""
from __future__ import annotations

import datetime as dt
import io
import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from judging.services import assignment_create
from nominations.enums import CycleState
from nominations.models import AuditEntry, Certificate, CertificateBatch, Cycle
from nominations.services import certificate_batches
from nominations.services.certificate_batches import run_batch
from tests import factories as f
from tests.stored import read_stored, stored_files

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks")


@pytest.fixture(autouse=True)
def _catalog(db):
    f.ensure_catalog_data()  # transactional tests start from an emptied database


def _published_certificates(cycle, n: int) -> list[Certificate]:
    """n certificates of one cycle, numbered 1..n as publication allocates them."""
    certs = []
    for i in range(1, n + 1):
        org = f.OrganizationFactory(name=f"上海并发证书{i}号有限公司")
        user = f.UserFactory(username=f"cert-applicant-{i}")
        f.member(user, org)
        app = f.draft_application(cycle=cycle, applicant=user, organization=org)
        certs.append(Certificate.objects.create(
            application=app, number=f"QGA-2018-{i:03d}", seq=i, holder=org.name, title="", award_name="质量金奖",
            cycle_label="2018", category_name="组织", issuer="上海市人民政府", issued_at=timezone.now()))
    Cycle.objects.filter(pk=cycle.pk).update(certificate_seq=n)
    return certs


def _combined_numbers(batch: CertificateBatch) -> list[str]:
    reader = PdfReader(io.BytesIO(read_stored(batch.combined_pdf.name)))
    pages = [page.extract_text() for page in reader.pages]
    return [next((c.number for c in Certificate.objects.order_by("seq") if c.number in text), "?") for text in pages]


def _assert_complete(batch_pk: int, n: int) -> CertificateBatch:
    batch = CertificateBatch.objects.get(pk=batch_pk)
    certs = list(Certificate.objects.order_by("seq"))
    assert (batch.status, batch.done) == ("done", n)
    assert [c.seq for c in certs] == list(range(1, n + 1))  # gap-free, unique (and untouched)
    assert all(c.pdf.name == f"certificates/{c.number}.pdf" and c.pdf_size > 0 for c in certs)
    assert stored_files("certificates") - {batch.combined_pdf.name} == {c.pdf.name for c in certs}  # no leftovers
    assert _combined_numbers(batch) == [c.number for c in certs]  # one page each, in number order
    return batch


# -- everywhere ------------------------------------------------------------------------------
def test_a_batch_resumes_where_a_dead_worker_stopped(cycle, secretariat, settings,
                                                      django_capture_on_commit_callbacks):
    """One chunk was committed, then the worker died while storing the next one (its
    object is there, its transaction is not): the next run renders the rest, replaces
    the leftover and merges everything into one print file."""
    settings.CERT_BATCH_CHUNK = 2
    certs = _published_certificates(cycle, 5)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=5)
    from nominations.pdf.certificates import default_renderer

    assert certificate_batches._render_chunk(batch, default_renderer(), wait=False) == 2
    from django.core.files.base import ContentFile

    from nominations.models.applications import private_storage
    private_storage().save(f"certificates/{certs[2].number}.pdf", ContentFile(b"half-written"))

    with django_capture_on_commit_callbacks(execute=True):
        assert run_batch(batch.pk) == 3
    batch = _assert_complete(batch.pk, 5)
    assert read_stored(f"certificates/{certs[2].number}.pdf").startswith(b"%PDF")
    assert run_batch(batch.pk) == 0  # done: running it again does nothing


@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections as in production
def test_publishing_offers_the_batch_to_several_workers(cycle, secretariat, settings):
    """Queued in the database, a batch is three tasks; a db_worker runs them: the first
    renders everything, the others find the batch done."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CERT_BATCH_TASKS = 3
    _published_certificates(cycle, 2)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=2)
    certificate_batches.enqueue_batch(batch.pk)
    assert DBTaskResult.objects.filter(task_path="nominations.tasks.issue_certificates").count() == 3

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    results = DBTaskResult.objects.filter(task_path="nominations.tasks.issue_certificates")
    assert sorted(r.return_value for r in results) == [0, 0, 2]
    _assert_complete(batch.pk, 2)


# -- PostgreSQL: real workers at once -------------------------------------------------------
def _in_threads(*calls):
    results = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except Exception as exc:  # returned to the test, which asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_batch_without_rendering_anything_twice(cycle, secretariat, settings):
    settings.CERT_BATCH_CHUNK = 2
    _published_certificates(cycle, 9)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=9)

    results = _in_threads(lambda: run_batch(batch.pk), lambda: run_batch(batch.pk))

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 9  # each certificate rendered by exactly one worker
    _assert_complete(batch.pk, 9)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_chunk_held_by_a_worker_that_dies_is_finished_by_the_other(cycle, secretariat, settings):
    """Worker A claims the first chunk and dies before committing (its transaction rolls
    back, as when its process is killed); worker B renders everything else, waits for
    A's chunk and renders it too."""
    settings.CERT_BATCH_CHUNK = 2
    _published_certificates(cycle, 6)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=6)
    claimed = threading.Event()

    class Died(Exception):
        pass

    def worker_a():
        with transaction.atomic():
            held = list(Certificate.objects.filter(pdf="").order_by("seq")
                        .select_for_update(skip_locked=True, of=("self",))[:2])
            claimed.set()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # until B has rendered all it could take
                if Certificate.objects.exclude(pdf="").count() == 4:
                    break
                time.sleep(0.05)
            raise Died([c.seq for c in held])

    def worker_b():
        assert claimed.wait(60)
        return run_batch(batch.pk)

    a, b = _in_threads(worker_a, worker_b)

    assert isinstance(a, Died) and a.args[0] == [1, 2]
    assert b == 6
    _assert_complete(batch.pk, 6)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_cron_commands_from_two_machines_at_once_act_once(cycle, accepted, secretariat):
    now = timezone.now()
    judges = [f.UserFactory(username=f"cron-judge-{i}", groups=["judge"]) for i in range(3)]
    for judge in judges:
        assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat,
                          due_at=now + dt.timedelta(days=1))
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=now - dt.timedelta(seconds=1))
    mail.outbox.clear()

    def both(*args):
        return _in_threads(*[lambda: call_command(*args, stdout=io.StringIO()) for _ in range(2)])

    assert both("close_expired_cycles") == [None, None]
    assert both("send_due_reminders", "--days", "3") == [None, None]

    assert Cycle.objects.get(pk=cycle.pk).status == CycleState.CLOSED
    assert AuditEntry.objects.filter(object_type="nominations.cycle", action="close").count() == 1
    reminders = sorted(m.to[0] for m in mail.outbox if "评分提醒" in m.subject)
    assert reminders == sorted(j.email for j in judges)
