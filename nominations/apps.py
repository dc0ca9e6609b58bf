from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = _("申报与评选")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nominations import notifications  # noqa: F401  (connects signal receivers)
        from nominations.services import publication  # noqa: F401  (registers workflow hooks)
