"""Append-only, keyed hash chain of every transition and sensitive decision.

Each entry's ``hash`` is a MAC over the previous entry's hash and the entry's canonical
content, made with ``AUDIT_KEY`` (a key kept out of the database) and the algorithm in
``alg``: ``hmac-sha256`` or ``hmac-sm3`` (see nominations.crypto). Entries written before the
chain was keyed keep ``alg = "sha256"`` (an unkeyed SHA-256 chain) and still verify; a run of
entries with one algorithm is a *segment*, and each segment links to the previous head.
``seq`` numbers the entries 1, 2, 3… so a gap names the missing range. Signed checkpoints
(count and head hash) written outside the table anchor the chain: see services/audit.py.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nominations import crypto

GENESIS = "0" * 64
LEGACY_ALG = "sha256"  # unkeyed chain, before AUDIT_KEY
ALGORITHMS = (LEGACY_ALG, *crypto.MACS)


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guard
        raise TypeError("Audit entries are append-only.")

    def delete(self):  # pragma: no cover - guard
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    object_type = models.CharField(_("对象类型"), max_length=50, db_index=True)
    object_id = models.CharField(_("对象"), max_length=40, db_index=True)
    action = models.CharField(_("操作"), max_length=50)
    source = models.CharField(_("原状态"), max_length=30, blank=True)
    target = models.CharField(_("新状态"), max_length=30, blank=True)
    # PROTECT: an account that acted is deactivated, never deleted (its id is in the MAC).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("操作人"))
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True, verbose_name=_("详细数据"))
    seq = models.PositiveBigIntegerField(unique=True, verbose_name=_("序号"))
    alg = models.CharField(max_length=16, default=LEGACY_ALG, verbose_name=_("校验算法"))
    prev_hash = models.CharField(max_length=64, verbose_name=_("前一条的校验值"))
    hash = models.CharField(max_length=64, unique=True, verbose_name=_("校验值"))

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}"

    @property
    def keyed(self) -> bool:
        return self.alg != LEGACY_ALG

    def payload(self) -> str:
        """Canonical JSON of the entry's content; the hash covers exactly this.

        Keyed entries also cover their position (``seq``) and algorithm, so neither can be
        changed without the key; legacy entries keep the payload they were hashed with.
        """
        content = {
            "object_type": self.object_type, "object_id": str(self.object_id),
            "action": self.action, "source": self.source, "target": self.target,
            "actor": self.actor_id, "actor_name": self.actor_name,
            "at": self.at.isoformat(), "note": self.note, "ip": self.ip, "data": self.data,
        }
        if self.keyed:
            content.update(seq=self.seq, alg=self.alg)
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)

    def compute_hash(self) -> str:
        message = (self.prev_hash + self.payload()).encode()
        if self.alg == LEGACY_ALG:
            return crypto.hash_hex("sha256", message)
        if self.alg not in crypto.MACS:
            raise ValueError(f"Unknown audit algorithm {self.alg!r}.")
        return crypto.audit_mac(self.alg, message)

    def save(self, *args, **kwargs):
        if self.pk:
            raise TypeError("Audit entries are append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")
