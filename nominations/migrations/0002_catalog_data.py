"""Load the programmes and the role groups."""
from django.db import migrations

PROGRAMMES = [
    # code, name, name_en, has_site_stage, needs_recommender, order
    ("MQA", "上海市市长质量奖", "Shanghai Mayor's Quality Award", True, True, 1),
    ("QGA", "上海市质量金奖", "Shanghai Quality Gold Award", True, True, 2),
    ("QB", "上海市质量标杆", "Shanghai Quality Benchmark", False, True, 3),
]
GROUPS = ["secretariat", "judge", "committee"]


def load(apps, schema_editor):
    Programme = apps.get_model("nominations", "Programme")
    for code, name, name_en, site, rec, order in PROGRAMMES:
        Programme.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "has_site_stage": site, "needs_recommender": rec,
            "order": order,
            "awarding_body": "上海市经济和信息化委员会" if code == "QB" else "上海市人民政府",
        })
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("nominations", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
