"""The two crypto suites: published test vectors, round trips, legacy values, mixed databases,
certificate fingerprints and switching a live database with crypto_migrate."""
import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from nominations import crypto
from nominations.errors import WorkflowError
from nominations.models import Application, AuditEntry, AwardRecord, Certificate, Nominee, Programme
from nominations.services.audit import audit_verify
from nominations.services.eligibility import eligibility_evaluate
from nominations.services.certificates import certificate_allocate, certificate_store_pdf
from tests import factories as f

ID = "11010519491231002X"
LEGACY_KEY = "legacy-test-key-0123456789"
# Made by the code before the suites existed (Fernet, and HMAC-SHA256 blind index) under LEGACY_KEY.
LEGACY_TOKEN = ("gAAAAABrDwEhVwEzxAO0auCjalva5QacJ1NOBQGbO6MBComhWk3jyx9vo5OZimrBW2giaVu8B7fm6nh_gg6OjVNZRmieIjC"
                "lq20hP2W_0-IxOKI1pZ2sriU=")
LEGACY_INDEX = "93c21eb8f4316f9a55e9c8c024ac32d49b1a41315310f30166b58d66d6fc4add"


@pytest.fixture(autouse=True)
def _international_unless_told(settings):
    """Each test names the suite it uses; the rest runs under the default."""
    settings.CRYPTO_SUITE = "international"


# -- published test vectors ------------------------------------------------------------
def test_sm3_gives_the_published_vectors_of_gbt_32905():
    assert crypto.hash_hex("sm3", b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.hash_hex("sm3", b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


def test_sm4_gives_example_1_of_gbt_32907():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_gives_the_rfc_8998_vector():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(bytes.fromhex("00001234567800000000ABCD"))).encryptor()
    encryptor.authenticate_additional_data(bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plain = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                          "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    assert (encryptor.update(plain) + encryptor.finalize()).hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D")
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


# -- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize(("suite", "prefix", "hash_name"), [("international", "aes256gcm:", "sha256"),
                                                              ("sm", "sm4gcm:", "sm3")])
def test_each_suite_encrypts_and_fingerprints_with_its_own_algorithms(suite, prefix, hash_name):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt(ID)
        assert token.startswith(prefix) and ID not in token
        assert crypto.encrypt(ID) != token  # a fresh nonce every time
        assert crypto.decrypt(token) == ID
        fingerprint = crypto.digest(b"certificate bytes")
        assert fingerprint == f"{hash_name}:{crypto.hash_hex(hash_name, b'certificate bytes')}"
        assert crypto.digest_matches(b"certificate bytes", fingerprint)
        assert not crypto.digest_matches(b"certificate bytez", fingerprint)
    # Decryption follows the prefix, whatever the configured suite.
    with override_settings(CRYPTO_SUITE="sm" if suite == "international" else "international"):
        assert crypto.decrypt(token) == ID


def test_sm4_gcm_ciphertext_is_plain_sm4_gcm_under_the_derived_key():
    with override_settings(CRYPTO_SUITE="sm"):
        token = crypto.encrypt(ID)
    raw = base64.urlsafe_b64decode(token.removeprefix("sm4gcm:"))
    key = crypto._derived_key("sm4gcm", settings.FIELD_ENCRYPTION_KEY)
    assert len(key) == 16
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(raw[:12], raw[-16:])).decryptor()
    decryptor.authenticate_additional_data(b"sm4gcm")
    assert (decryptor.update(raw[12:-16]) + decryptor.finalize()).decode() == ID


@pytest.mark.parametrize("suite", ["international", "sm"])
def test_an_altered_ciphertext_or_another_key_is_refused(suite):
    with override_settings(CRYPTO_SUITE=suite):
        token = crypto.encrypt(ID)
    body = token.partition(":")[2]
    altered = token.partition(":")[0] + ":" + body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(altered)
    with override_settings(FIELD_ENCRYPTION_KEY="another-key"), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_legacy_fernet_values_and_indexes_stay_valid():
    assert crypto.cipher_of(LEGACY_TOKEN) == "fernet"
    assert crypto.decrypt(LEGACY_TOKEN) == ID
    with override_settings(CRYPTO_SUITE="sm"):
        assert crypto.decrypt(LEGACY_TOKEN) == ID
    # The international blind index is the one always stored: existing rows keep matching.
    assert crypto.blind_index(ID) == LEGACY_INDEX
    with override_settings(CRYPTO_SUITE="sm"):
        sm_index = crypto.blind_index(ID)
    assert len(sm_index) == 64 and sm_index != LEGACY_INDEX
    assert crypto.blind_indexes(ID) == [LEGACY_INDEX, sm_index]


def test_an_unknown_suite_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(CRYPTO_SUITE="des"), pytest.raises(ImproperlyConfigured):
        crypto.encrypt(ID)


# -- the database ------------------------------------------------------------------------
def _nominee(number: str, suite: str | None = None, legacy: bool = False) -> Nominee:
    nominee = Nominee(name="张三", employer="上海甲方科技有限公司")
    with override_settings(CRYPTO_SUITE=suite or "international"):
        nominee.set_id_number(number)
    if legacy:
        nominee.id_number_encrypted = LEGACY_TOKEN
    nominee.save()
    return nominee


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_a_mixed_database_decrypts_every_value(db):
    legacy = _nominee(ID, legacy=True)
    international = _nominee(f.valid_id_number(1), "international")
    sm = _nominee(f.valid_id_number(2), "sm")
    stored = {n.pk: crypto.cipher_of(n.id_number_encrypted) for n in Nominee.objects.all()}
    assert stored == {legacy.pk: "fernet", international.pk: "aes256gcm", sm.pk: "sm4gcm"}
    for suite in ("international", "sm"):
        with override_settings(CRYPTO_SUITE=suite):
            assert [n.get_id_number() for n in Nominee.objects.order_by("pk")] == [
                ID, f.valid_id_number(1), f.valid_id_number(2)]
    assert Nominee.objects.get(pk=sm.pk).id_number_masked == "310104********" + f.valid_id_number(2)[-4:]


@override_settings(CRYPTO_SUITE="sm")
def test_under_sm_the_duplicate_nominee_check_still_holds(cycle, applicant, organization, unit):
    f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                        category_code="IND")
    nominee = Nominee.objects.get()
    assert nominee.id_number_encrypted.startswith("sm4gcm:")
    assert nominee.id_number_index == crypto.blind_index(ID, "sm")
    with pytest.raises(WorkflowError, match="已有一份进行中的申报"):
        f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                            category_code="IND", nominee={"name": "张三", "employer": "另一单位",
                                                          "id_number": ID.lower()})


@pytest.mark.parametrize(("suite", "prefix"), [("international", "sha256:"), ("sm", "sm3:")])
def test_certificate_pdf_fingerprint_follows_the_suite(suite, prefix, accepted):
    with override_settings(CRYPTO_SUITE=suite):
        cert = certificate_allocate(application=accepted, now=timezone.now())
        certificate_store_pdf(certificate=cert, pdf=b"%PDF-1.7 certificate")
    cert.refresh_from_db()
    assert cert.pdf_digest.startswith(prefix)
    assert crypto.digest_matches(b"%PDF-1.7 certificate", cert.pdf_digest)
    assert cert.pdf_sha256 == crypto.hash_hex("sha256", b"%PDF-1.7 certificate")


# -- switching a live database ---------------------------------------------------------------
@pytest.fixture
def live_international(cycle, applicant, organization, unit, secretariat):
    """A database written before the switch: a legacy Fernet nominee with a live application,
    an international one, an award record copied from a nominee and a legacy one entered by
    hand (its person is not a nominee here), a certificate, and audit entries."""
    with override_settings(CRYPTO_SUITE="international", FIELD_ENCRYPTION_KEY=LEGACY_KEY):
        app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                  category_code="IND")
        Nominee.objects.filter(pk=app.nominee_id).update(id_number_encrypted=LEGACY_TOKEN)
        other = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                    category_code="IND", title="另一位",
                                    nominee={"name": "李四", "employer": "上海甲方科技有限公司",
                                             "id_number": f.valid_id_number(3)})
        gold = Programme.objects.get(code="QGA")
        AwardRecord.objects.create(nominee_index=app.nominee.id_number_index, programme=gold,
                                   nominee_kind="individual", year=2010)
        AwardRecord.objects.create(nominee_index=crypto.blind_index(f.valid_id_number(9)), programme=gold,
                                   nominee_kind="individual", year=2011)
        org_app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit)
        cert = certificate_allocate(application=org_app, now=timezone.now())
        certificate_store_pdf(certificate=cert, pdf=b"%PDF-1.7 issued before the switch")
    return {"app": app, "other": other, "cert": cert}


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_crypto_migrate_to_sm_loses_nothing(live_international, cycle, applicant, organization, unit,
                                            capsys, django_capture_on_commit_callbacks):
    app, other, cert = live_international["app"], live_international["other"], live_international["cert"]
    head_before = AuditEntry.objects.order_by("-seq").first()
    entries_before = AuditEntry.objects.count()

    with override_settings(CRYPTO_SUITE="sm"), django_capture_on_commit_callbacks(execute=True):
        call_command("crypto_migrate", "--to", "sm")
    out = capsys.readouterr().out
    assert "ID numbers re-encrypted (sm4gcm): 2" in out and "fernet 1" in out
    assert "certificate fingerprints (sm3): 1" in out

    # ID numbers: SM4-GCM, same clear values, SM3 blind indexes carried to the application keys.
    nominees = {n.pk: n for n in Nominee.objects.all()}
    assert {crypto.cipher_of(n.id_number_encrypted) for n in nominees.values()} == {"sm4gcm"}
    assert nominees[app.nominee_id].get_id_number() == ID
    assert nominees[other.nominee_id].get_id_number() == f.valid_id_number(3)
    sm_index = crypto.blind_index(ID, "sm")
    assert nominees[app.nominee_id].id_number_index == sm_index
    assert Application.objects.get(pk=app.pk).live_key.endswith(":" + sm_index)
    assert AwardRecord.objects.filter(year=2010).get().nominee_index == sm_index
    # The hand-entered record keeps its index, and is still found by number under every suite.
    assert AwardRecord.objects.filter(year=2011).get().nominee_index == crypto.blind_index(
        f.valid_id_number(9), "international")

    # Certificates: SM3 fingerprint of the same file.
    cert.refresh_from_db()
    assert cert.pdf_digest == "sm3:" + crypto.hash_hex("sm3", b"%PDF-1.7 issued before the switch")

    # Audit: nothing rewritten; a new HMAC-SM3 segment linked to the old head.
    assert AuditEntry.objects.count() == entries_before + 1
    switch = AuditEntry.objects.order_by("-seq").first()
    assert (switch.action, switch.alg, switch.prev_hash) == ("crypto.migrate", "hmac-sm3", head_before.hash)
    assert switch.data["reencrypted"] == 2 and switch.data["ciphers_before"] == {"fernet": 1, "aes256gcm": 1}

    with override_settings(CRYPTO_SUITE="sm"):
        # The duplicate-nominee check holds across the switch.
        with pytest.raises(WorkflowError, match="已有一份进行中的申报"):
            f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                category_code="IND", nominee={"name": "张三", "employer": "X", "id_number": ID})
        report = audit_verify()
        call_command("verify_audit_chain")
    assert report.ok, report.problems
    assert [s.alg for s in report.segments] == ["hmac-sha256", "hmac-sm3"]
    out = capsys.readouterr().out
    assert "hmac-sha256 — HMAC-SHA256 with AUDIT_KEY (international suite)" in out
    assert "hmac-sm3 — HMAC-SM3 with AUDIT_KEY (sm suite)" in out
    assert "Checkpoints: 1 valid" in out  # the migration anchored the boundary

    # Running it again changes nothing.
    with override_settings(CRYPTO_SUITE="sm"):
        call_command("crypto_migrate", "--to", "sm")
    assert "nothing to do" in capsys.readouterr().out
    assert AuditEntry.objects.count() == entries_before + 1


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_eligibility_finds_legacy_award_records_after_the_switch(live_international, secretariat):
    from nominations.models import EligibilityRule

    call_command("crypto_migrate", "--to", "sm")
    with override_settings(CRYPTO_SUITE="sm"):
        app = f.draft_application(cycle=live_international["app"].cycle, applicant=live_international["app"]
                                  .created_by, organization=live_international["app"].organization,
                                  category_code="IND", title="王五",
                                  nominee={"name": "王五", "employer": "单位", "id_number": f.valid_id_number(9)})
    assert app.nominee.id_number_index == crypto.blind_index(f.valid_id_number(9), "sm")
    rule = EligibilityRule.objects.create(cycle=app.cycle, kind="lockout", programme=Programme.objects.get(
        code="QGA"), years=10, description="十年内获奖者不得再次申报", order=1)
    result = next(r for r in eligibility_evaluate(app, now=timezone.now()) if r["rule"] == rule.pk)
    assert result["passed"] is False  # the 2011 record entered by hand under SHA-256 still counts


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_crypto_migrate_back_and_forth_keeps_one_verifiable_chain(live_international, capsys):
    call_command("crypto_migrate", "--to", "sm")
    call_command("crypto_migrate", "--to", "international")
    assert "CRYPTO_SUITE is 'international' here: set CRYPTO_SUITE=sm" in capsys.readouterr().out
    assert {crypto.cipher_of(t) for t in Nominee.objects.values_list("id_number_encrypted", flat=True)} == {
        "aes256gcm"}
    assert Nominee.objects.get(pk=live_international["app"].nominee_id).id_number_index == LEGACY_INDEX
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Segment 1:" in out and "Segment 2:" in out and "Segment 3:" in out
    assert "Audit chain intact" in out


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_crypto_migrate_dry_run_and_status_change_nothing(live_international, capsys):
    before = list(Nominee.objects.values_list("id_number_encrypted", flat=True))
    entries = AuditEntry.objects.count()
    call_command("crypto_migrate", "--to", "sm", "--dry-run")
    assert "Would change" in capsys.readouterr().out
    assert list(Nominee.objects.values_list("id_number_encrypted", flat=True)) == before
    assert AuditEntry.objects.count() == entries
    call_command("crypto_migrate", "--status")
    out = capsys.readouterr().out
    assert "ID numbers: aes256gcm 1, fernet 1" in out and "audit entries: hmac-sha256" in out


@override_settings(FIELD_ENCRYPTION_KEY=LEGACY_KEY)
def test_crypto_migrate_never_launders_a_changed_certificate(live_international, capsys):
    cert = live_international["cert"]
    with cert.pdf.open("wb") as fh:
        fh.write(b"%PDF-1.7 swapped after issue")
    call_command("crypto_migrate", "--to", "sm")
    assert f"{cert.number}: PDF does not match its fingerprint" in capsys.readouterr().err
    cert.refresh_from_db()
    assert cert.pdf_digest.startswith("sha256:")
    assert Certificate.objects.filter(pdf_digest__startswith="sm3:").count() == 0
