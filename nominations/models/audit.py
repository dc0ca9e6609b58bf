"""Append-only, hash-chained audit log of every transition and sensitive decision."""
from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


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
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}"

    def payload(self) -> str:
        """Canonical JSON of the entry's content; the hash covers exactly this."""
        return json.dumps(
            {
                "object_type": self.object_type, "object_id": str(self.object_id),
                "action": self.action, "source": self.source, "target": self.target,
                "actor": self.actor_id, "actor_name": self.actor_name,
                "at": self.at.isoformat(), "note": self.note, "ip": self.ip, "data": self.data,
            },
            sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk:
            raise TypeError("Audit entries are append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")
