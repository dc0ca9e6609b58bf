"""Web forms of events. They only parse: the services check the rules."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events.enums import EventKind
from events.selectors import published_hosts_choices
from events.services.events import EDITABLE, same_to_the_minute

DT_WIDGET = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
             "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]}


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=EventKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    host_applications = forms.TypedMultipleChoiceField(
        label=_("主办（分享）单位"), coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("已发布的获奖者；参观交流选一家，经验交流会可选多家"))
    topic = forms.CharField(label=_("交流主题"), max_length=300, required=False,
                            help_text=_("留空则取获奖项目（典型经验）名称"))
    starts_at = forms.DateTimeField(label=_("开始时间"), **DT_WIDGET)
    ends_at = forms.DateTimeField(label=_("结束时间"), **DT_WIDGET)
    location = forms.CharField(label=_("地点"), max_length=300)
    capacity = forms.IntegerField(label=_("名额（人）"), min_value=1, max_value=100000)
    per_organization_limit = forms.IntegerField(label=_("每单位限报人数"), min_value=1, max_value=1000, initial=2)
    registration_opens_at = forms.DateTimeField(label=_("报名开始"), **DT_WIDGET)
    registration_closes_at = forms.DateTimeField(label=_("报名截止"), **DT_WIDGET)
    description = forms.CharField(label=_("活动说明"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                  max_length=10000)
    show_phones_to_host = forms.BooleanField(label=_("向主办单位显示参会人员联系电话"), required=False)

    def __init__(self, *args, extra_hosts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(a.application_id, f"{a.holder_name} · {a.cycle_label}{a.programme.name}"
                                      + (f" · {a.title}" if a.title else ""))
                   for a in published_hosts_choices()]
        known = {c[0] for c in choices}
        choices += [(h.application_id, _("%(name)s（奖项已撤销）") % {"name": h.name}) for h in extra_hosts
                    if h.application_id not in known]
        self.fields["host_applications"].choices = choices


def changes_from_form(event, cleaned: dict) -> dict:
    """The fields the user changed (as the API's PATCH sends them); the rest stay as they are.
    The form's times have minutes only: a time unchanged to the minute is unchanged (its
    seconds, from the API, are kept), so saving an edit of the title is no reschedule."""
    return {name: value for name, value in cleaned.items()
            if name in EDITABLE and not same_to_the_minute(getattr(event, name), value)}


def hosts_from_form(hosts, host_ids: list[int]) -> list[int] | None:
    """The hosts to send, or None when the same ones are ticked (checkboxes carry no order):
    the service then keeps the frozen hosts, even one whose award was since revoked."""
    return None if set(host_ids) == {h.application_id for h in hosts} else host_ids


class AttendeeRowsMixin:
    """`rows` blank attendee rows (name, position, phone); empty rows are ignored."""

    def add_rows(self, rows: int) -> None:
        for i in range(rows):
            required = i == 0
            self.fields[f"name_{i}"] = forms.CharField(label=_("姓名"), max_length=50, required=required)
            self.fields[f"position_{i}"] = forms.CharField(label=_("职务"), max_length=100, required=False)
            self.fields[f"phone_{i}"] = forms.CharField(
                label=_("联系电话"), max_length=30, required=required,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        self.rows = rows

    def attendee_rows(self):
        return [(i + 1, self[f"name_{i}"], self[f"position_{i}"], self[f"phone_{i}"]) for i in range(self.rows)]

    def attendees(self) -> list[dict]:
        return [{"name": self.cleaned_data.get(f"name_{i}", ""), "position": self.cleaned_data.get(f"position_{i}", ""),
                 "phone": self.cleaned_data.get(f"phone_{i}", "")} for i in range(self.rows)]


class RegistrationForm(AttendeeRowsMixin, forms.Form):
    organization = forms.TypedChoiceField(label=_("报名单位"), coerce=int)

    def __init__(self, *args, organizations, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
        self.add_rows(rows)


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text=_("将以电子邮件通知所有报名单位"))


class CloseEventForm(forms.Form):
    attendance = forms.IntegerField(label=_("实到人数"), min_value=0, max_value=100000)
    summary = forms.CharField(label=_("活动纪要"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000,
                              help_text=_("将在公开的活动页面展示"))


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、单位或回执编号"), max_length=100, required=False)
