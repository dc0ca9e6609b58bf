"""Web forms of the judging pages: they parse input; the judging services decide and write.

Percent values are passed to the services as typed (strings of digits): the services own
the rule (0–100 in steps of 5) and say what is wrong with each item.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from judging.enums import PERCENT_STEP, DecisionOutcome, RelationKind
from nominations.identifiers import normalize_uscc, uscc_problems
from nominations.models import Organization
from nominations.rules import COMMITTEE, JUDGE

TEXT_ROWS = {"rows": 3}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PERCENT_CHOICES = [("", _("未评分"))] + [(str(p), f"{p}%") for p in range(0, 101, PERCENT_STEP)]
CONSENSUS_CHOICES = [("", _("未记录"))] + PERCENT_CHOICES[1:]


def person_label(user) -> str:
    """How a person is offered in a choice list: 王建国（上海交通大学）— name and affiliation,
    never the login name (the name alone when there is no affiliation on file)."""
    name = user.get_full_name() or user.get_username()
    try:
        affiliation = (user.judge_profile.affiliation or "").strip()
    except ObjectDoesNotExist:
        affiliation = ""
    return gettext("%(name)s（%(affiliation)s）") % {"name": name, "affiliation": affiliation} if affiliation else name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)

    def _check_values(self, value):
        # Django looks the ids up with pk__in, which overflows on SQLite beyond 64 bits.
        for pk in value:
            digits = str(pk).strip().lstrip("+-")
            if digits.isdigit() and (len(digits) > 19 or int(digits) > 2**63 - 1):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": pk})
        return super()._check_values(value)


def judges_queryset():
    return (get_user_model().objects.filter(groups__name=JUDGE, is_active=True)
            .select_related("judge_profile").order_by("username"))


# -- judge: tasks ----------------------------------------------------------------------
class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("回避理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：近三年曾在该单位任职、曾为其提供咨询、近亲属在该单位任职、竞争关系等。"))


class ConflictDeclareForm(forms.Form):
    """A judge's own declaration: the organization by its credit code, or from the list of
    organizations with applications; the form resolves it, conflict_declare decides."""
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, required=False,
        help_text=_("填写单位的统一社会信用代码，或在下方列表中选择申报单位（二选一）。"),
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}))
    organization = forms.ModelChoiceField(label=_("申报单位"), required=False, queryset=Organization.objects.none(),
                                          empty_label=_("（从申报单位中选择）"))
    reason = forms.CharField(
        label=_("回避理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：近三年曾在该单位任职、曾为其提供咨询、近亲属在该单位任职、竞争关系等。"))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (organizations if organizations is not None
                                                else Organization.objects.order_by("name"))

    def clean(self):
        data = super().clean()
        code, chosen = normalize_uscc(data.get("uscc", "")), data.get("organization")
        if "organization" in self.errors:
            return data
        if not code and chosen is None:
            raise forms.ValidationError(_("请填写统一社会信用代码，或从列表中选择申报单位。"))
        if code:
            found = Organization.objects.filter(uscc=code).first()
            if found is None:
                missing = _("系统中没有统一社会信用代码为 %(code)s 的单位；请核对代码，"
                            "或联系秘书处在您的专家档案中登记关联单位。") % {"code": code}
                self.add_error("uscc", uscc_problems(code) or missing)
                return data
            if chosen is not None and chosen.pk != found.pk:
                self.add_error("organization", _("所选单位与填写的统一社会信用代码不一致，请只填写其中一项。"))
                return data
            chosen = found
        data["organization"] = chosen
        return data


class ScoresheetForm(forms.Form):
    """One percent and two texts per rubric item, named p-<code>, s-<code>, o-<code>."""

    def __init__(self, data=None, *, codes: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"p-{code}"] = forms.CharField(required=False, max_length=10)
            self.fields[f"s-{code}"] = forms.CharField(required=False, strip=False, widget=forms.Textarea)
            self.fields[f"o-{code}"] = forms.CharField(required=False, strip=False, widget=forms.Textarea)

    def items(self) -> list[dict]:
        """The items for scoresheet_save: every item of the sheet, as posted."""
        data = self.cleaned_data
        return [{"criterion": code, "percent": data.get(f"p-{code}") or None,
                 "strengths": data.get(f"s-{code}", ""), "opportunities": data.get(f"o-{code}", "")}
                for code in self.codes]


class ConsensusForm(forms.Form):
    """Per item: the agreed percent (c-<code>), comment (m-<code>) and reason for a change (r-<code>)."""

    def __init__(self, data=None, *, codes: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"c-{code}"] = forms.CharField(required=False, max_length=10)
            self.fields[f"m-{code}"] = forms.CharField(required=False, widget=forms.Textarea)
            self.fields[f"r-{code}"] = forms.CharField(required=False, max_length=2000)

    def items(self) -> list[dict]:
        """Items with an agreed percent chosen (the others are left unrecorded)."""
        data = self.cleaned_data
        return [{"criterion": code, "percent": data[f"c-{code}"], "comment": data.get(f"m-{code}", ""),
                 "reason": data.get(f"r-{code}", "")}
                for code in self.codes if data.get(f"c-{code}")]


class SiteReportForm(forms.Form):
    summary = forms.CharField(label=_("现场评审综述"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                              required=False)
    recommendation = forms.CharField(label=_("评审建议"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    visited_on = forms.DateField(label=_("现场评审日期"), required=False, widget=DATE)

    def __init__(self, data=None, *, codes: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"f-{code}"] = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
            self.fields[f"a-{code}"] = forms.CharField(required=False, max_length=10)

    def findings(self) -> list[dict]:
        data = self.cleaned_data
        return [{"criterion": code, "finding": data.get(f"f-{code}", ""),
                 "adjusted_percent": data.get(f"a-{code}") or None}
                for code in self.codes if data.get(f"f-{code}") or data.get(f"a-{code}")]


# -- secretariat: the pool ---------------------------------------------------------------
class JudgeProfileForm(forms.Form):
    title = forms.CharField(label=_("职称/职务"), max_length=100, required=False)
    affiliation = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    affiliation_uscc = forms.CharField(
        label=_("工作单位统一社会信用代码"), max_length=18, required=False,
        help_text=_("用于自动检测利益冲突：与申报单位代码相同即须回避。"),
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}))
    expertise = forms.CharField(label=_("专业领域"), max_length=500, required=False,
                                help_text=_("多个领域用顿号、逗号或分号分隔，如：装备制造、卓越绩效。"))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    active = forms.BooleanField(label=_("在库可用（可分配评审任务）"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT_ROWS))

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class JudgeCreateForm(JudgeProfileForm):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               help_text=_("专家登录用；可用字母、数字和 @/./+/-/_。"))
    name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False,
                             help_text=_("接收任务通知和到期提醒。"))
    field_order = ["username", "name", "email", "title", "affiliation", "affiliation_uscc", "expertise", "phone",
                   "active", "note"]


class RelationForm(forms.Form):
    organization_name = forms.CharField(label=_("单位名称"), max_length=200)
    organization_uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=18,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}))
    kind = forms.ChoiceField(label=_("关系"), choices=RelationKind.choices)
    since = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    until = forms.DateField(label=_("结束日期"), required=False, widget=DATE,
                            help_text=_("任职关系的离职日期；留空表示仍在任职。离职未满 3 年仍须回避。"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class JudgeImportForm(forms.Form):
    file = forms.FileField(label=_("专家名单文件（CSV 或 Excel .xlsx）"),
                           help_text=_("第一行为表头：用户名、姓名、邮箱、职称、工作单位、统一社会信用代码、专业领域。"
                                       "任何一行有误时不导入任何数据。"))


# -- secretariat: conflicts ---------------------------------------------------------------
class ConflictFilterForm(forms.Form):
    STATUS = [("", _("全部")), ("active", _("须回避")), ("pinned", _("锁定")), ("dismissed", _("已排除"))]
    status = forms.ChoiceField(label=_("状态"), choices=STATUS, required=False)
    cycle = forms.TypedChoiceField(label=_("评选周期"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.SearchInput(attrs={"placeholder": _("专家或单位名称")}))

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [("", _("全部周期"))] + [(c.pk, str(c)) for c in cycles]


class ConflictAddForm(forms.Form):
    judge = PersonChoiceField(label=_("专家或审定委员"), queryset=get_user_model().objects.none())
    organization = forms.ModelChoiceField(label=_("申报单位"), queryset=Organization.objects.none())
    reason = forms.CharField(label=_("认定理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    pinned = forms.BooleanField(label=_("锁定（专家本人不能撤销）"), required=False, initial=True)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = (get_user_model().objects.filter(groups__name__in=[JUDGE, COMMITTEE])
                                         .select_related("judge_profile").distinct().order_by("username"))
        self.fields["organization"].queryset = (organizations if organizations is not None
                                                else Organization.objects.order_by("name"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# -- secretariat: assignments ----------------------------------------------------------------
class ManualAssignForm(forms.Form):
    application = forms.TypedChoiceField(label=_("申报"), coerce=int)
    judge = PersonChoiceField(label=_("评审专家"), queryset=get_user_model().objects.none())
    due_at = forms.DateTimeField(label=_("完成期限"), required=False, widget=DATETIME)
    is_leader = forms.BooleanField(label=_("担任组长"), required=False)

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [(a.pk, f"{a.reference or '—'} {a.display_name}") for a in applications]
        self.fields["judge"].queryset = judges_queryset()


class DueForm(forms.Form):
    """One assignment's due date (empty clears it)."""
    due_at = forms.DateTimeField(label=_("完成期限"), required=False, widget=DATETIME)


class AutoAssignForm(forms.Form):
    judges_per_application = forms.IntegerField(label=_("每份申报专家数"), min_value=1, max_value=50,
                                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    seed = forms.IntegerField(label=_("复现码（可选）"), required=False, min_value=0,
                              help_text=_("一般留空，由系统随机生成。需要重现以前某次分配时，填入那次记录中的复现码：数据不变时结果完全相同。复现码记入审计记录。"),
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    due_at = forms.DateTimeField(label=_("完成期限（可选）"), required=False, widget=DATETIME)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# -- secretariat: committee decision ---------------------------------------------------------
class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("审定结果"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("会议日期"), widget=DATE)
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    votes_against = forms.IntegerField(label=_("反对票"), min_value=0,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    votes_abstain = forms.IntegerField(label=_("弃权票"), min_value=0,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    minute = forms.CharField(label=_("会议纪要"), required=False, max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    recused = PeopleMultipleChoiceField(label=_("回避表决的委员"), required=False,
                                        queryset=get_user_model().objects.none(),
                                        widget=forms.CheckboxSelectMultiple,
                                        help_text=_("与申报单位存在利益冲突的委员由系统自动列入回避，无需勾选。"))
    # Set by the confirmation step: a decision is locked once recorded, so it is confirmed first.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recused"].queryset = (get_user_model().objects.filter(groups__name=COMMITTEE, is_active=True)
                                           .select_related("judge_profile").order_by("username"))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"outcome": data["outcome"], "decided_on": data["decided_on"], "votes_for": data["votes_for"],
                "votes_against": data["votes_against"], "votes_abstain": data["votes_abstain"],
                "minute": data.get("minute", ""), "recused": [u.pk for u in data.get("recused") or []]}
