"""Demo data for judging (appended to seed_demo's EXTRA_SEEDERS; idempotent).

Profiles for judge1..judge8 with affiliations and expertise; judge8 has consulted for
上海临港新材料科技有限公司 (applicant4's organization), so the conflict shows and the
automatic assignment leaves judge8 out. Application states are left as seeded: the
walk-through auto-assigns live.
"""
from __future__ import annotations

import datetime as dt

from judging.enums import RelationKind
from judging.models import JudgeRelation
from judging.services.judges import judge_profile_save, judge_relation_add
from nominations.identifiers import make_org_code_uscc
from nominations.models import Membership

JUDGES = [
    # username, title, affiliation, head8, org8, expertise
    ("judge1", "教授", "上海交通大学质量与可靠性研究所", "12310000", "42500001", ["装备制造", "卓越绩效"]),
    ("judge2", "高级工程师", "上海市质量和标准化研究院", "12310000", "42500002", ["食品制造", "质量管理体系"]),
    ("judge3", "教授", "同济大学经济与管理学院", "12310000", "42500003", ["现代物流", "供应链管理"]),
    ("judge4", "教授级高级工程师", "上海电力设计院有限公司", "91310000", "13220004", ["电力设备", "智能电网"]),
    ("judge5", "教授", "华东理工大学材料科学与工程学院", "12310000", "42500005", ["新材料", "化工"]),
    ("judge6", "研究员", "上海市医疗器械检验研究院", "12310000", "42500006", ["医疗器械", "风险管理"]),
    ("judge7", "副教授", "复旦大学管理学院", "12310000", "42500007", ["卓越绩效", "战略管理"]),
    ("judge8", "高级咨询师", "上海卓越质量管理咨询有限公司", "91310115", "MA1J8Q2W", ["新材料", "精益生产"]),
]
CONFLICTED_ORG_MEMBER = "applicant4"


def seed_judging(*, users, cycles, stdout=None) -> None:
    secretariat = users["secretariat"]
    for username, title, affiliation, head, body, expertise in JUDGES:
        user = users.get(username)
        if user is None:
            continue
        judge_profile_save(user=user, actor=secretariat, title=title, affiliation=affiliation,
                           affiliation_uscc=make_org_code_uscc(head, body), expertise=expertise,
                           phone="021-6000000" + username[-1], active=True)
    membership = Membership.objects.filter(user=users.get(CONFLICTED_ORG_MEMBER)).select_related("organization").first()
    judge8 = users.get("judge8")
    if membership and judge8:
        org = membership.organization
        if not JudgeRelation.objects.filter(judge__user=judge8, organization_uscc=org.uscc).exists():
            judge_relation_add(judge=judge8, actor=secretariat, organization_uscc=org.uscc,
                               organization_name=org.name, kind=RelationKind.CONSULTING,
                               since=dt.date(2016, 3, 1), note="曾为该公司提供卓越绩效导入咨询（演示数据）")
    if stdout is not None:
        stdout.write("评审专家库已就绪：judge1–judge8（judge8 与上海临港新材料科技有限公司存在咨询关系，须回避）。")
