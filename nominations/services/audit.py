"""Writing, anchoring and verifying the keyed audit chain.

* ``audit_record`` appends one entry: its MAC (HMAC-SHA256 or HMAC-SM3 with AUDIT_KEY, by
  CRYPTO_SUITE) covers the previous entry's hash, its position and its content.
* ``audit_checkpoint`` writes a signed checkpoint (count and head hash) outside the audit
  table: one JSON line appended to ``AUDIT_CHECKPOINT_DIR/audit-checkpoints.jsonl`` and the
  same line to the log (logger ``nominations.audit``). The cron runs
  ``manage.py audit_checkpoint``; an entry whose position is a multiple of
  ``AUDIT_CHECKPOINT_EVERY``, or that starts a new segment, writes one after commit.
* ``audit_verify`` walks the chain and checks it against every checkpoint: an edited entry,
  a rewrite without the key, removed entries (in the middle or the newest ones, as far as the
  latest checkpoint) are each reported with the first bad entry or the missing range.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nominations import crypto
from nominations.models.audit import GENESIS, LEGACY_ALG, AuditEntry

log = logging.getLogger("nominations.audit")

_PG_LOCK_KEY = 0x5A0D17  # advisory lock serialising appends to the chain
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
CHECKPOINT_FIELDS = ("v", "at", "count", "head_id", "head_seq", "head_hash", "head_alg", "mac_alg")


# -- writing -------------------------------------------------------------------------
def audit_record(*, obj, action: str, actor=None, source: str = "", target: str = "",
                 note: str = "", ip: str | None = None, data: dict | None = None,
                 object_type: str | None = None) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction."""
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return audit_append(
        object_type=object_type or obj._meta.label_lower, object_id=str(obj.pk), action=action,
        source=source, target=target, actor=actor_user, note=note, ip=ip, data=data,
    )


def audit_append(*, object_type: str, object_id: str, action: str, source: str = "", target: str = "",
                 actor=None, note: str = "", ip: str | None = None, data: dict | None = None,
                 suite_name: str | None = None) -> AuditEntry:
    """Append one entry under ``suite_name`` (default: CRYPTO_SUITE), inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values("hash", "seq", "alg").first()
    alg = crypto.suite(suite_name).mac
    entry = AuditEntry(
        object_type=object_type, object_id=str(object_id), action=action,
        source=source or "", target=target or "",
        actor=actor, actor_name=(actor.get_username() if actor else "system"),
        at=timezone.now(), note=note or "", ip=ip or None, data=data or {},
        seq=(last["seq"] + 1) if last else 1, alg=alg,
        prev_hash=last["hash"] if last else GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    every = getattr(settings, "AUDIT_CHECKPOINT_EVERY", 0)
    new_segment = last is not None and last["alg"] != alg
    if new_segment or (every and entry.seq % every == 0):
        head = {"count": entry.seq, "head_id": entry.pk, "head_seq": entry.seq,
                "head_hash": entry.hash, "head_alg": entry.alg}
        transaction.on_commit(lambda: _checkpoint_quietly(head), robust=True)
    return entry


# -- checkpoints ----------------------------------------------------------------------
def _checkpoint_message(record: dict) -> bytes:
    body = {k: record[k] for k in CHECKPOINT_FIELDS}
    return b"audit-checkpoint:" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_sign(head: dict) -> dict:
    """A checkpoint of ``head`` (count, head_id, head_seq, head_hash, head_alg), signed now."""
    record = {"v": 1, "at": timezone.now().isoformat(timespec="seconds"), **head,
              "mac_alg": crypto.suite().mac}
    record["mac"] = crypto.audit_mac(record["mac_alg"], _checkpoint_message(record))
    return record


def checkpoint_valid(record: dict) -> bool:
    try:
        expected = crypto.audit_mac(record["mac_alg"], _checkpoint_message(record))
    except (KeyError, TypeError, ValueError):
        return False
    return isinstance(record.get("mac"), str) and hmac.compare_digest(expected, record["mac"])


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def checkpoint_write(record: dict) -> Path:
    """Append one JSON line (O_APPEND, fsync) and log the same line."""
    line = json.dumps(record, sort_keys=True, separators=(",", ":"))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    log.info("audit checkpoint %s", line)
    return path


def audit_head() -> dict | None:
    last = AuditEntry.objects.order_by("-seq").values("id", "seq", "hash", "alg").first()
    if last is None:
        return None
    return {"count": AuditEntry.objects.filter(seq__lte=last["seq"]).count(), "head_id": last["id"],
            "head_seq": last["seq"], "head_hash": last["hash"], "head_alg": last["alg"]}


def audit_checkpoint() -> dict | None:
    """Sign and write a checkpoint of the current head (None when the log is empty)."""
    head = audit_head()
    if head is None:
        return None
    record = checkpoint_sign(head)
    checkpoint_write(record)
    return record


def _checkpoint_quietly(head: dict) -> None:
    try:
        checkpoint_write(checkpoint_sign(head))
    except OSError:
        log.exception("audit checkpoint could not be written to %s", settings.AUDIT_CHECKPOINT_DIR)


def checkpoints_read(extra: list[str | Path] = ()) -> tuple[list[dict], list[str]]:
    """Checkpoints from the checkpoint directory and from ``extra`` files (copies, or log files:
    only their lines holding a checkpoint are read). Returns (records, unreadable-line notes)."""
    records, bad, seen = [], [], set()
    sources: list[tuple[Path, bool]] = []
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    if directory.is_dir():
        sources += [(p, True) for p in sorted(directory.glob("*.jsonl"))]
    sources += [(Path(p), False) for p in extra]
    for path, strict in sources:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                text = line.strip()
                if not text or (not strict and '"head_hash"' not in text):
                    continue
                try:
                    record = json.loads(text[text.index("{"):])
                    if not isinstance(record, dict):
                        raise ValueError
                except ValueError:
                    bad.append(f"{path}:{number}")
                    continue
                key = json.dumps(record, sort_keys=True)  # the same checkpoint in the file and the log
                if key in seen:
                    continue
                seen.add(key)
                records.append({**record, "_source": f"{path}:{number}"})
    return records, bad


# -- verifying ------------------------------------------------------------------------
@dataclass
class Segment:
    alg: str
    first_id: int
    first_seq: int
    last_id: int = 0
    last_seq: int = 0
    count: int = 0

    @property
    def description(self) -> str:
        if self.alg == LEGACY_ALG:
            return "SHA-256, unkeyed (written before AUDIT_KEY)"
        return {"hmac-sha256": "HMAC-SHA256 with AUDIT_KEY (international suite)",
                "hmac-sm3": "HMAC-SM3 with AUDIT_KEY (sm suite)"}.get(self.alg, f"unknown algorithm {self.alg!r}")


@dataclass
class Problem:
    seq: int                  # position of the first bad entry, or the first missing one
    message: str
    entry_id: int | None = None


@dataclass
class AuditReport:
    count: int = 0
    segments: list[Segment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checkpoints_valid: int = 0
    latest_checkpoint: dict | None = None
    unanchored: tuple[int, int] | None = None  # seq range after the latest valid checkpoint

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted_problems(self) -> list[Problem]:
        """In chain order; problems with the checkpoint files themselves last."""
        return sorted(self.problems, key=lambda p: (p.seq == 0, p.seq))

    @property
    def first_problem(self) -> Problem | None:
        return self.sorted_problems()[0] if self.problems else None


def audit_verify(checkpoint_files: list[str | Path] = ()) -> AuditReport:
    """Walk the whole chain, then hold it against every checkpoint."""
    report = AuditReport()
    prev_hash, prev_seq, prev_id, seen_keyed = GENESIS, 0, None, False
    checkpoints, unreadable = checkpoints_read(checkpoint_files)
    for where in unreadable:
        report.problems.append(Problem(0, f"checkpoint line {where} is unreadable (altered)"))
    wanted = {c.get("head_seq") for c in checkpoints}
    at_seq: dict[int, tuple[int, str]] = {}
    segment = None
    for entry in AuditEntry.objects.order_by("seq", "id").iterator(chunk_size=2000):
        report.count += 1
        if segment is None or entry.alg != segment.alg:
            segment = Segment(entry.alg, entry.pk, entry.seq)
            report.segments.append(segment)
        segment.last_id, segment.last_seq, segment.count = entry.pk, entry.seq, segment.count + 1
        if entry.seq in wanted:
            at_seq[entry.seq] = (entry.pk, entry.hash)
        if entry.seq > prev_seq + 1:
            missing = (f"entry seq {prev_seq + 1} is" if entry.seq == prev_seq + 2
                       else f"entries seq {prev_seq + 1}–{entry.seq - 1} are")
            after = f"after entry #{prev_id}" if prev_id else "at the start"
            report.problems.append(Problem(prev_seq + 1, f"{missing} missing ({after}, before entry #{entry.pk})"))
        elif entry.prev_hash != prev_hash:
            report.problems.append(Problem(entry.seq, f"entry #{entry.pk} (seq {entry.seq}) does not link to "
                                                      f"the entry before it: entries were removed, "
                                                      f"reordered or altered", entry.pk))
        if entry.alg == LEGACY_ALG and seen_keyed:
            report.problems.append(Problem(entry.seq, f"entry #{entry.pk} (seq {entry.seq}) is unkeyed after "
                                                      f"keyed entries: the chain was rewritten", entry.pk))
        try:
            intact = hmac.compare_digest(entry.compute_hash(), entry.hash)
        except ValueError:
            intact = False
        if not intact:
            report.problems.append(Problem(entry.seq, f"entry #{entry.pk} (seq {entry.seq}) was altered: its "
                                                      f"{'hash' if entry.alg == LEGACY_ALG else 'MAC'} "
                                                      f"({entry.alg}) does not verify", entry.pk))
        seen_keyed = seen_keyed or entry.keyed
        prev_hash, prev_seq, prev_id = entry.hash, entry.seq, entry.pk
    _check_against_checkpoints(report, checkpoints, at_seq, prev_seq)
    return report


def _check_against_checkpoints(report: AuditReport, checkpoints: list[dict],
                               at_seq: dict[int, tuple[int, str]], last_seq: int) -> None:
    latest_good_seq = 0
    beyond = None  # the furthest checkpoint past the end of the table
    for cp in sorted(checkpoints, key=lambda c: (c.get("head_seq") or 0, c.get("at") or "")):
        where = cp["_source"]
        if not checkpoint_valid(cp):
            report.problems.append(Problem(0, f"checkpoint {where} does not verify with AUDIT_KEY "
                                              f"(altered or forged)"))
            continue
        report.checkpoints_valid += 1
        seq = cp["head_seq"]
        if seq > last_seq:
            beyond = cp
            continue
        found = at_seq.get(seq)
        if found is None:
            continue  # that position is already reported as missing by the walk
        if found[1] != cp["head_hash"]:
            report.problems.append(Problem(
                seq,
                f"entry #{found[0]} (seq {seq}) differs from the checkpoint of {cp['at']}: the chain was "
                f"rewritten between seq {latest_good_seq + 1} and {seq}", found[0]))
            continue
        latest_good_seq = max(latest_good_seq, seq)
        if report.latest_checkpoint is None or seq >= report.latest_checkpoint["head_seq"]:
            report.latest_checkpoint = cp
    if beyond is not None:
        first, seq = last_seq + 1, beyond["head_seq"]
        missing = (f"the newest entry (seq {first}) is" if first == seq
                   else f"the newest entries (seq {first}–{seq}) are")
        report.problems.append(Problem(first, f"{missing} missing: the checkpoint of {beyond['at']} counted "
                                              f"{beyond['count']} entries ending at entry #{beyond['head_id']}, "
                                              f"the table ends at seq {last_seq}"))
    anchored = report.latest_checkpoint["head_seq"] if report.latest_checkpoint else 0
    if last_seq > anchored:
        report.unanchored = (anchored + 1, last_seq)


def audit_verify_chain() -> tuple[bool, int, int | None]:
    """Walk the chain; return (ok, entries checked, id of the first bad entry)."""
    report = audit_verify()
    first = report.first_problem
    return report.ok, report.count, (first.entry_id if first else None)
