"""What an irreversible act will do, and to whom, computed from the data (issue 11 §5).

The confirmation pages show these before the act runs: closing a cycle (截止申报) and its other
transitions, publishing (one application or a whole cycle), revoking an award, an objection's
outcome. The acts themselves (services/transitions.py, publication.py, objections.py) refuse
what contradicts the data, whatever the entry point; `refusals` here repeats their checks so
that the page can say so before anyone presses the button. Reads only: nothing is written.
(The committee decision's consequences live with its act in judging/services/committee.py.)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import pgettext

from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.models import OBJECTION_OPEN, Application, Cycle, Objection, ObjectionState, Publication

NAMES_SHOWN = 5


@dataclass
class Consequences:
    """`items`: what will happen, one sentence each; `refusals`: why the act would be refused
    now; `reason_required`: the act needs a written reason (the act refuses without one)."""

    items: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    reason_required: bool = False
    reason_hint: str = ""
    irreversible: bool = True


def _names(names: list[str]) -> str:
    shown = pgettext("list separator", "、").join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += _("等 %(n)d 家") % {"n": len(names)}
    return shown


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# -- cycle: 截止申报 and the other simple transitions ---------------------------------------------
def early_close_problems(cycle: Cycle, *, now: dt.datetime, note: str) -> list[str]:
    """Closing before the announced deadline while applications returned for correction are
    still within their amendment deadline cuts short what they were promised: the act
    (`cycle_transition_run`) refuses it without a written reason. (Closing on time, or early
    with no such application, needs none; the confirmation page still shows what it cuts.)"""
    if cycle.closes_at <= now or (note or "").strip():
        return []
    returned = _returned_in_time(cycle, now)
    if not returned:
        return []
    return [
        _("申报截止时间为 %(at)s，提前截止须填写理由：尚有 %(n)d 项待补正的申报在补正期限内（%(names)s）。") % {
            "at": _local(cycle.closes_at), "n": len(returned), "names": _names([a.display_name for a in returned])},
    ]


def _returned_in_time(cycle: Cycle, now: dt.datetime) -> list[Application]:
    return [a for a in cycle.applications.filter(state=S.RETURNED).select_related("organization", "nominee")
            .order_by("amendment_deadline", "id")
            if a.amendment_deadline is None or a.amendment_deadline > now]


def cycle_transition_consequences(cycle: Cycle, name: str, *, now: dt.datetime | None = None) -> Consequences:
    now = now or timezone.now()
    result = Consequences()
    if name == "close":
        early = cycle.closes_at > now
        if early:
            days = (cycle.closes_at - now).days
            result.items.append(_("将立即关闭申报，比原定截止时间 %(at)s 提前约 %(days)d 天。") % {
                "at": _local(cycle.closes_at), "days": max(days, 0)})
            result.reason_required = bool(_returned_in_time(cycle, now))
            result.reason_hint = (_("尚有待补正的申报在补正期限内，提前截止须填写理由；理由记入审计记录。")
                                  if result.reason_required else _("建议填写提前截止的理由，理由记入审计记录。"))
        else:
            result.items.append(_("将关闭申报（原定截止时间 %(at)s 已到）。") % {"at": _local(cycle.closes_at)})
        drafts = list(cycle.applications.filter(state=S.DRAFT).select_related("organization")
                      .order_by("id").values_list("organization__name", flat=True))
        if drafts:
            result.items.append(ngettext(
                "%(n)d 份未提交的草稿将无法再提交（%(names)s）。",
                "%(n)d 份未提交的草稿将无法再提交（%(names)s）。", len(drafts)) % {
                    "n": len(drafts), "names": _names(drafts)})
        returned = _returned_in_time(cycle, now)
        if returned:
            latest = max((a.amendment_deadline for a in returned if a.amendment_deadline), default=None)
            result.items.append(ngettext(
                "%(n)d 项待补正的申报（%(names)s）仍可在各自的补正期限内重新提交%(latest)s。",
                "%(n)d 项待补正的申报（%(names)s）仍可在各自的补正期限内重新提交%(latest)s。", len(returned)) % {
                    "n": len(returned), "names": _names([a.display_name for a in returned]),
                    "latest": (_("，最晚 %(at)s") % {"at": _local(latest)}) if latest else ""})
        waiting = cycle.applications.filter(state__in=[S.SUBMITTED, S.ENDORSED]).count()
        if waiting:
            result.items.append(ngettext("%(n)d 项已提交的申报等待推荐或形式审查，不受影响。",
                                         "%(n)d 项已提交的申报等待推荐或形式审查，不受影响。", waiting) % {"n": waiting})
        result.items.append(_("不能重新开放申报。"))
    elif name == "open":
        result.items.append(_("申报单位即可提交申报，截止时间 %(at)s。") % {"at": _local(cycle.closes_at)})
        result.items.append(_("开放后申报类别、问题和材料要求不能再修改。"))
    elif name == "start_judging":
        accepted = cycle.applications.filter(state=S.ACCEPTED).count()
        result.items.append(ngettext("%(n)d 项已受理的申报进入评审。", "%(n)d 项已受理的申报进入评审。", accepted)
                            % {"n": accepted})
        waiting = cycle.applications.filter(state__in=[S.SUBMITTED, S.ENDORSED, S.RETURNED]).count()
        if waiting:
            result.items.append(ngettext("%(n)d 项申报尚未完成形式审查或补正。", "%(n)d 项申报尚未完成形式审查或补正。",
                                         waiting) % {"n": waiting})
    elif name == "start_deliberation":
        evaluated = cycle.applications.filter(state=S.EVALUATED).count()
        result.items.append(ngettext("%(n)d 项评审完成的申报提交审定委员会审定。",
                                     "%(n)d 项评审完成的申报提交审定委员会审定。", evaluated) % {"n": evaluated})
    elif name == "archive":
        result.items.append(_("本周期归档，不再办理任何事项。"))
    return result


# -- publish ------------------------------------------------------------------------------------
def cycle_publish_consequences(cycle: Cycle) -> Consequences:
    result = Consequences()
    awarded = list(cycle.applications.filter(state=S.AWARDED).select_related("organization", "nominee")
                   .order_by("reference", "id"))
    pending = list(cycle.applications.filter(state=S.PUBLIC_NOTICE).values_list("reference", flat=True))
    not_awarded = cycle.applications.filter(state__in=[S.NOT_AWARDED, S.ELIMINATED]).count()
    if cycle.status != CycleState.NOTICE:
        result.refusals.append(_("评选周期当前为“%(state)s”，只有公示阶段的周期才能发布结果。")
                               % {"state": cycle.get_status_display()})
    if pending:
        result.refusals.append(_("仍有申报处于公示中，未确认：%(refs)s。") % {"refs": pgettext("list separator", "、").join(pending)})
    if not awarded:
        result.refusals.append(_("本周期没有公示通过的申报，无可发布的结果。"))
    if awarded:
        result.items.append(ngettext(
            "%(n)d 项公示通过的申报将公开列入获奖名单：%(names)s。",
            "%(n)d 项公示通过的申报将公开列入获奖名单：%(names)s。", len(awarded)) % {
                "n": len(awarded), "names": _names([a.display_name for a in awarded])})
        result.items.append(ngettext("将签发 %(n)d 份荣誉证书，证书在后台生成，本页显示进度。",
                                     "将签发 %(n)d 份荣誉证书，证书在后台生成，本页显示进度。", len(awarded))
                            % {"n": len(awarded)})
        result.items.append(_("获奖的申报单位可在“评选结果”页面下载证书。"))
    if not_awarded:
        result.items.append(ngettext("%(n)d 家未获奖的申报单位将收到结果通知邮件。",
                                     "%(n)d 家未获奖的申报单位将收到结果通知邮件。", not_awarded) % {"n": not_awarded})
    result.items.append(_("结果公告公开后不能撤回；个别奖项只能逐项撤销。"))
    return result


def application_publish_consequences(app: Application) -> Consequences:
    result = Consequences()
    if app.state != S.AWARDED:
        result.refusals.append(_("该申报当前为“%(state)s”，只有公示通过的申报才能发布。")
                               % {"state": app.get_state_display()})
    has_main = Publication.objects.filter(cycle=app.cycle, kind=Publication.Kind.MAIN).exists()
    result.items.append(_("“%(name)s”将公开列入获奖名单，并签发荣誉证书。") % {"name": app.display_name})
    result.items.append(_("本周期已有结果公告，本次以补充公告公布。") if has_main
                        else _("本周期尚无结果公告，须填写公告内容，以本次公告发布。"))
    result.items.append(_("申报单位“%(org)s”将收到获奖通知邮件，可下载证书。") % {"org": app.organization.name})
    result.items.append(_("发布后不能撤回，只能撤销奖项。"))
    return result


def application_revoke_consequences(app: Application) -> Consequences:
    result = Consequences(reason_required=True, reason_hint=_("撤销理由将显示在证书查验页面上。"))
    cert = getattr(app, "certificate", None)
    if app.state != S.PUBLISHED:
        result.refusals.append(_("该申报当前为“%(state)s”，只有已发布的奖项才能撤销。")
                               % {"state": app.get_state_display()})
    if cert is not None:
        result.items.append(_("证书 %(number)s 将失效，证书查验页面显示“已撤销”及撤销理由。")
                            % {"number": cert.number})
    result.items.append(_("“%(name)s”将从公开的获奖名单中移除，不再计为以往获奖。") % {"name": app.display_name})
    result.items.append(_("申报单位“%(org)s”不能再下载证书；系统不自动发送邮件，请另行书面告知。")
                        % {"org": app.organization.name})
    result.items.append(_("撤销后不能恢复。"))
    return result


# -- after the notice: confirm (公示通过) / overturn (公示异议成立) --------------------------------------
def notice_decision_consequences(app: Application, name: str, *, now: dt.datetime | None = None) -> Consequences:
    from nominations.services.publication import confirm_blockers  # local: publication imports this module's peers

    now = now or timezone.now()
    result = Consequences()
    objections = app.objections.count()
    if app.state != S.PUBLIC_NOTICE:
        result.refusals.append(_("该申报当前为“%(state)s”，不在公示中。") % {"state": app.get_state_display()})
    if name == "confirm":
        if app.state == S.PUBLIC_NOTICE:
            result.refusals.extend(confirm_blockers(app, now=now))
        result.items.append((_("确认后，“%(name)s”记为“公示期满，异议已处理”，等待发布结果。") if objections
                             else _("确认后，“%(name)s”记为“公示期满无异议”，等待发布结果。")) % {"name": app.display_name})
        result.items.append(_("发布结果时列入获奖名单并颁发证书，申报单位届时收到通知。"))
        result.items.append(_("确认后不能撤回；如发现问题，只能在发布后撤销奖项。"))
    else:
        if app.state == S.PUBLIC_NOTICE and not app.objections.filter(status=ObjectionState.UPHELD).exists():
            result.refusals.append(_("没有成立的异议，不能撤销其入选资格。"))
        result.items.append(_("“%(name)s”因异议成立不再授奖，状态变为“未获奖”。") % {"name": app.display_name})
        result.items.append(_("申报单位“%(org)s”将收到未获奖的结果通知邮件。") % {"org": app.organization.name})
        result.items.append(_("不能恢复。"))
    return result


# -- objection outcome -----------------------------------------------------------------------------
def objection_outcome_consequences(objection: Objection, outcome: str) -> Consequences:
    """`outcome`: "uphold" or "dismiss"."""
    result = Consequences(reason_required=True, reason_hint=_("书面处理结果将告知异议人。"))
    app = objection.application
    if objection.status == ObjectionState.RECEIVED:
        result.refusals.append(_("请先“开始调查核实”，核实后再作出处理结论。"))
    elif objection.status not in OBJECTION_OPEN:
        result.refusals.append(_("该异议已处理完毕（%(status)s）。") % {"status": objection.get_status_display()})
    if objection.email:
        result.items.append(_("异议人%(name)s将收到邮件（%(email)s），告知处理结论和书面处理结果。")
                            % {"name": objection.name, "email": objection.email})
    else:
        result.items.append(_("异议人%(name)s未留电子邮箱，请按其电话 %(phone)s 告知处理结论。")
                            % {"name": objection.name, "phone": objection.phone or "—"})
    others = (app.objections.filter(status__in=OBJECTION_OPEN).exclude(pk=objection.pk).count())
    if outcome == "uphold":
        result.items.append(_("“%(name)s”不能再确认授奖：须在公示台执行“公示异议成立”，撤销其入选资格，"
                              "申报单位将收到未获奖通知。") % {"name": app.display_name})
    else:
        if others:
            result.items.append(ngettext("该申报还有 %(n)d 件异议未处理，处理完毕后才能确认。",
                                         "该申报还有 %(n)d 件异议未处理，处理完毕后才能确认。", others) % {"n": others})
        else:
            result.items.append(_("“%(name)s”的异议全部处理完毕，公示期满后可确认授奖（公示期满，异议已处理）。")
                                % {"name": app.display_name})
    result.items.append(_("处理结论作出后不能更改。"))
    return result
