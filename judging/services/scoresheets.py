"""Writing a judge's scoresheet: partial saves (autosave) and submission.

scoresheet_save keeps the house order: atomic → lock the assignment → permission (own,
not declined, no conflict: else NotFound) and state (editable: else 409) → validate every
item (nothing is saved when any item is bad) → write. Autosaves are not audited; the
submission is (assignment_submit).
"""
from __future__ import annotations

import datetime as dt

from functools import lru_cache
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.db import planned_cursor
from judging.data.bands import percent_problem
from judging.enums import REVIEW_STATE, AssignmentState
from judging.errors import InvalidState, JudgingError, NotFound
from judging.models import Assignment, Conflict, Criterion, ItemScore, JudgeProfile, JudgeRelation, Rubric
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
        row, problem = _clean_values(label, item, require_percent=require_percent, text_fields=text_fields)
        if problem:
            errors.append(problem)
            continue
        row["criterion"] = criterion
        clean.append(row)
    return clean, errors


def _clean_values(label: str, item: dict, *, require_percent: bool, text_fields) -> tuple[dict, str | None]:
    """The values of one item (percent, texts) checked and cleaned: (row, None) or ({}, the problem)."""
    row = {}
    if "percent" in item or require_percent:
        percent, problem = parse_percent(item.get("percent"))
        if problem:
            return {}, (_("%(label)s：%(problem)s（收到 %(value)s）。")
                        % {"label": label, "problem": problem, "value": item.get("percent")})
        if percent is None and require_percent:
            return {}, _("%(label)s：请填写分数。") % {"label": label}
        row["percent"] = percent
    for name in text_fields:
        if name in item:
            value = item[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                return {}, _("%(label)s：%(name)s 应为文本。") % {"label": label, "name": name}
            if "\x00" in value:  # PostgreSQL text cannot hold NUL
                return {}, _("%(label)s：文字中不能含有空字符。") % {"label": label}
            if len(value) > TEXT_LIMIT:
                return {}, _("%(label)s：文字不能超过 %(n)d 字。") % {"label": label, "n": TEXT_LIMIT}
            row[name] = value.strip()
    return row, None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _linked_sql() -> str:
    """SQL true when anything links the judge (three %s: the judge's user id) to the applicant
    organization `o` of application `p` — what conflicts._anything_links asks, as three EXISTS:
    a conflict record of any status, the judge's affiliation with the applicant's credit code,
    a relation with it (an empty code links nothing)."""
    p, o = Application, Organization
    return (
        f"(EXISTS (SELECT 1 FROM {_table(Conflict)} x WHERE x.{_col(Conflict, 'judge')} = %s "
        f"AND x.{_col(Conflict, 'organization')} = p.{_col(p, 'organization')}) "
        f"OR (o.{_col(o, 'uscc')} <> '' AND EXISTS (SELECT 1 FROM {_table(JudgeProfile)} y "
        f"WHERE y.{_col(JudgeProfile, 'user')} = %s AND y.{_col(JudgeProfile, 'affiliation_uscc')} = o.{_col(o, 'uscc')})) "
        f"OR (o.{_col(o, 'uscc')} <> '' AND EXISTS (SELECT 1 FROM {_table(JudgeRelation)} r "
        f"JOIN {_table(JudgeProfile)} z ON z.{_col(JudgeProfile, 'id')} = r.{_col(JudgeRelation, 'judge')} "
        f"WHERE z.{_col(JudgeProfile, 'user')} = %s AND r.{_col(JudgeRelation, 'organization_uscc')} = o.{_col(o, 'uscc')})))")


def _joins_sql() -> str:
    """FROM the assignment `a` with its application `p`, category `c` and organization `o`."""
    a, p, c, o = Assignment, Application, Category, Organization
    return (f"FROM {_table(a)} a JOIN {_table(p)} p ON p.{_col(p, 'id')} = a.{_col(a, 'application')} "
            f"JOIN {_table(c)} c ON c.{_col(c, 'id')} = p.{_col(p, 'category')} "
            f"JOIN {_table(o)} o ON o.{_col(o, 'id')} = p.{_col(p, 'organization')} ")


@lru_cache(maxsize=4)
def _save_read_sql(vendor: str, lock_of: bool) -> str:
    """The autosave's locking read, written once per database: the assignment, the few columns
    of its application, category and organization it needs (not the application's answers),
    and whether anything links the judge to the applicant (_linked_sql). Built by the ORM this
    statement cost ~2–5 ms of Python per save to compile, more than the database spends on it."""
    a, p, c, o = Assignment, Application, Category, Organization
    return (
        f"SELECT a.{_col(a, 'id')}, a.{_col(a, 'application')}, a.{_col(a, 'judge')}, a.{_col(a, 'stage')}, "
        f"a.{_col(a, 'state')}, p.{_col(p, 'state')}, p.{_col(p, 'category')}, p.{_col(p, 'organization')}, "
        f"c.{_col(c, 'rubric_code')}, o.{_col(o, 'name')}, o.{_col(o, 'uscc')}, "
        f"CASE WHEN {_linked_sql()} THEN 1 ELSE 0 END "
        + _joins_sql() + f"WHERE a.{_col(a, 'id')} = %s" + (" FOR UPDATE OF a" if lock_of else ""))


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


# -- the short path (PostgreSQL): one statement that saves only when every check passes ------------
_VALUE_FIELDS = ("percent", "strengths", "opportunities")
# More items than any rubric has scored criteria go the careful way (which names the bad ones);
# the statement's parameters stay far below PostgreSQL's 65,535.
SHORT_PATH_MAX_ITEMS = 200
_DEFAULTS = {"percent": "NULL", "strengths": "''", "opportunities": "''"}


@lru_cache(maxsize=64)
def _short_save_sql(n: int, fields: tuple[str, ...]) -> str:
    """One PostgreSQL statement for an autosave of `n` items that each carry `fields`.

    It locks the assignment (FOR NO KEY UPDATE OF a: it waits for, and is waited for by, the
    careful path's and the submission's FOR UPDATE; a sheet submitted meanwhile is seen in its
    new state), decides whether the save may go ahead exactly as the careful path would accept it — the judge's own, editable (accepted or reopened), its
    application in the review state of its stage, nothing linking judge and applicant, every
    item a scored criterion of the application's rubric — and only then upserts the items,
    changing a row (and its updated_at, stamped under the lock) only when a value differs.
    The answer is one row: (may save, rubric code, assignment state, items matched)."""
    a, p, r, k, s = Assignment, Application, Rubric, Criterion, ItemScore
    table = _table(s)
    stage_states = " OR ".join(f"(a.{_col(a, 'stage')} = %s AND p.{_col(p, 'state')} = %s)" for _ in REVIEW_STATE)
    values = ", ".join(["(%s, %s::integer, %s::text, %s::text)"] * n)
    inserted = ", ".join(f"m.{name}" if name in fields else _DEFAULTS[name] for name in _VALUE_FIELDS)
    changed = ", ".join(f"{_col(s, name)} = EXCLUDED.{_col(s, name)}" for name in fields)
    differs = (f"({', '.join(f'{table}.{_col(s, name)}' for name in fields)}) IS DISTINCT FROM "
               f"({', '.join(f'EXCLUDED.{_col(s, name)}' for name in fields)})")
    return (
        f"WITH a AS (SELECT a.{_col(a, 'id')} AS id, a.{_col(a, 'state')} AS state, c.{_col(Category, 'rubric_code')} AS rubric, "
        f"clock_timestamp() AS stamp, (a.{_col(a, 'judge')} = %s AND a.{_col(a, 'state')} IN (%s, %s) "
        f"AND ({stage_states}) AND NOT {_linked_sql()}) AS ok "
        + _joins_sql() + f"WHERE a.{_col(a, 'id')} = %s FOR NO KEY UPDATE OF a), "
        f"v (code, percent, strengths, opportunities) AS (VALUES {values}), "
        f"m AS (SELECT k.{_col(k, 'id')} AS criterion_id, v.percent, v.strengths, v.opportunities FROM a "
        f"JOIN {_table(r)} r ON r.{_col(r, 'code')} = a.rubric "
        f"JOIN {_table(k)} k ON k.{_col(k, 'rubric')} = r.{_col(r, 'id')} AND k.{_col(k, 'parent')} IS NOT NULL "
        f"JOIN v ON v.code = k.{_col(k, 'code')} WHERE a.ok), "
        f"up AS (INSERT INTO {table} ({_col(s, 'assignment')}, {_col(s, 'criterion')}, {_col(s, 'percent')}, "
        f"{_col(s, 'strengths')}, {_col(s, 'opportunities')}, {_col(s, 'updated_at')}) "
        f"SELECT a.id, m.criterion_id, {inserted}, a.stamp FROM a CROSS JOIN m WHERE (SELECT count(*) FROM m) = %s "
        f"ON CONFLICT ({_col(s, 'assignment')}, {_col(s, 'criterion')}) DO UPDATE SET {changed}, "
        f"{_col(s, 'updated_at')} = EXCLUDED.{_col(s, 'updated_at')} WHERE {differs} RETURNING 1) "
        f"SELECT a.ok, a.rubric, a.state, (SELECT count(*) FROM m) FROM a")


@lru_cache(maxsize=4)
def _sheet_scores_sql(vendor: str) -> str:
    s = ItemScore
    return (f"SELECT {', '.join(_col(s, n) for n in ('criterion', *_VALUE_FIELDS))} "
            f"FROM {_table(s)} WHERE {_col(s, 'assignment')} = %s")


class _Score(NamedTuple):
    criterion_id: int
    percent: int | None
    strengths: str
    opportunities: str


def _short_items(items) -> tuple[list[tuple[str, dict]], tuple[str, ...]] | None:
    """(code, clean values) per item and the fields they carry, when the short path can take
    them: a non-empty list of items, each a dict with a criterion code, no code twice, the same
    fields in each, every value valid. None otherwise: the careful path then decides (and names
    every problem)."""
    if not isinstance(items, list) or not items or len(items) > SHORT_PATH_MAX_ITEMS:
        return None
    rows, fields, seen = [], None, set()
    for item in items:
        if not isinstance(item, dict):
            return None
        code = str(item.get("criterion") or "").strip()
        if not code or code in seen:
            return None
        seen.add(code)
        row, problem = _clean_values(code, item, require_percent=False, text_fields=("strengths", "opportunities"))
        if problem:
            return None
        keys = tuple(name for name in _VALUE_FIELDS if name in row)
        if fields is None:
            fields = keys
        elif keys != fields:
            return None
        rows.append((code, row))
    return (rows, fields) if fields else None


def _short_save(pk: int, actor, items) -> Scoresheet | None:
    """The saved sheet, when one statement could save it (PostgreSQL, every check passed);
    None when nothing was written and the careful path must decide."""
    if connection.vendor != "postgresql" or actor is None or actor.pk is None:
        return None
    parsed = _short_items(items)
    if parsed is None:
        return None
    rows, fields = parsed
    params = [actor.pk, AssignmentState.ACCEPTED, AssignmentState.REOPENED]
    for stage, state in REVIEW_STATE.items():
        params += [stage, state]
    params += [actor.pk, actor.pk, actor.pk, pk]
    for code, row in rows:
        params += [code, row.get("percent"), row.get("strengths"), row.get("opportunities")]
    params.append(len(rows))
    with planned_cursor() as cursor:  # both statements planned once per connection
        cursor.execute(_short_save_sql(len(rows), fields), params)
        answer = cursor.fetchone()
        if answer is None or not answer[0] or answer[3] != len(rows):
            return None
        cursor.execute(_sheet_scores_sql(connection.vendor), [pk])
        scores = {row[0]: _Score(*row) for row in cursor.fetchall()}
    assignment = _loaded(Assignment, id=pk, judge_id=actor.pk, state=answer[2])
    return scoresheet_from(assignment, scored_criteria_frozen(answer[1]), scores)


def scoresheet_save(*, assignment: Assignment | int, items, actor, now: dt.datetime | None = None) -> Scoresheet:
    """Save some items of the caller's own sheet (autosave; fields absent from an item are
    kept). Bad items → JudgingError listing them, nothing saved; after submit → 409.
    The caller need not fetch the assignment first: this authorises (NotFound alike for
    missing, not yours, declined or conflicted).

    The judges' hottest path, in two ways with the same effects:

    * on PostgreSQL, a save that passes every check is one statement (_short_save_sql): it
      locks the assignment, checks, and upserts only then; it is prepared once per connection
      (config.db.planned_cursor). When any check fails it writes nothing and the careful path
      below runs, so every refusal is decided and worded in one place;
    * the careful path: three plain queries in one transaction — the locking read with the
      few application columns it needs and whether anything links the judge to the applicant
      (the full conflict check runs only then), the sheet's scores, one write.

    Either way the rubric is frozen while scoring is open and kept in the process, and the
    answer is built from what was read and written (nothing is read again after the commit)."""
    pk = int(assignment.pk if isinstance(assignment, Assignment) else assignment)
    sheet = _short_save(pk, actor, items)
    if sheet is not None:
        return sheet
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
