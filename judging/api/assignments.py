"""Judging API (API.md, Judging). Thin views: parse with a serializer, fetch-and-authorise
with one selector, call one service, shape the answer. Domain errors become HTTP errors
in nominations.api.errors: 400 validation / conditions, 403 wrong role, 404 not yours,
409 state."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from judging import rules, selectors, services
from judging.api import serializers as s
from judging.api.scoresheet_json import scoresheet_data
from judging.enums import Stage
from judging.errors import JudgingError, NotFound, NotPermitted
from judging.export import cycle_export_xlsx
from judging.models import Assignment, Conflict, SiteVisitReport
from judging.selectors.ranking import EVALUATED_STATES, attach_recused
from nominations.api.common import client_ip, error_responses, validated
from nominations.api.parsers import StrictJSONParser
from nominations.models import Application, Category, Cycle, Organization
from nominations.selectors.applications import application_for_user


def _require(check: bool, message: str) -> None:
    if not check:
        raise NotPermitted(message)


def _cycle(pk) -> Cycle:
    cycle = Cycle.objects.select_related("programme").filter(pk=pk).first()
    if cycle is None:
        raise NotFound(_("评选周期不存在。"))
    return cycle


def _user(pk, field: str = "judge"):
    user = get_user_model().objects.filter(pk=pk).first() if pk is not None else None
    if user is None:
        msg = _("专家不存在。")
        raise JudgingError(msg, code="invalid", field_errors={field: [msg]})
    return user


def _assignment_for(user, pk, *, scoring: bool = False):
    """The caller's own assignment, or any assignment for the secretariat; 404 otherwise."""
    if rules.is_secretariat(user):
        try:
            return selectors.assignment_for_judge(user, pk, scoring=scoring)
        except NotFound:
            return selectors.assignment_for_secretariat(user, pk)
    return selectors.assignment_for_judge(user, pk, scoring=scoring)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# -- assignments ---------------------------------------------------------------------------
class AssignmentListView(generics.GenericAPIView):
    queryset = Assignment.objects.none()
    pagination_class = Pagination
    serializer_class = s.AssignmentSerializer

    @extend_schema(parameters=[OpenApiParameter(n, str, required=False)
                               for n in ("cycle", "application", "stage", "state", "judge")],
                   responses={200: s.AssignmentSerializer(many=True), **error_responses(403)})
    def get(self, request):
        """Judge: own assignments (every state). Secretariat: all, with filters."""
        user = request.user
        if rules.is_secretariat(user):
            q = request.query_params
            qs = selectors.assignments_list(
                cycle=_int_or_none(q.get("cycle")), application=_int_or_none(q.get("application")),
                stage=q.get("stage") or None, state=q.get("state") or None, judge=_int_or_none(q.get("judge")))
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(s.AssignmentAdminSerializer(page, many=True).data)
        _require(rules.is_judge(user), _("只有评审专家可以查看评审任务。"))
        page = self.paginate_queryset(selectors.assignments_for_judge(user))
        page = selectors.with_conflicts(page)
        return self.get_paginated_response(s.AssignmentSerializer(page, many=True).data)

    @extend_schema(request=s.AssignmentCreateSerializer,
                   responses={201: s.AssignmentAdminSerializer, **error_responses(400, 403, 409)})
    def post(self, request):
        """Secretariat: assign a judge. A known conflict or a duplicate → 400."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以分配评审任务。"))
        data = validated(s.AssignmentCreateSerializer, request.data)
        app = Application.objects.filter(pk=data["application"]).first()
        if app is None:
            raise JudgingError(_("申报不存在。"), code="invalid", field_errors={"application": [_("申报不存在。")]})
        assignment = services.assignment_create(
            application=app, judge=_user(data["judge"]), stage=data["stage"], actor=request.user,
            due_at=data.get("due_at"), is_leader=data.get("is_leader", False), ip=client_ip(request))
        assignment = selectors.assignment_for_secretariat(request.user, assignment.pk)
        return Response(s.AssignmentAdminSerializer(assignment).data, status=status.HTTP_201_CREATED)


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise JudgingError(_("筛选参数应为数字。"), code="invalid") from None


class AssignmentDetailView(APIView):
    @extend_schema(responses={200: s.AssignmentSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        assignment = _assignment_for(request.user, pk)
        return Response(s.AssignmentSerializer(selectors.with_conflicts([assignment])[0]).data)


class _AssignmentActionView(APIView):
    input_serializer = None

    def respond(self, assignment) -> Response:
        return Response(s.AssignmentSerializer(selectors.with_conflicts([assignment])[0]).data)


class AssignmentAcceptView(_AssignmentActionView):
    @extend_schema(request=None, responses={200: s.AssignmentSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        """The judge accepts and confirms there is no conflict of interest."""
        assignment = selectors.assignment_for_judge(request.user, pk)
        return self.respond(services.assignment_accept(assignment=assignment, actor=request.user, ip=client_ip(request)))


class AssignmentDeclineView(_AssignmentActionView):
    @extend_schema(request=s.ReasonSerializer, responses={200: s.AssignmentSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        """Decline with a reason: records a declared conflict; the judge loses access."""
        assignment = _assignment_for(request.user, pk)
        data = validated(s.ReasonSerializer, request.data)
        return self.respond(services.assignment_decline(assignment=assignment, actor=request.user,
                                                        reason=data["reason"], ip=client_ip(request)))


class AssignmentSubmitView(_AssignmentActionView):
    @extend_schema(request=None, responses={200: s.AssignmentSerializer, **error_responses(400, 404, 409)})
    def post(self, request, pk: int):
        """Submit the sheet (locks it). Any item unscored → 400 {"missing": [...]}."""
        assignment = selectors.assignment_for_judge(request.user, pk, scoring=True)
        return self.respond(services.scoresheet_submit(assignment=assignment, actor=request.user, ip=client_ip(request)))


class AssignmentReopenView(_AssignmentActionView):
    @extend_schema(request=s.RequiredReasonSerializer,
                   responses={200: s.AssignmentSerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        """Secretariat: return a submitted sheet to its judge, with a reason."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以退回评分表。"))
        assignment = selectors.assignment_for_secretariat(request.user, pk)
        data = validated(s.ReasonSerializer, request.data)
        return self.respond(services.assignment_reopen(assignment=assignment, actor=request.user,
                                                       reason=data["reason"], ip=client_ip(request)))


class ScoresheetView(APIView):
    @extend_schema(responses={200: s.ScoresheetSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        """Own sheet (judge, not declined, no conflict) or any sheet (secretariat)."""
        assignment = _assignment_for(request.user, pk, scoring=True)
        return Response(scoresheet_data(selectors.scoresheet_get(assignment)))

    @extend_schema(request=s.ScoresheetInputSerializer,
                   responses={200: s.ScoresheetSerializer, **error_responses(400, 404, 409)})
    def put(self, request, pk: int):
        """Partial save (autosave). Bad items → 400 listing them, nothing saved; after submit → 409."""
        data = request.data
        if not (isinstance(data, dict) and isinstance(data.get("items"), list)):  # what the serializer asks
            data = validated(s.ScoresheetInputSerializer, data)  # → 400 naming the problem
        sheet = services.scoresheet_save(assignment=pk, items=data["items"], actor=request.user)  # authorises
        return Response(scoresheet_data(sheet))  # = ScoresheetSerializer(sheet).data, built directly


# -- judges ------------------------------------------------------------------------------------
class JudgeListView(generics.GenericAPIView):
    queryset = get_user_model().objects.none()
    pagination_class = Pagination
    serializer_class = s.JudgeSerializer
    # JSON only: a form body would turn "expertise={}" into the list ["{}"] (issue 8)
    parser_classes = [StrictJSONParser]

    @extend_schema(parameters=[OpenApiParameter("active", bool, required=False),
                               OpenApiParameter("cycle", int, required=False)],
                   responses={200: s.JudgeSerializer(many=True), **error_responses(403)})
    def get(self, request):
        """Secretariat: the judge pool with each judge's current load."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以查看专家库。"))
        q = request.query_params
        qs = selectors.judges_list(active_only=q.get("active") in ("1", "true"), cycle=_int_or_none(q.get("cycle")))
        return self.get_paginated_response(s.JudgeSerializer(self.paginate_queryset(qs), many=True).data)

    @extend_schema(request=s.JudgeCreateSerializer, responses={201: s.JudgeSerializer, **error_responses(400, 403)})
    def post(self, request):
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以管理专家库。"))
        data = dict(validated(s.JudgeCreateSerializer, request.data))
        user = services.judge_create(actor=request.user, ip=client_ip(request), **data)
        return Response(s.JudgeSerializer(selectors.judge_for_secretariat(user.pk)).data,
                        status=status.HTTP_201_CREATED)


class JudgeImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.JudgeImportSerializer, responses={200: s.ImportResultSerializer, **error_responses(400, 403)})
    def post(self, request):
        """Import judges from CSV or XLSX: all rows valid, or nothing imported (400 lists row errors)."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以导入专家。"))
        data = validated(s.JudgeImportSerializer, request.data)
        result = services.judges_import(file=data["file"], actor=request.user, filename=data["file"].name,
                                        ip=client_ip(request))
        return Response(s.ImportResultSerializer(result).data)


# -- cycle-wide: auto-assign, ranking, leniency, export ------------------------------------------
class AutoAssignView(APIView):
    @extend_schema(request=s.AutoAssignInputSerializer,
                   responses={200: s.AutoAssignResultSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        """Conflict-free, load-balanced, deterministic for a seed → {"created", "unfilled"}."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以自动分配评审任务。"))
        cycle = _cycle(pk)
        data = validated(s.AutoAssignInputSerializer, request.data)
        result = services.assignments_auto_assign(
            cycle=cycle, stage=data["stage"], judges_per_application=data["judges_per_application"],
            actor=request.user, seed=data.get("seed"), due_at=data.get("due_at"), ip=client_ip(request))
        return Response(s.AutoAssignResultSerializer(result).data)


def _category_and_stage(request, cycle) -> tuple[Category, str]:
    q = request.query_params
    category = cycle.categories.filter(pk=_int_or_none(q.get("category"))).first() if q.get("category") else None
    if category is None:
        msg = _("请指定本周期的申报类别（category）。")
        raise JudgingError(msg, code="invalid", field_errors={"category": [msg]})
    stage = q.get("stage") or Stage.DOCUMENT
    if stage not in Stage.values:
        msg = _("评审阶段应为 document 或 site。")
        raise JudgingError(msg, code="invalid", field_errors={"stage": [msg]})
    return category, stage


class RankingView(APIView):
    @extend_schema(parameters=[OpenApiParameter("category", int, required=True),
                               OpenApiParameter("stage", str, required=False, enum=Stage.values)],
                   responses={200: s.RankingRowSerializer(many=True), **error_responses(400, 403, 404)})
    def get(self, request, pk: int):
        """Secretariat and committee. Best first, ties share a rank. The committee sees the
        evaluated applications only; rows list the committee members to be recused."""
        _require(rules.may_view_ranking(request.user), _("只有秘书处和审定委员会可以查看排名。"))
        cycle = _cycle(pk)
        category, stage = _category_and_stage(request, cycle)
        states = None if rules.is_secretariat(request.user) else EVALUATED_STATES
        rows = attach_recused(selectors.ranking(cycle=cycle, category=category, stage=stage, states=states))
        return Response(s.RankingRowSerializer(rows, many=True).data)


class LeniencyView(APIView):
    @extend_schema(parameters=[OpenApiParameter("category", int, required=True),
                               OpenApiParameter("stage", str, required=False, enum=Stage.values)],
                   responses={200: s.LeniencySerializer(many=True), **error_responses(400, 403, 404)})
    def get(self, request, pk: int):
        """Secretariat: each judge's mean deviation from co-judges (positive = lenient)."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以查看专家宽严度。"))
        cycle = _cycle(pk)
        category, stage = _category_and_stage(request, cycle)
        return Response(s.LeniencySerializer(
            selectors.judge_leniency(cycle=cycle, category=category, stage=stage), many=True).data)


class ExportView(APIView):
    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY, **error_responses(403, 404)})
    def get(self, request, pk: int):
        """Secretariat: the ranking and every item score and comment (one sheet per stage)."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以导出评分。"))
        cycle = _cycle(pk)
        data = cycle_export_xlsx(cycle=cycle)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-scores.xlsx"'
        return response


# -- per application: consensus, site report, decision --------------------------------------------
def _application(pk) -> Application:
    app = Application.objects.select_related("cycle__programme", "category", "organization").filter(pk=pk).first()
    if app is None:
        raise NotFound(_("申报不存在。"))
    return app


class ConsensusView(APIView):
    @extend_schema(parameters=[OpenApiParameter("stage", str, required=False, enum=Stage.values)],
                   responses={200: s.ConsensusBookSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        """Independent scores side by side and the agreed scores with their history — for the
        panel once every sheet is in (and for the secretariat)."""
        app = _application(pk)
        stage = request.query_params.get("stage") or Stage.DOCUMENT
        if stage not in Stage.values:
            raise JudgingError(_("评审阶段应为 document 或 site。"), code="invalid")
        book = selectors.consensus_book(application=app, stage=stage, user=request.user)
        return Response(s.ConsensusBookSerializer(book).data)

    @extend_schema(request=s.ConsensusInputSerializer,
                   responses={200: s.ConsensusBookSerializer, **error_responses(400, 403, 404, 409)})
    def put(self, request, pk: int):
        """Panel leader or secretariat: {"stage", "items": [{"criterion", "percent", "comment", "reason"}]}."""
        app = _application(pk)
        data = validated(s.ConsensusInputSerializer, request.data)
        book = services.consensus_save(application=app, stage=data["stage"], items=data["items"],
                                       actor=request.user, ip=client_ip(request))
        return Response(s.ConsensusBookSerializer(book).data)


class SiteReportView(APIView):
    def _visible(self, request, pk) -> Application:
        app = application_for_user(request.user, pk)
        if not rules.is_secretariat(request.user):
            if not Assignment.objects.filter(application=app, stage=Stage.SITE, judge=request.user).exclude(
                    state="declined").exists():
                raise NotFound(_("申报不存在或您无权查看。"))
        return app

    @extend_schema(responses={200: s.SiteReportSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        app = self._visible(request, pk)
        report = SiteVisitReport.objects.select_related("leader").filter(application=app).first()
        if report is None:
            raise NotFound(_("尚未提交现场评审报告。"))
        return Response(s.SiteReportSerializer(report).data)

    @extend_schema(request=s.SiteReportInputSerializer,
                   responses={200: s.SiteReportSerializer, **error_responses(400, 403, 404, 409)})
    def put(self, request, pk: int):
        """Site panel leader or secretariat: {"summary", "recommendation", "findings"?, "visited_on"?}."""
        app = _application(pk)
        data = validated(s.SiteReportInputSerializer, request.data)
        report = services.site_report_save(application=app, actor=request.user, ip=client_ip(request), **data)
        return Response(s.SiteReportSerializer(report).data)


class DecisionView(APIView):
    @extend_schema(request=s.DecisionInputSerializer, responses={200: OpenApiTypes.OBJECT, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        """Secretariat records the committee's decision (approve / decline transition with the
        vote). Over quota, the decision still stands and `warnings` says so."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以记录审定结果。"))
        app = application_for_user(request.user, pk)
        data = validated(s.DecisionInputSerializer, request.data)
        result = services.committee_decision_record(
            application=app, outcome=data["outcome"], decided_on=data.get("decided_on"),
            votes_for=data.get("votes_for"), votes_against=data.get("votes_against"),
            votes_abstain=data.get("votes_abstain"), minute=data.get("minute", ""), recused=data.get("recused", []),
            actor=request.user, ip=client_ip(request))
        app = result.application
        return Response({"application": {"id": app.pk, "reference": app.reference, "state": app.state,
                                         "state_label": app.get_state_display()},
                         "decision": s.DecisionSerializer(result.decision).data, "warnings": result.warnings})


# -- conflicts ----------------------------------------------------------------------------------------
class ConflictListView(generics.GenericAPIView):
    queryset = Conflict.objects.none()
    pagination_class = Pagination
    serializer_class = s.ConflictSerializer

    @extend_schema(parameters=[OpenApiParameter(n, str, required=False)
                               for n in ("judge", "organization", "cycle", "status")],
                   responses={200: s.ConflictSerializer(many=True), **error_responses(403)})
    def get(self, request):
        """Secretariat: the conflicts board (filters). Judge: own records."""
        user = request.user
        q = request.query_params
        if rules.is_secretariat(user):
            qs = selectors.conflicts_list(judge=_int_or_none(q.get("judge")),
                                          organization=_int_or_none(q.get("organization")),
                                          cycle=_int_or_none(q.get("cycle")), status=q.get("status") or None)
        else:
            _require(rules.is_judge(user) or rules.is_committee(user), _("无权查看回避记录。"))
            qs = selectors.conflicts_list(judge=user)
        return self.get_paginated_response(s.ConflictSerializer(self.paginate_queryset(qs), many=True).data)

    @extend_schema(request=s.ConflictCreateSerializer, responses={201: s.ConflictSerializer, **error_responses(400, 403, 404)})
    def post(self, request):
        """Secretariat (with "judge"): record a pinned conflict. Judge: declare one's own."""
        user = request.user
        data = validated(s.ConflictCreateSerializer, request.data)
        if data.get("application"):
            if rules.is_secretariat(user):
                organization = _application(data["application"]).organization
            else:
                organization = application_for_user(user, data["application"]).organization if \
                    _has_assignment(user, data["application"]) else None
                if organization is None:
                    raise NotFound(_("申报不存在或您无权查看。"))
        else:
            organization = Organization.objects.filter(pk=data["organization"]).first()
            if organization is None:
                raise NotFound(_("申报单位不存在。"))
        if rules.is_secretariat(user) and data.get("judge") and data["judge"] != user.pk:
            conflict = services.conflict_add(judge=_user(data["judge"]), organization=organization, actor=user,
                                             reason=data["reason"], pinned=data.get("pinned", True), ip=client_ip(request))
        else:
            _require(rules.is_judge(user) or rules.is_committee(user), _("只有评审专家或审定委员可以声明回避。"))
            conflict = services.conflict_declare(judge=user, organization=organization, actor=user,
                                                 reason=data["reason"], ip=client_ip(request))
        return Response(s.ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)


def _has_assignment(user, application_id) -> bool:
    return Assignment.objects.filter(judge=user, application_id=application_id).exists()


def _conflict(pk) -> Conflict:
    conflict = Conflict.objects.select_related("judge", "organization").filter(pk=pk).first()
    if conflict is None:
        raise NotFound(_("回避记录不存在。"))
    return conflict


class ConflictDismissView(APIView):
    @extend_schema(request=s.RequiredReasonSerializer, responses={200: s.ConflictSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        """Secretariat: dismiss (a dismissed detection stays dismissed)."""
        _require(rules.may_manage_judging(request.user), _("只有秘书处可以排除利益冲突。"))
        data = validated(s.ReasonSerializer, request.data)
        conflict = services.conflict_dismiss(conflict=_conflict(pk), actor=request.user, reason=data["reason"],
                                             ip=client_ip(request))
        return Response(s.ConflictSerializer(conflict).data)


class ConflictWithdrawView(APIView):
    @extend_schema(request=None, responses={204: None, **error_responses(403, 404)})
    def post(self, request, pk: int):
        """The judge withdraws a conflict they declared (not a pinned one)."""
        conflict = Conflict.objects.filter(pk=pk, judge=request.user).first()
        if conflict is None:
            raise NotFound(_("回避记录不存在。"))
        services.conflict_withdraw(conflict=conflict, actor=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
