"""Query-string filters of the intake API (django-filter; documented in the schema)."""
from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from nominations.enums import ApplicationState, CycleState, ProgrammeCode
from nominations.models import Application, Cycle


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number within the 64-bit id columns (larger ones are a 400, not an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class CycleFilter(django_filters.FilterSet):
    programme = django_filters.ChoiceFilter(field_name="programme__code", choices=ProgrammeCode.choices,
                                            label=gettext_lazy("奖项代码"))
    status = django_filters.ChoiceFilter(choices=CycleState.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Cycle
        fields = ["programme", "status"]


class ApplicationFilter(django_filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id", label=gettext_lazy("评选周期 id"))
    category = IdFilter(field_name="category_id", label=gettext_lazy("申报类别 id"))
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Application
        fields = ["cycle", "category", "state"]
