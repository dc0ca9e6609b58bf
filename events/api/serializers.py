"""Shapes of the events API (API.md, "Events"). Serializers only shape and type-check;
the services decide."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.enums import EventKind, PublicStatus, RegistrationState
from events.selectors import public_status
from nominations.api.fields import OffsetDateTimeField


class HostSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    name = serializers.CharField(help_text=_("获奖单位名称（发布时冻结）"))
    title = serializers.CharField(help_text=_("获奖项目 / 典型经验"))
    award = serializers.CharField()
    revoked = serializers.BooleanField(help_text=_("该获奖者的奖项已被撤销"))


class PublicEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    topic = serializers.CharField()
    description = serializers.CharField()
    hosts = HostSerializer(many=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    capacity = serializers.IntegerField(help_text=_("名额（人）"))
    per_organization_limit = serializers.IntegerField()
    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    confirmed = serializers.IntegerField(help_text=_("已报名成功的人数"))
    waitlisted = serializers.IntegerField(help_text=_("候补中的人数"))
    status = serializers.SerializerMethodField()
    summary = serializers.CharField()
    attendance = serializers.IntegerField(allow_null=True)
    cancel_reason = serializers.CharField()
    host_revoked = serializers.BooleanField(help_text=_("有主办单位的奖项已被撤销"))

    @extend_schema_field(serializers.ChoiceField(choices=PublicStatus.choices))
    def get_status(self, event) -> str:
        return public_status(event, self.context.get("now"))


class DeskEventSerializer(PublicEventSerializer):
    state = serializers.CharField()
    show_phones_to_host = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class EventWriteSerializer(serializers.Serializer):
    """POST /events/ (all required but topic, description, show_phones_to_host) and PATCH."""

    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    host_applications = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                                              allow_empty=False, max_length=20)
    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField()
    location = serializers.CharField(max_length=300)
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    per_organization_limit = serializers.IntegerField(min_value=1, max_value=1000)
    registration_opens_at = OffsetDateTimeField()
    registration_closes_at = OffsetDateTimeField()
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    show_phones_to_host = serializers.BooleanField(required=False, default=False)


class EventCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EventCloseSerializer(serializers.Serializer):
    attendance = serializers.IntegerField(min_value=0, max_value=100000)
    summary = serializers.CharField(max_length=10000, allow_blank=True)


class AttendeeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, allow_blank=True)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, allow_blank=True)


class RegistrationCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**62)
    attendees = AttendeeInputSerializer(many=True, max_length=1000)


class AttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.SerializerMethodField(help_text=_("主办单位看不到电话，除非秘书处允许"))
    checked_in_at = serializers.DateTimeField(allow_null=True)

    def get_phone(self, attendee) -> str | None:
        return attendee.phone if self.context.get("phones", True) else None


class RegisteredOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receipt = serializers.CharField(help_text=_("报名回执编号，如 26-JL-7K3MX"))
    status = serializers.ChoiceField(choices=RegistrationState.choices)
    position = serializers.IntegerField(allow_null=True, help_text=_("候补顺位；非候补为 null"))
    event = serializers.IntegerField(source="event_id")
    event_title = serializers.CharField(source="event.title")
    organization = RegisteredOrganizationSerializer()
    persons = serializers.IntegerField()
    attendees = AttendeeSerializer(many=True)
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class CheckInSerializer(serializers.Serializer):
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False,
                                      help_text=_("只为这些参会人员签到；省略则为本报名全部人员签到"))
