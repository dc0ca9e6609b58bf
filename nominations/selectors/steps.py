"""The process stepper of an application: 申报 → 推荐 → 形式审查 → 资料评审 → 现场评审 → 审定 → 公示 → 发布,
where it is and what it waits for. Steps that do not apply are left out (推荐 where the
programme needs no recommendation, 现场评审 where it has no site stage).

At most two queries: where a side exit (withdrawn, eliminated, not awarded) left the path
(the audit entry of that transition), and the notice's end while in notice; plus whatever
the registered progress notes read (judging: the panel's sheets, one query).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nominations import rules, workflow
from nominations.enums import ApplicationState as S
from nominations.models import AuditEntry

STEPS = [
    ("apply", gettext_lazy("申报")),
    ("recommend", gettext_lazy("推荐")),
    ("formal", gettext_lazy("形式审查")),
    ("document", gettext_lazy("资料评审")),
    ("site", gettext_lazy("现场评审")),
    ("decide", gettext_lazy("审定")),
    ("notice", gettext_lazy("公示")),
    ("publish", gettext_lazy("发布")),
]
# The step an application in each state is at.
STEP_OF_STATE = {
    S.DRAFT: "apply", S.RETURNED: "apply", S.ENDORSED: "formal", S.INELIGIBLE: "formal",
    S.ACCEPTED: "document", S.DOCUMENT_REVIEW: "document", S.SITE_REVIEW: "site", S.EVALUATED: "decide",
    S.APPROVED: "notice", S.PUBLIC_NOTICE: "notice", S.AWARDED: "publish", S.PUBLISHED: "publish",
    S.REVOKED: "publish",
}
# Side exits whose step depends on where they left from (read from the audit entry).
LEFT_FROM = frozenset({S.WITHDRAWN, S.ELIMINATED, S.NOT_AWARDED})

DONE, CURRENT, TODO, STOPPED = "done", "current", "todo", "stopped"


@dataclass
class Step:
    key: str
    label: str
    status: str  # done | current | todo | stopped
    note: str = ""
    here: bool = False  # where the application is (aria-current="step")


def _local(value: dt.datetime | None) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _left_from(app) -> str | None:
    entry = (AuditEntry.objects.filter(object_type="nominations.application", object_id=str(app.pk),
                                       target=app.state).order_by("-id").values_list("source", flat=True).first())
    return entry


def _stopped_note(state: str, step: str) -> str:
    if state == S.WITHDRAWN:
        return _("申报已撤回")
    if state == S.INELIGIBLE:
        return _("不予受理")
    if state == S.ELIMINATED:
        return _("未入围下一阶段")
    if state == S.NOT_AWARDED:
        return _("公示异议成立，未获奖") if step == "notice" else _("审定未通过")
    if state == S.REVOKED:
        return _("奖项已撤销")
    return ""


def _waiting_note(app, user, step: str) -> str:
    """What the current step waits for, as this user may see it."""
    state = app.state
    if state == S.DRAFT:
        closes = app.cycle.closes_at
        return (_("待申报单位提交（截止 %(date)s）") % {"date": _local(closes)}) if closes else _("待申报单位提交")
    if state == S.RETURNED:
        if app.amendment_deadline:
            return _("待申报单位补正（截止 %(date)s）") % {"date": _local(app.amendment_deadline)}
        return _("待申报单位补正")
    if state == S.SUBMITTED and step == "recommend":
        unit = app.recommending_unit.name if app.recommending_unit_id else ""
        return _("待“%(unit)s”推荐") % {"unit": unit} if unit else _("待推荐单位推荐")
    if state in (S.SUBMITTED, S.ENDORSED):
        return _("待秘书处受理")
    note = workflow.progress_note(application=app, user=user)
    if note:
        return note
    if state == S.ACCEPTED:
        return _("待分配评审专家")
    if state in (S.DOCUMENT_REVIEW, S.SITE_REVIEW):
        return _("专家评审中")
    if state == S.EVALUATED:
        return _("待审定委员会审定")
    if state == S.APPROVED:
        return _("审定通过，待公示")
    if state == S.PUBLIC_NOTICE:
        end = app.notices.order_by("-starts_at", "-id").values_list("ends_at", flat=True).first()
        return _("公示中，%(date)s 结束") % {"date": _local(end)} if end else _("公示中")
    if state == S.AWARDED:
        return _("公示结束，待发布")
    if state == S.PUBLISHED:
        return _("已发布")
    return ""


def application_steps(app, *, user) -> list[Step]:
    """The stepper of `app` for `user`: every applicable step, done / current / to do, or
    stopped where a side exit ended the process."""
    programme = app.cycle.programme
    keys = [(k, label) for k, label in STEPS
            if not (k == "recommend" and not programme.needs_recommender)
            and not (k == "site" and not programme.has_site_stage)]
    order = [k for k, _label in keys]
    state = app.state
    stopped = state in (S.WITHDRAWN, S.INELIGIBLE, S.ELIMINATED, S.NOT_AWARDED, S.REVOKED)
    if state == S.SUBMITTED:
        here = "recommend" if programme.needs_recommender else "formal"
    elif state in LEFT_FROM:
        source = _left_from(app)
        here = STEP_OF_STATE.get(source) if source else None
        if source == S.SUBMITTED:
            here = "recommend" if programme.needs_recommender else "formal"
        if state == S.NOT_AWARDED and here not in ("notice", "decide"):
            here = "decide"
        here = here or "apply"
    else:
        here = STEP_OF_STATE.get(state, "apply")
    if here not in order:  # a stage the programme skips: the step it belongs to
        here = "document" if here == "site" else "formal"
    position = order.index(here)
    steps = []
    for i, (key, label) in enumerate(keys):
        if i < position:
            steps.append(Step(key, str(label), DONE))
        elif i > position:
            steps.append(Step(key, str(label), TODO))
        elif stopped:
            steps.append(Step(key, str(label), STOPPED, _stopped_note(state, key), here=True))
        elif state == S.PUBLISHED:
            steps.append(Step(key, str(label), DONE, _waiting_note(app, user, key), here=True))
        else:
            steps.append(Step(key, str(label), CURRENT, _waiting_note(app, user, key), here=True))
    return steps


def may_see_panel_counts(user) -> bool:
    """Who is told how many judges have submitted (not the applicant or the recommender)."""
    return rules.is_secretariat(user) or rules.is_committee(user) or rules.is_judge(user)
