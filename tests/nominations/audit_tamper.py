"""What an administrator with database access can do to the audit table, for tamper tests.

On PostgreSQL the table refuses UPDATE and DELETE through a trigger; a superuser can switch
triggers off for the session, as an attacker with that access would. Everything runs in the
test's transaction.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from nominations.models import AuditEntry

TABLE = AuditEntry._meta.db_table


@contextmanager
def db_admin():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def edit(entry_id: int, **columns) -> None:
    sets = ", ".join(f"{name} = %s" for name in columns)
    with db_admin() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {sets} WHERE id = %s", [*columns.values(), entry_id])


def delete(*entry_ids: int) -> None:
    with db_admin() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN ({', '.join(['%s'] * len(entry_ids))})", list(entry_ids))
