"""Public catalog read of a rubric: GET /api/v1/rubrics/{code}/ (API.md).

Scored items are listed under "criteria" (with their parent's code); the unscored
parent categories under "categories". Points are Decimal strings with two decimals.
"""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from judging.models import Criterion, Rubric
from nominations.errors import NotFound


class RubricCategorySerializer(serializers.ModelSerializer):
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        model = Criterion
        fields = ["code", "title", "max_points", "kind"]


class RubricCriterionSerializer(RubricCategorySerializer):
    parent = serializers.CharField(source="parent.code")

    class Meta(RubricCategorySerializer.Meta):
        fields = [*RubricCategorySerializer.Meta.fields, "parent"]


class RubricSerializer(serializers.ModelSerializer):
    total_points = serializers.DecimalField(max_digits=9, decimal_places=2)
    criteria = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = ["code", "name", "total_points", "criteria", "categories"]

    @extend_schema_field(RubricCriterionSerializer(many=True))
    def get_criteria(self, rubric: Rubric) -> list[dict]:
        items = [c for c in rubric.criteria.all() if c.is_scored]
        return RubricCriterionSerializer(items, many=True).data

    @extend_schema_field(RubricCategorySerializer(many=True))
    def get_categories(self, rubric: Rubric) -> list[dict]:
        parents = [c for c in rubric.criteria.all() if not c.is_scored]
        return RubricCategorySerializer(parents, many=True).data


def rubric_with_criteria(code: str) -> Rubric:
    criteria = Criterion.objects.select_related("parent").order_by("order", "code")
    rubric = Rubric.objects.prefetch_related(Prefetch("criteria", queryset=criteria)).filter(code=code).first()
    if rubric is None:
        raise NotFound(_("评分标准不存在。"))
    return rubric


class RubricDetailView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(responses={200: RubricSerializer, 404: OpenApiResponse(description=gettext_lazy("评分标准不存在"))},
                   tags=["rubrics"])
    def get(self, request, code: str):
        return Response(RubricSerializer(rubric_with_criteria(code)).data)
