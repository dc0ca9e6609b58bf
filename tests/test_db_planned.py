"""config.db.planned_cursor: on PostgreSQL the statement is prepared on the connection from its
second run, the query log still shows it, and DATABASE_PREPARED_STATEMENTS=0 gives Django's
usual cursor (for a transaction-pooling PgBouncer)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from config.db import planned_cursor

SQL = "SELECT CAST(%s AS integer) + 1"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def prepared_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%CAST($1 AS integer) + 1%"])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_same_answer_everywhere():
    for n in (1, 2, 3):
        with planned_cursor() as cursor:
            cursor.execute(SQL, [n])
            assert cursor.fetchone()[0] == n + 1


@pytest.mark.django_db
@postgresql_only
def test_prepared_from_the_second_run_and_logged():
    with CaptureQueriesContext(connection) as ctx:
        for n in (1, 2, 3):
            with planned_cursor() as cursor:
                cursor.execute(SQL, [n])
                assert cursor.fetchone()[0] == n + 1
            if n == 1:
                assert prepared_count() == 0
    assert prepared_count() == 1
    assert [q["sql"] for q in ctx.captured_queries if (q["sql"] or "").startswith("SELECT CAST")] == ["SELECT CAST($1 AS integer) + 1"] * 3
    assert connection.connection.prepare_threshold is None  # Django's own cursors are left as they were


@pytest.mark.django_db
@postgresql_only
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_switched_off_nothing_is_prepared():
    for n in (1, 2, 3):
        with planned_cursor() as cursor:
            cursor.execute(SQL, [n])
            assert cursor.fetchone()[0] == n + 1
    assert prepared_count() == 0
