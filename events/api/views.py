"""REST API of events (API.md, "Events"): the public list, the secretariat's acts,
registrations by enterprises, the host's and the secretariat's lists, check-in, export.

Thin views: type-check with a serializer, fetch-and-authorise with a selector (404 alike
for missing and not visible), call one service, shape the answer. Domain errors become
HTTP errors in nominations.api.errors.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from events import rules, selectors
from events.api import serializers as s
from events.enums import EventKind
from events.export import xlsx_response
from events.models import Registration
from events.services.events import EDITABLE, EventInput, event_cancel, event_close, event_create, event_update
from events.services.registrations import registration_cancel, registration_check_in, registration_create, waitlist_position
from nominations.api.common import ApplicationPagination, IsSecretariat, client_ip, error_responses, validated
from nominations.errors import NotFound

TAGS = ["events"]


def _event_or_404(pk) -> object:
    event = selectors.event_get(pk)
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def _registration_data(reg, *, phones: bool = True) -> dict:
    if not hasattr(reg, "position"):
        reg.position = waitlist_position(reg)
    return s.RegistrationSerializer(reg, context={"phones": phones}).data


class PublicEventListView(APIView):
    """Events of the current and past years (and upcoming), newest first; counts are persons,
    no personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="public_events_list", parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("活动年度（按开始时间）")),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=EventKind.values)],
        responses={200: s.PublicEventSerializer(many=True), **error_responses(400)}, tags=["public"])
    def get(self, request):
        year, kind = request.query_params.get("year") or None, request.query_params.get("kind") or None
        if year is not None and not (year.isdigit() and 1900 < int(year) < 3000):
            raise serializers.ValidationError({"year": [_("年度应为四位数字，如 2018。")]})
        if kind is not None and kind not in EventKind.values:
            raise serializers.ValidationError({"kind": [_("活动类型应为 exchange_visit 或 experience_sharing。")]})
        events = selectors.events_public(year=int(year) if year else None, kind=kind)
        return Response(s.PublicEventSerializer(events, many=True, context={"now": timezone.now()}).data)


class EventListView(APIView):
    """Secretariat: every event with its flags (GET); create one (POST)."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="events_list", responses={200: s.DeskEventSerializer(many=True),
                                                          **error_responses(401, 403)}, tags=TAGS)
    def get(self, request):
        events = selectors.events_for_desk()
        return Response(s.DeskEventSerializer(events, many=True, context={"now": timezone.now()}).data)

    @extend_schema(operation_id="events_create", request=s.EventWriteSerializer,
                   responses={201: s.DeskEventSerializer, **error_responses(400, 401, 403)}, tags=TAGS)
    def post(self, request):
        data = validated(s.EventWriteSerializer, request.data)
        event = event_create(actor=request.user, data=EventInput(**data), ip=client_ip(request))
        return Response(s.DeskEventSerializer(selectors.event_get(event.pk)).data, status=status.HTTP_201_CREATED)


class EventDetailView(APIView):
    """Anyone: one event (GET). Secretariat: edit it (PATCH); a new time or place is a
    reschedule and every registrant is e-mailed."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated(), IsSecretariat()]

    @extend_schema(operation_id="events_retrieve", responses={200: s.PublicEventSerializer, **error_responses(404)},
                   tags=TAGS)
    def get(self, request, pk: int):
        return Response(s.PublicEventSerializer(_event_or_404(pk)).data)

    @extend_schema(operation_id="events_partial_update", request=s.EventWriteSerializer,
                   responses={200: s.DeskEventSerializer, **error_responses(400, 401, 403, 404, 409)}, tags=TAGS)
    def patch(self, request, pk: int):
        event = _event_or_404(pk)
        unknown = sorted(set(request.data.keys()) - {*EDITABLE, "host_applications"})
        if unknown:
            raise serializers.ValidationError({k: [_("该字段不能修改。")] for k in unknown})
        data = validated(s.EventWriteSerializer, request.data, partial=True)
        hosts = data.pop("host_applications", None)
        event = event_update(event=event, actor=request.user, changes=data, host_applications=hosts,
                             ip=client_ip(request))
        return Response(s.DeskEventSerializer(selectors.event_get(event.pk)).data)


class EventCancelView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="events_cancel", request=s.EventCancelSerializer,
                   responses={200: s.DeskEventSerializer, **error_responses(400, 401, 403, 404, 409)}, tags=TAGS)
    def post(self, request, pk: int):
        event = _event_or_404(pk)
        data = validated(s.EventCancelSerializer, request.data)
        event_cancel(event=event, actor=request.user, reason=data["reason"], ip=client_ip(request))
        return Response(s.DeskEventSerializer(selectors.event_get(event.pk)).data)


class EventCloseView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="events_close", request=s.EventCloseSerializer,
                   responses={200: s.DeskEventSerializer, **error_responses(400, 401, 403, 404, 409)}, tags=TAGS)
    def post(self, request, pk: int):
        event = _event_or_404(pk)
        data = validated(s.EventCloseSerializer, request.data)
        event_close(event=event, actor=request.user, attendance=data["attendance"], summary=data["summary"],
                    ip=client_ip(request))
        return Response(s.DeskEventSerializer(selectors.event_get(event.pk)).data)


class EventRegistrationsView(GenericAPIView):
    """GET: the secretariat and the host organization's members (the host sees no phone
    numbers unless the secretariat allows it for this event). POST: an enterprise registers."""

    permission_classes = [IsAuthenticated]
    pagination_class = ApplicationPagination
    serializer_class = s.RegistrationSerializer
    queryset = Registration.objects.none()  # for the schema; the selectors fetch

    @extend_schema(operation_id="events_registrations_list",
                   responses={200: s.RegistrationSerializer(many=True), **error_responses(401, 403, 404)}, tags=TAGS)
    def get(self, request, pk: int):
        event = _event_or_404(pk)
        if not rules.may_see_registrations(request.user, event):
            raise PermissionDenied(_("只有秘书处和主办单位可以查看报名名单。"))
        active_only = not rules.is_secretariat(request.user)  # the host sees the live registrations
        page = self.paginate_queryset(selectors.registrations_for_event(event, active_only=active_only))
        regs = selectors.registrations_with_positions(list(page))
        phones = rules.may_see_phones(request.user, event)
        return self.get_paginated_response(
            s.RegistrationSerializer(regs, many=True, context={"phones": phones}).data)

    @extend_schema(operation_id="events_registrations_create", request=s.RegistrationCreateSerializer,
                   responses={201: s.RegistrationSerializer, **error_responses(400, 401, 403, 404)}, tags=TAGS)
    def post(self, request, pk: int):
        event = _event_or_404(pk)
        if not rules.may_register(request.user):
            raise PermissionDenied(_("请使用申报单位（企业）账号报名。"))
        data = validated(s.RegistrationCreateSerializer, request.data)
        reg = registration_create(event=event, organization=data["organization"],
                                  attendees=[dict(a) for a in data["attendees"]], actor=request.user,
                                  ip=client_ip(request))
        return Response(_registration_data(reg), status=status.HTTP_201_CREATED)


class EventRegistrationsExportView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="events_registrations_export",
                   responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY, **error_responses(401, 403, 404)}, tags=TAGS)
    def get(self, request, pk: int):
        return xlsx_response(_event_or_404(pk))


class RegistrationListView(GenericAPIView):
    """`?mine=true`: the caller's organizations' registrations; without it the secretariat
    sees every registration, anyone else their own."""

    permission_classes = [IsAuthenticated]
    pagination_class = ApplicationPagination
    serializer_class = s.RegistrationSerializer
    queryset = Registration.objects.none()  # for the schema; the selectors fetch

    @extend_schema(operation_id="registrations_list", parameters=[
        OpenApiParameter("mine", OpenApiTypes.BOOL, description=gettext_lazy("只看本单位的报名"))],
        responses={200: s.RegistrationSerializer(many=True), **error_responses(401)}, tags=TAGS)
    def get(self, request):
        mine = (request.query_params.get("mine") or "").lower() in ("1", "true", "yes")
        page = self.paginate_queryset(selectors.registrations_visible(request.user, mine=mine))
        regs = selectors.registrations_with_positions(list(page))
        return self.get_paginated_response(s.RegistrationSerializer(regs, many=True).data)


class RegistrationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _get(self, request, pk):
        reg = selectors.registration_for_user(request.user, pk)
        if reg is None:
            raise NotFound(_("报名不存在。"))
        return reg

    @extend_schema(operation_id="registrations_retrieve",
                   responses={200: s.RegistrationSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, pk: int):
        return Response(_registration_data(self._get(request, pk)))

    @extend_schema(operation_id="registrations_destroy", responses={204: None, **error_responses(401, 404, 409)},
                   tags=TAGS)
    def delete(self, request, pk: int):
        registration_cancel(registration=self._get(request, pk), actor=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegistrationCheckInView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="registrations_check_in", request=s.CheckInSerializer,
                   responses={200: s.RegistrationSerializer, **error_responses(400, 401, 403, 404, 409)}, tags=TAGS)
    def post(self, request, pk: int):
        reg = selectors.registration_for_user(request.user, pk)
        if reg is None:
            raise NotFound(_("报名不存在。"))
        data = validated(s.CheckInSerializer, request.data)
        registration_check_in(registration=reg, actor=request.user, attendee_ids=data.get("attendees"),
                              ip=client_ip(request))
        return Response(_registration_data(selectors.registration_for_user(request.user, pk)))
