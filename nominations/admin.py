"""Django admin for the catalog, parties, applications and the audit log.

State changes never happen here by editing a field: the change pages of Application
and Cycle list the transitions the user may run, as POST buttons that call the
transition services (which check permission and conditions and write the audit
entry). django_fsm's own admin apply path is not used (4.2.4 skips the permission
check).
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nominations import crypto, identifiers, rules, workflow
from nominations.enums import NomineeKind
from nominations.enums import Transition as T
from nominations.errors import WorkflowError
from nominations.models import (
    Application,
    AuditEntry,
    AwardRecord,
    Category,
    Cycle,
    Document,
    DocumentRequirement,
    EligibilityRule,
    Membership,
    Nominee,
    Objection,
    ObjectionState,
    Organization,
    Programme,
    Question,
    RecommenderMembership,
    RecommendingUnit,
)
from nominations.services.audit import audit_record
from nominations.services.acts import application_act, cycle_act
from nominations.services.consequences import objection_outcome_consequences
from nominations.services.objections import objection_investigate, objection_resolve
from nominations.services.transitions import (
    application_available_transitions,
    cycle_available_transitions,
)

admin.site.site_header = _("上海市政府质量奖评审系统 · 管理后台")
admin.site.site_title = _("质量奖管理后台")
admin.site.index_title = _("系统管理")


def _error_html(exc: WorkflowError):
    from nominations.views.common import error_html

    return error_html(exc)


# -- shared mixins ---------------------------------------------------------------------
class SecretariatAdminMixin:
    """The secretariat is a role (a group checked by rules.is_secretariat), not a set of
    Django model permissions: its members may use these admin pages."""

    def has_module_permission(self, request):
        return rules.is_secretariat(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return rules.is_secretariat(request.user) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_delete_permission(request, obj)


class SecretariatInlineMixin:
    """Inline rows follow the same role rule as their parent page."""

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_delete_permission(request, obj)


class AuditedAdminMixin:
    """Admin edits of configuration and parties leave an entry in the audit chain."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(obj=obj, action="admin.change" if change else "admin.add", actor=request.user,
                         ip=request.META.get("REMOTE_ADDR"),
                         data={"fields": sorted(form.changed_data)})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = sorted({fs.model._meta.model_name for fs in formsets if fs.has_changed()})
        if changed:
            audit_record(obj=form.instance, action="admin.change_related", actor=request.user,
                         ip=request.META.get("REMOTE_ADDR"), data={"related": changed})

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(obj=obj, action="admin.delete", actor=request.user,
                         ip=request.META.get("REMOTE_ADDR"), data={"repr": str(obj)})
            super().delete_model(request, obj)


class FrozenWithCycleInlineMixin:
    """Inline rows that are cycle parameters: read-only once the cycle has opened."""

    def _frozen(self, obj) -> bool:
        cycle = obj if isinstance(obj, Cycle) else getattr(obj, "cycle", None)
        return bool(cycle is not None and cycle.pk and cycle.is_frozen)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class TransitionButtonsMixin:
    """Adds `<pk>/transition/` (POST) and lists the available transitions on the change page."""

    change_form_template = "nominations/admin/transition_change_form.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/transition/", self.admin_site.admin_view(self.transition_view),
                 name="%s_%s_transition" % info),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))  # None for a malformed or unknown id
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            return HttpResponseRedirect(reverse("admin:index"))
        name = request.POST.get("transition", "")
        note = request.POST.get("note", "")
        try:
            label = self.run_transition(request, obj, name, note)
        except WorkflowError as exc:
            messages.error(request, _error_html(exc))
        else:
            messages.success(request, gettext("已执行“%(label)s”。") % {"label": label})
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:%s_%s_change" % info, args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            info = self.model._meta.app_label, self.model._meta.model_name
            extra_context.update(self.transition_context(request, obj))
            extra_context["transition_url"] = reverse("admin:%s_%s_transition" % info, args=[obj.pk])
        return super().change_view(request, object_id, form_url, extra_context=extra_context)


# -- catalog ---------------------------------------------------------------------------
@admin.register(Programme)
class ProgrammeAdmin(SecretariatAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "awarding_body", "needs_recommender", "has_site_stage", "order")
    list_editable = ("order",)

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryInline(FrozenWithCycleInlineMixin, SecretariatInlineMixin, admin.TabularInline):
    model = Category
    extra = 0
    fields = ("code", "name", "nominee_kind", "quota", "rubric_code", "order")
    show_change_link = True


class EligibilityRuleInline(FrozenWithCycleInlineMixin, SecretariatInlineMixin, admin.TabularInline):
    model = EligibilityRule
    extra = 0
    fields = ("description", "kind", "category", "years", "programme", "question_key", "order")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            cycle_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Category.objects.filter(cycle_id=cycle_id) if cycle_id else Category.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cycle)
class CycleAdmin(SecretariatAdminMixin, AuditedAdminMixin, TransitionButtonsMixin, admin.ModelAdmin):
    list_display = ("__str__", "programme", "status", "opens_at", "closes_at", "amendment_days", "aggregation")
    list_filter = ("programme", "status", "year")
    list_select_related = ("programme",)
    inlines = [CategoryInline, EligibilityRuleInline]
    fieldsets = (
        (None, {"fields": ("programme", "year", "label", "status")}),
        (_("申报时间"), {"fields": ("opens_at", "closes_at", "amendment_days")}),
        (_("公示"), {"fields": ("notice_days", "notice_working_days")}),
        (_("评审"), {"fields": ("judges_document", "judges_site", "aggregation")}),
        (_("编号"), {"fields": ("reference_seq",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "reference_seq"]
        if obj is not None and obj.is_frozen:
            readonly += list(Cycle.FROZEN_FIELDS)
        return readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_frozen or obj.applications.exists()):
            return False
        return super().has_delete_permission(request, obj)

    # transitions through cycle_transition
    def transition_context(self, request, obj):
        return {
            "transition_state_label": obj.get_status_display(),
            "available_transitions": cycle_available_transitions(obj),
            "frozen_note": _("本周期已开放申报，周期参数（时间、期限、评审人数、计分方法）和类别、资格条件已锁定。")
            if obj.is_frozen else "",
            "front_url": reverse("cycle_detail", args=[obj.pk]),
            "transition_help": _("说明记入审计记录。"),
        }

    def run_transition(self, request, obj, name, note):
        from nominations.enums import CycleTransition

        if name not in CycleTransition.values:
            raise WorkflowError(gettext("未知的操作：%(name)s。") % {"name": name})
        cycle_act(cycle=obj, name=name, actor=request.user, note=note, ip=request.META.get("REMOTE_ADDR"),
                  announcement=request.POST.get("announcement") or None)
        return CycleTransition(name).label


class QuestionInline(FrozenWithCycleInlineMixin, SecretariatInlineMixin, admin.TabularInline):
    model = Question
    extra = 0
    fields = ("key", "label", "type", "required", "help_text", "order")


class DocumentRequirementInline(FrozenWithCycleInlineMixin, SecretariatInlineMixin, admin.TabularInline):
    model = DocumentRequirement
    extra = 0
    fields = ("kind", "label", "required", "content_types", "order")


@admin.register(Category)
class CategoryAdmin(SecretariatAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "cycle", "code", "nominee_kind", "quota", "rubric")
    list_filter = ("cycle__programme", "cycle", "nominee_kind")
    list_select_related = ("cycle__programme",)
    inlines = [QuestionInline, DocumentRequirementInline]

    @admin.display(description=_("评分标准"), ordering="rubric_code")
    def rubric(self, obj):
        """The rubric's name (卓越绩效评价准则…), not its code (GBT19580-2012)."""
        return workflow.rubric_names({obj.rubric_code}).get(obj.rubric_code, obj.rubric_code)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.cycle.is_frozen:
            return ("cycle", "code", "nominee_kind", "quota", "rubric_code")
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.cycle.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


# -- parties --------------------------------------------------------------------------
class RecommenderMembershipInline(SecretariatInlineMixin, admin.TabularInline):
    model = RecommenderMembership
    extra = 1
    verbose_name = _("成员")
    verbose_name_plural = _("成员（可代表本单位推荐的账号）")


@admin.register(RecommendingUnit)
class RecommendingUnitAdmin(SecretariatAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "contact_email")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [RecommenderMembershipInline]


class MembershipInline(SecretariatInlineMixin, admin.TabularInline):
    model = Membership
    extra = 1
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = _("成员")
    verbose_name_plural = _("成员（可代表本单位申报的账号）")


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = "__all__"

    def clean(self):
        data = super().clean()
        code = identifiers.normalize_uscc(data.get("uscc", ""))
        if not code:
            return data
        data["uscc"] = code
        problems = identifiers.uscc_problems(code)
        structural = len(code) != 18 or not identifiers.USCC_RE.match(code)
        if problems and (structural or not (data.get("uscc_override_reason") or "").strip()):
            if not structural:
                problems.append(gettext("如为早期试点代码，请在“校验例外理由”中说明后保存。"))
            self.add_error("uscc", problems)
        if not problems and data.get("uscc_override_reason"):
            data["uscc_override_reason"] = ""
        return data


@admin.register(Organization)
class OrganizationAdmin(SecretariatAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ("name", "uscc", "uscc_exception", "district", "industry", "established_on")
    list_filter = ("district",)
    search_fields = ("name", "uscc")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "uscc", "uscc_override_reason", "established_on")}),
        (_("概况"), {"fields": ("district", "industry", "size", "address")}),
        (_("联系人"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
    )

    @admin.display(description=_("校验例外"), boolean=False)
    def uscc_exception(self, obj):
        return obj.uscc_override_reason or "—"

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.applications.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Nominee)
class NomineeAdmin(SecretariatAdminMixin, admin.ModelAdmin):
    """Only the masked ID number is ever shown; nominees are created with their application."""

    list_display = ("name", "employer", "position", "id_type", "id_number_masked")
    search_fields = ("name", "employer")
    fields = ("name", "employer", "position", "id_type", "id_number_masked")
    readonly_fields = ("id_type", "id_number_masked")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # changed only through the application form, which is audited

    def has_delete_permission(self, request, obj=None):
        return False


class AwardRecordAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("获奖个人身份证号码"), required=False, max_length=18,
        help_text=_("个人获奖记录填写，用于核验“获奖后限制申报”等资格条件；只保存不可逆的索引，不保存号码本身。"))

    class Meta:
        model = AwardRecord
        fields = ("organization", "programme", "nominee_kind", "year", "title", "note")

    def clean(self):
        data = super().clean()
        number = identifiers.normalize_id_number(data.get("id_number", ""))
        if number:
            problems = identifiers.id_number_problems(number)
            if problems:
                self.add_error("id_number", problems)
            data["id_number"] = number
        if data.get("nominee_kind") == NomineeKind.INDIVIDUAL:
            if not number and not (self.instance.pk and self.instance.nominee_index):
                self.add_error("id_number", gettext("个人获奖记录须填写身份证号码。"))
        elif not data.get("organization"):
            self.add_error("organization", gettext("组织获奖记录须选择获奖单位。"))
        return data

    def save(self, commit=True):
        record = super().save(commit=False)
        number = self.cleaned_data.get("id_number")
        if number:
            record.nominee_index = crypto.blind_index(number)
        if commit:
            record.save()
        return record


@admin.register(AwardRecord)
class AwardRecordAdmin(SecretariatAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = AwardRecordAdminForm
    list_display = ("year", "programme", "nominee_kind", "organization", "title", "has_person", "application")
    list_filter = ("programme", "nominee_kind", "year")
    list_select_related = ("programme", "organization", "application")
    search_fields = ("organization__name", "title")
    readonly_fields = ("application",)

    @admin.display(description=_("已登记个人"), boolean=True)
    def has_person(self, obj):
        return bool(obj.nominee_index)


# -- applications ------------------------------------------------------------------------
class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ("kind", "download", "human_size", "sha256_prefix", "uploader", "uploaded")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return rules.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("文件"))
    def download(self, doc):
        url = reverse("document_download", args=[doc.application_id, doc.pk])
        return format_html('<a href="{}">{}</a>', url, doc.name)

    @admin.display(description=_("大小"))
    def human_size(self, doc):
        return filesizeformat(doc.size)

    @admin.display(description="SHA-256")
    def sha256_prefix(self, doc):
        return format_html('<span title="{}">{}…</span>', doc.sha256, doc.sha256[:16])

    @admin.display(description=_("上传人"))
    def uploader(self, doc):
        return doc.uploaded_by or "—"

    @admin.display(description=_("上传时间"))
    def uploaded(self, doc):
        return localize(timezone.localtime(doc.uploaded_at))


@admin.register(Application)
class ApplicationAdmin(SecretariatAdminMixin, TransitionButtonsMixin, admin.ModelAdmin):
    """Read-only: content belongs to the applicant, state to the transition service."""

    list_display = ("reference", "title", "organization", "cycle", "category", "state", "submitted_at")
    list_filter = ("state", "cycle__programme", "cycle", "category__nominee_kind")
    list_select_related = ("organization", "cycle__programme", "category")
    search_fields = ("reference", "title", "organization__name", "organization__uscc", "nominee__name")
    date_hierarchy = "submitted_at"
    inlines = [DocumentInline]
    fieldsets = (
        (None, {"fields": ("reference", "state", "cycle", "category", "organization", "nominee_display",
                           "recommending_unit", "title")}),
        (_("申报表"), {"fields": ("answers_display", "commitment")}),
        (_("时间"), {"fields": ("created", "submitted_at", "first_submitted_at", "amendment_deadline")}),
        (_("审查"), {"fields": ("return_reason", "decision_reason", "eligibility_display",
                               "eligibility_override_reason")}),
    )
    readonly_fields = ("reference", "state", "cycle", "category", "organization", "nominee_display",
                       "recommending_unit", "title", "answers_display", "commitment", "created", "submitted_at",
                       "first_submitted_at", "amendment_deadline", "return_reason", "decision_reason",
                       "eligibility_display", "eligibility_override_reason")

    @admin.display(description=_("申报表"))
    def answers_display(self, obj):
        """Each question's label and answer (是/否 for yes-no questions), not the stored keys."""
        from nominations.views.common import answer_rows

        rows = answer_rows(obj)
        if not rows:
            return "—"
        return format_html("<dl>{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((label, value or "—") for label, value, _required in rows)))

    @admin.display(description=_("资格审查结果"))
    def eligibility_display(self, obj):
        results = obj.eligibility_results or []
        if not results:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", (
            (gettext("%(rule)s：%(result)s（%(detail)s）") % {
                "rule": r.get("description", ""), "result": gettext("通过") if r.get("passed") else gettext("未通过"),
                "detail": r.get("detail", "")},)
            for r in results)))

    @admin.display(description=_("被推荐个人"))
    def nominee_display(self, obj):
        if not obj.nominee_id:
            return "—"
        return gettext("%(name)s（%(employer)s） %(id_number)s") % {
            "name": obj.nominee.name, "employer": obj.nominee.employer, "id_number": obj.nominee.id_number_masked}

    @admin.display(description=_("创建时间"))
    def created(self, obj):
        return localize(timezone.localtime(obj.created_at))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only; transitions have their own buttons

    def has_delete_permission(self, request, obj=None):
        return False

    # transitions through application_transition
    def transition_context(self, request, obj):
        available = application_available_transitions(obj, request.user)
        return {
            "transition_state_label": obj.get_state_display(),
            "available_transitions": available,
            "show_override": any(t.name == T.ACCEPT for t in available),
            "show_deadline": any(t.name == T.RETURN for t in available),
            "front_url": reverse("application_detail", args=[obj.pk]),
            "transition_help": _("退回补正、不予受理、撤销时必须填写理由；理由记入审计记录，并通知申报单位。"),
        }

    def run_transition(self, request, obj, name, note):
        application_act(application=obj, name=name, actor=request.user, note=note,
                        ip=request.META.get("REMOTE_ADDR"), override_reason=request.POST.get("override_reason", ""),
                        announcement=request.POST.get("announcement") or None)
        try:
            return T(name).label
        except ValueError:
            return name


# -- objections to a public notice --------------------------------------------------------
OBJECTION_ACTS = {"investigate": _("开始调查核实"), "uphold": _("异议成立"), "dismiss": _("异议不成立")}


@admin.register(Objection)
class ObjectionAdmin(SecretariatAdminMixin, TransitionButtonsMixin, admin.ModelAdmin):
    """Read-only: an objection is filed by the public and worked through its services
    (objection_investigate, objection_resolve), as on the objection desk and in the API; the
    change page offers the next steps as buttons, with the written resolution."""

    change_form_template = "nominations/admin/objection_change_form.html"
    list_display = ("receipt", "application", "name", "status", "received_at")
    list_filter = ("status", "notice")
    list_select_related = ("application",)
    search_fields = ("receipt", "name", "application__reference", "application__title")
    date_hierarchy = "received_at"
    fieldsets = (
        (None, {"fields": ("receipt", "status", "notice", "application", "received_at")}),
        (_("异议人"), {"fields": ("name", "organization", "phone", "email", "ip")}),
        (_("异议内容"), {"fields": ("content", "evidence_link")}),
        (_("处理"), {"fields": ("investigated_by", "investigation_started_at", "resolution", "resolved_by",
                                 "resolved_at")}),
    )
    readonly_fields = [name for _title, spec in fieldsets for name in spec["fields"]]

    @admin.display(description=_("证据材料"))
    def evidence_link(self, obj):
        if not obj.evidence:
            return "—"
        return format_html('<a href="{}">{}</a>{}', reverse("objection_evidence", args=[obj.pk]), gettext("下载"),
                           gettext("（SHA-256 %(prefix)s…）") % {"prefix": obj.evidence_sha256[:16]})

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only; the steps have their own buttons

    def has_delete_permission(self, request, obj=None):
        return False

    def transition_context(self, request, obj):
        names = [t.name for t in obj.get_available_status_transitions()]
        return {
            "transition_state_label": obj.get_status_display(),
            "available_transitions": [(name, OBJECTION_ACTS[name]) for name in OBJECTION_ACTS if name in names],
            "outcomes": [(name, OBJECTION_ACTS[name], objection_outcome_consequences(obj, name))
                         for name in ("uphold", "dismiss") if name in names],
            "application_url": reverse("admin:nominations_application_change", args=[obj.application_id]),
            "application_state": obj.application.get_state_display(),
            "front_url": reverse("objection_detail", args=[obj.pk]),
        }

    def run_transition(self, request, obj, name, note):
        ip = request.META.get("REMOTE_ADDR")
        if name == "investigate":
            objection_investigate(objection=obj, actor=request.user, ip=ip)
        elif name in ("uphold", "dismiss"):
            objection_resolve(objection=obj, actor=request.user, ip=ip, resolution=note,
                              outcome=ObjectionState.UPHELD if name == "uphold" else ObjectionState.DISMISSED)
        else:
            raise WorkflowError(gettext("未知的操作：%(name)s。") % {"name": name})
        return OBJECTION_ACTS[name]


@admin.register(AuditEntry)
class AuditEntryAdmin(SecretariatAdminMixin, admin.ModelAdmin):
    """The audit chain: append-only, viewable only."""

    list_display = ("id", "at", "object_type", "object_id", "action", "source", "target", "actor_name", "ip")
    list_filter = ("object_type", "action")
    search_fields = ("object_id", "actor_name", "note", "hash")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

