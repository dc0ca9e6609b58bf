"""Issuing a cycle's certificates on any number of task workers, resumably.

A batch (CertificateBatch) has no list of its own: its work is the cycle's valid
certificates that have no PDF yet. Every worker running `issue_certificates(batch)`
loops:

1. **claim** up to CERT_BATCH_CHUNK of them, in number order, with row locks
   (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL: two workers never take the same
   certificate, and neither waits for the other);
2. **render** them in one layout (individual PDFs + the chunk's print file, a "part");
3. **store** the PDFs and the part through the storage API and **commit** them with
   the batch's progress, in the same transaction as the claim.

A worker killed in the middle of a chunk commits nothing: its locks go with its
database connection and another worker renders that chunk again (the objects it had
already written under the same names are replaced). When a worker finds nothing left
to claim it waits on the chunks other workers still hold — so the batch finishes as
long as one of its workers lives — and then one worker (the batch row's lock decides)
merges the parts, and any PDF rendered by an earlier batch, into the combined print
file, in number order. Certificate numbers are allocated gap-free when the results are
published, never here, so a batch can neither duplicate nor skip one.

On SQLite (the embedded default: one process) there are no row locks and the same
loop simply runs to the end.
"""
from __future__ import annotations

import contextlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from nominations.models import Certificate, CertificateBatch
from nominations.models.applications import private_storage

PART_DIR = "certificates/combined/parts"


def enqueue_batch(batch_id: int) -> None:
    """Offer the batch to CERT_BATCH_TASKS workers; extra tasks find nothing to do."""
    from nominations.tasks import issue_certificates

    for _ in range(max(1, getattr(settings, "CERT_BATCH_TASKS", 1))):
        issue_certificates.enqueue(batch_id)


def _row_locks() -> bool:
    return connection.features.has_select_for_update_skip_locked


def _pending(cycle_id: int):
    return (Certificate.objects.filter(application__cycle_id=cycle_id, revoked_at__isnull=True, pdf="")
            .order_by("seq"))


def _replace(name: str, data: bytes) -> str:
    """Store `data` under exactly `name`. Called while holding the lock that makes this
    worker the only writer of that name, so an object already there is the leftover of
    a worker that died before committing: nothing refers to it."""
    storage = private_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def store_certificate_pdf(certificate: Certificate, pdf: bytes) -> None:
    """Store a certificate's PDF (the caller holds its row lock, on PostgreSQL)."""
    from nominations.services.certificates import certificate_store_pdf

    if certificate.pdf:
        return
    name = certificate.pdf.field.generate_filename(certificate, f"{certificate.number}.pdf")
    storage = private_storage()
    if storage.exists(name):
        storage.delete(name)
    certificate_store_pdf(certificate=certificate, pdf=pdf)


def render_one(certificate_id: int) -> bool:
    """Render and store one certificate's PDF (a single publication); False when it has
    one already, is gone, or is being rendered by a batch right now."""
    from nominations.pdf.certificates import default_renderer
    from nominations.services.certificates import certificate_data

    with transaction.atomic():
        rows = Certificate.objects.filter(pk=certificate_id, pdf="")
        if _row_locks():
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        cert = rows.first()
        if cert is None:
            return False
        store_certificate_pdf(cert, default_renderer().render(certificate_data(cert)))
    return True


def _render_chunk(batch: CertificateBatch, renderer, *, wait: bool) -> int | None:
    """Claim, render, store and commit one chunk; None when there was nothing to claim."""
    from nominations.services.certificates import certificate_data

    locks = _row_locks()
    size = max(1, getattr(settings, "CERT_BATCH_CHUNK", 25))
    # On PostgreSQL the claim (row locks) lasts until the chunk is committed. SQLite has
    # no row locks, and a transaction there would hold the whole database while rendering.
    with transaction.atomic() if locks else contextlib.nullcontext():
        rows = _pending(batch.cycle_id)
        if locks:
            rows = rows.select_for_update(skip_locked=not wait, of=("self",))
        chunk = list(rows[:size])
        if not chunk:
            return None
        result = renderer.issue([certificate_data(cert) for cert in chunk],
                                workers=getattr(settings, "CERT_RENDER_WORKERS", 1))
        with transaction.atomic():
            for cert, pdf in zip(chunk, result.pdfs):
                store_certificate_pdf(cert, pdf)
            part = _replace(f"{PART_DIR}/{batch.pk}/{chunk[0].seq:06d}.pdf", result.combined)
            locked = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
            locked.parts = [*locked.parts, {"name": part, "seqs": [cert.seq for cert in chunk]}]
            locked.done = (Certificate.objects.filter(application__cycle_id=batch.cycle_id,
                                                      revoked_at__isnull=True).exclude(pdf="").count())
            locked.save(update_fields=["parts", "done"])
    return len(chunk)


def _combined(batch: CertificateBatch, certs: list[Certificate]) -> bytes:
    """One print file in number order: pages from this batch's parts, and the stored PDF
    of every certificate rendered before it (a re-run after a revocation, say)."""
    from pypdf import PdfReader, PdfWriter

    storage = private_storage()
    where = {seq: (index, page) for index, part in enumerate(batch.parts) for page, seq in enumerate(part["seqs"])}
    seqs = [cert.seq for cert in certs]
    if len(batch.parts) == 1 and batch.parts[0]["seqs"] == seqs:
        with storage.open(batch.parts[0]["name"], "rb") as handle:
            return handle.read()  # one chunk covered everything: its print file is the file
    readers: dict[int, PdfReader] = {}
    writer = PdfWriter()
    for cert in certs:
        if cert.seq in where:
            index, page = where[cert.seq]
            if index not in readers:
                with storage.open(batch.parts[index]["name"], "rb") as handle:
                    readers[index] = PdfReader(io.BytesIO(handle.read()))
            writer.add_page(readers[index].pages[page])
        else:
            with cert.pdf.open("rb") as handle:
                for page in PdfReader(io.BytesIO(handle.read())).pages:
                    writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _finish(batch_id: int) -> bool:
    """Write the combined print file and mark the batch done; False if work is left."""
    with transaction.atomic():
        batch = (CertificateBatch.objects.select_for_update(of=("self",)).select_related("cycle__programme")
                 .get(pk=batch_id))
        if batch.status == CertificateBatch.Status.DONE:
            return True
        certs = list(Certificate.objects.filter(application__cycle_id=batch.cycle_id, revoked_at__isnull=True)
                     .order_by("seq"))
        if any(not cert.pdf for cert in certs):
            return False
        if certs:
            batch.combined_pdf.save(f"{batch.cycle.programme.code}-{batch.cycle.year}-all.pdf",
                                    ContentFile(_combined(batch, certs)), save=False)
        now = timezone.now()
        batch.status, batch.done, batch.total, batch.finished_at = (
            CertificateBatch.Status.DONE, len(certs), len(certs), now)
        batch.elapsed_ms = int((now - (batch.started_at or batch.created_at)).total_seconds() * 1000)
        parts = [part["name"] for part in batch.parts]
        batch.save(update_fields=["combined_pdf", "status", "done", "total", "finished_at", "elapsed_ms"])

        def _tidy(names=parts):
            storage = private_storage()
            for name in names:
                storage.delete(name)

        transaction.on_commit(_tidy)
    return True


def run_batch(batch_id: int) -> int:
    """Work on a batch until it is done (see the module's note); the number of
    certificates this worker rendered. Safe to run twice and on several workers."""
    from nominations.pdf.certificates import default_renderer

    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == CertificateBatch.Status.DONE:
        return 0
    now = timezone.now()
    valid = Certificate.objects.filter(application__cycle_id=batch.cycle_id, revoked_at__isnull=True).count()
    CertificateBatch.objects.filter(pk=batch_id, started_at__isnull=True).update(started_at=now, total=valid)
    CertificateBatch.objects.filter(pk=batch_id).exclude(status=CertificateBatch.Status.DONE).update(
        status=CertificateBatch.Status.RUNNING, error="")
    renderer, rendered = default_renderer(), 0
    try:
        while True:
            count = _render_chunk(batch, renderer, wait=False)
            if count is None and _row_locks():
                count = _render_chunk(batch, renderer, wait=True)  # chunks held by others, or left by the dead
            if count is not None:
                rendered += count
            elif _finish(batch_id):
                return rendered
    except Exception as exc:  # recorded for the secretariat, then re-raised for the worker log
        CertificateBatch.objects.filter(pk=batch_id).exclude(status=CertificateBatch.Status.DONE).update(
            status=CertificateBatch.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
