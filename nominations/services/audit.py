"""Writing and verifying the hash-chained audit log."""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from nominations.models.audit import GENESIS, AuditEntry

_PG_LOCK_KEY = 0x5A0D17  # advisory lock serialising appends to the chain


def audit_record(*, obj, action: str, actor=None, source: str = "", target: str = "",
                 note: str = "", ip: str | None = None, data: dict | None = None,
                 object_type: str | None = None) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        source=source or "",
        target=target or "",
        actor=actor_user,
        actor_name=(actor_user.get_username() if actor_user else "system"),
        at=timezone.now(),
        note=note or "",
        ip=ip or None,
        data=data or {},
        prev_hash=last or GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    return entry


def audit_verify_chain() -> tuple[bool, int, int | None]:
    """Walk the chain; return (ok, entries checked, id of the first broken entry)."""
    prev = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            return False, count, entry.pk
        prev = entry.hash
        count += 1
    return True, count, None
