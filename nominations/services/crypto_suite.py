"""Moving a live database from one crypto suite to the other (``manage.py crypto_migrate``).

In one transaction: every ID number not yet under the target suite is decrypted and
encrypted again (SM4-GCM or AES-256-GCM; legacy Fernet tokens included); blind indexes are
recomputed and carried to the records that hold them (the duplicate-nominee key of each
application, award records); certificate fingerprints are recomputed from the stored PDF
after the old fingerprint has been checked against it. The audit log is never rewritten: an
entry under the target suite, linked to the old head, starts a new segment and records what
was migrated, and a signed checkpoint anchors the boundary once the transaction commits.
Running it again does nothing new. Numbers stored before identifiers were normalised (full-width
digits) are rewritten in their normalised form, so `crypto_migrate --to <current suite>` also
repairs the duplicate-nominee check for them (a person then found twice is reported, not merged).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from nominations import crypto, identifiers
from nominations.models import Application, AuditEntry, AwardRecord, Certificate, Nominee
from nominations.services.audit import audit_append

BATCH = 500


@dataclass
class CryptoMigration:
    to: str
    reencrypted: int = 0
    reindexed: int = 0
    live_keys: int = 0
    award_records: int = 0
    certificates: int = 0
    certificate_problems: list[str] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # applications whose key would collide
    ciphers_before: dict[str, int] = field(default_factory=dict)
    entry: AuditEntry | None = None
    new_segment: bool = False  # the entry starts a segment: audit_append anchors it on commit

    @property
    def changed(self) -> int:
        return self.reencrypted + self.reindexed + self.live_keys + self.award_records + self.certificates

    def as_data(self) -> dict:
        return {"suite": self.to, "reencrypted": self.reencrypted, "reindexed": self.reindexed,
                "live_keys": self.live_keys, "award_records": self.award_records,
                "certificates": self.certificates, "certificate_problems": self.certificate_problems,
                "duplicates": self.duplicates,
                "ciphers_before": self.ciphers_before}


def crypto_status() -> dict:
    """How many stored values each algorithm made: ciphertexts, fingerprints, audit entries."""
    ciphers: dict[str, int] = {}
    for token in Nominee.objects.values_list("id_number_encrypted", flat=True).iterator():
        ciphers[crypto.cipher_of(token)] = ciphers.get(crypto.cipher_of(token), 0) + 1
    digests: dict[str, int] = {}
    for value in Certificate.objects.exclude(pdf_digest="").values_list("pdf_digest", flat=True).iterator():
        digests[crypto.digest_algorithm(value)] = digests.get(crypto.digest_algorithm(value), 0) + 1
    chain: dict[str, int] = {}
    for alg in AuditEntry.objects.values_list("alg", flat=True).iterator():
        chain[alg] = chain.get(alg, 0) + 1
    return {"id_numbers": ciphers, "certificate_fingerprints": digests, "audit_entries": chain}


def crypto_migrate(to: str, *, dry_run: bool = False) -> CryptoMigration:
    target = crypto.suite(to)
    result = CryptoMigration(to=target.name)
    with transaction.atomic():
        index_map = _migrate_nominees(target, result)
        _carry_indexes(index_map, result)
        _migrate_certificates(target, result)
        head = AuditEntry.objects.order_by("-seq").values_list("alg", flat=True).first()
        result.new_segment = head is not None and head != target.mac
        if result.changed or result.new_segment:
            result.entry = audit_append(
                object_type="nominations.crypto", object_id=target.name, action="crypto.migrate",
                note=f"manage.py crypto_migrate --to {target.name}: {target.label}",
                data=result.as_data(), suite_name=target.name)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _migrate_nominees(target: crypto.Suite, result: CryptoMigration) -> dict[str, str]:
    index_map: dict[str, str] = {}
    batch: list[Nominee] = []
    nominees = Nominee.objects.select_for_update().only("pk", "id_number_encrypted", "id_number_index",
                                                        "id_number_masked")
    for nominee in nominees.order_by("pk"):
        cipher = crypto.cipher_of(nominee.id_number_encrypted)
        result.ciphers_before[cipher] = result.ciphers_before.get(cipher, 0) + 1
        clear = crypto.decrypt(nominee.id_number_encrypted)
        # Numbers stored before identifiers were normalised (full-width digits, lower-case x)
        # are rewritten in the one form, so their index matches the same person typed in ASCII.
        number = identifiers.normalize_id_number(clear)
        index = crypto.blind_index(number, target.name)
        dirty = False
        if cipher != target.cipher or number != clear:
            nominee.id_number_encrypted = crypto.encrypt(number, target.name)
            nominee.id_number_masked = identifiers.mask_id_number(number)
            result.reencrypted += 1
            dirty = True
        if nominee.id_number_index != index:
            index_map[nominee.id_number_index] = index
            nominee.id_number_index = index
            result.reindexed += 1
            dirty = True
        if dirty:
            batch.append(nominee)
        if len(batch) >= BATCH:
            Nominee.objects.bulk_update(batch, ["id_number_encrypted", "id_number_index", "id_number_masked"])
            batch = []
    if batch:
        Nominee.objects.bulk_update(batch, ["id_number_encrypted", "id_number_index", "id_number_masked"])
    return index_map


def _carry_indexes(index_map: dict[str, str], result: CryptoMigration) -> None:
    """The duplicate-nominee key of applications and award records follow the new index.
    Award records whose person is not a nominee here keep their index: eligibility looks
    them up under every suite (crypto.blind_indexes)."""
    if not index_map:
        return
    apps = []
    for app in (Application.objects.select_for_update().filter(live_key__isnull=False, nominee__isnull=False)
                .only("pk", "live_key")):
        prefix, sep, old = app.live_key.rpartition(":")
        if sep and old in index_map:
            app.live_key = f"{prefix}:{index_map[old]}"
            apps.append(app)
    # A person entered twice in the same category under different suites (values written by a
    # process still on the old suite) would collide: report it, keep that application's key.
    taken = set(Application.objects.filter(live_key__in=[a.live_key for a in apps])
                .exclude(pk__in=[a.pk for a in apps]).values_list("live_key", flat=True))
    for app in [a for a in apps if a.live_key in taken]:
        result.duplicates.append(app.pk)
        apps.remove(app)
    Application.objects.bulk_update(apps, ["live_key"], batch_size=BATCH)
    result.live_keys = len(apps)
    records = list(AwardRecord.objects.select_for_update().filter(nominee_index__in=list(index_map))
                   .only("pk", "nominee_index"))
    for record in records:
        record.nominee_index = index_map[record.nominee_index]
    AwardRecord.objects.bulk_update(records, ["nominee_index"], batch_size=BATCH)
    result.award_records = len(records)


def _migrate_certificates(target: crypto.Suite, result: CryptoMigration) -> None:
    """Recompute each stored PDF's fingerprint, after checking the old one: a file that no
    longer matches its fingerprint is reported and keeps it (never laundered)."""
    batch = []
    for cert in Certificate.objects.select_for_update().exclude(pdf="").only("pk", "number", "pdf",
                                                                             "pdf_sha256", "pdf_digest"):
        old = cert.pdf_digest or cert.pdf_sha256
        if old and crypto.digest_algorithm(old) == target.hash:
            continue
        try:
            with cert.pdf.open("rb") as fh:
                data = fh.read()
        except OSError:
            result.certificate_problems.append(f"{cert.number}: PDF file missing")
            continue
        if old and not crypto.digest_matches(data, old):
            result.certificate_problems.append(f"{cert.number}: PDF does not match its fingerprint")
            continue
        cert.pdf_digest = crypto.digest(data, target.name)
        batch.append(cert)
    Certificate.objects.bulk_update(batch, ["pdf_digest"], batch_size=BATCH)
    result.certificates = len(batch)
