"""Judging admin. This module holds separate, self-contained admin classes per model;
other judging models register their own classes below the rubric section."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from judging.models import Criterion, Rubric
from nominations import rules


# -- rubrics and criteria -----------------------------------------------------------------
class _RubricSecretariatMixin:
    """The secretariat (a role, not Django model permissions) manages rubrics."""

    def has_module_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("code", "title", "title_en", "max_points", "kind", "parent", "order")
    ordering = ("order", "code")

    def _locked(self, obj) -> bool:
        return bool(obj is not None and obj.is_locked)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and (rules.is_secretariat(request.user)
                                          or super().has_add_permission(request, obj))

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and (rules.is_secretariat(request.user)
                                          or super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and (rules.is_secretariat(request.user)
                                          or super().has_delete_permission(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            rubric_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = (Criterion.objects.filter(rubric_id=rubric_id, parent__isnull=True)
                                  if rubric_id else Criterion.objects.none())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Rubric)
class RubricAdmin(_RubricSecretariatMixin, admin.ModelAdmin):
    """Editable until a cycle using the rubric opens; read-only afterwards (rubric.is_locked)."""

    list_display = ("code", "name", "standard", "configurable_default", "total", "locked")
    search_fields = ("code", "name")
    inlines = [CriterionInline]

    @admin.display(description=_("总分"))
    def total(self, obj):
        return obj.total_points

    @admin.display(description=_("已锁定"), boolean=True)
    def locked(self, obj):
        return obj.is_locked

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return ("code", "name", "name_en", "standard", "configurable_default", "description")
        return ()

    def has_add_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return rules.is_secretariat(request.user) or super().has_delete_permission(request, obj)


class CriterionAdminForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = "__all__"

    def clean(self):
        data = super().clean()
        rubric = data.get("rubric")
        if rubric is not None and rubric.is_locked:
            self.add_error("rubric", _("该评分标准已被开放申报的评选周期使用，不能再增加或修改条款。"))
        return data


@admin.register(Criterion)
class CriterionAdmin(_RubricSecretariatMixin, admin.ModelAdmin):
    form = CriterionAdminForm
    list_display = ("code", "title", "rubric", "max_points", "kind", "parent")
    list_filter = ("rubric", "kind")
    list_select_related = ("rubric", "parent")
    search_fields = ("code", "title")
    ordering = ("rubric", "order", "code")

    def has_add_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.rubric.is_locked:
            return False
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.rubric.is_locked:
            return False
        return rules.is_secretariat(request.user) or super().has_delete_permission(request, obj)


# -- other judging models: add their admin classes below ---------------------------------


# -- judge pool, conflicts, assignments, scores, decisions (judging backend) --------------------
from django.contrib import messages  # noqa: E402

from judging.errors import WorkflowError  # noqa: E402
from judging.models import (  # noqa: E402
    Assignment,
    AutoAssignRun,
    CommitteeDecision,
    Conflict,
    ConsensusChange,
    ConsensusScore,
    ItemScore,
    JudgeProfile,
    JudgeRelation,
    SiteVisitReport,
    person_name,
)


class _SecretariatViewMixin:
    """The secretariat may look; writes go through the services (web pages, API, admin actions)."""

    def has_module_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JudgeRelationInline(admin.TabularInline):
    model = JudgeRelation
    extra = 0
    fields = ("organization_name", "organization_uscc", "kind", "since", "until", "note")

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_delete_permission(request, obj)


@admin.register(JudgeProfile)
class JudgeProfileAdmin(admin.ModelAdmin):
    """The secretariat edits the pool here; conflicts follow from the facts at every check."""

    list_display = ("user", "name", "title", "affiliation", "expertise_display", "active")
    list_filter = ("active",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "affiliation", "affiliation_uscc")
    inlines = [JudgeRelationInline]
    raw_id_fields = ("user",)

    @admin.display(description=_("姓名"))
    def name(self, obj):
        return obj.name

    @admin.display(description=_("专业领域"))
    def expertise_display(self, obj):
        return obj.expertise_display

    def has_module_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)


@admin.register(Conflict)
class ConflictAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("judge_name", "organization", "source", "status", "pinned", "reason", "decided_by", "decided_at")
    list_filter = ("status", "source", "pinned")
    list_select_related = ("judge", "organization", "decided_by")
    search_fields = ("judge__username", "judge__first_name", "organization__name", "organization__uscc")
    actions = ["dismiss_selected"]

    @admin.action(description=_("排除所选利益冲突（误报）"))
    def dismiss_selected(self, request, queryset):
        from judging.services import conflict_dismiss

        done = 0
        for conflict in queryset:
            try:
                conflict_dismiss(conflict=conflict, actor=request.user, reason=_("秘书处在管理后台排除"))
                done += 1
            except WorkflowError as exc:
                self.message_user(request, f"{conflict}: {exc.message}", level=messages.WARNING)
        self.message_user(request, _("已排除 %(n)d 条。") % {"n": done})

    @admin.display(description=_("专家或审定委员"), ordering="judge__first_name")
    def judge_name(self, obj):
        return person_name(obj.judge)

    def has_change_permission(self, request, obj=None):
        return rules.is_secretariat(request.user)  # needed for actions; fields stay read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Conflict._meta.fields]


class ItemScoreInline(admin.TabularInline):
    model = ItemScore
    extra = 0
    fields = ("criterion", "percent", "strengths", "opportunities", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("application", "judge_name", "stage", "state", "is_leader", "due_at", "submitted_at")
    list_filter = ("stage", "state", "is_leader", "application__cycle")
    list_select_related = ("application", "judge")
    search_fields = ("application__reference", "application__title", "judge__username", "judge__first_name")
    inlines = [ItemScoreInline]

    @admin.display(description=_("评审专家"), ordering="judge__first_name")
    def judge_name(self, obj):
        return person_name(obj.judge)


@admin.register(AutoAssignRun)
class AutoAssignRunAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("cycle", "stage", "judges_per_application", "seed", "created", "actor", "created_at")
    list_select_related = ("cycle__programme", "actor")


class ConsensusChangeInline(admin.TabularInline):
    model = ConsensusChange
    extra = 0
    fields = ("at", "author", "old_percent", "new_percent", "reason")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConsensusScore)
class ConsensusScoreAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("application", "stage", "criterion", "percent", "author", "updated_at")
    list_select_related = ("application", "criterion", "author")
    inlines = [ConsensusChangeInline]


@admin.register(SiteVisitReport)
class SiteVisitReportAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("application", "leader", "visited_on", "submitted_at")
    list_select_related = ("application", "leader")


@admin.register(CommitteeDecision)
class CommitteeDecisionAdmin(_SecretariatViewMixin, admin.ModelAdmin):
    list_display = ("application", "outcome", "decided_on", "votes_for", "votes_against", "votes_abstain",
                    "recorded_by")
    list_select_related = ("application", "recorded_by")
