"""Database helpers shared by the hottest paths.

`planned_cursor()` is a Django cursor whose statements PostgreSQL plans once per connection.
Django's PostgreSQL cursors bind parameters on the client, so the server parses and plans
every statement again; for the two statements every judge's autosave runs (the token lookup
and the autosave's own statement) planning cost more than running them (benchmarks/autosave.py:
0.7 ms of planning against 0.3 ms of execution). A psycopg cursor that binds on the server
prepares a statement the second time it runs on the connection (Django turns psycopg's
automatic preparation off for its own cursors, which keep binding on the client).

It is used only for statements written once as SQL (no ORM expressions whose parameters
PostgreSQL would have to match by value). Behind a transaction-pooling PgBouncer older than
1.21 prepared statements are not safe: set DATABASE_PREPARED_STATEMENTS=0 there (the cursor is
then Django's usual one). On SQLite it is Django's usual cursor.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.db import connection


PREPARE_AFTER = 1  # executions of a statement on a connection before it is prepared


@lru_cache(maxsize=1)
def _planning_cursor_class():
    import psycopg

    class PlanningCursor(psycopg.Cursor):
        """psycopg's server-binding cursor that also records a prepared statement as the one
        last run, as it does an unprepared one: Django's query log (DEBUG, tests counting
        queries) reads it from there, and would show None otherwise (it shows the statement with
        $1, $2 … for its parameters). psycopg is pinned; tests/test_db_planned.py checks this."""

        def _send_query_prepared(self, name, pgq, **kwargs):
            self._query = pgq
            return super()._send_query_prepared(name, pgq, **kwargs)

    return PlanningCursor


@contextmanager
def planned_cursor():
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection  # this thread's psycopg connection (Django's are per thread)
    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory = _planning_cursor_class()  # binds on the server: PostgreSQL can keep the plan
    try:
        cursor = connection.cursor()  # Django's wrapper: query logging, error wrapping, time zone
    finally:
        raw.cursor_factory = factory
    raw.prepare_threshold = PREPARE_AFTER
    try:
        with cursor:
            yield cursor
    finally:
        raw.prepare_threshold = threshold
