"""Encryption at rest for sensitive personal data (resident ID numbers).

Fernet (AES-128-CBC + HMAC) with a key derived from FIELD_ENCRYPTION_KEY; a keyed
hash (HMAC-SHA256) allows uniqueness checks without decrypting.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(("fernet:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    key = hashlib.sha256(("index:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
