"""Demo data for events (appended to seed_demo's EXTRA_SEEDERS after judging's; idempotent).

Two Quality Benchmark winners of an earlier cycle (质量标杆 2015, published through the real
services: judged, approved, on notice, confirmed, published) host:

- an exchange visit (标杆企业参观交流) in ten days, registration open: four enterprises hold
  every place and a fifth waits; applicant1 can still register (and waits), cancelling one
  registration promotes the waiting list;
- an experience-sharing meeting (获奖组织经验交流会) six weeks ago with both winners as
  speakers, attendees checked in, closed with its attendance and summary.

The winners' accounts (benchmark1, benchmark2) see their visitors; they get the demo
password (their password hash is copied from the secretariat's account).
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import Event, Registration
from events.services.events import EventInput, event_close, event_create
from events.services.registrations import registration_check_in, registration_create

VISIT_TITLE = "走进质量标杆：精密制造全过程质量管控参观交流"
MEETING_TITLE = "2015年度质量标杆获奖组织经验交流会"
WINNERS = [
    # username, organization, district head, org code body, typical experience
    ("benchmark1", "上海临江精密制造股份有限公司", "91310115", "MA1K8Q2T",
     "基于质量大数据的精密制造全过程质量管控经验"),
    ("benchmark2", "上海申江城市服务集团有限公司", "91310106", "MA1J4N7W",
     "以顾客体验为中心的城市公共服务质量提升经验"),
]
VISITORS = [("applicant2", ["李明", "陈静", "王强"]), ("applicant3", ["赵磊", "孙悦", "周涛"]),
            ("applicant4", ["吴敏", "郑洁"]), ("applicant6", ["冯军", "何芳"]), ("applicant5", ["许亮", "蒋丽"])]
POSITIONS = ["质量总监", "质量部经理", "生产部经理"]


def _winners(users) -> list:
    """The 2015 Quality Benchmark winners' published applications (created once)."""
    from nominations.demo import build_cycle
    from nominations.enums import ApplicationState
    from nominations.identifiers import make_org_code_uscc
    from nominations.models import Application, Cycle, Membership, Organization, RecommendingUnit
    from nominations.services.notices import NoticeInput, notice_open
    from nominations.services.publication import application_confirm, cycle_publish
    from nominations.services.transitions import cycle_transition
    from judging.demo.results import NOTICE_CONTACT, NOTICE_TEXT, _approved

    existing = list(Application.objects.filter(cycle__programme__code="QB", cycle__label="2015",
                                               state=ApplicationState.PUBLISHED).order_by("reference"))
    if existing or Cycle.objects.filter(programme__code="QB", label="2015").exists():
        return existing
    sec = users["secretariat"]
    unit = RecommendingUnit.objects.order_by("pk").first()
    User = get_user_model()
    cycle = cycle_transition(cycle=build_cycle("QB", year=2015), name="open", actor=sec, note="演示数据")
    category = cycle.categories.get(code="TYPICAL")
    now = timezone.now()
    for username, name, head, body, title in WINNERS:
        org, _created = Organization.objects.get_or_create(
            uscc=make_org_code_uscc(head, body),
            defaults={"name": name, "established_on": dt.date(2003, 5, 20), "district": "浦东新区",
                      "industry": "质量标杆", "address": "上海市", "contact_name": "质量办",
                      "contact_phone": "021-50000000", "contact_email": f"{username}@example.com"})
        user, created = User.objects.get_or_create(username=username, defaults={
            "first_name": f"{name[2:6]}联络员", "email": f"{username}@example.com"})
        if created:
            user.password = sec.password  # the demo password, whatever seed_demo was given
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organization=org)
        _approved(user=user, org=org, category=category, unit=unit, title=title, bases=(80, 75, 85), users=users,
                  now=now)
    for name in ("close", "start_judging", "start_deliberation"):
        cycle = cycle_transition(cycle=cycle, name=name, actor=sec, note="演示数据")
    start = now - dt.timedelta(days=30)
    notice_open(cycle=cycle, actor=sec, now=start, data=NoticeInput(description=NOTICE_TEXT, contact=NOTICE_CONTACT,
                                                                    starts_at=start, days=7))
    for app in cycle.applications.order_by("reference"):
        application_confirm(application=app.pk, actor=sec)
    cycle_publish(cycle=cycle.pk, actor=sec, announcement="经公示无异议，现公布2015年度上海市质量标杆名单。")
    return list(Application.objects.filter(cycle=cycle, state=ApplicationState.PUBLISHED).order_by("reference"))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _register(event, users, plan, *, now):
    from nominations.models import Organization

    regs = []
    for i, (username, names) in enumerate(plan):
        user = users.get(username)
        org = Organization.objects.filter(memberships__user=user).order_by("pk").first() if user else None
        if org is None:
            continue
        attendees = [{"name": n, "position": POSITIONS[j % 3], "phone": f"139{i:02d}{j:02d}{1000 + i * 7 + j}"}
                     for j, n in enumerate(names[:event.per_organization_limit])]
        regs.append(registration_create(event=event, organization=org, attendees=attendees, actor=user,
                                        now=now + dt.timedelta(minutes=i)))
    return regs


def seed_events(*, users, cycles=None, stdout=None) -> None:
    if "secretariat" not in users or Event.objects.filter(title__in=[VISIT_TITLE, MEETING_TITLE]).exists():
        return
    winners = _winners(users)
    if len(winners) < 2:
        return
    sec = users["secretariat"]
    today = timezone.localdate()
    now = timezone.now()
    visit = event_create(actor=sec, data=EventInput(
        kind="exchange_visit", title=VISIT_TITLE, host_applications=[winners[0].pk],
        description=("参观智能制造车间和质量大数据中心，座谈交流质量管控经验。\n"
                     "请参会人员携带身份证件，着装便于进入生产现场；园区内禁止吸烟。"),
        starts_at=_at(today + dt.timedelta(days=10), 14), ends_at=_at(today + dt.timedelta(days=10), 17),
        location="上海市浦东新区临港新片区精密路88号（临江精密一号厂房）", capacity=10, per_organization_limit=3,
        registration_opens_at=_at(today - dt.timedelta(days=5), 9),
        registration_closes_at=_at(today + dt.timedelta(days=8), 17)))
    _register(visit, users, VISITORS, now=now - dt.timedelta(days=3))

    day = today - dt.timedelta(days=42)
    meeting = event_create(actor=sec, data=EventInput(
        kind="experience_sharing", title=MEETING_TITLE, host_applications=[w.pk for w in winners],
        description="两家2015年度质量标杆获奖组织分享典型经验，与会企业交流讨论。",
        starts_at=_at(day, 9, 30), ends_at=_at(day, 12), location="上海市黄浦区人民大道200号 市质量发展中心报告厅",
        capacity=80, per_organization_limit=3, registration_opens_at=_at(day - dt.timedelta(days=20), 9),
        registration_closes_at=_at(day - dt.timedelta(days=2), 17)))
    regs = _register(meeting, users, VISITORS[:4], now=_at(day - dt.timedelta(days=10), 10))
    for reg in regs[:3]:
        registration_check_in(registration=reg, actor=sec, now=_at(day, 9, 10))
    attended = sum(r.attendees.count() for r in regs[:3])
    event_close(event=meeting, actor=sec, attendance=attended + 46, now=_at(day, 13), summary=(
        f"交流会由秘书处主持，{winners[0].award_record.holder_name}和{winners[1].award_record.holder_name}"
        "分别介绍了质量大数据驱动的过程管控和以顾客体验为中心的服务质量提升做法。"
        f"与会{attended + 46}人围绕数据采集、指标体系和持续改进机制进行了交流。"))
    if stdout is not None:
        waiting = Registration.objects.filter(event=visit, status="waitlisted").count()
        stdout.write(f"交流活动：参观交流（10天后，名额已满，候补{waiting}家）；经验交流会（已结束，有纪要）。"
                     "主办单位账号：benchmark1、benchmark2。")
