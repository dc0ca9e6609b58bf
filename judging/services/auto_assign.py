"""Automatic assignment of judges for a whole cycle and stage.

For every eligible application (accepted / document review for the document stage,
site review for the site stage) fill up to N live judges. Never a conflicted judge
(detected and not dismissed, or recorded), never a judge who already has (or declined)
that application. Applications are filled hardest first (fewest eligible judges), each
place going to the judge with the lowest current load in the cycle and stage, then the
best expertise match with the applicant's industry and the category, then a seeded
random tiebreak. Greedy-by-load keeps max − min load ≤ 1 wherever the pool allows.
The same seed and data give the same result. The seed and the full result are kept in
an AutoAssignRun row and an audit entry.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import rules
from judging.enums import ASSIGNABLE_STATES, LIVE_ASSIGNMENT, Stage
from judging.errors import JudgingError, NotPermitted
from judging.models import Assignment, AutoAssignRun
from judging.selectors.conflicts import conflict_map
from judging.services.assignments import _notify_assigned, _stage, ensure_leader
from judging.services.conflicts import conflicts_scan
from nominations.models import Application, Cycle
from nominations.rules import JUDGE
from nominations.services.audit import audit_record

MAX_JUDGES_PER_APPLICATION = 50


@dataclass
class AutoAssignResult:
    run: AutoAssignRun
    created: list[Assignment]
    unfilled: list[dict]  # [{"application": id, "missing": k}]
    seed: int
    loads: dict[int, int] = field(default_factory=dict)  # judge id -> load after the run


def _terms(values) -> set[str]:
    out = set()
    for v in values or []:
        v = str(v).strip()
        if v:
            out.add(v)
    return out


def expertise_match(expertise: set[str], targets: list[str]) -> int:
    """How many of the judge's expertise terms match the application's industry / category."""
    hits = 0
    for term in expertise:
        if any(term in t or t in term for t in targets if t):
            hits += 1
    return hits


def pool_for_assignment() -> list:
    """Active judges: judge group, active account, profile active (or no profile yet)."""
    return list(get_user_model().objects.filter(groups__name=JUDGE, is_active=True)
                .filter(Q(judge_profile__isnull=True) | Q(judge_profile__active=True))
                .select_related("judge_profile").order_by("pk").distinct())


def assignments_auto_assign(*, cycle: Cycle | int, stage: str, judges_per_application: int, actor,
                            seed: int | None = None, due_at: dt.datetime | None = None,
                            now: dt.datetime | None = None, ip: str | None = None) -> AutoAssignResult:
    """Fill every eligible application of `cycle` up to `judges_per_application` live judges."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以自动分配评审任务。"))
    stage = _stage(stage)
    try:
        n = int(judges_per_application)
    except (TypeError, ValueError):
        n = 0
    if isinstance(judges_per_application, bool) or not 1 <= n <= MAX_JUDGES_PER_APPLICATION:
        msg = _("每份申报的专家数应为 1–%(max)d 之间的整数。") % {"max": MAX_JUDGES_PER_APPLICATION}
        raise JudgingError(msg, code="invalid", field_errors={"judges_per_application": [msg]})
    if seed is None:
        seed = secrets.randbelow(2**31)
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        msg = _("复现码应为非负整数。")
        raise JudgingError(msg, code="invalid", field_errors={"seed": [msg]})
    now = now or timezone.now()
    if due_at is not None and due_at <= now:
        msg = _("完成期限必须晚于当前时间。")
        raise JudgingError(msg, code="invalid_due", field_errors={"due_at": [msg]})
    cycle_pk = cycle.pk if isinstance(cycle, Cycle) else cycle
    rng = random.Random(seed)

    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle_pk)  # one run at a time per cycle
        apps = list(Application.objects.filter(cycle=cycle, state__in=list(ASSIGNABLE_STATES[stage]))
                    .select_related("organization", "category").order_by("pk"))
        pool = pool_for_assignment()
        pool_ids = [j.pk for j in pool]
        existing = list(Assignment.objects.filter(application__in=apps, stage=stage)
                        .values_list("application_id", "judge_id", "state"))
        taken: dict[int, set[int]] = {a.pk: set() for a in apps}  # any assignment, declined included
        live_count: dict[int, int] = {a.pk: 0 for a in apps}
        for app_id, judge_id, state in existing:
            taken[app_id].add(judge_id)
            if state in LIVE_ASSIGNMENT:
                live_count[app_id] += 1
        loads = {j: 0 for j in pool_ids}
        for row in (Assignment.objects.filter(application__cycle=cycle, stage=stage, state__in=LIVE_ASSIGNMENT,
                                              judge_id__in=pool_ids)
                    .values("judge_id").annotate(n=Count("id")).order_by()):
            loads[row["judge_id"]] = row["n"]
        organizations = {a.organization_id: a.organization for a in apps}.values()
        conflicts_scan(judges=pool_ids, organizations=organizations, actor=actor, now=now)  # onto the board
        conflicts = conflict_map(pool_ids, organizations, now=now)
        expertise = {j.pk: _terms(getattr(getattr(j, "judge_profile", None), "expertise", None)) for j in pool}

        eligible: dict[int, list[int]] = {}
        need: dict[int, int] = {}
        for app in apps:
            need[app.pk] = max(0, n - live_count[app.pk])
            eligible[app.pk] = [j for j in pool_ids
                                if j not in taken[app.pk] and (j, app.organization_id) not in conflicts]
        order = sorted((a for a in apps if need[a.pk] > 0), key=lambda a: (len(eligible[a.pk]), a.pk))

        plan: list[tuple[Application, int]] = []
        unfilled = []
        for app in order:
            targets = [app.organization.industry, app.category.name, app.category.code]
            tiebreak = {j: rng.random() for j in eligible[app.pk]}
            candidates = sorted(eligible[app.pk],
                                key=lambda j: (loads[j], -expertise_match(expertise[j], targets), tiebreak[j], j))
            chosen = candidates[:need[app.pk]]
            for j in chosen:
                loads[j] += 1
                plan.append((app, j))
            if len(chosen) < need[app.pk]:
                unfilled.append({"application": app.pk, "missing": need[app.pk] - len(chosen)})
        unfilled.sort(key=lambda u: u["application"])

        run = AutoAssignRun.objects.create(cycle=cycle, stage=stage, judges_per_application=n, seed=seed,
                                           actor=actor if getattr(actor, "is_authenticated", False) else None)
        created = []
        for app, judge_id in plan:
            a = Assignment.objects.create(application=app, judge_id=judge_id, stage=stage, due_at=due_at,
                                          assigned_by=actor, auto_run=run)
            created.append(a)
            audit_record(obj=a, action="assignment.create", actor=actor, target=a.state, ip=ip,
                         data={"application": app.pk, "judge": judge_id, "stage": stage, "auto_run": run.pk})
        for app_id in sorted({app.pk for app, _j in plan}):
            ensure_leader(application_id=app_id, stage=stage, actor=actor)
        result = {
            "stage": stage, "judges_per_application": n, "seed": seed,
            "applications": [a.pk for a in apps],
            "order": [a.pk for a in order],
            "created": [{"assignment": a.pk, "application": a.application_id, "judge": a.judge_id} for a in created],
            "unfilled": unfilled,
            "excluded_conflicts": sorted([list(pair) for pair in conflicts]),
            "loads": {str(k): v for k, v in sorted(loads.items())},
        }
        run.created, run.result = len(created), result
        run.save(update_fields=["created", "result"])
        audit_record(obj=run, action="assignment.auto_assign", actor=actor, ip=ip,
                     note=_("自动分配：%(stage)s，每份 %(n)d 位，复现码 %(seed)d") % {
                         "stage": Stage(stage).label, "n": n, "seed": seed},
                     data=result)
        ids = [a.pk for a in created]
        transaction.on_commit(lambda: _notify_assigned(ids))
    leaders = set(Assignment.objects.filter(pk__in=ids, is_leader=True).values_list("pk", flat=True))
    for a in created:
        a.is_leader = a.pk in leaders
    return AutoAssignResult(run=run, created=created, unfilled=unfilled, seed=seed, loads=loads)
