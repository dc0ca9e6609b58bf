"""The consensus scorebook (合议): the panel leader or the secretariat records the agreed
percent and comment per item, after every independent sheet of the stage is in. The
independent sheets are kept; every change leaves a ConsensusChange row and an audit entry.

Order: atomic → lock the application → permission (secretariat or the panel's leader
with no conflict) and conditions (stage in review, all sheets in) → validate every item
(nothing saved when one is bad) → write rows + change history → audit.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import rules
from judging.enums import REVIEW_STATE, AssignmentState, Stage
from judging.errors import ConditionsUnmet, InvalidState, JudgingError, NotFound, NotPermitted
from judging.models import Assignment, ConsensusChange, ConsensusScore, person_name
from judging.selectors.conflicts import conflict_reasons
from judging.selectors.scoresheets import ConsensusBook, _consensus_book, criteria_for_application
from judging.services.assignments import _stage
from judging.services.scoresheets import clean_items
from nominations.models import Application
from nominations.services.audit import audit_record


def consensus_permission(*, application: Application, stage: str, actor, now: dt.datetime | None = None) -> None:
    """Secretariat, or the live panel leader of this application and stage without a conflict.
    Others on the panel get 403; everybody else 404."""
    if rules.is_secretariat(actor):
        return
    own = Assignment.objects.filter(application=application, stage=stage,
                                    judge_id=getattr(actor, "pk", None)).first()
    if own is None or own.state == AssignmentState.DECLINED or conflict_reasons(
            judge=actor, organization=application.organization, now=now):
        raise NotFound(_("申报不存在或您无权查看。"))
    if not own.is_leader:
        raise NotPermitted(_("只有评审组组长或秘书处可以记录合议分。"))


def _outstanding_messages(application, stage) -> list[str]:
    rows = (Assignment.objects.filter(application=application, stage=stage)
            .exclude(state__in=[AssignmentState.DECLINED, AssignmentState.SUBMITTED]).select_related("judge"))
    return [_("专家 %(name)s 的评分表尚未提交（%(state)s）。") % {"name": person_name(a.judge),
                                                              "state": a.get_state_display()} for a in rows]


def consensus_save(*, application: Application | int, stage: str, items, actor, now: dt.datetime | None = None,
                   ip: str | None = None) -> ConsensusBook:
    """Record agreed scores: items [{"criterion", "percent", "comment", "reason"}]. Changing an
    existing agreed score needs a reason. Returns the updated consensus book."""
    stage = _stage(stage)
    now = now or timezone.now()
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = (Application.objects.select_for_update(of=("self",)).select_related("organization", "category")
               .get(pk=pk))
        consensus_permission(application=app, stage=stage, actor=actor, now=now)
        if app.state != REVIEW_STATE[stage]:
            raise InvalidState(_("该申报当前为“%(state)s”，不能记录%(stage)s的合议分。")
                               % {"state": app.get_state_display(), "stage": Stage(stage).label})
        live = Assignment.objects.filter(application=app, stage=stage).exclude(state=AssignmentState.DECLINED)
        if not live.filter(state=AssignmentState.SUBMITTED).exists():
            raise ConditionsUnmet(_("本阶段还没有已提交的评分表。"), missing=[_("本阶段还没有已提交的评分表。")])
        outstanding = _outstanding_messages(app, stage)
        if outstanding:
            raise ConditionsUnmet(_("全部独立评分提交后才能合议：还有 %(n)d 份评分表未提交。") % {"n": len(outstanding)},
                                  missing=outstanding)
        criteria = {c.code: c for c in criteria_for_application(app)}
        clean, errors = clean_items(items, criteria, require_percent=True, text_fields=("comment", "reason"))
        current = {c.criterion_id: c for c in ConsensusScore.objects.select_for_update()
                   .filter(application=app, stage=stage)}
        for row in clean:
            old = current.get(row["criterion"].pk)
            changed = old is not None and (old.percent != row["percent"]
                                           or ("comment" in row and old.comment != row["comment"]))
            if changed and not row.get("reason"):
                errors.append(_("%(code)s：修改已记录的合议分须填写理由。") % {"code": row["criterion"].code})
        if errors:
            raise JudgingError(errors[0] if len(errors) == 1 else
                               _("有 %(n)d 项合议分不符合要求，均未保存。") % {"n": len(errors)},
                               code="invalid_items", field_errors={"items": errors})
        for row in clean:
            criterion = row["criterion"]
            old = current.get(criterion.pk)
            comment = row.get("comment", old.comment if old else "")
            reason = row.get("reason", "")
            if old is not None and old.percent == row["percent"] and old.comment == comment:
                continue  # nothing changed
            old_percent, old_comment = (old.percent, old.comment) if old else (None, "")
            if old is None:
                score = ConsensusScore.objects.create(application=app, stage=stage, criterion=criterion,
                                                      percent=row["percent"], comment=comment, author=actor,
                                                      updated_at=now)
            else:
                score = old
                score.percent, score.comment, score.author, score.updated_at = row["percent"], comment, actor, now
                score.save(update_fields=["percent", "comment", "author", "updated_at"])
            ConsensusChange.objects.create(consensus=score, author=actor, at=now, old_percent=old_percent,
                                           new_percent=row["percent"], old_comment=old_comment,
                                           new_comment=comment, reason=reason)
            audit_record(obj=score, action="consensus.set", actor=actor, note=reason, ip=ip,
                         data={"application": app.pk, "stage": stage, "criterion": criterion.code,
                               "old": old_percent, "new": row["percent"]})
    return _consensus_book(application=app, stage=stage)


def consensus_set(*, application, stage: str, criterion: str, percent: int, actor, comment: str | None = None,
                  reason: str = "", now: dt.datetime | None = None, ip: str | None = None) -> ConsensusBook:
    """Record the agreed score of one item (see consensus_save)."""
    item = {"criterion": criterion, "percent": percent, "reason": reason}
    if comment is not None:
        item["comment"] = comment
    return consensus_save(application=application, stage=stage, items=[item], actor=actor, now=now, ip=ip)
