"""One path per act (issue 7): frozen notice entries, notice description and contact,
objection receipts and investigation, announcements per cycle (main + supplements),
frozen award records, committee size and quorum per cycle. Existing rows are carried over."""
import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _display_name(app):
    if app.nominee_id:
        return f"{app.nominee.name}（{app.nominee.employer}）"
    return app.organization.name


def carry_over(apps, schema_editor):
    PublicNotice = apps.get_model("nominations", "PublicNotice")
    NoticeEntry = apps.get_model("nominations", "NoticeEntry")
    Objection = apps.get_model("nominations", "Objection")
    AwardRecord = apps.get_model("nominations", "AwardRecord")
    Application = apps.get_model("nominations", "Application")
    Publication = apps.get_model("nominations", "Publication")
    for notice in PublicNotice.objects.all():
        contact = "；".join(x for x in (notice.contact_name, notice.contact_phone, notice.contact_email,
                                        notice.contact_address) if x)
        notice.description = notice.text or "公示期间，任何单位和个人均可实名提出异议。"
        notice.contact = contact or "评选秘书处"
        notice.save(update_fields=["description", "contact"])
        through = PublicNotice.applications_old.through.objects.filter(publicnotice_id=notice.pk)
        apps_on = (Application.objects.filter(pk__in=through.values("application_id"))
                   .select_related("organization", "nominee", "category", "cycle__programme")
                   .order_by("category__order", "reference", "id"))
        for order, app in enumerate(apps_on):
            NoticeEntry.objects.create(notice=notice, application=app, name=_display_name(app), title=app.title,
                                       programme=app.cycle.programme.code, programme_name=app.cycle.programme.name,
                                       category=app.category.name, order=order)
    for objection in Objection.objects.select_related("application__cycle__programme"):
        while True:
            receipt = (f"{timezone.localtime(objection.received_at):%y}-"
                       f"{objection.application.cycle.programme.code}-"
                       + "".join(secrets.choice(ALPHABET) for _ in range(5)))
            if not Objection.objects.filter(receipt=receipt).exists():
                break
        objection.receipt = receipt
        objection.save(update_fields=["receipt"])
    for award in AwardRecord.objects.filter(application__isnull=False).select_related(
            "application__organization", "application__nominee", "application__category", "application__cycle"):
        app = award.application
        publication = Publication.objects.filter(cycle_id=app.cycle_id).order_by("published_at", "id").first()
        award.holder_name = _display_name(app)
        award.category_name = app.category.name
        award.cycle_label = app.cycle.label
        award.publication = publication
        award.published_at = publication.published_at if publication else None
        if app.state == "revoked":
            award.revoked_at = award.published_at or timezone.now()
        award.save(update_fields=["holder_name", "category_name", "cycle_label", "publication", "published_at",
                                  "revoked_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("nominations", "0006_certificate_batch_parts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # committee size and quorum
        migrations.AddField("cycle", "committee_size", models.PositiveSmallIntegerField(
            default=15, help_text="表决票数（赞成、反对、弃权之和）不能超过此人数。", verbose_name="审定委员会人数")),
        migrations.AddField("cycle", "committee_quorum", models.PositiveSmallIntegerField(
            default=0, help_text="有效表决至少需要的票数；0 表示不设下限。", verbose_name="审定会议法定人数")),
        migrations.AddConstraint("cycle", models.CheckConstraint(
            condition=models.Q(committee_quorum__lte=models.F("committee_size")), name="cycle_quorum_within_committee")),
        # notices: description, contact, frozen entries
        migrations.RenameField("publicnotice", "applications", "applications_old"),
        migrations.AddField("publicnotice", "description", models.TextField(default="", verbose_name="公示说明")),
        migrations.AddField("publicnotice", "contact", models.TextField(
            default="", help_text="受理异议的单位、联系人、电话、邮箱和地址", verbose_name="联系方式")),
        migrations.CreateModel(
            name="NoticeEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=300, verbose_name="名称")),
                ("title", models.CharField(blank=True, max_length=300, verbose_name="项目名称")),
                ("programme", models.CharField(max_length=10, verbose_name="奖项代码")),
                ("programme_name", models.CharField(max_length=100, verbose_name="奖项")),
                ("category", models.CharField(max_length=100, verbose_name="类别")),
                ("order", models.PositiveIntegerField(default=0, verbose_name="顺序")),
                ("application", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="notice_entries", to="nominations.application")),
                ("notice", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entries",
                                             to="nominations.publicnotice")),
            ],
            options={"verbose_name": "公示条目", "verbose_name_plural": "公示条目", "ordering": ["notice", "order", "id"],
                     "constraints": [models.UniqueConstraint(fields=("notice", "application"),
                                                             name="one_entry_per_notice")]},
        ),
        # objections: receipt and investigation
        migrations.AddField("objection", "receipt", models.CharField(max_length=20, null=True, verbose_name="受理回执编号")),
        migrations.AddField("objection", "investigation_started_at", models.DateTimeField(
            blank=True, null=True, verbose_name="开始调查时间")),
        migrations.AddField("objection", "investigated_by", models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
            to=settings.AUTH_USER_MODEL)),
        # announcements: main + supplements
        migrations.AlterField("publication", "cycle", models.ForeignKey(
            on_delete=django.db.models.deletion.PROTECT, related_name="publications", to="nominations.cycle")),
        migrations.AddField("publication", "kind", models.CharField(
            choices=[("main", "结果公告"), ("supplement", "补充公告")], default="main", max_length=12,
            verbose_name="类型")),
        migrations.AlterModelOptions("publication", {"ordering": ["published_at", "id"], "verbose_name": "结果公告",
                                                     "verbose_name_plural": "结果公告"}),
        # award records: frozen public view
        migrations.AddField("awardrecord", "holder_name", models.CharField(blank=True, max_length=300, verbose_name="获奖者")),
        migrations.AddField("awardrecord", "category_name", models.CharField(blank=True, max_length=100, verbose_name="类别")),
        migrations.AddField("awardrecord", "cycle_label", models.CharField(blank=True, max_length=20, verbose_name="年度")),
        migrations.AddField("awardrecord", "publication", models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="awards",
            to="nominations.publication", verbose_name="公告")),
        migrations.AddField("awardrecord", "published_at", models.DateTimeField(blank=True, null=True, verbose_name="发布时间")),
        migrations.AddField("awardrecord", "revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        # the old columns go; the new ones are required
        migrations.RemoveField("publicnotice", "applications_old"),
        migrations.AddField("publicnotice", "applications", models.ManyToManyField(
            blank=True, related_name="notices", through="nominations.NoticeEntry", to="nominations.application")),
        migrations.RemoveField("publicnotice", "text"),
        migrations.RemoveField("publicnotice", "contact_name"),
        migrations.RemoveField("publicnotice", "contact_phone"),
        migrations.RemoveField("publicnotice", "contact_email"),
        migrations.RemoveField("publicnotice", "contact_address"),
        migrations.AlterField("publicnotice", "description", models.TextField(verbose_name="公示说明")),
        migrations.AlterField("publicnotice", "contact", models.TextField(
            help_text="受理异议的单位、联系人、电话、邮箱和地址", verbose_name="联系方式")),
        migrations.AddConstraint("publicnotice", models.CheckConstraint(
            condition=models.Q(ends_at__gt=models.F("starts_at")), name="notice_window_order")),
        migrations.AddConstraint("publicnotice", models.CheckConstraint(
            condition=~models.Q(description=""), name="notice_has_description")),
        migrations.AddConstraint("publicnotice", models.CheckConstraint(
            condition=~models.Q(contact=""), name="notice_has_contact")),
        migrations.AlterField("objection", "receipt", models.CharField(max_length=20, unique=True,
                                                                      verbose_name="受理回执编号")),
        migrations.AddConstraint("publication", models.UniqueConstraint(
            condition=models.Q(kind="main"), fields=("cycle",), name="one_main_announcement")),
        migrations.AddConstraint("publication", models.CheckConstraint(
            condition=~models.Q(announcement=""), name="announcement_has_text")),
    ]
