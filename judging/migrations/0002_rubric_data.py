"""Load GB/T 19580-2012 and the configurable individual and benchmark rubrics."""
from django.db import migrations


def load(apps, schema_editor):
    from judging.data.rubrics import load_rubrics

    load_rubrics(apps.get_model("judging", "Rubric"), apps.get_model("judging", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("judging", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
