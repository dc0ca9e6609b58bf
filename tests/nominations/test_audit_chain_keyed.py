"""The keyed audit chain and its signed checkpoints against an administrator with database
access: edits, removed rows (newest or in the middle), rewrites with the public algorithm or
a guessed key, downgrades, forged checkpoints. Each is reported with the first bad entry or
the missing range."""
import hashlib
import hmac
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from nominations import crypto
from nominations.models import AuditEntry
from nominations.models.audit import GENESIS
from nominations.services.audit import audit_append, audit_checkpoint, audit_verify, checkpoint_path
from tests.nominations import audit_tamper


@pytest.fixture(autouse=True)
def _international_unless_told(settings):
    settings.CRYPTO_SUITE = "international"
    settings.AUDIT_CHECKPOINT_EVERY = 0  # tests write checkpoints when they mean to


def _append(n: int, suite: str | None = None) -> list[AuditEntry]:
    entries = []
    for _ in range(n):
        with transaction.atomic():
            number = AuditEntry.objects.count() + 1
            entries.append(audit_append(object_type="tests.thing", object_id=str(number), action="note",
                                        note=f"第{number}条", data={"n": number}, suite_name=suite))
    return entries


def _legacy(n: int) -> list[AuditEntry]:
    """Entries as the code wrote them before AUDIT_KEY: an unkeyed SHA-256 chain."""
    from django.utils import timezone

    entries = []
    for _ in range(n):
        last = AuditEntry.objects.order_by("-seq").first()
        entry = AuditEntry(object_type="tests.thing", object_id="legacy", action="note", at=timezone.now(),
                           actor_name="system", seq=(last.seq + 1) if last else 1, alg="sha256",
                           prev_hash=last.hash if last else GENESIS)
        entry.hash = hashlib.sha256((entry.prev_hash + entry.payload()).encode()).hexdigest()
        entry.save()
        entries.append(entry)
    return entries


def _rewrite_from(seq: int, *, note: str | None = None, alg: str | None = None, key: bytes | None = None):
    """The attacker's rewrite: change entry ``seq`` and recompute every later hash with the
    public algorithm (SHA-256, or HMAC under a guessed key) so that every link holds."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq and note is not None:
            entry.note = note
        entry.alg = alg or entry.alg
        entry.prev_hash = prev
        message = (prev + entry.payload()).encode()
        entry.hash = (hmac.new(key, message, hashlib.sha256).hexdigest() if key
                      else hashlib.sha256(message).hexdigest())
        audit_tamper.edit(entry.pk, note=entry.note, alg=entry.alg, prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit_chain")
    return str(exc.value)


# -- what is written ---------------------------------------------------------------------
@pytest.mark.parametrize(("suite", "alg", "hash_name"), [("international", "hmac-sha256", "sha256"),
                                                         ("sm", "hmac-sm3", "sm3")])
def test_entries_are_macs_under_audit_key_with_the_suites_hash(db, settings, suite, alg, hash_name):
    settings.CRYPTO_SUITE = suite
    first, second = _append(2)
    assert (first.seq, second.seq, first.alg, second.prev_hash) == (1, 2, alg, first.hash)
    message = (second.prev_hash + second.payload()).encode()
    assert second.hash == crypto.hmac_hex(hash_name, settings.AUDIT_KEY.encode(), message)
    assert second.hash != crypto.hash_hex(hash_name, message)  # not computable without the key
    assert '"seq":2' in second.payload() and f'"alg":"{alg}"' in second.payload()


def test_the_chain_does_not_verify_under_another_key(db, settings):
    entries = _append(3)
    settings.AUDIT_KEY = "a-key-the-attacker-guessed"
    report = audit_verify()
    assert not report.ok and report.first_problem.entry_id == entries[0].pk


def test_legacy_and_both_suites_verify_as_segments_and_are_listed(db, capsys):
    legacy = _legacy(3)
    _append(2, "international")
    sm = _append(2, "sm")
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert f"Segment 1: entries #{legacy[0].pk}–#{legacy[-1].pk} (seq 1–3, 3): sha256 — SHA-256, unkeyed" in out
    assert "Segment 2: " in out and "(seq 4–5, 2): hmac-sha256 — HMAC-SHA256 with AUDIT_KEY" in out
    assert f"Segment 3: entries #{sm[0].pk}–#{sm[1].pk} (seq 6–7, 2): hmac-sm3 — HMAC-SM3 with AUDIT_KEY" in out
    assert "Audit chain intact: 7 entries." in out
    assert sm[0].prev_hash == AuditEntry.objects.get(seq=5).hash  # each segment links to the old head


def test_entries_newer_than_the_latest_checkpoint_are_flagged_as_unanchored(db, capsys):
    _append(3)
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Checkpoints: none valid" in out and "Entries seq 1–3 are newer than the latest checkpoint" in out
    call_command("audit_checkpoint")
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Checkpoints: 1 valid" in out and "newer than the latest checkpoint" not in out


# -- checkpoints -----------------------------------------------------------------------------
def test_checkpoints_are_signed_json_lines_appended_and_logged(db, caplog, settings):
    entries = _append(2)
    with caplog.at_level(logging.INFO, logger="nominations.audit"):
        first = audit_checkpoint()
        _append(1, "sm")
        settings.CRYPTO_SUITE = "sm"
        second = audit_checkpoint()
    lines = checkpoint_path().read_text().splitlines()
    assert [json.loads(line) for line in lines] == [first, second]
    assert (first["count"], first["head_id"], first["head_hash"], first["mac_alg"]) == (
        2, entries[1].pk, entries[1].hash, "hmac-sha256")
    assert (second["count"], second["head_alg"], second["mac_alg"]) == (3, "hmac-sm3", "hmac-sm3")
    assert [r.getMessage() for r in caplog.records] == [f"audit checkpoint {line}" for line in lines]


def test_checkpoints_are_written_every_n_entries_and_at_each_new_segment(
        db, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_CHECKPOINT_EVERY = 4
    with django_capture_on_commit_callbacks(execute=True):
        _append(9)
        _append(1, "sm")  # seq 10 starts a segment
    heads = [json.loads(line)["head_seq"] for line in checkpoint_path().read_text().splitlines()]
    assert heads == [4, 8, 10]


def test_a_forged_or_garbled_checkpoint_is_reported(db):
    _append(3)
    audit_checkpoint()
    record = json.loads(checkpoint_path().read_text())
    with open(checkpoint_path(), "a") as fh:
        fh.write(json.dumps({**record, "count": 2, "head_seq": 2}) + "\n")
        fh.write("{not json\n")
    assert "(2 problems in all)" in _verify_fails()
    assert sorted(p.message for p in audit_verify().problems) == [
        f"checkpoint {checkpoint_path()}:2 does not verify with AUDIT_KEY (altered or forged)",
        f"checkpoint line {checkpoint_path()}:3 is unreadable (altered)"]


# -- tampering ---------------------------------------------------------------------------------
def test_an_edited_entry_is_named(db):
    entries = _append(10)
    audit_tamper.edit(entries[4].pk, note="改过的说明")
    message = _verify_fails()
    assert f"broken at entry #{entries[4].pk}: entry #{entries[4].pk} (seq 5) was altered: its MAC" in message


def test_deleting_the_newest_three_rows_names_the_missing_range(db):
    entries = _append(10)
    audit_checkpoint()
    audit_tamper.delete(*(e.pk for e in entries[-3:]))
    message = _verify_fails()
    assert "the newest entries (seq 8–10) are missing" in message
    assert f"counted 10 entries ending at entry #{entries[-1].pk}" in message


def test_deleting_a_middle_row_names_it(db):
    entries = _append(6)
    audit_tamper.delete(entries[2].pk)
    message = _verify_fails()
    assert f"entry seq 3 is missing (after entry #{entries[1].pk}, before entry #{entries[3].pk})" in message


def test_a_rewrite_with_the_public_algorithm_is_caught_at_the_first_bad_entry(db):
    entries = _append(10)
    audit_checkpoint()
    _rewrite_from(4, note="改写")
    report = audit_verify()
    assert report.first_problem.entry_id == entries[3].pk
    assert f"broken at entry #{entries[3].pk}: entry #{entries[3].pk} (seq 4) was altered" in _verify_fails()


def test_a_rewrite_with_a_guessed_key_is_caught_at_the_first_bad_entry(db):
    entries = _append(8)
    _rewrite_from(6, note="改写", key=b"guessed")
    assert f"broken at entry #{entries[5].pk}" in _verify_fails()


def test_downgrading_to_the_unkeyed_algorithm_is_caught(db):
    entries = _append(8)
    _rewrite_from(5, note="改写", alg="sha256")
    message = _verify_fails()
    assert f"broken at entry #{entries[4].pk}: entry #{entries[4].pk} (seq 5) is unkeyed after keyed entries" \
        in message


def test_rewriting_the_whole_chain_as_unkeyed_is_caught_by_a_checkpoint(db):
    _append(6)
    audit_checkpoint()
    _rewrite_from(1, note="整条链改写", alg="sha256")  # every link holds, no keyed entry left
    message = _verify_fails()
    assert "differs from the checkpoint" in message and "rewritten between seq 1 and 6" in message


def test_the_first_keyed_segment_cannot_be_downgraded_after_legacy_entries(
        db, settings, django_capture_on_commit_callbacks):
    _legacy(3)
    with django_capture_on_commit_callbacks(execute=True):
        keyed = _append(3)  # the first keyed entry starts a segment: a checkpoint anchors it
    _rewrite_from(4, note="降级", alg="sha256")
    message = _verify_fails()
    assert f"entry #{keyed[0].pk} (seq 4) differs from the checkpoint" in message


def test_checkpoints_kept_in_the_log_anchor_the_chain_when_the_file_is_gone(db, tmp_path):
    entries = _append(5)
    record = audit_checkpoint()
    log_copy = tmp_path / "app.log"
    log_copy.write_text("INFO something else\n"
                        f"INFO nominations.audit audit checkpoint {json.dumps(record)}\n")
    checkpoint_path().unlink()
    audit_tamper.delete(entries[-1].pk, entries[-2].pk)
    call_command("verify_audit_chain")  # nothing left to compare with: only the warning
    with pytest.raises(CommandError, match=r"the newest entries \(seq 4–5\) are missing"):
        call_command("verify_audit_chain", "--checkpoints", str(log_copy))


def test_an_account_that_acted_cannot_be_deleted(accepted, applicant):
    with pytest.raises(ProtectedError):
        applicant.delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_on_the_audit_table(db):
    entry = _append(1)[0]
    table = AuditEntry._meta.db_table
    for sql in (f"UPDATE {table} SET note = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == entry.note
