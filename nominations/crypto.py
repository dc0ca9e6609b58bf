"""The project's cryptography, in one of two suites chosen by ``settings.CRYPTO_SUITE``.

=================  ===========================  ==============================
purpose            ``international`` (default)  ``sm`` (GB/T 32905, GB/T 32907)
=================  ===========================  ==============================
digest             SHA-256                      SM3
keyed hash (HMAC)  HMAC-SHA256                  HMAC-SM3
encryption         AES-256-GCM                  SM4-GCM (128-bit key)
=================  ===========================  ==============================

Every stored value says which algorithm made it, so a database holding values from both
suites (before, during or after ``manage.py crypto_migrate``) still verifies and decrypts:

* ciphertexts carry a prefix, ``aes256gcm:`` or ``sm4gcm:`` followed by URL-safe base64 of
  nonce (12 bytes) + ciphertext + tag (16 bytes); a value without a prefix is a legacy
  Fernet token (AES-128-CBC + HMAC-SHA256) from before the suites existed and still decrypts;
* digests are written ``sha256:<hex>`` or ``sm3:<hex>``;
* audit-chain entries record their algorithm in a column (see nominations.models.audit).

The suite is read from settings on every call, never at import time, so a test may switch
it with ``override_settings(CRYPTO_SUITE="sm")``.

Keys: ID numbers are encrypted under keys derived (HKDF with the suite's hash) from
``FIELD_ENCRYPTION_KEY``; the audit chain and its checkpoints are keyed with ``AUDIT_KEY``.
Neither key is stored in the database.
"""
from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Suite:
    name: str          # "international" | "sm"
    hash: str          # digest algorithm: "sha256" | "sm3"
    mac: str           # keyed hash: "hmac-sha256" | "hmac-sm3"
    cipher: str        # authenticated encryption: "aes256gcm" | "sm4gcm"
    label: str         # human-readable, for command output


INTERNATIONAL = Suite("international", "sha256", "hmac-sha256", "aes256gcm",
                      "SHA-256 / HMAC-SHA256 / AES-256-GCM")
SM = Suite("sm", "sm3", "hmac-sm3", "sm4gcm", "SM3 / HMAC-SM3 / SM4-GCM")
SUITES = {s.name: s for s in (INTERNATIONAL, SM)}
HASHES = ("sha256", "sm3")
MACS = {"hmac-sha256": "sha256", "hmac-sm3": "sm3"}
CIPHERS = {"aes256gcm": 32, "sm4gcm": 16}  # name -> key length in bytes
LEGACY_CIPHER = "fernet"


class DecryptionError(ValueError):
    """The ciphertext was altered, or was made under another key."""


def suite(name: str | None = None) -> Suite:
    """The named suite, or the configured one (read now, not at import)."""
    name = name or getattr(settings, "CRYPTO_SUITE", "international")
    try:
        return SUITES[name]
    except KeyError:
        raise ImproperlyConfigured(f"CRYPTO_SUITE must be one of {sorted(SUITES)}, not {name!r}.") from None


def suite_of_mac(mac: str) -> Suite:
    return next(s for s in SUITES.values() if s.mac == mac)


def suite_of_cipher(cipher: str) -> Suite:
    return next(s for s in SUITES.values() if s.cipher == cipher)


# -- hashes and keyed hashes ---------------------------------------------------------
def _hash_algorithm(name: str) -> hashes.HashAlgorithm:
    if name == "sha256":
        return hashes.SHA256()
    if name == "sm3":
        return hashes.SM3()
    raise ValueError(f"Unknown hash algorithm {name!r}.")


def hash_bytes(name: str, data: bytes) -> bytes:
    if name == "sha256":
        return hashlib.sha256(data).digest()
    h = hashes.Hash(_hash_algorithm(name))
    h.update(data)
    return h.finalize()


def hash_hex(name: str, data: bytes) -> str:
    return hash_bytes(name, data).hex()


def hmac_hex(name: str, key: bytes, data: bytes) -> str:
    """HMAC with the hash ``name`` ("sha256" | "sm3") as lowercase hex."""
    if name == "sha256":
        return std_hmac.new(key, data, hashlib.sha256).hexdigest()
    mac = crypto_hmac.HMAC(key, _hash_algorithm(name))
    mac.update(data)
    return mac.finalize().hex()


def digest(data: bytes, suite_name: str | None = None) -> str:
    """Fingerprint of ``data`` under the configured suite: ``sha256:<hex>`` or ``sm3:<hex>``."""
    alg = suite(suite_name).hash
    return f"{alg}:{hash_hex(alg, data)}"


def digest_matches(data: bytes, value: str) -> bool:
    """Does ``value`` (``alg:hex``, or bare hex = legacy SHA-256) fingerprint ``data``?"""
    alg, sep, hexdigest = value.partition(":")
    if not sep:
        alg, hexdigest = "sha256", value
    if alg not in HASHES:
        return False
    return std_hmac.compare_digest(hash_hex(alg, data), hexdigest.lower())


def digest_algorithm(value: str) -> str:
    alg, sep, _ = value.partition(":")
    return alg if sep else "sha256"


# -- the audit key ---------------------------------------------------------------------
def audit_key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is not set.")
    return key.encode()


def audit_mac(mac: str, message: bytes) -> str:
    """HMAC of ``message`` under AUDIT_KEY with ``mac`` ("hmac-sha256" | "hmac-sm3")."""
    return hmac_hex(MACS[mac], audit_key(), message)


# -- encryption at rest --------------------------------------------------------------
@lru_cache(maxsize=8)
def _derived_key(cipher: str, key_material: str) -> bytes:
    hash_name = suite_of_cipher(cipher).hash
    return HKDF(algorithm=_hash_algorithm(hash_name), length=CIPHERS[cipher], salt=None,
                info=f"quality-award:field-encryption:{cipher}".encode()).derive(key_material.encode())


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    key = hashlib.sha256(("fernet:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _block_cipher(cipher: str, key: bytes):
    return algorithms.AES(key) if cipher == "aes256gcm" else algorithms.SM4(key)


def encrypt(plaintext: str, suite_name: str | None = None) -> str:
    """Encrypt under the configured suite: ``aes256gcm:…`` or ``sm4gcm:…``."""
    cipher = suite(suite_name).cipher
    key = _derived_key(cipher, settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    encryptor = Cipher(_block_cipher(cipher, key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(cipher.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{cipher}:" + base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()


def cipher_of(token: str) -> str:
    """Which algorithm made ``token``: "aes256gcm", "sm4gcm" or "fernet" (legacy, no prefix)."""
    prefix, sep, _ = token.partition(":")
    return prefix if sep and prefix in CIPHERS else LEGACY_CIPHER


def decrypt(token: str) -> str:
    cipher = cipher_of(token)
    if cipher == LEGACY_CIPHER:
        try:
            return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError("Legacy Fernet token does not decrypt under FIELD_ENCRYPTION_KEY.") from exc
    raw = base64.urlsafe_b64decode(token.partition(":")[2].encode())
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    key = _derived_key(cipher, settings.FIELD_ENCRYPTION_KEY)
    decryptor = Cipher(_block_cipher(cipher, key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(cipher.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError(f"{cipher} ciphertext was altered or made under another key.") from exc


# -- blind index (equality lookups without decrypting) ---------------------------------
def blind_index(value: str, suite_name: str | None = None) -> str:
    """Keyed hash of ``value`` under the configured suite (HMAC-SHA256 or HMAC-SM3), 64 hex.

    The international index is the one the project has always stored, so existing
    databases keep their indexes; ``crypto_migrate`` recomputes them on a switch.
    """
    alg = suite(suite_name).hash
    key = hash_bytes(alg, ("index:" + settings.FIELD_ENCRYPTION_KEY).encode())
    return hmac_hex(alg, key, value.encode())


def blind_indexes(value: str) -> list[str]:
    """The index of ``value`` under every suite, for lookups in a database being migrated
    or holding records whose clear value is not kept (e.g. legacy award records)."""
    return [blind_index(value, name) for name in SUITES]
