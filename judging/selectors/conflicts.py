"""Conflict-of-interest (回避) facts, at organization level, keyed by the credit code.

Two layers:
- *detection* from facts: the judge's affiliation credit code equals the organization's,
  or a related organization with that code (consulting, relative, competitor at any
  time; employment still current or ended within the last 3 years);
- *records* (Conflict rows): declared by the judge, added by the secretariat, or
  detected and recorded by a scan. A dismissed record suppresses detection for that
  pair for good; an active record blocks whatever the facts say.

`conflict_map` answers for many people and organizations in a fixed number of queries
(3), so assignment boards and committee views do not query per row.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from judging.enums import (
    EMPLOYMENT_COOLING_OFF_YEARS,
    RELATIONS_ANY_TIME,
    ConflictSource,
    ConflictStatus,
    RelationKind,
)
from judging.models import Conflict, JudgeProfile, JudgeRelation

Pair = tuple[int, int]  # (user id, organization id)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def employment_cutoff(now: dt.datetime | None = None) -> dt.date:
    """Employment that ended on or after this date still conflicts."""
    return years_before(timezone.localdate(now or timezone.now()), EMPLOYMENT_COOLING_OFF_YEARS)


def _relation_reason(rel: JudgeRelation, cutoff: dt.date) -> str | None:
    name = rel.organization_name
    if rel.kind == RelationKind.EMPLOYMENT:
        if rel.until is None:
            return _("专家现任职于该单位（%(name)s）") % {"name": name}
        if rel.until >= cutoff:
            return (_("专家曾任职于该单位（%(name)s），%(until)s 离职，未满%(years)d年")
                    % {"name": name, "until": rel.until.isoformat(), "years": EMPLOYMENT_COOLING_OFF_YEARS})
        return None
    if rel.kind in RELATIONS_ANY_TIME:
        text = {
            RelationKind.CONSULTING: _("专家曾为该单位（%(name)s）提供咨询或辅导"),
            RelationKind.RELATIVE: _("专家的近亲属在该单位（%(name)s）任职"),
            RelationKind.COMPETITOR: _("专家所在单位与该单位（%(name)s）存在竞争关系"),
        }[rel.kind]
        return text % {"name": name}
    return None


def _ids(objs: Iterable) -> list[int]:
    return [getattr(o, "pk", o) for o in objs]


def detected_conflicts(user_ids: Iterable, organizations: Iterable, *, now: dt.datetime | None = None
                       ) -> dict[Pair, list[str]]:
    """Detection from facts only (records ignored). Two queries."""
    user_ids = _ids(user_ids)
    by_uscc = {org.uscc: org for org in organizations if org.uscc}
    result: dict[Pair, list[str]] = defaultdict(list)
    if not user_ids or not by_uscc:
        return result
    cutoff = employment_cutoff(now)
    for user_id, affiliation, uscc in (JudgeProfile.objects
                                       .filter(user_id__in=user_ids, affiliation_uscc__in=list(by_uscc))
                                       .values_list("user_id", "affiliation", "affiliation_uscc")):
        result[(user_id, by_uscc[uscc].pk)].append(
            _("专家的工作单位（%(name)s）即该申报单位") % {"name": affiliation or by_uscc[uscc].name})
    relations = (JudgeRelation.objects.filter(judge__user_id__in=user_ids, organization_uscc__in=list(by_uscc))
                 .select_related("judge").order_by("id"))
    for rel in relations:
        reason = _relation_reason(rel, cutoff)
        if reason:
            result[(rel.judge.user_id, by_uscc[rel.organization_uscc].pk)].append(reason)
    return result


def conflicts_detect(*, judge, organization, now: dt.datetime | None = None) -> list[str]:
    """Why the facts say `judge` conflicts with `organization` (empty = no detected conflict)."""
    return list(detected_conflicts([judge], [organization], now=now).get((judge.pk, organization.pk), []))


def conflict_map(user_ids: Iterable, organizations: Iterable, *, now: dt.datetime | None = None
                 ) -> dict[Pair, list[str]]:
    """The blocking reasons per (user, organization): active records plus detections that
    were not dismissed. Pairs without a conflict are absent. Three queries."""
    organizations = list(organizations)
    user_ids = _ids(user_ids)
    detected = detected_conflicts(user_ids, organizations, now=now)
    result: dict[Pair, list[str]] = {}
    dismissed: set[Pair] = set()
    if user_ids and organizations:
        records = (Conflict.objects.filter(judge_id__in=user_ids, organization_id__in=_ids(organizations))
                   .values_list("judge_id", "organization_id", "status", "source", "reason"))
        for judge_id, org_id, status, source, reason in records:
            pair = (judge_id, org_id)
            if status == ConflictStatus.DISMISSED:
                dismissed.add(pair)
            else:
                result.setdefault(pair, []).append(f"{ConflictSource(source).label}：{reason}")
    for pair, reasons in detected.items():
        if pair in dismissed:
            continue
        existing = result.setdefault(pair, [])
        for reason in reasons:
            if not any(reason in r for r in existing):
                existing.append(reason)
    return result


def conflict_reasons(*, judge, organization, now: dt.datetime | None = None) -> list[str]:
    """What blocks `judge` from `organization`'s applications (empty = free to judge).
    One query when nothing links the two (the common case, e.g. every autosave); four otherwise."""
    if not _anything_links(judge.pk, organization):
        return []
    return conflict_map([judge], [organization], now=now).get((judge.pk, organization.pk), [])


def _anything_links(user_id: int, organization) -> bool:
    """Whether any fact conflict_map reads exists for the pair: a conflict record (of any
    status), the judge's affiliation or a relation with the organization's credit code."""
    records = Conflict.objects.filter(judge_id=user_id, organization_id=organization.pk).values("pk")
    if not organization.uscc:
        return records.exists()
    return records.union(
        JudgeProfile.objects.filter(user_id=user_id, affiliation_uscc=organization.uscc).values("pk"),
        JudgeRelation.objects.filter(judge__user_id=user_id, organization_uscc=organization.uscc).values("pk"),
        all=True).exists()


def conflicts_list(*, judge=None, organization=None, cycle=None, status: str | None = None):
    """Recorded conflicts for the conflicts board (secretariat) or a judge's own list."""
    qs = Conflict.objects.select_related("judge", "judge__judge_profile", "organization", "decided_by",
                                         "created_by")
    if judge is not None:
        qs = qs.filter(judge=judge)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if cycle is not None:
        qs = qs.filter(organization__applications__cycle=cycle).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at", "id")
