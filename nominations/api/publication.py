"""REST API of the public notice, objections, winners, certificate verification and the
certificate PDF (API.md, "Public").

Thin views: serializers shape data, the selectors in selectors_public fetch (public reads
never load identity documents), the services in services.publication write. Domain errors
become HTTP errors in nominations.api.errors.
"""
from __future__ import annotations

import json

from django.db.models import TextChoices
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from nominations import rules
from nominations.selectors import public as selectors_public
from nominations.api.common import IsSecretariat, client_ip, error_responses, validated
from nominations.enums import ProgrammeCode
from nominations.errors import NotFound
from nominations.models import ObjectionState, PublicNotice
from nominations.services.objections import objection_file, objection_investigate, objection_resolve



class CertificateStatus(TextChoices):
    VALID = "valid", gettext_lazy("有效")
    REVOKED = "revoked", gettext_lazy("已撤销")


# -- serializers -------------------------------------------------------------------------
class NoticeEntrySerializer(serializers.Serializer):
    """An entry as it was when the notice opened (frozen: later edits do not change it)."""

    application = serializers.IntegerField(source="application_id")
    name = serializers.CharField(help_text=gettext_lazy("单位名称，或个人姓名（工作单位）"))
    title = serializers.CharField()
    programme = serializers.CharField()
    category = serializers.CharField()


class PublicNoticeSerializer(serializers.ModelSerializer):
    cycle = serializers.CharField(source="cycle.label", help_text=gettext_lazy("评选周期名称，如 2018"))
    cycle_id = serializers.IntegerField()
    programme = serializers.CharField(source="cycle.programme.code")
    is_open = serializers.SerializerMethodField()
    entries = NoticeEntrySerializer(many=True)

    class Meta:
        model = PublicNotice
        fields = ["id", "cycle", "cycle_id", "programme", "starts_at", "ends_at", "days", "working_days", "is_open",
                  "description", "contact", "entries"]

    def get_is_open(self, notice) -> bool:
        return notice.is_open(self.context.get("now"))


class ObjectionInputSerializer(serializers.Serializer):
    """Checked by the service (real name, a contact, content, window): these fields only type-check."""

    application = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    organization = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True, use_url=False,
                                     help_text=gettext_lazy("证据材料（PDF，multipart 上传，可选）"))


class ObjectionReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text=gettext_lazy("受理回执编号，如 26-QGA-7K3MX"))
    notice = serializers.IntegerField(source="notice_id")
    application = serializers.IntegerField(source="application_id")
    received_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ObjectionState.choices)


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receipt = serializers.CharField()
    notice = serializers.IntegerField(source="notice_id")
    application = serializers.IntegerField(source="application_id")
    name = serializers.CharField()
    contact = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    organization = serializers.CharField()
    content = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ObjectionState.choices)
    resolution = serializers.CharField()
    investigation_started_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class ObjectionResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("upheld", gettext_lazy("异议成立")),
                                               ("dismissed", gettext_lazy("异议不成立"))])
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000,
                                       help_text=gettext_lazy("书面处理结果（必填），将以电子邮件告知异议人"))


class WinnerSerializer(serializers.Serializer):
    """A published award as frozen at publication (AwardRecord)."""

    programme = serializers.CharField(source="programme.code")
    cycle = serializers.CharField(source="cycle_label")
    category = serializers.CharField(source="category_name")
    name = serializers.CharField(source="holder_name")
    title = serializers.CharField()
    announcement = serializers.CharField(source="publication.get_kind_display")
    certificate_number = serializers.SerializerMethodField()

    def get_certificate_number(self, award) -> str | None:
        cert = getattr(award.application, "certificate", None) if award.application_id else None
        return cert.number if cert else None


class CertificateVerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    holder = serializers.CharField()
    title = serializers.CharField()
    programme = serializers.CharField(source="application.cycle.programme.code")
    award = serializers.CharField(source="award_name")
    cycle = serializers.CharField(source="cycle_label")
    category = serializers.CharField(source="category_name")
    issuer = serializers.CharField()
    issued_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField()


# -- public notices and objections -------------------------------------------------------
class PublicNoticeListView(APIView):
    """Open and past 公示 with their entries (never personal ID data)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="public_notices_list", responses={200: PublicNoticeSerializer(many=True)},
                   tags=["public"])
    def get(self, request):
        notices = selectors_public.notices_public()
        return Response(PublicNoticeSerializer(notices, many=True).data)


class PublicObjectionCreateView(APIView):
    """A real-name objection during the notice window. Anonymous or late → 400 with the reason."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "objection"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(operation_id="public_notices_objections_create", request={
        "application/json": ObjectionInputSerializer, "multipart/form-data": ObjectionInputSerializer},
        responses={201: ObjectionReceiptSerializer, **error_responses(400, 404),
                   429: OpenApiResponse(description=gettext_lazy("提交过于频繁"))}, tags=["public"])
    def post(self, request, pk: int):
        notice = PublicNotice.objects.filter(pk=pk).first()
        if notice is None:
            raise NotFound(_("公示不存在。"))
        data = validated(ObjectionInputSerializer, request.data)
        objection = objection_file(
            notice=notice, application_id=data.get("application"), name=data["name"], phone=data["phone"],
            email=data["email"], organization=data["organization"], content=data["content"],
            evidence=data.get("evidence"), ip=client_ip(request))
        return Response(ObjectionReceiptSerializer(objection).data, status=status.HTTP_201_CREATED)


# -- the secretariat's objection desk -----------------------------------------------------
class ObjectionListView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="objections_list", parameters=[
        OpenApiParameter("notice", OpenApiTypes.INT, description=gettext_lazy("公示编号")),
        OpenApiParameter("status", OpenApiTypes.STR, enum=ObjectionState.values, description=gettext_lazy("状态"))],
        responses={200: ObjectionSerializer(many=True), **error_responses(400, 401, 403)}, tags=["objections"])
    def get(self, request):
        notice = None
        raw = request.query_params.get("notice")
        if raw:
            if not raw.isdigit():
                raise serializers.ValidationError({"notice": [_("公示编号应为整数。")]})
            notice = PublicNotice.objects.filter(pk=int(raw)).first()
            if notice is None:
                return Response([])
        state = request.query_params.get("status") or None
        if state and state not in ObjectionState.values:
            raise serializers.ValidationError({"status": [_("未知的状态。")]})
        objections = selectors_public.objections_for_desk(notice=notice, status=state)
        return Response(ObjectionSerializer(objections, many=True).data)


class ObjectionResolveView(APIView):
    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="objections_resolve", request=ObjectionResolveSerializer,
                   responses={200: ObjectionSerializer, **error_responses(400, 401, 403, 404, 409)}, tags=["objections"])
    def post(self, request, pk: int):
        objection = selectors_public.objections_for_desk().filter(pk=pk).first()
        if objection is None:
            raise NotFound(_("异议不存在。"))
        data = validated(ObjectionResolveSerializer, request.data)
        objection = objection_resolve(objection=objection, outcome=data["outcome"], actor=request.user,
                                      resolution=data["resolution"], ip=client_ip(request))
        return Response(ObjectionSerializer(objection).data)


class ObjectionInvestigateView(APIView):
    """received → investigating (required before resolving)."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(operation_id="objections_investigate", request=None,
                   responses={200: ObjectionSerializer, **error_responses(401, 403, 404, 409)}, tags=["objections"])
    def post(self, request, pk: int):
        objection = selectors_public.objections_for_desk().filter(pk=pk).first()
        if objection is None:
            raise NotFound(_("异议不存在。"))
        objection = objection_investigate(objection=objection, actor=request.user, ip=client_ip(request))
        return Response(ObjectionSerializer(objection).data)


# -- winners and certificates --------------------------------------------------------------
class PublicWinnersView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="public_winners_list", parameters=[
        OpenApiParameter("programme", OpenApiTypes.STR, enum=ProgrammeCode.values, description=gettext_lazy("奖项代码")),
        OpenApiParameter("cycle", OpenApiTypes.STR, description=gettext_lazy("评选周期名称，如 2018"))],
        responses={200: WinnerSerializer(many=True), **error_responses(400)}, tags=["public"])
    def get(self, request):
        programme = request.query_params.get("programme") or None
        if programme and programme not in ProgrammeCode.values:
            raise serializers.ValidationError({"programme": [_("未知的奖项代码。")]})
        rows = selectors_public.winners(programme=programme, cycle_label=request.query_params.get("cycle") or None)
        return Response(WinnerSerializer(rows, many=True).data)


class PublicCertificateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="public_certificates_retrieve",
                   responses={200: CertificateVerificationSerializer, **error_responses(404)}, tags=["public"])
    def get(self, request, code: str):
        cert = selectors_public.certificate_by_code(code)
        if cert is None:
            raise NotFound(_("未找到该证书。"))
        return Response(CertificateVerificationSerializer(cert).data)


class PublicCertificateByNumberView(APIView):
    """A printed certificate checked by hand: its number and the check code printed under
    the QR code (the first 8 characters of the verification code). A wrong or incomplete
    pair is a 404, like an unknown code; throttled like the other public reads."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="public_certificates_by_number", parameters=[
        OpenApiParameter("number", OpenApiTypes.STR, required=True, description=gettext_lazy("证书编号，如 QGA-2018-001")),
        OpenApiParameter("check", OpenApiTypes.STR, required=True,
                         description=gettext_lazy("查验码：证书二维码下方印的 8 位字符（验证码的前 8 位，不区分大小写）"))],
        responses={200: CertificateVerificationSerializer, **error_responses(404)}, tags=["public"])
    def get(self, request):
        cert = selectors_public.certificate_by_number(request.query_params.get("number", ""),
                                                      request.query_params.get("check", ""))
        if cert is None:
            raise NotFound(_("未找到该证书：请核对证书编号和查验码。"))
        return Response(CertificateVerificationSerializer(cert).data)


class PDFRenderer(BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; errors are still JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


class ApplicationCertificatePdfView(APIView):
    """The certificate PDF, for the application's applicants and the secretariat; 404 for
    everyone else, and while it is still being rendered."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(operation_id="applications_certificate_pdf",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(401, 404)},
                   tags=["applications"])
    def get(self, request, pk: int):
        cert = selectors_public.certificate_for_user(request.user, pk)
        if cert is None:
            raise NotFound(_("证书不存在或您无权下载。"))
        if cert.revoked_at and not rules.is_secretariat(request.user):
            raise NotFound(_("该证书已撤销，不再提供下载。"))
        if not cert.pdf:
            raise NotFound(_("证书正在生成，请稍后再试。"), code="not_rendered")
        try:
            handle = cert.pdf.open("rb")
        except FileNotFoundError:
            raise NotFound(_("证书文件不存在，请联系秘书处。")) from None
        response = FileResponse(handle, as_attachment=True, filename=f"{cert.number}.pdf",
                                content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
