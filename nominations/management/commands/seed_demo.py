"""Load demo data: the 2018 cycles (window open around today), accounts, applications.

Idempotent: running it again creates nothing twice. Every state change goes through
the transition services, so the demo's history is real audit data.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from nominations.demo import build_cycle, sample_pdf
from nominations.enums import CycleState, RecommenderKind
from nominations.identifiers import make_id_number, make_org_code_uscc
from nominations.models import (
    Application,
    AwardRecord,
    Cycle,
    Membership,
    Organization,
    Programme,
    RecommenderMembership,
    RecommendingUnit,
)
from nominations.services.intake import application_create, document_upload
from nominations.services.transitions import application_transition, cycle_transition

ORGS = [
    # username, name, district head (8 chars), org code body (8), established, industry
    ("applicant1", "上海浦江精密机械有限公司", "91310115", "MA1H7K3P", dt.date(2009, 4, 1), "装备制造"),
    ("applicant2", "上海申城智能电网科技股份有限公司", "91310104", "63128475", dt.date(2004, 6, 18), "电力设备"),
    ("applicant3", "上海东方明珠食品集团有限公司", "91310101", "13224567", dt.date(1998, 1, 8), "食品制造"),
    ("applicant4", "上海临港新材料科技有限公司", "91310120", "MA1FL2X8", dt.date(2006, 9, 30), "新材料"),
    ("applicant5", "上海长三角物流服务有限公司", "91310112", "55736921", dt.date(2012, 3, 15), "现代物流"),
    ("applicant6", "上海徐汇医疗器械有限公司", "91310104", "MA1G9R4T", dt.date(2011, 11, 11), "医疗器械"),
]
UNITS = [
    ("浦东新区市场监督管理局", RecommenderKind.DISTRICT),
    ("上海市质量协会", RecommenderKind.ASSOCIATION),
    ("上海电气（集团）总公司", RecommenderKind.GROUP),
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo12345", help="password for every demo account")

    def handle(self, *args, password: str, **options):
        # The e-mails the seeded history sends (and the task log lines) would bury the accounts
        # printed below: keep them in memory while seeding and say how many there were.
        tasks_log = logging.getLogger("django_tasks")
        level = tasks_log.level
        tasks_log.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                mail.outbox = []
                users = self._seed(password)
                sent = len(mail.outbox)
        finally:
            tasks_log.setLevel(level)
        if sent:
            self.stdout.write(f"演示数据的办理过程发送了 {sent} 封邮件（未显示）/ {sent} e-mails of the seeded history not shown.")
        self._print_accounts(users, password)

    def _seed(self, password: str) -> dict:
        with transaction.atomic():
            users = self._users(password)
            cycles = self._cycles(users["secretariat"])
            units = self._units(users)
            orgs = self._orgs(users)
        self._applications(users, cycles, units, orgs)
        for hook in EXTRA_SEEDERS:
            hook(users=users, cycles=cycles, stdout=self.stdout)
        return users

    # -- pieces ------------------------------------------------------------------
    def _user(self, username: str, password: str, *, name: str, group: str | None = None,
              staff: bool = False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "email": f"{username}@example.com",
                                         "is_staff": staff})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    def _users(self, password: str) -> dict:
        users = {
            "secretariat": self._user("secretariat", password, name="秘书处", group="secretariat", staff=True),
            "committee1": self._user("committee1", password, name="审定委员一", group="committee"),
            "recommender1": self._user("recommender1", password, name="推荐单位联络员"),
        }
        for i in range(1, 7):
            users[f"applicant{i}"] = self._user(f"applicant{i}", password, name=f"申报联系人{i}")
        judge_names = ["王建国", "李秀英", "张伟", "刘芳", "陈静", "杨磊", "赵敏", "黄涛"]
        for i, name in enumerate(judge_names, start=1):
            users[f"judge{i}"] = self._user(f"judge{i}", password, name=name, group="judge")
        return users

    def _cycles(self, secretariat) -> dict:
        cycles = {}
        for code in ("MQA", "QGA", "QB"):
            cycle = Cycle.objects.filter(programme__code=code, label="2018").first()
            if cycle is None:
                cycle = build_cycle(code, year=2018)
            if cycle.status == CycleState.DRAFT:
                cycle = cycle_transition(cycle=cycle, name="open", actor=secretariat,
                                         note="演示数据：开放2018年度申报")
            cycles[code] = cycle
        return cycles

    def _units(self, users) -> list:
        units = []
        for name, kind in UNITS:
            unit, _ = RecommendingUnit.objects.get_or_create(
                name=name, defaults={"kind": kind, "contact_email": "recommender-unit@example.com"})
            units.append(unit)
        RecommenderMembership.objects.get_or_create(user=users["recommender1"], unit=units[0])
        return units

    def _orgs(self, users) -> dict:
        orgs = {}
        for username, name, head, body, established, industry in ORGS:
            uscc = make_org_code_uscc(head, body)
            org, _ = Organization.objects.get_or_create(uscc=uscc, defaults={
                "name": name, "established_on": established, "industry": industry,
                "district": "浦东新区", "address": "上海市浦东新区世纪大道100号",
                "contact_name": f"{users[username].first_name}", "contact_phone": "021-50000000",
                "contact_email": f"{username}@example.com"})
            Membership.objects.get_or_create(user=users[username], organization=org)
            orgs[username] = org
        gold = Programme.objects.get(code="QGA")
        AwardRecord.objects.get_or_create(organization=orgs["applicant4"], programme=gold, year=2014,
                                          defaults={"title": "临港新材料全流程质量管控模式",
                                                    "note": "历史获奖记录（演示）"})
        return orgs

    def _answers(self, category) -> dict:
        values = {"employees": 1200, "revenue": "356000.50", "model_name": "“精益+数字化”质量管理模式",
                  "summary": "以顾客为中心，构建全员、全过程、全价值链的质量管理体系。",
                  "quality_years": 18, "achievement": "主持建立智能制造质量大数据分析平台。",
                  "experience": "基于数字孪生的质量追溯经验", "compliance": True}
        return {q.key: values[q.key] for q in category.questions.all() if q.key in values}

    def _complete(self, app, user):
        for req in app.category.document_requirements.all():
            upload = SimpleUploadedFile(f"{req.kind}.pdf", sample_pdf(req.label.encode("ascii", "ignore").decode() or req.kind),
                                        content_type="application/pdf")
            document_upload(application=app, actor=user, kind=req.kind, uploaded=upload)

    def _applications(self, users, cycles, units, orgs) -> None:
        sec, rec = users["secretariat"], users["recommender1"]
        plan = [
            # username, programme, category, title, steps
            ("applicant1", "QGA", "ORG", "“精益+数字化”双轮驱动的质量管理模式", []),
            ("applicant2", "QGA", "ORG", "以可靠性为核心的智能电网设备质量管理模式", ["submit"]),
            ("applicant3", "QGA", "ORG", "从农田到餐桌的全链条食品安全管理模式", ["submit", "endorse"]),
            ("applicant4", "MQA", "ORG", "新材料全生命周期质量创新模式", ["submit", "endorse", "accept"]),
            ("applicant5", "QB", "TYPICAL", "基于数字孪生的物流服务质量追溯经验", ["submit", "return"]),
            ("applicant6", "QGA", "IND", "医疗器械风险管理质量成果", ["submit"]),
        ]
        for username, code, ccode, title, steps in plan:
            user, org = users[username], orgs[username]
            if Application.objects.filter(organization=org).exists():
                continue
            category = cycles[code].categories.get(code=ccode)
            nominee = None
            if category.is_individual:
                nominee = {"name": "周立新", "employer": org.name, "position": "质量总监",
                           "id_number": make_id_number("31010419780512003")}
            app = application_create(actor=user, category=category, organization=org, title=title,
                                     recommending_unit=units[0], nominee=nominee,
                                     answers=self._answers(category), commitment=bool(steps))
            if username == "applicant1":
                continue  # left as a draft for the walk-through
            self._complete(app, user)
            actors = {"submit": user, "endorse": rec, "accept": sec, "return": rec}
            notes = {"endorse": "经审核，同意推荐。", "accept": "材料齐全，符合申报条件。",
                     "return": "自我评价报告缺少近三年关键指标对比数据，请补充后重新提交。"}
            for step in steps:
                application_transition(application=app, name=step, actor=actors[step], note=notes.get(step, ""))

    def _print_accounts(self, users, password: str) -> None:
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready."))
        self.stdout.write(f"所有演示账号的密码 / password for every account: {password}")
        rows = [
            ("secretariat", "秘书处 secretariat (admin: /admin/)"),
            ("committee1", "审定委员会 committee"),
            ("recommender1", "推荐单位 recommender (浦东新区市场监督管理局)"),
        ] + [(f"applicant{i}", f"申报单位 applicant: {ORGS[i - 1][1]}") for i in range(1, 7)] + [
            (f"judge{i}", f"评审专家 judge: {users[f'judge{i}'].first_name}") for i in range(1, 9)]
        for username, role in rows:
            self.stdout.write(f"  {username:<14} {role}")
        if settings.STAFF_OTP_REQUIRED:
            self.stdout.write(
                "两步验证已开启 / STAFF_OTP_REQUIRED=1: secretariat, committee1 and judge1-8 sign in with the password, then a code\n"
                "from an authenticator app. At the first sign-in the page shows a QR code to scan (then backup codes, once);\n"
                "or run `python manage.py otp_enrol <username> --qr` and scan the code it prints.")


# Other apps append callables(users=, cycles=, stdout=) to extend the demo (judging data).
EXTRA_SEEDERS: list = []
