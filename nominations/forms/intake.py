"""Web forms: they parse and validate input; the services decide and write."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nominations.answers import text_limit
from nominations.enums import ApplicationState, QuestionType
from nominations.enums import Transition as T
from nominations.models import Organization, RecommendingUnit

COMMITMENT_TEXT = _(
    "本单位（本人）郑重承诺：所填报的信息和提交的申报材料真实、准确、完整，"
    "不存在弄虚作假、侵犯他人知识产权等行为；如有不实，愿承担相应责任，"
    "并接受取消申报资格或撤销所获奖项的处理。"
)


class NoEchoTextInput(forms.TextInput):
    """A text input that never renders its value back (for ID numbers)."""

    def format_value(self, value):
        return None


# -- accounts ------------------------------------------------------------------------
class SignupForm(SetPasswordMixin, forms.Form):
    """Public sign-up asks no username: the account is known by its e-mail address, which
    is also its login (accounts.backends), and services.signup gives it a username nobody
    chooses. So no answer of this form depends on which usernames or addresses exist."""

    first_name = forms.CharField(label=_("姓名"), max_length=150,
                                 help_text=_("申报联系人的真实姓名。"))
    email = forms.EmailField(label=_("电子邮箱"), max_length=254,
                             help_text=_("登录和接收申报进度通知都用这个邮箱，请填写常用邮箱。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1, password2 = SetPasswordMixin.create_password_fields(label1=_("密码"), label2=_("确认密码"))

    def clean_email(self):
        # Whether the address already has an account is never said here (services.signup
        # mails its owner instead), so that the form cannot be used to probe addresses.
        return self.cleaned_data["email"].strip()

    def clean(self):
        self.validate_passwords()
        cleaned = super().clean()
        # The password checks see the new account as it will be (name and address).
        self.validate_password_for_user(get_user_model()(first_name=cleaned.get("first_name", ""),
                                                         email=cleaned.get("email", "")))
        return cleaned


# -- organizations -------------------------------------------------------------------
class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200,
                           help_text=_("与营业执照上的名称一致。"))
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18,
                           help_text=_("18 位，见营业执照；字母不区分大小写。"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "class": "mono", "maxlength": 18}))
    established_on = forms.DateField(label=_("成立日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     help_text=_("用于核对“注册经营年限”等申报条件。"))
    district = forms.CharField(label=_("所在区"), max_length=50, required=False)
    industry = forms.CharField(label=_("所属行业"), max_length=100, required=False)
    size = forms.CharField(label=_("规模"), max_length=50, required=False,
                           help_text=_("如：大型、中型、小型、微型。"))
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"type": "tel"}))
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The credit code identifies the organization; only the secretariat corrects it.
            del self.fields["uscc"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("uscc", None)
        return {k: ("" if v is None and k != "established_on" else v) for k, v in data.items()}


# -- applications --------------------------------------------------------------------
class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s（%(kind)s）") % {"name": obj.name, "kind": obj.get_kind_display()}


class NomineeFieldsMixin:
    def add_nominee_fields(self, *, current_masked: str = "") -> None:
        self.fields["nominee_name"] = forms.CharField(label=_("被推荐人姓名"), max_length=50,
                                                      required=not current_masked)
        self.fields["nominee_employer"] = forms.CharField(label=_("工作单位"), max_length=200,
                                                          required=not current_masked)
        self.fields["nominee_position"] = forms.CharField(label=_("职务/职称"), max_length=100,
                                                          required=False)
        help_text = (_("当前：%(masked)s。如需更改请输入完整号码；留空表示不修改。")
                     % {"masked": current_masked} if current_masked else
                     _("18 位居民身份证号码。加密保存，页面上只显示部分号码。"))
        self.fields["nominee_id_number"] = forms.CharField(
            label=_("身份证号码"), max_length=18, required=not current_masked, help_text=help_text,
            widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}))

    def nominee_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d.get("nominee_name", ""), "employer": d.get("nominee_employer", ""),
                "position": d.get("nominee_position", ""), "id_number": d.get("nominee_id_number", "")}


NOMINEE_ERROR_FIELDS = {"name": "nominee_name", "employer": "nominee_employer",
                        "id_number": "nominee_id_number", "nominee": None}


class ApplicationCreateForm(NomineeFieldsMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("申报单位"), queryset=Organization.objects.none(),
                                          empty_label=None)
    title = forms.CharField(label=_("项目名称"), max_length=300,
                            help_text=_("如：“精益+数字化”双轮驱动的质量管理模式。"))
    recommending_unit = UnitChoiceField(label=_("推荐单位"), queryset=RecommendingUnit.objects.all(),
                                        required=False, empty_label=_("—— 请选择 ——"))

    def __init__(self, *args, category, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["organization"].queryset = organizations
        orgs = list(organizations[:2])
        self.single_organization = orgs[0] if len(orgs) == 1 else None
        if self.single_organization is not None:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = self.single_organization.pk
        if category.cycle.programme.needs_recommender:
            self.fields["recommending_unit"].help_text = _(
                "本奖项须经推荐单位推荐：区市场监管局、行业协会或企业集团。提交前必须选择。")
        else:
            self.fields["recommending_unit"].help_text = _("本奖项无须推荐单位推荐，可不选。")
        if category.is_individual:
            self.add_nominee_fields()


def question_field(question) -> forms.Field:
    common = {"label": question.label, "required": False, "help_text": question.help_text}
    if question.type == QuestionType.INTEGER:
        return forms.IntegerField(**common, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    if question.type == QuestionType.DECIMAL:
        return forms.DecimalField(**common, max_digits=20, decimal_places=4,
                                  widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    if question.type == QuestionType.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if question.type == QuestionType.BOOLEAN:
        return forms.ChoiceField(**common, widget=forms.RadioSelect,
                                 choices=[("true", _("是")), ("false", _("否"))])
    return forms.CharField(**common, max_length=text_limit(question), widget=forms.Textarea(attrs={"rows": 3}))


class ApplicationEditForm(NomineeFieldsMixin, forms.Form):
    """The application form page: basic data, the category's questions, the commitment.
    Every field may stay empty in a draft; submission checks completeness."""

    title = forms.CharField(label=_("项目名称"), max_length=300, required=True)
    recommending_unit = UnitChoiceField(label=_("推荐单位"), queryset=RecommendingUnit.objects.all(),
                                        required=False, empty_label=_("—— 请选择 ——"))
    commitment = forms.BooleanField(label=_("我已阅读并同意以上诚信承诺"), required=False)

    def __init__(self, *args, application, **kwargs):
        self.application = application
        category = application.category
        self.questions = list(category.questions.all())
        initial = {
            "title": application.title,
            "recommending_unit": application.recommending_unit_id,
            "commitment": application.commitment,
        }
        answers = application.answers or {}
        for q in self.questions:
            value = answers.get(q.key)
            if q.type == QuestionType.BOOLEAN and isinstance(value, bool):
                value = "true" if value else "false"
            initial[f"q_{q.key}"] = value
        nominee = application.nominee if application.nominee_id else None
        if nominee is not None:
            initial.update(nominee_name=nominee.name, nominee_employer=nominee.employer,
                           nominee_position=nominee.position)
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        if category.cycle.programme.needs_recommender:
            self.fields["recommending_unit"].help_text = _("本奖项须经推荐单位推荐，提交前必须选择。")
        if category.is_individual:
            self.add_nominee_fields(current_masked=nominee.id_number_masked if nominee else "")
        for q in self.questions:
            field = question_field(q)
            field.is_question = True
            field.question_required = q.required
            self.fields[f"q_{q.key}"] = field

    def question_fields(self):
        return [self[f"q_{q.key}"] for q in self.questions]

    def nominee_fields(self):
        return [self[n] for n in ("nominee_name", "nominee_employer", "nominee_position",
                                  "nominee_id_number") if n in self.fields]

    def answers(self) -> dict:
        result = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q_{q.key}")
            if value in (None, ""):
                result[q.key] = ""
            elif q.type == QuestionType.BOOLEAN:
                result[q.key] = value == "true"
            elif isinstance(value, Decimal):
                result[q.key] = str(value.normalize()) if value == value.to_integral() else str(value)
            elif isinstance(value, dt.date):
                result[q.key] = value.isoformat()
            else:
                result[q.key] = value
        return result

    def nominee_changes(self) -> dict | None:
        """The nominee data to save, or None when unchanged. A blank ID number keeps the
        stored one (read on the server, never sent to the browser)."""
        if "nominee_name" not in self.fields:
            return None
        data = self.nominee_data()
        nominee = self.application.nominee if self.application.nominee_id else None
        if nominee is not None:
            unchanged = (data["name"] == nominee.name and data["employer"] == nominee.employer
                         and data["position"] == nominee.position and not data["id_number"])
            if unchanged:
                return None
            if not data["id_number"]:
                data["id_number"] = nominee.get_id_number()
        return data


class DocumentUploadForm(forms.Form):
    kind = forms.SlugField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("选择文件"))


# -- transitions ---------------------------------------------------------------------
# What each transition asks for on the web. Anything not listed gets an optional note.
TRANSITION_UI = {
    T.SUBMIT: {"note": None, "intro": _("提交后申报内容和材料将锁定，不能再修改；如被退回补正可再次修改。")},
    T.ENDORSE: {"note": _("推荐意见（可选）")},
    T.RETURN: {"note": _("退回理由（申报单位将看到）"), "note_required": True, "deadline": True,
               "intro": _("退回后申报单位可修改申报内容和材料，并须在补正截止时间前重新提交。")},
    T.ACCEPT: {"note": _("受理意见（可选）"), "override": True},
    T.REJECT: {"note": _("不予受理的理由（申报单位将看到）"), "note_required": True,
               "intro": _("不予受理后本申报流程结束，不能恢复。"), "danger": True},
    T.WITHDRAW: {"note": _("撤回说明（可选）"), "danger": True, "confirm": True,
                 "intro": _("撤回后本申报流程结束，不能恢复；如需再次申报，须新建申报。")},
    T.REVOKE: {"note": _("撤销理由"), "note_required": True, "danger": True, "confirm": True,
               "intro": _("撤销后该申报退出获奖名单，证书验证页面显示“已撤销”，不能恢复。")},
    T.CONFIRM: {"note": _("确认说明（可选）"), "confirm": True,
                "intro": _("确认后该申报公示通过，等待发布结果。")},
    T.OVERTURN: {"note": _("说明（可选）"), "danger": True, "confirm": True,
                 "intro": _("异议成立：该申报不再授奖，申报单位将收到结果通知，不能恢复。")},
    T.PUBLISH: {"note": _("发布说明（可选）"), "announcement": True, "confirm": True,
                "intro": _("发布后该申报列入公开的获奖名单并颁发证书，申报单位将收到通知。本周期已有结果公告时，"
                           "以补充公告公布。")},
}
DEFAULT_UI = {"note": _("说明（可选）")}


def transition_ui(name: str) -> dict:
    return {**DEFAULT_UI, **TRANSITION_UI.get(name, {})}


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(
        label=_("例外受理理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("资格条件未全部通过时必须填写：说明为何仍予受理。该理由记入审计记录。"))
    deadline = forms.DateTimeField(
        label=_("补正截止时间"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("北京时间。默认为今天起算本周期规定的补正天数。"))
    announcement = forms.CharField(
        label=_("结果公告"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("本周期尚无结果公告时必须填写，显示在获奖名单页面上；已有公告时可不填，系统生成补充公告。"))

    def __init__(self, *args, name: str, application=None, needs_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name
        ui = transition_ui(name)
        self.ui = ui
        if ui.get("note") is None:
            del self.fields["note"]
        else:
            self.fields["note"].label = ui["note"]
            self.fields["note"].required = bool(ui.get("note_required"))
            if ui.get("note_required"):
                self.fields["note"].error_messages["required"] = _("请填写%(label)s。") % {
                    "label": str(ui["note"]).split("（")[0].split(" (")[0]}
        if not (ui.get("override") and needs_override):
            del self.fields["override_reason"]
        else:
            self.fields["override_reason"].required = True
            self.fields["override_reason"].error_messages["required"] = _(
                "资格条件未全部通过，须填写例外受理理由。")
        if not ui.get("announcement"):
            del self.fields["announcement"]
        if not ui.get("deadline"):
            del self.fields["deadline"]
        elif application is not None and not self.is_bound:
            self.initial["deadline"] = timezone.localtime(
                timezone.now() + dt.timedelta(days=application.cycle.amendment_days)
            ).replace(second=0, microsecond=0)

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("补正截止时间必须晚于当前时间。"))
        return value

    def service_kwargs(self) -> dict:
        kwargs = {"note": self.cleaned_data.get("note", "")}
        if self.cleaned_data.get("override_reason"):
            kwargs["override_reason"] = self.cleaned_data["override_reason"]
        if self.cleaned_data.get("deadline"):
            kwargs["deadline"] = self.cleaned_data["deadline"]
        if self.cleaned_data.get("announcement"):
            kwargs["announcement"] = self.cleaned_data["announcement"]
        return kwargs

    @property
    def has_inputs(self) -> bool:
        return bool(self.fields)


class CycleTransitionForm(forms.Form):
    note = forms.CharField(label=_("说明（可选）"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


TO_REVIEW = "to_review"  # waiting for the secretariat (nominations.selectors.todos.awaiting_formal_review)
AWAITING_RECOMMENDER = "awaiting_recommender"
NOTICE_DUE = "notice_due"


class ApplicationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), (TO_REVIEW, _("待形式审查（待秘书处受理）")),
                                       (AWAITING_RECOMMENDER, _("待推荐单位推荐")),
                                       (NOTICE_DUE, _("公示到期可确认"))]
                              + [c for c in ApplicationState.choices if c[0] != ApplicationState.DRAFT])
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.SearchInput(attrs={"placeholder": _("编号、项目或单位")}))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部类别"))] + [(c.pk, c.name) for c in categories]
