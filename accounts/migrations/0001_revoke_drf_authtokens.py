"""API tokens moved from DRF's authtoken (one bare token per user, never expiring) to
django-rest-knox (digests with an expiry, in knox's own table). Every old token stops
working now: this empties DRF's `authtoken_token` table of an existing database, on every
node at once, and API clients sign in again for a token with an expiry.

The table itself is left for a later release to drop (expand / contract, docs/deploy.md):
app servers of the previous release still read it while the release rolls out, and find
no token there (401) rather than no table (500). Contract step, once no node runs a release
older than this one: `DROP TABLE authtoken_token` and `DELETE FROM django_migrations WHERE
app = 'authtoken'`."""
from django.db import migrations


def revoke_drf_authtokens(apps, schema_editor):
    if "authtoken_token" in schema_editor.connection.introspection.table_names():
        schema_editor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(revoke_drf_authtokens, migrations.RunPython.noop, elidable=True)]
