"""REST API of the intake half (API.md): catalog, organizations, applications, documents,
transitions and history.

Views are thin: parse with a serializer, fetch-and-authorise with one selector
(404 alike for "missing" and "not yours"), call one service, shape the answer.
Domain errors (WorkflowError) become HTTP errors in nominations.api.errors.
"""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from nominations import rules, selectors
from nominations.api import serializers as s
from nominations.enums import CycleState, Transition
from nominations.errors import NotFound
from nominations.api.filters import ApplicationFilter, CycleFilter
from nominations.models import Application, Category, Cycle, Programme, RecommendingUnit
from nominations.services import intake
from nominations.api.common import (
    ApplicationPagination,
    IsSecretariat,
    PublicCatalogView,
    error_responses,
    client_ip,
    reject_unwritable,
    validated,
)
from nominations.services.acts import application_act, cycle_act
from nominations.services.transitions import (
    application_available_transitions,
    cycle_available_transitions,
)

# The history shows the workflow: creation and every transition, oldest first.
HISTORY_ACTIONS = ("create", *Transition.values)


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


@extend_schema(parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, description=gettext_lazy("只列出调用者所属的推荐单位"))])
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

    @extend_schema(responses={200: s.AvailableTransitionSerializer(many=True), **error_responses(401, 403, 404)})
    def get(self, request, pk: int):
        cycle = _cycle_or_404(pk)
        return Response(s.AvailableTransitionSerializer(cycle_available_transitions(cycle), many=True).data)

    @extend_schema(request=s.CycleTransitionInputSerializer,
                   responses={200: s.CycleSerializer, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        cycle = _cycle_or_404(pk)
        serializer = s.CycleTransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cycle = cycle_act(cycle=cycle, name=data["name"], actor=request.user, note=data["note"],
                          ip=client_ip(request), announcement=data["announcement"],
                          notice=serializer.notice_input(data))
        return Response(s.CycleSerializer(cycles_with_catalog().get(pk=cycle.pk)).data)


# -- organizations ----------------------------------------------------------------------
class OrganizationListView(generics.GenericAPIView):
    """The caller's organizations (the secretariat sees all); registering a new one."""

    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return selectors.organizations_for_user(self.request.user).order_by("name", "id")

    @extend_schema(responses={200: s.OrganizationSerializer(many=True), **error_responses(401)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.OrganizationSerializer(page, many=True).data)

    @extend_schema(request=s.OrganizationCreateSerializer,
                   responses={201: s.OrganizationSerializer, **error_responses(400, 401)})
    def post(self, request):
        data = dict(validated(s.OrganizationCreateSerializer, request.data))
        org = intake.organization_create(
            actor=request.user, name=data.pop("name"), uscc=data.pop("uscc"),
            override_reason=data.pop("uscc_override_reason", ""), ip=client_ip(request), **data)
        return Response(s.OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganizationDetailView(APIView):
    @extend_schema(responses={200: s.OrganizationSerializer, **error_responses(401, 404)})
    def get(self, request, pk: int):
        return Response(s.OrganizationSerializer(selectors.organization_for_user(request.user, pk)).data)

    @extend_schema(request=s.OrganizationUpdateSerializer,
                   responses={200: s.OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def patch(self, request, pk: int):
        org = selectors.organization_for_user(request.user, pk)
        serializer = s.OrganizationUpdateSerializer(data=request.data, partial=True)
        reject_unwritable(request.data, serializer)
        serializer.is_valid(raise_exception=True)
        org = intake.organization_update(organization=org, actor=request.user, ip=client_ip(request),
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

    @extend_schema(responses={200: s.ApplicationSummarySerializer(many=True), **error_responses(400, 401)})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ApplicationSummarySerializer(page, many=True).data)

    @extend_schema(request=s.ApplicationCreateSerializer,
                   responses={201: s.ApplicationSerializer, **error_responses(400, 401, 403, 409)})
    def post(self, request):
        data = validated(s.ApplicationCreateSerializer, request.data, context={"request": request})
        nominee = data.get("nominee")
        app = intake.application_create(
            actor=request.user, category=data["category"], organization=data["organization"],
            title=data["title"], recommending_unit=data.get("recommending_unit"),
            nominee=dict(nominee) if nominee is not None else None, answers=data.get("answers"),
            commitment=data.get("commitment", False), ip=client_ip(request))
        return Response(s.ApplicationSerializer(app).data, status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(responses={200: s.ApplicationSerializer, **error_responses(401, 404)})
    def get(self, request, pk: int):
        return Response(s.ApplicationSerializer(selectors.application_for_user(request.user, pk)).data)

    @extend_schema(request=s.ApplicationUpdateSerializer,
                   responses={200: s.ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)})
    def patch(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        serializer = s.ApplicationUpdateSerializer(data=request.data, partial=True)
        reject_unwritable(request.data, serializer)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "nominee" in fields:
            fields["nominee"] = dict(fields["nominee"])
        app = intake.application_update(application=app, actor=request.user, ip=client_ip(request), **fields)
        return Response(s.ApplicationSerializer(selectors.application_for_user(request.user, app.pk)).data)


class ApplicationDocumentsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.DocumentUploadSerializer,
                   responses={201: s.DocumentSerializer, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        data = validated(s.DocumentUploadSerializer, request.data)
        doc = intake.document_upload(application=app, actor=request.user, kind=data["kind"],
                                     uploaded=data["file"], ip=client_ip(request))
        return Response(s.DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


def _document_or_404(application: Application, doc_id: int):
    doc = application.documents.filter(pk=doc_id).first()
    if doc is None:
        raise NotFound(_("材料不存在。"))
    doc.application = application
    return doc


class ApplicationDocumentDetailView(APIView):
    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 409)})
    def delete(self, request, pk: int, doc_id: int):
        app = selectors.application_for_user(request.user, pk)
        intake.document_delete(document=_document_or_404(app, doc_id), actor=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationDocumentDownloadView(APIView):
    """The stored file, as an attachment, to whoever may see the application
    (including judges given access by judging)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,  # the stored file's own type
                              (200, "application/octet-stream"): OpenApiTypes.BINARY, **error_responses(401, 404)})
    def get(self, request, pk: int, doc_id: int):
        doc = _document_or_404(selectors.application_for_user(request.user, pk), doc_id)
        intake.document_download_record(document=doc, actor=request.user, ip=client_ip(request))
        return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name,
                            content_type=doc.content_type or "application/octet-stream")


class ApplicationTransitionsView(APIView):
    @extend_schema(responses={200: s.AvailableTransitionSerializer(many=True), **error_responses(401, 404)})
    def get(self, request, pk: int):
        """The transitions the caller may run now."""
        app = selectors.application_for_user(request.user, pk)
        transitions = application_available_transitions(app, request.user)
        return Response(s.AvailableTransitionSerializer(transitions, many=True).data)

    @extend_schema(request=s.ApplicationTransitionInputSerializer,
                   responses={200: s.ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        """Run a transition through the service that owns the act (nominations.services.acts)."""
        app = selectors.application_for_user(request.user, pk)
        serializer = self.input_serializer(request)(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = self.perform(request, app, serializer)
        return Response(body)

    def input_serializer(self, request):
        return s.ApplicationTransitionInputSerializer

    def perform(self, request, app, serializer) -> dict:
        data = serializer.validated_data
        app = application_act(application=app, name=data["name"], actor=request.user, note=data["note"],
                              ip=client_ip(request), deadline=data["deadline"],
                              override_reason=data["override_reason"], announcement=data["announcement"],
                              notice=serializer.notice_input(data))
        return s.ApplicationSerializer(app).data


class ApplicationHistoryView(APIView):
    @extend_schema(responses={200: s.HistoryEntrySerializer(many=True), **error_responses(401, 404)})
    def get(self, request, pk: int):
        app = selectors.application_for_user(request.user, pk)
        entries = selectors.application_history(app).filter(action__in=HISTORY_ACTIONS)
        return Response(s.HistoryEntrySerializer(entries, many=True).data)

