"""Demo and test data builders: the 2018 catalog and a small valid PDF."""
from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from nominations.enums import EligibilityKind, NomineeKind, QuestionType
from nominations.models import Category, Cycle, DocumentRequirement, EligibilityRule, Programme, Question

PDF_ONLY = ["application/pdf"]

ORG_QUESTIONS = [
    ("employees", "从业人员数（人）", QuestionType.INTEGER, True),
    ("revenue", "上年度营业收入（万元）", QuestionType.DECIMAL, True),
    ("model_name", "先进质量管理模式名称", QuestionType.TEXT, True),
    ("summary", "概述（500字以内）", QuestionType.TEXT, True),
    ("compliance", "近三年未发生重大质量、安全、环境污染、公共卫生事故，无严重失信记录", QuestionType.BOOLEAN, True),
]
IND_QUESTIONS = [
    ("quality_years", "在沪从事质量相关工作年限（年）", QuestionType.INTEGER, True),
    ("achievement", "先进质量管理成果概述", QuestionType.TEXT, True),
    ("compliance", "本人及所在单位近三年无重大违法违规记录", QuestionType.BOOLEAN, True),
]
QB_QUESTIONS = [
    ("experience", "典型经验名称", QuestionType.TEXT, True),
    ("summary", "经验概述（可借鉴、可复制、可推广之处）", QuestionType.TEXT, True),
    ("compliance", "近三年未发生重大质量、安全、环境污染事故", QuestionType.BOOLEAN, True),
]
ORG_DOCS = [
    ("application_form", "申报表（盖章扫描件）", True),
    ("self_assessment", "自我评价报告", True),
    ("evidence", "证实性材料", False),
]
IND_DOCS = [
    ("application_form", "申报表（盖章扫描件）", True),
    ("achievement_report", "成果总结报告", True),
    ("evidence", "证实性材料", False),
]

CATALOG = {
    "MQA": [
        ("ORG", "组织（先进质量管理模式）", "Organization", NomineeKind.ORGANIZATION, 2, "GBT19580-2012",
         ORG_QUESTIONS, ORG_DOCS),
        ("IND", "个人（先进质量管理成果）", "Individual", NomineeKind.INDIVIDUAL, 2, "DB31T598-IND",
         IND_QUESTIONS, IND_DOCS),
    ],
    "QGA": [
        ("ORG", "组织（先进质量管理模式）", "Organization", NomineeKind.ORGANIZATION, 10, "GBT19580-2012",
         ORG_QUESTIONS, ORG_DOCS),
        ("IND", "个人（先进质量管理成果）", "Individual", NomineeKind.INDIVIDUAL, 5, "DB31T598-IND",
         IND_QUESTIONS, IND_DOCS),
    ],
    "QB": [
        ("TYPICAL", "典型经验", "Typical experience", NomineeKind.ORGANIZATION, 10, "QB-TYPICAL",
         QB_QUESTIONS, ORG_DOCS),
    ],
}


def build_cycle(code: str, *, year: int = 2018, label: str | None = None,
                opens_at: dt.datetime | None = None, closes_at: dt.datetime | None = None) -> Cycle:
    """Create a draft cycle of a programme with its categories, questions, documents and rules."""
    today = timezone.localdate()
    local = timezone.get_current_timezone()
    default_open = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(9, 0), tzinfo=local)
    default_close = dt.datetime.combine(today + dt.timedelta(days=30), dt.time(17, 0), tzinfo=local)
    programme = Programme.objects.get(code=code)
    cycle = Cycle.objects.create(
        programme=programme, year=year, label=label or str(year),
        opens_at=opens_at or default_open, closes_at=closes_at or default_close,
        notice_days=7, judges_document=5 if code != "QB" else 3, judges_site=3,
    )
    for order, (ccode, name, name_en, kind, quota, rubric, questions, docs) in enumerate(CATALOG[code]):
        category = Category.objects.create(cycle=cycle, code=ccode, name=name, name_en=name_en,
                                           nominee_kind=kind, quota=quota, rubric_code=rubric, order=order)
        for qorder, (key, qlabel, qtype, required) in enumerate(questions):
            Question.objects.create(category=category, key=key, label=qlabel, type=qtype,
                                    required=required, order=qorder)
        for dorder, (kind_, dlabel, required) in enumerate(docs):
            DocumentRequirement.objects.create(category=category, kind=kind_, label=dlabel,
                                               required=required, content_types=PDF_ONLY, order=dorder)
        EligibilityRule.objects.create(cycle=cycle, category=category, kind=EligibilityKind.DECLARATION,
                                       question_key="compliance", description="合规与诚信声明", order=9)
    first = cycle.categories.order_by("order").first()
    gold = Programme.objects.get(code="QGA")
    if code == "QGA":
        EligibilityRule.objects.create(cycle=cycle, category=first, kind=EligibilityKind.YEARS_REGISTERED,
                                       years=3, description="在本市注册经营满3年", order=1)
    if code == "MQA":
        EligibilityRule.objects.create(cycle=cycle, category=first, kind=EligibilityKind.PRIOR_AWARD,
                                       years=3, programme=gold,
                                       description="获上海市质量金奖满3年", order=1)
    EligibilityRule.objects.create(cycle=cycle, kind=EligibilityKind.LOCKOUT, years=5, programme=programme,
                                   description="获本奖项后5年内不得再次申报", order=2)
    return cycle


def sample_pdf(text: str = "Sample application document") -> bytes:
    """A small, valid one-page PDF (parsed back by the upload check)."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
