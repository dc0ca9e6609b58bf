"""The vocabulary of the judging app."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CriterionKind(models.TextChoices):
    PROCESS = "process", _("过程（ADLI）")
    RESULT = "result", _("结果（LeTCI）")
