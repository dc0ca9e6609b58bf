"""REST API of the feedback reports (评审反馈报告).

- `GET /applications/{id}/feedback.pdf`: the application's applicants once the report is
  released and the cycle's results are published; the secretariat any time; 404 for
  everyone else (401 without credentials, as everywhere in the API).
- Secretariat: `GET /cycles/{id}/feedback/`, `POST /cycles/{id}/feedback/generate/` (202,
  background), `POST /cycles/{id}/feedback/release/`, `GET|PATCH /feedback/{id}/`
  (`{"summary"}`), `POST /feedback/{id}/release/`.

Thin views: selectors fetch, services write; domain errors become HTTP errors in
nominations.api.errors (400 conditions, 403 role, 404 not visible, 409 state).
"""
from __future__ import annotations

import json

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from judging import rules
from judging.api.assignments import Pagination
from judging.errors import NotFound, NotPermitted
from judging.services.feedback_pdf import report_filename
from judging.models.feedback import FeedbackReport, FeedbackStatus
from judging.selectors.feedback import feedback_report_for_user, feedback_report_get
from judging.services.feedback import (
    SUMMARY_LIMIT,
    feedback_generate_cycle,
    feedback_release,
    feedback_release_cycle,
    feedback_update_summary,
)
from nominations.models import Cycle

TAGS = ["feedback"]


def error_responses(*codes: int) -> dict:
    texts = {400: gettext_lazy("输入有误或条件未满足"), 401: gettext_lazy("未登录"), 403: gettext_lazy("无权执行"),
             404: gettext_lazy("不存在或无权查看"), 409: gettext_lazy("当前状态不允许")}
    return {code: OpenApiResponse(description=texts[code]) for code in codes}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _secretariat(request) -> None:
    if not rules.is_secretariat(request.user):
        raise NotPermitted(_("只有秘书处可以管理评审反馈报告。"))


def _cycle(pk) -> Cycle:
    cycle = Cycle.objects.select_related("programme").filter(pk=pk).first()
    if cycle is None:
        raise NotFound(_("评选周期不存在。"))
    return cycle


def _report(pk) -> FeedbackReport:
    report = feedback_report_get(pk)
    if report is None:
        raise NotFound(_("评审反馈报告不存在。"))
    return report


class FeedbackBandSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    band = serializers.CharField()


class FeedbackReportSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField(source="application.reference", allow_null=True)
    name = serializers.CharField(source="application.display_name")
    title = serializers.CharField(source="application.title")
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    bands = FeedbackBandSerializer(many=True)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackReport
        fields = ["id", "application", "reference", "name", "title", "status", "stage", "overall_band", "bands",
                  "summary", "sha256", "size", "generated_at", "released_at", "pdf"]

    def get_pdf(self, report) -> str | None:
        if not report.pdf:
            return None
        return reverse("api-application-feedback-pdf", args=[report.application_id])


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, max_length=SUMMARY_LIMIT, trim_whitespace=True)


class GenerateResultSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    queued = serializers.IntegerField()


class ReleaseResultSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    released = serializers.IntegerField()


class PDFRenderer(BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; errors are still JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


class ApplicationFeedbackPdfView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(operation_id="applications_feedback_pdf", tags=["applications"],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(401, 404)})
    def get(self, request, pk: int):
        """The feedback report PDF: applicants after release and publication, the secretariat any time."""
        report = feedback_report_for_user(request.user, pk)
        if report is None:
            raise NotFound(_("评审反馈报告不存在或尚未发布。"))
        try:
            handle = report.pdf.open("rb")
        except FileNotFoundError:
            raise NotFound(_("报告文件不存在，请联系秘书处。")) from None
        response = FileResponse(handle, as_attachment=True, filename=report_filename(report.application),
                                content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CycleFeedbackListView(generics.GenericAPIView):
    """Paginated like every list (the schema says so because the view names its paginator)."""

    queryset = FeedbackReport.objects.none()
    serializer_class = FeedbackReportSerializer
    pagination_class = Pagination

    @extend_schema(operation_id="cycles_feedback_list", tags=TAGS,
                   responses={200: FeedbackReportSerializer(many=True), **error_responses(403, 404)})
    def get(self, request, pk: int):
        """Secretariat: the cycle's reports (drafts and released)."""
        _secretariat(request)
        cycle = _cycle(pk)
        reports = (FeedbackReport.objects.filter(application__cycle=cycle)
                   .select_related("application__organization", "application__nominee")
                   .order_by("application__reference", "pk"))
        return self.get_paginated_response(FeedbackReportSerializer(self.paginate_queryset(reports), many=True).data)


class CycleFeedbackGenerateView(APIView):
    @extend_schema(operation_id="cycles_feedback_generate", tags=TAGS, request=None,
                   responses={202: GenerateResultSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        """Secretariat: (re)generate every draft of the cycle in the background (released reports stay)."""
        _secretariat(request)
        cycle = _cycle(pk)
        queued = feedback_generate_cycle(cycle=cycle, actor=request.user, ip=client_ip(request))
        return Response({"cycle": cycle.pk, "queued": queued}, status=status.HTTP_202_ACCEPTED)


class CycleFeedbackReleaseView(APIView):
    @extend_schema(operation_id="cycles_feedback_release", tags=TAGS, request=None,
                   responses={200: ReleaseResultSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        """Secretariat: release every generated draft of the cycle."""
        _secretariat(request)
        cycle = _cycle(pk)
        released = feedback_release_cycle(cycle=cycle, actor=request.user, ip=client_ip(request))
        return Response({"cycle": cycle.pk, "released": released})


class FeedbackDetailView(APIView):
    @extend_schema(operation_id="feedback_retrieve", tags=TAGS,
                   responses={200: FeedbackReportSerializer, **error_responses(403, 404)})
    def get(self, request, pk: int):
        _secretariat(request)
        return Response(FeedbackReportSerializer(_report(pk)).data)

    @extend_schema(operation_id="feedback_update_summary", tags=TAGS, request=SummarySerializer,
                   responses={200: FeedbackReportSerializer, **error_responses(400, 403, 404, 409)})
    def patch(self, request, pk: int):
        """Secretariat: set the summary of a draft (the draft is rendered again)."""
        _secretariat(request)
        report = _report(pk)
        serializer = SummarySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = feedback_update_summary(report=report, summary=serializer.validated_data["summary"],
                                         actor=request.user, ip=client_ip(request))
        return Response(FeedbackReportSerializer(feedback_report_get(report.pk)).data)


class FeedbackReleaseView(APIView):
    @extend_schema(operation_id="feedback_release", tags=TAGS, request=None,
                   responses={200: FeedbackReportSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        """Secretariat: release a generated draft (frozen from now on)."""
        _secretariat(request)
        report = feedback_release(report=_report(pk), actor=request.user, ip=client_ip(request))
        return Response(FeedbackReportSerializer(feedback_report_get(report.pk)).data)
