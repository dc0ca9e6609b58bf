"""Keyed audit chain: every entry records its algorithm and its position; certificates
record a suite-aware fingerprint. Existing entries stay as they were (an unkeyed SHA-256
segment) and are numbered in id order; existing certificates' SHA-256 is copied over."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def number_entries(apps, schema_editor):
    AuditEntry = apps.get_model("nominations", "AuditEntry")
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    for seq, pk in enumerate(ids, start=1):
        AuditEntry.objects.filter(pk=pk).update(seq=seq)


def copy_certificate_digests(apps, schema_editor):
    Certificate = apps.get_model("nominations", "Certificate")
    for cert in Certificate.objects.exclude(pdf_sha256="").only("pk", "pdf_sha256"):
        Certificate.objects.filter(pk=cert.pk).update(pdf_digest=f"sha256:{cert.pdf_sha256}")


class Migration(migrations.Migration):

    dependencies = [
        ("nominations", "0003_publication"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="alg",
            field=models.CharField(default="sha256", max_length=16),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(number_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="certificate",
            name="pdf_digest",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.RunPython(copy_certificate_digests, migrations.RunPython.noop),
    ]
