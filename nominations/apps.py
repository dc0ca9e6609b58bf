from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    """Every `migrate` (demo, tests, deployments) also creates the database cache table
    when CACHES uses it; `createcachetable` does nothing when the table exists or when
    the cache is Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = _("申报与评选")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="nominations.create_cache_table")
        from nominations.api.fields import install_strict_text

        install_strict_text()  # API text fields refuse numbers instead of turning 0 into "0"
        from nominations.api.parsers import install_integer_bounds

        install_integer_bounds()  # every API integer field refuses values beyond the 64-bit columns
