"""Helpers shared by the judging pages: role checks, 404 for not-yours, flag labels."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from judging import rules
from judging.enums import OUTSTANDING, Stage
from judging.errors import NotFound
from nominations.enums import CycleState
from nominations.enums import Transition as T
from nominations.models import Application, Cycle
from nominations.views.common import role_required

judge_required = role_required(rules.is_judge, gettext_lazy("此页面仅供评审专家使用。"))
secretariat_required = role_required(rules.may_manage_judging, gettext_lazy("此页面仅供评选秘书处使用。"))
ranking_required = role_required(rules.may_view_ranking, gettext_lazy("此页面仅供秘书处和审定委员会使用。"))
panel_required = role_required(lambda u: rules.is_judge(u) or rules.is_secretariat(u),
                               gettext_lazy("此页面仅供评审专家和秘书处使用。"))


def not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


def get_cycle(pk) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)


def application_or_404(pk) -> Application:
    """Any application (the caller has been authorised by role or by a judging selector)."""
    return get_object_or_404(Application.objects.select_related(
        "cycle__programme", "category", "organization", "nominee", "recommending_unit"), pk=pk)


def stages_of(cycle) -> list[tuple[str, str]]:
    stages = [Stage.DOCUMENT]
    if cycle.programme.has_site_stage:
        stages.append(Stage.SITE)
    return [(s.value, s.label) for s in stages]


def stage_param(request, cycle) -> str:
    stage = request.GET.get("stage") or request.POST.get("stage") or Stage.DOCUMENT
    if stage not in dict(stages_of(cycle)):
        raise Http404(_("评审阶段不存在。"))
    return stage


def is_overdue(assignment, now: dt.datetime | None = None) -> bool:
    return bool(assignment.due_at and assignment.state in OUTSTANDING
                and assignment.due_at < (now or timezone.now()))


@dataclass
class Flag:
    css: str
    label: str
    title: str


def readable_flags(flags: list[str]) -> list[Flag]:
    """`spread:4.7.4` → “4.7.4 分歧大”; `outstanding:2` → “2 份未提交”; `no_consensus` → “未合议”."""
    out = []
    for flag in flags:
        kind, _sep, value = flag.partition(":")
        if kind == "spread":
            out.append(Flag("spread", _("%(code)s 分歧大") % {"code": value},
                            _("条款 %(code)s 专家评分相差 30 个百分点以上（超过一个档位）") % {"code": value}))
        elif kind == "outstanding":
            out.append(Flag("outstanding", _("%(n)s 份未提交") % {"n": value},
                            _("尚有 %(n)s 份评分表未提交") % {"n": value}))
        elif kind == "site_adjusted":
            out.append(Flag("site_adjusted", _("现场调整"),
                            _("部分条款未记录合议分，按现场评审报告中的调整后得分率计入合议分")))
        elif kind == "no_consensus":
            out.append(Flag("no_consensus", _("未合议"), _("尚未记录全部条款的合议分，暂按去掉最高最低分后的平均分计")))
        else:
            out.append(Flag("other", flag, flag))
    return out


def item_anchor(code: str) -> str:
    return "item-" + code.replace(".", "-")


# Application transitions the secretariat runs from the judging pages.
REVIEW_TRANSITIONS = (T.START_REVIEW, T.SHORTLIST, T.ELIMINATE, T.FINISH_REVIEW)


def judging_cycles():
    """Cycles past their draft, newest first (the hub and the filters)."""
    return (Cycle.objects.exclude(status=CycleState.DRAFT).select_related("programme")
            .order_by("-year", "programme__order", "pk"))
