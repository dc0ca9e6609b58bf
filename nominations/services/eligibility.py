"""Evaluating a cycle's eligibility rules (data) against an application."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from nominations import crypto, identifiers
from nominations.enums import EligibilityKind, NomineeKind
from nominations.models import Application, AwardRecord, EligibilityRule


def _years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _awards_for(application: Application):
    q = Q(organization_id=application.organization_id, nominee_kind=NomineeKind.ORGANIZATION)
    if application.nominee_id:
        # Every suite's index: legacy award records keep the one they were entered with.
        q = Q(nominee_index__in=crypto.blind_indexes(
            identifiers.normalize_id_number(application.nominee.get_id_number())))
    return AwardRecord.objects.filter(q).select_related("programme")


def eligibility_evaluate(application: Application, *, now: dt.datetime) -> list[dict]:
    """Return one result per applicable rule: {rule, kind, description, passed, detail}."""
    rules = (EligibilityRule.objects.filter(cycle_id=application.cycle_id)
             .filter(Q(category__isnull=True) | Q(category_id=application.category_id))
             .select_related("programme"))
    cycle_year = application.cycle.year
    awards = None
    results = []
    for rule in rules:
        if rule.kind == EligibilityKind.YEARS_REGISTERED:
            established = application.organization.established_on
            reference_day = application.cycle.opens_at.date()
            if established is None:
                passed, detail = False, _("未填写成立日期")
            else:
                years = _years_between(established, reference_day)
                passed = years >= rule.years
                detail = _("成立于 %(date)s，已满 %(years)d 年（要求 %(need)d 年）") % {
                    "date": established.isoformat(), "years": years, "need": rule.years}
        elif rule.kind in (EligibilityKind.PRIOR_AWARD, EligibilityKind.LOCKOUT):
            if awards is None:
                awards = list(_awards_for(application))
            same = [a for a in awards if a.programme_id == rule.programme_id]
            if rule.kind == EligibilityKind.PRIOR_AWARD:
                qualifying = [a for a in same if a.year <= cycle_year - rule.years]
                passed = bool(qualifying)
                detail = (_("%(year)d 年度获%(programme)s") % {"year": qualifying[0].year,
                                                              "programme": rule.programme.name}
                          if qualifying else
                          _("系统中无 %(last)d 年度或更早的%(programme)s获奖记录") % {
                              "last": cycle_year - rule.years, "programme": rule.programme.name})
            else:
                recent = [a for a in same if a.year > cycle_year - rule.years]
                passed = not recent
                detail = (_("%(year)d 年度已获%(programme)s，%(n)d 年内不得再次申报") % {
                    "year": recent[0].year, "programme": rule.programme.name, "n": rule.years}
                          if recent else _("近 %(n)d 年内未获该奖项") % {"n": rule.years})
        elif rule.kind == EligibilityKind.DECLARATION:
            value = (application.answers or {}).get(rule.question_key)
            passed = value is True
            detail = _("已声明") if passed else _("未作出该项声明")
        else:  # pragma: no cover - guarded by choices
            continue
        results.append({"rule": rule.pk, "kind": rule.kind, "description": rule.description,
                        "passed": passed, "detail": detail})
    return results
