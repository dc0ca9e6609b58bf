"""Web forms of the public notice, objections, publication and certificates.
They parse and type-check input; the services decide and write."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nominations.enums import ProgrammeCode
from nominations.models import Holiday, ObjectionState
from nominations.services.notices import NoticeInput

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

PLEDGE_TEXT = _("本人承诺所提异议真实，愿意承担相应责任")


# -- public ------------------------------------------------------------------------
CONTACT_HELP = _("联系电话和电子邮箱至少填写一项；处理结果将通过电子邮件告知。")


class ObjectionForm(forms.Form):
    application = forms.ChoiceField(label=_("对公示名单中的哪一项提出异议"), error_messages={
        "required": _("请选择本次公示中的一项。"), "invalid_choice": _("请选择本次公示中的一项。")})
    name = forms.CharField(label=_("真实姓名或单位名称"), max_length=100,
                           error_messages={"required": _("异议须实名提出：请填写真实姓名或单位名称。")},
                           help_text=_("以单位名义提出的，请填写单位全称，并在证据材料中附加盖章的书面异议。"))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("电子邮箱"), required=False,
                             error_messages={"invalid": _("请填写有效的电子邮箱地址。")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    organization = forms.CharField(label=_("所在单位"), max_length=200, required=False)
    content = forms.CharField(label=_("异议内容及理由"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 7}),
                              error_messages={"required": _("请填写异议内容及理由。")},
                              help_text=_("请写明对哪一项内容有异议、事实和理由。"))
    evidence = forms.FileField(label=_("证据材料（PDF，可选）"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    pledge = forms.BooleanField(label=PLEDGE_TEXT, error_messages={
        "required": _("请勾选“本人承诺所提异议真实，愿意承担相应责任”。")})

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("请选择"))]
        choices += [(str(e.application_id), f"{e.name} — {e.title}") for e in entries]
        self.fields["application"].choices = choices

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip() \
                and "email" not in self.errors:
            self.add_error("phone", _("请至少填写联系电话或电子邮箱中的一项，以便告知处理结果。"))
        return data


class WinnersFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("奖项"), required=False)
    cycle = forms.ChoiceField(label=_("年度"), required=False)

    def __init__(self, *args, labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("全部奖项")), *ProgrammeCode.choices]
        self.fields["cycle"].choices = [("", _("全部年度")), *((label, label) for label in labels)]


# -- secretariat -------------------------------------------------------------------
class NoticeStartForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("公示开始时间"), input_formats=DATETIME_FORMATS,
        error_messages={"required": _("请填写公示开始时间。"), "invalid": _("请按“年-月-日 时:分”填写公示开始时间。")},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("北京时间，不早于当前时间；默认为现在。"))
    days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=60,
                              error_messages={"required": _("请填写公示天数。"), "invalid": _("公示天数应为整数。"),
                                              "min_value": _("公示天数应在 1 到 60 天之间。"),
                                              "max_value": _("公示天数应在 1 到 60 天之间。")},
                              help_text=_("开始当天计为第 1 天；公示于最后一天 24:00 结束。"))
    working_days = forms.BooleanField(label=_("按工作日计算（跳过周末和节假日表中的假日）"), required=False)
    description = forms.CharField(
        label=_("公示说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写公示说明（公示依据、异议方式和要求）。")},
        help_text=_("显示在公示页面上，例如公示依据、异议受理要求等。"))
    contact = forms.CharField(
        label=_("联系方式"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写受理异议的联系方式。")},
        help_text=_("受理异议的单位、联系人、电话、电子邮箱和通讯地址，显示在公示页面上。"))

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("starts_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("days", cycle.notice_days)
            self.initial.setdefault("working_days", cycle.notice_working_days)
            self.initial.setdefault("description", _(
                "根据评选办法，现将%(cycle)s审定通过的名单予以公示。公示期间，任何单位和个人对公示名单有异议的，"
                "可实名向评选秘书处提出，并提供必要的证明材料；匿名异议不予受理。") % {"cycle": cycle})

    def notice_input(self) -> NoticeInput:
        data = self.cleaned_data
        return NoticeInput(description=data["description"], contact=data["contact"], starts_at=data["starts_at"],
                           days=data["days"], working_days=data["working_days"])


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "is_workday"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"is_workday": _("勾选表示该日虽为周末，但调休上班（计入工作日）。")}
        error_messages = {"date": {"required": _("请填写日期。"), "invalid": _("请按“年-月-日”填写日期。")},
                          "name": {"required": _("请填写节假日名称，如“国庆节”或“国庆调休上班”。")}}

    def validate_unique(self):  # the service reports a duplicate date with its own message
        pass


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("书面处理结果"), max_length=5000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=_("将通过电子邮件告知异议人；“异议成立”后请在公示台执行“公示异议成立”。"))


OPEN = "open"  # the 工作台's 异议待处理: received or investigating


class ObjectionFilterForm(forms.Form):
    notice = forms.ChoiceField(label=_("公示"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, notices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = [("", _("全部公示")), *((str(n.pk), str(n)) for n in notices)]
        self.fields["status"].choices = [("", _("全部状态")), (OPEN, _("待处理（已收到、调查核实中）")),
                                         *ObjectionState.choices]


class PublishForm(forms.Form):
    announcement = forms.CharField(
        label=_("发布公告"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("请填写发布公告。")},
        help_text=_("显示在获奖名单页面上。发布后将为全部公示通过的申报颁发证书，并以电子邮件告知申报单位。"))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": _("请填写撤销理由。")},
                             help_text=_("公开显示在证书验证页面上。撤销后证书编号不再使用。"))
