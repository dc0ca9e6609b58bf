"""Writing a judge's scoresheet: partial saves (autosave) and submission.

scoresheet_save keeps the house order: atomic → lock the assignment → permission (own,
not declined, no conflict: else NotFound) and state (editable: else 409) → validate every
item (nothing is saved when any item is bad) → write. Autosaves are not audited; the
submission is (assignment_submit).
"""
from __future__ import annotations

import datetime as dt

from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging.data.bands import percent_problem
from judging.enums import AssignmentState
from judging.errors import InvalidState, JudgingError, NotFound
from judging.models import Assignment, Conflict, ItemScore, JudgeProfile, JudgeRelation
from judging.selectors.conflicts import conflict_reasons
from judging.selectors.scoresheets import (
    Scoresheet,
    ensure_scoring_open,
    scored_criteria_frozen,
    scoresheet_from,
)
from judging.services.assignments import assignment_submit
from nominations.models import Application, Category, Organization

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


@lru_cache(maxsize=4)
def _save_read_sql(vendor: str, lock_of: bool) -> str:
    """The autosave's locking read, written once per database: the assignment, the few columns
    of its application, category and organization it needs (not the application's answers),
    and whether anything links the judge to the applicant — what conflicts._anything_links
    asks, as three EXISTS: a conflict record of any status, the judge's affiliation with the
    applicant's credit code, a relation with it (an empty code links nothing). Built by the
    ORM this statement cost ~2–5 ms of Python per save to compile, more than the database
    spends on it."""
    q = connection.ops.quote_name

    def table(model) -> str:
        return q(model._meta.db_table)

    def col(model, name: str) -> str:
        return q(model._meta.get_field(name).column)

    a, p, c, o = Assignment, Application, Category, Organization
    return (
        f"SELECT a.{col(a, 'id')}, a.{col(a, 'application')}, a.{col(a, 'judge')}, a.{col(a, 'stage')}, "
        f"a.{col(a, 'state')}, p.{col(p, 'state')}, p.{col(p, 'category')}, p.{col(p, 'organization')}, "
        f"c.{col(c, 'rubric_code')}, o.{col(o, 'name')}, o.{col(o, 'uscc')}, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {table(Conflict)} x WHERE x.{col(Conflict, 'judge')} = %s "
        f"AND x.{col(Conflict, 'organization')} = p.{col(p, 'organization')}) "
        f"OR (o.{col(o, 'uscc')} <> '' AND EXISTS (SELECT 1 FROM {table(JudgeProfile)} y "
        f"WHERE y.{col(JudgeProfile, 'user')} = %s AND y.{col(JudgeProfile, 'affiliation_uscc')} = o.{col(o, 'uscc')})) "
        f"OR (o.{col(o, 'uscc')} <> '' AND EXISTS (SELECT 1 FROM {table(JudgeRelation)} r "
        f"JOIN {table(JudgeProfile)} z ON z.{col(JudgeProfile, 'id')} = r.{col(JudgeRelation, 'judge')} "
        f"WHERE z.{col(JudgeProfile, 'user')} = %s AND r.{col(JudgeRelation, 'organization_uscc')} = o.{col(o, 'uscc')})) "
        f"THEN 1 ELSE 0 END "
        f"FROM {table(a)} a JOIN {table(p)} p ON p.{col(p, 'id')} = a.{col(a, 'application')} "
        f"JOIN {table(c)} c ON c.{col(c, 'id')} = p.{col(p, 'category')} "
        f"JOIN {table(o)} o ON o.{col(o, 'id')} = p.{col(p, 'organization')} "
        f"WHERE a.{col(a, 'id')} = %s" + (" FOR UPDATE OF a" if lock_of else ""))


def _read_for_save(pk: int, user_id: int) -> tuple[Assignment | None, bool]:
    """(the assignment locked, with its application, category and organization — other columns
    deferred —, whether anything links the judge to the applicant); (None, False) if missing."""
    features = connection.features
    sql = _save_read_sql(connection.vendor, features.has_select_for_update_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id, user_id, pk])
        row = cursor.fetchone()
    if row is None:
        return None, False
    obj = _loaded(Assignment, id=row[0], application_id=row[1], judge_id=row[2], stage=row[3], state=row[4])
    obj.application = _loaded(Application, id=row[1], state=row[5], category_id=row[6], organization_id=row[7])
    obj.application.category = _loaded(Category, id=row[6], rubric_code=row[8])
    obj.application.organization = _loaded(Organization, id=row[7], name=row[9], uscc=row[10])
    return obj, bool(row[11])


def _loaded(model, **values):
    """An instance as the ORM loads it with only these columns (the others deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


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
        obj, linked = _read_for_save(int(pk), actor.pk)
        if obj is None or obj.judge_id != actor.pk:
            raise NotFound(_("评审任务不存在或不属于您。"))
        if obj.state == AssignmentState.DECLINED:
            raise NotFound(_("您已回避该评审任务，不能再查看。"))
        if linked and conflict_reasons(judge=actor, organization=obj.application.organization, now=now):
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
