"""API tokens moved from DRF's authtoken (one bare token per user, never expiring) to
django-rest-knox (digests with an expiry, in knox's own table). This drops the old
`authtoken_token` table of an existing database, and the record of its migrations:
every old token stops working, and API clients sign in again (a token with an expiry)."""
from django.db import migrations


def drop_authtoken(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute("DROP TABLE authtoken_token")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(drop_authtoken, migrations.RunPython.noop, elidable=True)]
