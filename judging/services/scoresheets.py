"""Writing a judge's scoresheet: partial saves (autosave) and submission.

scoresheet_save keeps the house order: atomic → lock the assignment → permission (own,
not declined, no conflict: else NotFound) and state (editable: else 409) → validate every
item (nothing is saved when any item is bad) → write. Autosaves are not audited; the
submission is (assignment_submit).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging.data.bands import percent_problem
from judging.enums import AssignmentState
from judging.errors import InvalidState, JudgingError, NotFound
from judging.models import Assignment, ItemScore
from judging.selectors.conflicts import conflict_reasons, links_expression
from judging.selectors.scoresheets import (
    Scoresheet,
    ensure_scoring_open,
    scored_criteria_frozen,
    scoresheet_from,
)
from judging.services.assignments import assignment_submit

TEXT_LIMIT = 5000


def parse_percent(value):
    """Accept an int (or a string of digits from a form); None clears. Returns (value, problem)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():  # not "５０", "²"
        value = int(value.strip())
    problem = percent_problem(value)
    if problem:
        return None, problem
    return value, None


def clean_items(items, criteria_by_code: dict, *, require_percent: bool = False,
                text_fields=("strengths", "opportunities")) -> tuple[list[dict], list[str]]:
    """Validate a list of {"criterion", "percent", <text fields>}; returns (clean items, errors)."""
    errors: list[str] = []
    clean: list[dict] = []
    if not isinstance(items, list):
        return [], [_("items 应为列表。")]
    seen = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(_("第 %(i)d 项格式错误。") % {"i": index})
            continue
        code = str(item.get("criterion") or "").strip()
        label = _("第 %(i)d 项（%(code)s）") % {"i": index, "code": code or "?"}
        criterion = criteria_by_code.get(code)
        if criterion is None:
            errors.append(_("%(label)s：评分条款“%(code)s”不属于本申报的评分标准。") % {"label": label, "code": code})
            continue
        if code in seen:
            errors.append(_("%(label)s：评分条款重复。") % {"label": label})
            continue
        seen.add(code)
        row = {"criterion": criterion}
        if "percent" in item or require_percent:
            percent, problem = parse_percent(item.get("percent"))
            if problem:
                errors.append(_("%(label)s：%(problem)s（收到 %(value)s）。")
                              % {"label": label, "problem": problem, "value": item.get("percent")})
                continue
            if percent is None and require_percent:
                errors.append(_("%(label)s：请填写分数。") % {"label": label})
                continue
            row["percent"] = percent
        for name in text_fields:
            if name in item:
                value = item[name]
                if value is None:
                    value = ""
                if not isinstance(value, str):
                    errors.append(_("%(label)s：%(name)s 应为文本。") % {"label": label, "name": name})
                    continue
                if "\x00" in value:  # PostgreSQL text cannot hold NUL
                    errors.append(_("%(label)s：文字中不能含有空字符。") % {"label": label})
                    continue
                if len(value) > TEXT_LIMIT:
                    errors.append(_("%(label)s：文字不能超过 %(n)d 字。") % {"label": label, "n": TEXT_LIMIT})
                    continue
                row[name] = value.strip()
        clean.append(row)
    return clean, errors


# What an autosave reads with its lock: not the application's answers or any other long column.
_SAVE_COLUMNS = ("judge_id", "state", "stage", "application", "application__state", "application__category",
                 "application__category__rubric_code", "application__organization",
                 "application__organization__name", "application__organization__uscc")


def scoresheet_save(*, assignment: Assignment | int, items, actor, now: dt.datetime | None = None) -> Scoresheet:
    """Save some items of the caller's own sheet (autosave; fields absent from an item are
    kept). Bad items → JudgingError listing them, nothing saved; after submit → 409.

    The judges' hottest path: three plain queries in one transaction — the locking read with
    the few application columns it needs and whether anything links the judge to the applicant
    (the full conflict check runs only then), the sheet's scores, one write; the rubric is frozen
    while scoring is open and kept in the process — and the answer is built from what was read
    and written (nothing is read again after the commit). The caller need not fetch the assignment first: this authorises (NotFound alike
    for missing, not yours, declined or conflicted)."""
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    with transaction.atomic():
        if actor is None or actor.pk is None:
            raise NotFound(_("评审任务不存在或不属于您。"))
        obj = next(iter(Assignment.objects.select_for_update(of=("self",)).filter(pk=pk).order_by()
                        .select_related("application__organization", "application__category")
                        .only(*_SAVE_COLUMNS).annotate(linked=links_expression(actor.pk))), None)
        if obj is None or obj.judge_id != actor.pk:
            raise NotFound(_("评审任务不存在或不属于您。"))
        if obj.state == AssignmentState.DECLINED:
            raise NotFound(_("您已回避该评审任务，不能再查看。"))
        if obj.linked and conflict_reasons(judge=actor, organization=obj.application.organization, now=now):
            raise NotFound(_("您与该申报单位存在利益冲突，不能查看。"))
        if obj.state == AssignmentState.SUBMITTED:
            raise InvalidState(_("评分表已提交，不能再修改；如需修改，请联系秘书处退回。"))
        if obj.state == AssignmentState.ASSIGNED:
            raise InvalidState(_("请先接受评审任务，再开始评分。"))
        ensure_scoring_open(obj)
        criteria = scored_criteria_frozen(obj.application.category.rubric_code)  # no query: frozen rubric
        scores = {score.criterion_id: score for score in ItemScore.objects.filter(assignment_id=obj.pk).order_by()}
        clean, errors = clean_items(items, {c.code: c for c in criteria})
        if errors:
            raise JudgingError(errors[0] if len(errors) == 1 else
                               _("有 %(n)d 项评分不符合要求，均未保存。") % {"n": len(errors)},
                               code="invalid_items", field_errors={"items": errors})
        stamp = timezone.now()  # under the lock
        new, changed, fields = [], [], set()
        for row in clean:
            criterion = row.pop("criterion")
            score = scores.get(criterion.pk)
            if score is None:
                score = scores[criterion.pk] = ItemScore(assignment=obj, criterion=criterion, **row)
                new.append(score)
            elif any(getattr(score, k) != v for k, v in row.items()):
                for k, v in row.items():
                    setattr(score, k, v)
                score.updated_at = stamp
                changed.append(score)
                fields.update(row)
        if new:
            ItemScore.objects.bulk_create(new)
        if len(changed) == 1:  # the usual autosave: one item, one plain UPDATE
            ItemScore.objects.filter(pk=changed[0].pk).update(
                **{name: getattr(changed[0], name) for name in [*fields, "updated_at"]})
        elif changed:
            ItemScore.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    return scoresheet_from(obj, criteria, scores)


def scoresheet_submit(*, assignment: Assignment, actor, now: dt.datetime | None = None,
                      ip: str | None = None) -> Assignment:
    """Submit and lock the sheet; incomplete → 400 with `missing` criterion codes."""
    if actor is None or assignment.judge_id != actor.pk or assignment.state == AssignmentState.DECLINED:
        raise NotFound(_("评审任务不存在或不属于您。"))
    if conflict_reasons(judge=actor, organization=assignment.application.organization, now=now):
        raise NotFound(_("您与该申报单位存在利益冲突，不能查看。"))
    return assignment_submit(assignment=assignment, actor=actor, now=now, ip=ip)
