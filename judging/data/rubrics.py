"""Rubric definitions loaded by migrations (and reused by seed/tests).

GB/T 19580-2012 exactly as in DOMAIN.md §3.1: 7 categories, 23 scored items,
1000 points (process 600 / results 400). The individual and Quality Benchmark
rubrics are configurable defaults: no official weights were published.
"""
P, R = "process", "result"

GBT19580 = {
    "code": "GBT19580-2012",
    "name": "卓越绩效评价准则（GB/T 19580-2012）",
    "name_en": "Criteria for Performance Excellence (GB/T 19580-2012)",
    "standard": "GB/T 19580-2012",
    "configurable_default": False,
    "categories": [
        ("4.1", "领导", "Leadership", 110, P, [
            ("4.1.2", "高层领导的作用", "Senior leaders' role", 50),
            ("4.1.3", "组织治理", "Governance", 30),
            ("4.1.4", "社会责任", "Social responsibility", 30)]),
        ("4.2", "战略", "Strategy", 90, P, [
            ("4.2.2", "战略制定", "Strategy development", 40),
            ("4.2.3", "战略部署", "Strategy deployment", 50)]),
        ("4.3", "顾客与市场", "Customers and market", 90, P, [
            ("4.3.2", "顾客和市场的了解", "Understanding customers and markets", 40),
            ("4.3.3", "顾客关系与顾客满意", "Customer relations and satisfaction", 50)]),
        ("4.4", "资源", "Resources", 130, P, [
            ("4.4.2", "人力资源", "Human resources", 60),
            ("4.4.3", "财务资源", "Financial resources", 15),
            ("4.4.4", "信息和知识资源", "Information and knowledge", 20),
            ("4.4.5", "技术资源", "Technology", 15),
            ("4.4.6", "基础设施", "Infrastructure", 10),
            ("4.4.7", "相关方关系", "Stakeholder relations", 10)]),
        ("4.5", "过程管理", "Process management", 100, P, [
            ("4.5.2", "过程的识别与设计", "Process identification and design", 50),
            ("4.5.3", "过程的实施与改进", "Process implementation and improvement", 50)]),
        ("4.6", "测量、分析与改进", "Measurement, analysis and improvement", 80, P, [
            ("4.6.2", "测量、分析和评价", "Measurement, analysis and evaluation", 40),
            ("4.6.3", "改进与创新", "Improvement and innovation", 40)]),
        ("4.7", "结果", "Results", 400, R, [
            ("4.7.2", "产品和服务结果", "Products and services", 80),
            ("4.7.3", "顾客与市场结果", "Customers and market", 80),
            ("4.7.4", "财务结果", "Financial", 80),
            ("4.7.5", "资源结果", "Resources", 60),
            ("4.7.6", "过程有效性结果", "Process effectiveness", 50),
            ("4.7.7", "领导方面的结果", "Leadership", 50)]),
    ],
}

INDIVIDUAL = {
    "code": "DB31T598-IND",
    "name": "个人质量奖评分标准（可配置默认，参照 DB31/T 598）",
    "name_en": "Individual award rubric (configurable default, after DB31/T 598)",
    "standard": "DB31/T 598-2023",
    "configurable_default": True,
    "categories": [
        ("1", "质量理论与实践", "Quality theory and practice", 200, P, [
            ("1.1", "质量理念与专业知识", "Quality philosophy and knowledge", 100),
            ("1.2", "质量管理实践经历", "Quality management practice", 100)]),
        ("2", "质量管理成果", "Quality-management achievement", 400, P, [
            ("2.1", "成果的创新性", "Innovation of the achievement", 150),
            ("2.2", "成果的应用与推广", "Application and transfer", 100),
            ("2.3", "方法的系统性", "Systematic method", 150)]),
        ("3", "成效与贡献", "Results and contribution", 400, R, [
            ("3.1", "经济效益", "Economic benefit", 200),
            ("3.2", "社会效益", "Social benefit", 200)]),
    ],
}

BENCHMARK = {
    "code": "QB-TYPICAL",
    "name": "质量标杆典型经验评分标准（可配置默认）",
    "name_en": "Quality Benchmark rubric (configurable default)",
    "standard": "",
    "configurable_default": True,
    "categories": [
        ("1", "先进性与创新性", "Advancement and innovation", 250, P, [
            ("1.1", "先进性", "Advancement", 125),
            ("1.2", "创新性", "Innovation", 125)]),
        ("2", "有效性", "Effectiveness", 300, R, [
            ("2.1", "实施成效", "Results achieved", 200),
            ("2.2", "成效的持续性", "Sustained results", 100)]),
        ("3", "可推广性", "Transferability", 250, P, [
            ("3.1", "可借鉴性", "Learnability", 125),
            ("3.2", "可复制性", "Replicability", 125)]),
        ("4", "示范性", "Demonstration value", 200, R, [
            ("4.1", "示范效应", "Demonstration effect", 200)]),
    ],
}

RUBRICS = [GBT19580, INDIVIDUAL, BENCHMARK]


def load_rubrics(Rubric, Criterion) -> None:
    """Create the rubrics with the given (historical) models. Idempotent."""
    for spec in RUBRICS:
        rubric, created = Rubric.objects.get_or_create(code=spec["code"], defaults={
            k: spec[k] for k in ("name", "name_en", "standard", "configurable_default")})
        if not created:
            continue
        order = 0
        for code, title, title_en, points, kind, items in spec["categories"]:
            order += 1
            parent = Criterion.objects.create(rubric=rubric, code=code, title=title, title_en=title_en,
                                              max_points=points, kind=kind, order=order)
            for item_code, item_title, item_en, item_points in items:
                order += 1
                Criterion.objects.create(rubric=rubric, code=item_code, title=item_title,
                                         title_en=item_en, max_points=item_points, kind=kind,
                                         parent=parent, order=order)
