"""API shapes of judging (API.md, Judging). Serializers only shape and type-check data:
the rules live in services, which the API views call. Decimals are strings "612.50"."""
from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from judging.enums import AssignmentState, ConflictSource, ConflictStatus, DecisionOutcome, Stage
from judging.models import person_name
from nominations.api.fields import OffsetDateTimeField

DECIMAL = {"max_digits": 9, "decimal_places": 2, "coerce_to_string": True}


# -- assignments --------------------------------------------------------------------------
class AssignmentApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    organization_name = serializers.CharField(source="organization.name")
    category = serializers.IntegerField(source="category_id")
    category_name = serializers.CharField(source="category.name")
    state = serializers.CharField()


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = AssignmentApplicationSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)
    state = serializers.CharField(help_text=" | ".join(AssignmentState.values))
    state_label = serializers.CharField(source="get_state_display")
    due_at = serializers.DateTimeField(allow_null=True)
    is_leader = serializers.BooleanField()
    scored_items = serializers.IntegerField(required=False)
    conflict = serializers.SerializerMethodField()

    def get_conflict(self, obj) -> bool:
        return bool(getattr(obj, "conflict_reasons", []))


class AssignmentAdminSerializer(AssignmentSerializer):
    judge = serializers.IntegerField(source="judge_id")
    judge_name = serializers.SerializerMethodField()
    decline_reason = serializers.CharField()
    reopen_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)

    def get_judge_name(self, obj) -> str:
        return person_name(obj.judge)


class AssignmentCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    judge = serializers.IntegerField(help_text=gettext_lazy("评审专家的用户 id（GET /judges/ 的 id）"))
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.DOCUMENT)
    due_at = OffsetDateTimeField(required=False, allow_null=True)
    is_leader = serializers.BooleanField(required=False, default=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AutoAssignInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    judges_per_application = serializers.IntegerField(min_value=1, max_value=50)
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    due_at = OffsetDateTimeField(required=False, allow_null=True)


class UnfilledSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    missing = serializers.IntegerField()


class AutoAssignResultSerializer(serializers.Serializer):
    created = serializers.SerializerMethodField()
    unfilled = UnfilledSerializer(many=True)
    seed = serializers.IntegerField()
    run = serializers.IntegerField(source="run.pk")
    assignments = serializers.SerializerMethodField()

    def get_created(self, obj) -> int:
        return len(obj.created)

    def get_assignments(self, obj) -> list[dict]:
        return [{"id": a.pk, "application": a.application_id, "judge": a.judge_id, "is_leader": a.is_leader}
                for a in obj.created]


# -- scoresheet ------------------------------------------------------------------------------
class ScoresheetItemSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    title = serializers.CharField()
    parent = serializers.CharField()
    kind = serializers.CharField()
    max_points = serializers.DecimalField(**DECIMAL)
    percent = serializers.IntegerField(allow_null=True)
    points = serializers.DecimalField(allow_null=True, **DECIMAL)
    band = serializers.CharField(allow_null=True)
    strengths = serializers.CharField(allow_blank=True)
    opportunities = serializers.CharField(allow_blank=True)


class BandSerializer(serializers.Serializer):
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()


class ScoresheetSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment.pk")
    state = serializers.CharField(source="assignment.state")
    editable = serializers.BooleanField()
    items = ScoresheetItemSerializer(many=True)
    total = serializers.DecimalField(**DECIMAL)
    max_total = serializers.DecimalField(**DECIMAL)
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    bands = serializers.DictField(child=BandSerializer(many=True))


class ScoresheetInputSerializer(serializers.Serializer):
    """Items are validated by the service (it lists every bad item; nothing is saved)."""
    items = serializers.ListField(child=serializers.JSONField())


# -- judges -------------------------------------------------------------------------------------
class JudgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()
    email = serializers.CharField(help_text=gettext_lazy("电子邮箱；未填写时为空字符串"))  # "" is not an e-mail address
    title = serializers.SerializerMethodField()
    affiliation = serializers.SerializerMethodField()
    affiliation_uscc = serializers.SerializerMethodField()
    expertise = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()
    load = serializers.IntegerField(required=False)

    def _profile(self, obj):
        return getattr(obj, "judge_profile", None)  # None when the judge has no profile yet

    def get_name(self, obj) -> str:
        return person_name(obj)

    def get_title(self, obj) -> str:
        p = self._profile(obj)
        return p.title if p else ""

    def get_affiliation(self, obj) -> str:
        p = self._profile(obj)
        return p.affiliation if p else ""

    def get_affiliation_uscc(self, obj) -> str:
        p = self._profile(obj)
        return p.affiliation_uscc if p else ""

    def get_expertise(self, obj) -> list[str]:
        p = self._profile(obj)
        return list(p.expertise) if p else []

    def get_active(self, obj) -> bool:
        p = self._profile(obj)
        return obj.is_active and (p.active if p else True)


class JudgeCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    affiliation = serializers.CharField(required=False, allow_blank=True, default="")
    affiliation_uscc = serializers.CharField(required=False, allow_blank=True, default="")
    expertise = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class JudgeImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())


# -- conflicts ----------------------------------------------------------------------------------
class ConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    judge = serializers.IntegerField(source="judge_id")
    judge_name = serializers.SerializerMethodField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    source = serializers.ChoiceField(choices=ConflictSource.choices)
    status = serializers.ChoiceField(choices=ConflictStatus.choices)
    pinned = serializers.BooleanField()
    reason = serializers.CharField()
    decision_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_judge_name(self, obj) -> str:
        return person_name(obj.judge)


class ConflictCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False)
    application = serializers.IntegerField(required=False, help_text=gettext_lazy("或给出申报 id，按其申报单位登记"))
    judge = serializers.IntegerField(required=False, help_text=gettext_lazy("秘书处登记时必填；专家本人声明时省略"))
    reason = serializers.CharField(max_length=2000)
    pinned = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs):
        if not attrs.get("organization") and not attrs.get("application"):
            raise serializers.ValidationError({"organization": [gettext("请指定申报单位（organization）或申报（application）。")]})
        return attrs


# -- ranking ---------------------------------------------------------------------------------------
class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    application = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    judges = serializers.IntegerField()
    assigned = serializers.IntegerField()
    mean = serializers.DecimalField(allow_null=True, **DECIMAL)
    trimmed_mean = serializers.DecimalField(allow_null=True, **DECIMAL)
    stdev = serializers.DecimalField(allow_null=True, **DECIMAL)
    consensus = serializers.DecimalField(allow_null=True, **DECIMAL)
    final_score = serializers.DecimalField(allow_null=True, **DECIMAL)
    flags = serializers.ListField(child=serializers.CharField())
    recused = serializers.ListField(child=serializers.DictField(), required=False)


class LeniencySerializer(serializers.Serializer):
    judge = serializers.IntegerField()
    judge_name = serializers.CharField()
    sheets = serializers.IntegerField()
    compared = serializers.IntegerField()
    leniency = serializers.DecimalField(allow_null=True, **DECIMAL)
    mean_total = serializers.DecimalField(allow_null=True, **DECIMAL)


# -- consensus, site report, decision ----------------------------------------------------------
class ConsensusInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    items = serializers.ListField(child=serializers.JSONField())


class ConsensusChangeSerializer(serializers.Serializer):
    author = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    old_percent = serializers.IntegerField(allow_null=True)
    new_percent = serializers.IntegerField()
    reason = serializers.CharField()

    def get_author(self, obj) -> str:
        return person_name(obj.author)


class ConsensusItemSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    title = serializers.CharField()
    max_points = serializers.DecimalField(**DECIMAL)
    percents = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    spread = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    points = serializers.DecimalField(allow_null=True, **DECIMAL)
    comment = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    changes = ConsensusChangeSerializer(many=True)


class PanelSheetSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    judge_id = serializers.IntegerField()
    judge_name = serializers.CharField()
    is_leader = serializers.BooleanField()
    state = serializers.CharField()
    total = serializers.DecimalField(**DECIMAL)


class ConsensusBookSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application.pk")
    stage = serializers.CharField()
    ready = serializers.BooleanField()
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    total = serializers.DecimalField(allow_null=True, **DECIMAL)
    sheets = PanelSheetSerializer(many=True)
    items = ConsensusItemSerializer(many=True)


class FindingSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    finding = serializers.CharField(allow_blank=True)
    adjusted_percent = serializers.IntegerField(allow_null=True)


class SiteReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    recommendation = serializers.CharField(allow_blank=True, required=False, default="")
    findings = serializers.ListField(child=serializers.JSONField(), required=False, default=list)
    visited_on = serializers.DateField(required=False, allow_null=True)


class SiteReportSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    leader = serializers.SerializerMethodField()
    summary = serializers.CharField()
    recommendation = serializers.CharField()
    findings = FindingSerializer(many=True)
    visited_on = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_leader(self, obj) -> str:
        return person_name(obj.leader)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    decided_on = serializers.CharField(required=False, allow_blank=True, default="")
    votes_for = serializers.JSONField(required=False)
    votes_against = serializers.JSONField(required=False)
    votes_abstain = serializers.JSONField(required=False)
    minute = serializers.CharField(required=False, allow_blank=True, default="")
    recused = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False,
                                    default=list, max_length=200)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    decided_on = serializers.DateField()
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    votes_abstain = serializers.IntegerField()
    minute = serializers.CharField()
    recused = serializers.SerializerMethodField()

    def get_recused(self, obj) -> list[dict]:
        return [{"id": u.pk, "name": person_name(u)} for u in obj.recused.all()]
