"""`POST /api/v1/applications/{id}/transitions/` with the committee's decision.

nominations' transitions endpoint runs every act nominations owns; approve / decline are
judging's act (they write a CommitteeDecision), so this subclass, mounted at the same path by
judging's URLconf, takes their votes and calls judging.services.committee — the same service
as the decision page and `POST /applications/{id}/decision/`. nominations' serializers know
no judging field."""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from judging.enums import DecisionOutcome
from judging.services.committee import committee_decision_record
from nominations.api import serializers as ns
from nominations.api.applications import ApplicationTransitionsView as BaseTransitionsView
from nominations.api.common import client_ip, error_responses

DECISIONS = frozenset(DecisionOutcome.values)


class DecisionTransitionInputSerializer(ns.ApplicationTransitionInputSerializer):
    votes_for = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=999,
                                         help_text=gettext_lazy("approve/decline：赞成票"))
    votes_against = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                             max_value=999, help_text=gettext_lazy("approve/decline：反对票"))
    votes_abstain = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                             max_value=999, help_text=gettext_lazy("approve/decline：弃权票"))
    decided_on = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text=gettext_lazy("approve/decline：审定会议日期"))
    recused = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False,
                                    default=list,
                                    max_length=200, help_text=gettext_lazy("approve/decline：回避的委员（用户编号）"))


class ApplicationTransitionsView(BaseTransitionsView):
    @extend_schema(request=DecisionTransitionInputSerializer,
                   responses={200: ns.ApplicationSerializer, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, pk: int):
        """Run a transition; approve / decline record the committee's vote (votes and meeting date
        required; the votes must carry the outcome)."""
        return super().post(request, pk)

    def input_serializer(self, request):
        return DecisionTransitionInputSerializer

    def perform(self, request, app, serializer) -> dict:
        data = serializer.validated_data
        if data["name"] not in DECISIONS:
            return super().perform(request, app, serializer)
        result = committee_decision_record(
            application=app, outcome=data["name"], decided_on=data["decided_on"], votes_for=data["votes_for"],
            votes_against=data["votes_against"], votes_abstain=data["votes_abstain"], minute=data["note"],
            recused=data["recused"], actor=request.user, ip=client_ip(request))
        body = ns.ApplicationSerializer(result.application).data
        if result.warnings:
            body["warnings"] = result.warnings
        return body
