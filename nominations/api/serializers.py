"""API shapes of the intake half (API.md). Serializers only shape and type-check data:
business rules live in services, which the API views call."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from nominations.api.fields import OffsetDateTimeField
from nominations.enums import CycleTransition, Transition
from nominations.services.notices import NoticeInput
from nominations.models import (
    Application,
    Category,
    Cycle,
    Document,
    DocumentRequirement,
    Organization,
    Programme,
    Question,
    RecommendingUnit,
)


# -- errors (documentation only: the exception handler produces these bodies) ----------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), required=False)


# -- catalog -----------------------------------------------------------------------
class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["code", "name", "name_en"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["key", "label", "type", "required"]


class DocumentRequirementSerializer(serializers.ModelSerializer):
    content_types = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = DocumentRequirement
        fields = ["kind", "label", "required", "content_types"]


class CategorySerializer(serializers.ModelSerializer):
    rubric = serializers.CharField(source="rubric_code")
    questions = QuestionSerializer(many=True)
    documents = DocumentRequirementSerializer(many=True, source="document_requirements")

    class Meta:
        model = Category
        fields = ["id", "code", "name", "nominee_kind", "rubric", "questions", "documents"]


class CycleSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    categories = CategorySerializer(many=True)

    class Meta:
        model = Cycle
        fields = ["id", "programme", "year", "label", "status", "opens_at", "closes_at", "aggregation",
                  "categories"]


class RecommendingUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecommendingUnit
        fields = ["id", "name", "kind"]


class AvailableTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField()


class NoticeInputMixin(serializers.Serializer):
    """The notice an act opens (start_notice on the cycle, open_notice on an application)."""

    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                        help_text=_("start_notice/open_notice：公示说明（必填）"))
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                    help_text=_("start_notice/open_notice：受理异议的联系方式（必填）"))
    starts_at = OffsetDateTimeField(required=False, allow_null=True, default=None,
                                    help_text=_("公示开始（不早于现在，默认现在）"))
    days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=60,
                                    help_text=_("公示天数（默认按周期设置）"))
    working_days = serializers.BooleanField(required=False, allow_null=True, default=None,
                                            help_text=_("按工作日计算（默认按周期设置）"))

    def notice_input(self, data) -> NoticeInput:
        return NoticeInput(description=data["description"], contact=data["contact"], starts_at=data["starts_at"],
                           days=data["days"], working_days=data["working_days"])


class CycleTransitionInputSerializer(NoticeInputMixin):
    name = serializers.ChoiceField(choices=CycleTransition.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    announcement = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000,
                                         help_text=_("publish：发布公告（必填）"))


# -- organizations -------------------------------------------------------------------
class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "uscc", "established_on", "district", "industry", "size", "address",
                  "contact_name", "contact_phone", "contact_email", "created_at"]


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    established_on = serializers.DateField(required=False, allow_null=True)
    district = serializers.CharField(max_length=50, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    size = serializers.CharField(max_length=50, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class OrganizationCreateSerializer(OrganizationUpdateSerializer):
    # The service checks the code (length, characters, check characters, duplicates)
    # and answers with a precise message; here only a sanity cap on length.
    uscc = serializers.CharField(max_length=64)
    uscc_override_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True,
        help_text=_("秘书处登记未通过校验的早期代码时填写的理由；申请人填写无效。"))


# -- applications --------------------------------------------------------------------
class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class NomineeSerializer(serializers.Serializer):
    """Output: the ID number is only ever shown masked (110105********002X)."""

    name = serializers.CharField()
    employer = serializers.CharField()
    position = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")


class NomineeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    employer = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=40, write_only=True)


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "kind", "name", "size", "sha256", "uploaded_at"]


class ApplicationSummarySerializer(serializers.ModelSerializer):
    """One row of GET /applications/."""

    programme = serializers.CharField(source="cycle.programme.code")
    organization = OrganizationRefSerializer()
    nominee = NomineeSerializer(allow_null=True)
    state_label = serializers.CharField(source="get_state_display")

    class Meta:
        model = Application
        fields = ["id", "reference", "programme", "cycle", "category", "organization", "nominee", "title",
                  "state", "state_label", "submitted_at", "recommending_unit"]
        read_only_fields = fields


class ApplicationSerializer(ApplicationSummarySerializer):
    """GET /applications/{id}/: the fields of API.md and a few more."""

    answers = serializers.DictField()
    documents = DocumentSerializer(many=True)

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [*ApplicationSummarySerializer.Meta.fields, "answers", "commitment", "documents",
                  "amendment_deadline", "return_reason", "created_at", "updated_at"]
        read_only_fields = fields


class ApplicationUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    recommending_unit = serializers.PrimaryKeyRelatedField(
        queryset=RecommendingUnit.objects.all(), allow_null=True, required=False)
    nominee = NomineeInputSerializer(required=False, help_text=_("仅个人类别填写"))
    answers = serializers.DictField(required=False, help_text=_("问题的键 → 回答"))
    commitment = serializers.BooleanField(required=False, help_text=_("诚信承诺；提交时必须为 true"))


class ApplicationCreateSerializer(ApplicationUpdateSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.select_related("cycle__programme"))
    # Only the caller's own organizations: another's id reads as "does not exist".
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from nominations import rules

            self.fields["organization"].queryset = Organization.objects.filter(
                pk__in=rules.organization_ids(request.user))


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=50)
    file = serializers.FileField(use_url=False)


class ApplicationTransitionInputSerializer(NoticeInputMixin):
    name = serializers.ChoiceField(choices=Transition.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                 help_text=_("说明；退回、不予受理、撤销时为必填的理由"))
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                            help_text=_("accept：资格条件未通过时的例外理由"))
    deadline = OffsetDateTimeField(required=False, allow_null=True, default=None,
                                   help_text=_("return：补正截止时间（默认按周期的补正天数）"))
    announcement = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000,
                                         help_text=_("publish：本周期尚无结果公告时必填；否则作为补充公告"))


class HistoryEntrySerializer(serializers.Serializer):
    transition = serializers.CharField(source="action")
    source = serializers.CharField()
    target = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    at = serializers.DateTimeField()
    note = serializers.CharField()

