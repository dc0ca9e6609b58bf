"""REST API of the intake half (API.md): catalog, organizations, applications, documents,
transitions and history.

Views are thin: parse with a serializer, fetch-and-authorise with one selector
(404 alike for "missing" and "not yours"), call one service, shape the answer.
Domain errors (WorkflowError) become HTTP errors in nominations.api_errors.
"""
from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from nominations import rules, selectors, workflow
from nominations import serializers as s
from nominations.enums import CycleState, Transition
from nominations.errors import NotFound
from nominations.filters import ApplicationFilter, CycleFilter
from nominations.models import Application, Category, Cycle, Programme, RecommendingUnit
from nominations.services import intake
from nominations.services.transitions import (
    application_available_transitions,
    application_transition,
    cycle_available_transitions,
    cycle_transition,
)

# The history shows the workflow: creation and every transition, oldest first.
HISTORY_ACTIONS = ("create", *Transition.values)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _errors(*codes: int) -> dict:
    descriptions = {400: "输入有误或条件未满足", 401: "未登录", 403: "无权执行", 404: "不存在或无权查看",
                    409: "当前状态不允许（invalid_state）或并发修改（conflict）"}
    return {code: OpenApiResponse(s.ErrorSerializer, description=descriptions[code]) for code in codes}


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _reject_unwritable(data, serializer: serializers.Serializer) -> None:
    """PATCH must not silently drop fields it cannot change (state, uscc, ...)."""
    writable = {name for name, field in serializer.fields.items() if not field.read_only}
    messages = {"state": _("状态只能通过流转操作（transitions）改变。"),
                "uscc": _("统一社会信用代码登记后不能修改；如有错误，请联系秘书处。")}
    unknown = sorted(set(data.keys()) - writable)
    if unknown:
        raise ValidationError({key: [messages.get(key, _("该字段不能修改。"))] for key in unknown})


class IsSecretariat(BasePermission):
    message = _("只有秘书处可以执行此操作。")

    def has_permission(self, request, view) -> bool:
        return rules.is_secretariat(request.user)


class ApplicationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PublicCatalogView:
    """Mixin for the public catalog: anyone may read, anonymous callers are throttled."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    pagination_class = None


# -- auth -----------------------------------------------------------------------------
class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenObtainView(ObtainAuthToken):
    """`POST /auth/token/` {"username", "password"} → {"token"}; bad credentials → 400;
    too many failures for this username from this IP (django-axes) → 403 `locked_out`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="auth_token_create", request=AuthTokenSerializer,
                   responses={200: TokenSerializer, 400: OpenApiResponse(description="用户名或密码错误"),
                              403: OpenApiResponse(description="登录失败次数过多，账号暂时锁定（code: locked_out）")},
                   tags=["auth"])
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # The serializer passes this request to authenticate(); the Axes backend refuses a
            # locked-out pair (even with the right password) and flags the request.
            if getattr(request, "axes_locked_out", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                detail = _("登录失败次数过多，账号已暂时锁定。请 %(minutes)s 分钟后再试，或联系评选秘书处。")
                return Response({"detail": detail % {"minutes": minutes}, "code": "locked_out"},
                                status=status.HTTP_403_FORBIDDEN)
            raise


# -- catalog --------------------------------------------------------------------------
def cycles_with_catalog():
    categories = Category.objects.prefetch_related("questions", "document_requirements").order_by("order", "code")
    return (Cycle.objects.select_related("programme")
            .prefetch_related(Prefetch("categories", queryset=categories))
            .order_by("-year", "programme__order", "id"))


class ProgrammeListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = s.ProgrammeSerializer
    queryset = Programme.objects.order_by("order", "code")


class CycleListView(PublicCatalogView, generics.ListAPIView):
    """Cycles with their categories, questions and required documents. Cycles still in
    preparation (draft) are shown to the secretariat only."""

    serializer_class = s.CycleSerializer
    filterset_class = CycleFilter

    def get_queryset(self):
        qs = cycles_with_catalog()
        if not rules.is_secretariat(self.request.user):
            qs = qs.exclude(status=CycleState.DRAFT)
        return qs


@extend_schema(parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, description="只列出调用者所属的推荐单位")])
class RecommendingUnitListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = s.RecommendingUnitSerializer

    def get_queryset(self):
        qs = RecommendingUnit.objects.order_by("kind", "name")
        if self.request.query_params.get("mine", "").lower() in ("1", "true", "yes"):
            if not self.request.user.is_authenticated:
                raise NotAuthenticated()
            qs = qs.filter(pk__in=rules.unit_ids(self.request.user))
        return qs


def _cycle_or_404(pk: int) -> Cycle:
    cycle = Cycle.objects.filter(pk=pk).first()
    if cycle is None:
        raise NotFound(_("评选周期不存在。"))
    return cycle


class CycleTransitionsView(APIView):
    """Secretariat: the cycle's available transitions, and running one."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(responses={200: s.AvailableTransitionSerializer(many=True), **_errors(401, 403, 404)})
    def get(self, request, pk: int):
        cycle = _cycle_or_404(pk)
        return Response(s.AvailableTransitionSerializer(cycle_available_transitions(cycle), many=True).data)

    @extend_schema(request=s.CycleTransitionInputSerializer,
                   responses={200: s.CycleSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        cycle = _cycle_or_404(pk)
        params = dict(_valid(s.CycleTransitionInputSerializer, request.data))
        name, note = params.pop("name"), params.pop("note")
        cycle = cycle_transition(cycle=cycle, name=name, actor=request.user, note=note, ip=_ip(request),
                                 **params)
        return Response(s.CycleSerializer(cycles_with_catalog().get(pk=cycle.pk)).data)


# -- organizations ----------------------------------------------------------------------
class OrganizationListView(generics.GenericAPIView):
    """The caller's organizations (the secretariat sees all); registering a new one."""

    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return selectors.organizations_for_user(self.request.user).order_by("name", "id")

    @extend_schema(responses={200: s.OrganizationSerializer(many=True), **_errors(401)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.OrganizationSerializer(page, many=True).data)

    @extend_schema(request=s.OrganizationCreateSerializer,
                   responses={201: s.OrganizationSerializer, **_errors(400, 401)})
    def post(self, request):
        data = dict(_valid(s.OrganizationCreateSerializer, request.data))
        org = intake.organization_create(
            actor=request.user, name=data.pop("name"), uscc=data.pop("uscc"),
            override_reason=data.pop("uscc_override_reason", ""), ip=_ip(request), **data)
        return Response(s.OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganizationDetailView(APIView):
    @extend_schema(responses={200: s.OrganizationSerializer, **_errors(401, 404)})
    def get(self, request, pk: int):
        return Response(s.OrganizationSerializer(selectors.organization_for_user(request.user, pk)).data)

    @extend_schema(request=s.OrganizationUpdateSerializer,
                   responses={200: s.OrganizationSerializer, **_errors(400, 401, 403, 404)})
    def patch(self, request, pk: int):
        org = selectors.organization_for_user(request.user, pk)
        serializer = s.OrganizationUpdateSerializer(data=request.data, partial=True)
        _reject_unwritable(request.data, serializer)
        serializer.is_valid(raise_exception=True)
        org = intake.organization_update(organization=org, actor=request.user, ip=_ip(request),
                                         **serializer.validated_data)
        return Response(s.OrganizationSerializer(org).data)


# -- applications ----------------------------------------------------------------------
class ApplicationListView(generics.GenericAPIView):
    """Applications visible to the caller: applicant — its organizations'; recommender —
    those naming its unit (not drafts); secretariat — all; judges see none here."""

    serializer_class = s.ApplicationSummarySerializer
    filterset_class = ApplicationFilter
    pagination_class = ApplicationPagination

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={200: s.ApplicationSummarySerializer(many=True), **_errors(400, 401)})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ApplicationSummarySerializer(page, many=True).data)

    @extend_schema(request=s.ApplicationCreateSerializer,
                   responses={201: s.ApplicationSerializer, **_errors(400, 401, 403, 409)})
    def post(self, request):
        data = _valid(s.ApplicationCreateSerializer, request.data, context={"request": request})
        nominee = data.get("nominee")
        app = intake.application_create(
            actor=request.user, category=data["category"], organization=data["organization"],
            title=data["title"], recommending_unit=data.get("recommending_unit"),
            nominee=dict(nominee) if nominee is not None else None, answers=data.get("answers"),
            commitment=data.get("commitment", False), ip=_ip(request))
        return Response(s.ApplicationSerializer(app).data, status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(responses={200: s.ApplicationSerializer, **_errors(401, 404)})
    def get(self, request, pk: int):
        return Response(s.ApplicationSerializer(selectors.application_for_user(request.user, pk)).data)

    @extend_schema(request=s.ApplicationUpdateSerializer,
                   responses={200: s.ApplicationSerializer, **_errors(400, 401, 403, 404, 409)})
    def patch(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        serializer = s.ApplicationUpdateSerializer(data=request.data, partial=True)
        _reject_unwritable(request.data, serializer)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "nominee" in fields:
            fields["nominee"] = dict(fields["nominee"])
        app = intake.application_update(application=app, actor=request.user, ip=_ip(request), **fields)
        return Response(s.ApplicationSerializer(selectors.application_for_user(request.user, app.pk)).data)


class ApplicationDocumentsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.DocumentUploadSerializer,
                   responses={201: s.DocumentSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        data = _valid(s.DocumentUploadSerializer, request.data)
        doc = intake.document_upload(application=app, actor=request.user, kind=data["kind"],
                                     uploaded=data["file"], ip=_ip(request))
        return Response(s.DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


def _document_or_404(application: Application, doc_id: int):
    doc = application.documents.filter(pk=doc_id).first()
    if doc is None:
        raise NotFound(_("材料不存在。"))
    doc.application = application
    return doc


class ApplicationDocumentDetailView(APIView):
    @extend_schema(responses={204: None, **_errors(401, 403, 404, 409)})
    def delete(self, request, pk: int, doc_id: int):
        app = selectors.application_for_user(request.user, pk)
        intake.document_delete(document=_document_or_404(app, doc_id), actor=request.user, ip=_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationDocumentDownloadView(APIView):
    """The stored file, as an attachment, to whoever may see the application
    (including judges given access by judging)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_errors(401, 404)})
    def get(self, request, pk: int, doc_id: int):
        doc = _document_or_404(selectors.application_for_user(request.user, pk), doc_id)
        intake.document_download_record(document=doc, actor=request.user, ip=_ip(request))
        return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name,
                            content_type=doc.content_type or "application/octet-stream")


class ApplicationTransitionsView(APIView):
    @extend_schema(responses={200: s.AvailableTransitionSerializer(many=True), **_errors(401, 404)})
    def get(self, request, pk: int):
        """The transitions the caller may run now."""
        app = selectors.application_for_user(request.user, pk)
        transitions = application_available_transitions(app, request.user)
        return Response(s.AvailableTransitionSerializer(transitions, many=True).data)

    @extend_schema(request=s.ApplicationTransitionInputSerializer,
                   responses={200: s.ApplicationSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        """Run a transition; extra parameters are passed on to the transition's guards and hooks."""
        app = selectors.application_for_user(request.user, pk)
        params = dict(_valid(s.ApplicationTransitionInputSerializer, request.data))
        name, note = params.pop("name"), params.pop("note")
        app = application_transition(application=app, name=name, actor=request.user, note=note,
                                     ip=_ip(request), **params)
        body = s.ApplicationSerializer(app).data
        warnings = workflow.warnings_after(name, application=app)
        if warnings:
            body["warnings"] = warnings
        return Response(body)


class ApplicationHistoryView(APIView):
    @extend_schema(responses={200: s.HistoryEntrySerializer(many=True), **_errors(401, 404)})
    def get(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        entries = selectors.application_history(app).filter(action__in=HISTORY_ACTIONS)
        return Response(s.HistoryEntrySerializer(entries, many=True).data)

