"""The bad-input catalogue (issue 8): every malformed request is a 4xx with a JSON body (under
/api/), says what is wrong, and changes nothing in the database.

Each case is one row: who sends it, the request, the expected status, and a fragment of the
answer. The database is dumped (every row of every model) before and after each request.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from nominations.identifiers import make_org_code_uscc
from tests import factories as f
from tests.judging.conftest import assign_and_accept, gbt_codes, make_judges, start_review

API = "/api/v1"
HUGE = "99999999999999999999"  # > 2**63 - 1
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")  # full-width digits and X


def db_dump() -> dict:
    """Every row of every model (sessions aside), in primary-key order."""
    dump = {}
    for model in apps.get_models():
        if model._meta.db_table == "django_session":
            continue
        dump[model._meta.label] = list(model.objects.order_by("pk").values())
    return dump


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


@pytest.fixture
def world(db, cycle, secretariat, applicant, organization, other_applicant, other_organization, unit, recommender,
          accepted):
    """An accepted application in document review (five judges), an editable organization draft
    (other_applicant) and an editable individual draft with a nominee (applicant)."""
    judges = make_judges(5)
    assignments = assign_and_accept(accepted, judges, secretariat)
    start_review(accepted, secretariat)
    org_draft = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization,
                                    unit=unit, complete=False)
    ind_draft = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                    category_code="IND", complete=False,
                                    nominee={"name": "张三", "employer": "甲方", "position": "总监",
                                             "id_number": f.valid_id_number(7)})
    return {"secretariat": secretariat, "applicant": applicant, "other_applicant": other_applicant,
            "judge": judges[0], "assignment": assignments[0], "accepted": accepted, "org_draft": org_draft,
            "ind_draft": ind_draft, "organization": organization, "other_organization": other_organization,
            "cycle": cycle, "anonymous": None}


@dataclass
class Case:
    id: str
    who: str
    method: str
    path: str  # formatted with the world's ids: {org_draft}, {organization}, {assignment}, ...
    body: object = None  # dict/list → JSON; bytes/str → sent raw as JSON
    status: int = 400
    says: str = ""  # a fragment of the JSON answer (detail, code or a field message)
    content_type: str = "application/json"
    extra: dict = field(default_factory=dict)


def deep(n: int) -> str:
    return "[" * n + "]" * n


ORG_FIELDS = {"name": "上海新单位有限公司"}
LONG_SUMMARY = "质" * 300_000

CASES = [
    # -- bodies that are not an object -------------------------------------------------------------
    Case("patch-application-list-body", "other_applicant", "PATCH", "/applications/{org_draft}/", [1, 2],
         says="JSON 对象"),
    Case("patch-organization-list-body", "other_applicant", "PATCH", "/organizations/{other_organization}/",
         [1, 2], says="JSON 对象"),
    Case("patch-application-string-body", "other_applicant", "PATCH", "/applications/{org_draft}/", '"text"',
         says="JSON 对象"),
    Case("patch-application-null-body", "other_applicant", "PATCH", "/applications/{org_draft}/", "null",
         says="JSON 对象"),
    Case("patch-application-number-body", "other_applicant", "PATCH", "/applications/{org_draft}/", "42",
         says="JSON 对象"),
    Case("post-assignment-list-body", "secretariat", "POST", "/assignments/", [[1]], says="JSON 对象"),
    Case("token-list-body", "anonymous", "POST", "/auth/token/", ["sec", "pw"], says="JSON 对象"),
    Case("transition-list-body", "secretariat", "POST", "/applications/{accepted}/transitions/", [{"name": "x"}],
         says="JSON 对象"),
    # -- not JSON at all ---------------------------------------------------------------------------
    Case("truncated-json", "other_applicant", "PATCH", "/applications/{org_draft}/", '{"title": ',
         says="parse_error"),
    Case("not-utf8", "other_applicant", "PATCH", "/applications/{org_draft}/", b'{"title": "\xff\xfe"}',
         says="parse_error"),
    Case("nan-literal", "other_applicant", "PATCH", "/applications/{org_draft}/", '{"answers": {"revenue": NaN}}',
         says="NaN"),
    Case("infinity-literal", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"answers": {"revenue": -Infinity}}', says="-Infinity"),
    Case("float-overflow-literal", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"answers": {"revenue": 1e400}}', says="非有限数"),
    Case("5000-digit-integer", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"answers": {"employees": ' + "9" * 5000 + "}}", says="parse_error"),
    Case("text-plain-body", "other_applicant", "PATCH", "/applications/{org_draft}/", "title=x",
         content_type="text/plain", status=415, says="text/plain"),
    Case("6MB-json-body", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"title": "' + "x" * (6 * 1024 * 1024) + '"}', status=413, says="too_large"),
    Case("1001-query-fields", "secretariat", "GET", "/applications/?" + "&".join(f"f{i}=1" for i in range(1001)),
         says="bad_request"),
    # -- nesting -----------------------------------------------------------------------------------
    Case("100000-brackets-application", "other_applicant", "PATCH", "/applications/{org_draft}/", deep(100_000),
         says="嵌套"),
    Case("100000-brackets-organizations", "applicant", "POST", "/organizations/", deep(100_000), says="嵌套"),
    Case("100000-brackets-token", "anonymous", "POST", "/auth/token/", deep(100_000), says="嵌套"),
    Case("100000-braces-assignments", "secretariat", "POST", "/assignments/", '{"a":' * 100_000 + "1" + "}" * 100_000,
         says="嵌套"),
    Case("25-levels-in-answers", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"answers": {"summary": ' + deep(25) + "}}", says="嵌套"),
    Case("25-levels-in-scoresheet", "judge", "PUT", "/assignments/{assignment}/scoresheet/",
         '{"items": ' + deep(25) + "}", says="嵌套"),
    # -- integers out of the database's range ----------------------------------------------------
    Case("query-judge-huge", "secretariat", "GET", f"/assignments/?judge={HUGE}", says="超出"),
    Case("query-cycle-huge", "secretariat", "GET", f"/assignments/?cycle={HUGE}", says="超出"),
    Case("query-application-negative-huge", "secretariat", "GET", f"/assignments/?application=-{HUGE}",
         says="超出"),
    Case("query-conflicts-organization-huge", "secretariat", "GET", f"/conflicts/?organization={HUGE}", says="超出"),
    Case("query-judges-cycle-huge", "secretariat", "GET", f"/judges/?cycle={HUGE}", says="超出"),
    Case("query-applications-cycle-huge", "secretariat", "GET", f"/applications/?cycle={HUGE}", says="超出"),
    Case("query-applications-category-huge", "applicant", "GET", f"/applications/?category={HUGE}", says="超出"),
    Case("query-page-huge", "secretariat", "GET", f"/applications/?page={HUGE}", says="超出"),
    Case("query-page-size-huge", "secretariat", "GET", f"/assignments/?page_size={HUGE}", says="超出"),
    Case("query-5000-digits", "secretariat", "GET", "/assignments/?judge=" + "9" * 5000, says="超出"),
    Case("body-assignment-application-huge", "secretariat", "POST", "/assignments/",
         {"application": 10**20, "judge": 1, "stage": "document"}, says="超出"),
    Case("body-assignment-judge-huge", "secretariat", "POST", "/assignments/",
         {"application": 1, "judge": -(10**20), "stage": "document"}, says="超出"),
    Case("body-conflict-organization-huge", "secretariat", "POST", "/conflicts/",
         {"organization": 10**19, "judge": 1, "reason": "x"}, says="超出"),
    Case("body-application-category-huge", "applicant", "POST", "/applications/",
         {"category": 10**25, "organization": 1, "title": "x"}, says="超出"),
    Case("body-employees-10^30", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": 10**30}}, says="超出"),
    Case("body-recommending-unit-huge", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"recommending_unit": 2**64}, says="超出"),
    Case("body-seed-huge-string", "secretariat", "POST", "/cycles/{cycle}/auto-assign/",
         {"stage": "document", "judges_per_application": 1, "seed": HUGE}, says="超出"),
    Case("body-assignment-application-huge-string", "secretariat", "POST", "/assignments/",
         {"application": HUGE, "judge": 1, "stage": "document"}, says="超出"),
    Case("body-conflict-application-huge-string", "secretariat", "POST", "/conflicts/",
         {"application": HUGE, "reason": "x"}, says="超出"),
    Case("body-percent-10^18", "judge", "PUT", "/assignments/{assignment}/scoresheet/",
         {"items": [{"criterion": "{criterion}", "percent": 10**18}]}, says="invalid_items"),
    Case("body-recused-huge", "secretariat", "POST", "/applications/{accepted}/transitions/",
         {"name": "approve", "recused": [2**40]}, says="recused"),
    # -- NUL and unpaired surrogates -------------------------------------------------------------
    Case("nul-in-answer", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"model_name": "精益\u0000管理"}}, says="空字符"),
    Case("nul-in-answer-key", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"model\u0000name": "x"}}, says="空字符"),
    Case("nul-in-title", "other_applicant", "PATCH", "/applications/{org_draft}/", {"title": "a\u0000b"},
         says="空字符"),
    Case("nul-in-organization-name", "other_applicant", "PATCH", "/organizations/{other_organization}/",
         {"name": "\u0000"}, says="空字符"),
    Case("nul-in-scoresheet-strengths", "judge", "PUT", "/assignments/{assignment}/scoresheet/",
         {"items": [{"criterion": "{criterion}", "percent": 50, "strengths": "好\u0000"}]}, says="空字符"),
    Case("nul-in-token-username", "anonymous", "POST", "/auth/token/", {"username": "sec\u0000", "password": "x"},
         says="空字符"),
    Case("surrogate-in-answer", "other_applicant", "PATCH", "/applications/{org_draft}/",
         '{"answers": {"model_name": "\\ud800"}}', says="代理项"),
    Case("nul-in-objection", "anonymous", "POST", "/public/notices/1/objections/",
         {"reason": "异议\u0000", "name": "王", "contact": "x"}, says="空字符"),
    Case("100000-brackets-objection", "anonymous", "POST", "/public/notices/1/objections/", deep(100_000),
         says="嵌套"),
    Case("nul-in-query", "secretariat", "GET", "/assignments/?state=%00", says="空字符"),
    Case("nul-in-query-name", "secretariat", "GET", "/applications/?%00=1", says="空字符"),
    Case("nul-in-path", "applicant", "GET", "/rubrics/GBT%00/", says="空字符"),
    # -- non-ASCII digits ------------------------------------------------------------------------
    Case("fullwidth-digit-in-query", "secretariat", "GET", "/assignments/?judge=１", says="半角"),
    Case("arabic-indic-digit-in-query", "secretariat", "GET", "/applications/?cycle=٣", says="半角"),
    Case("arabic-indic-digit-in-uscc", "applicant", "POST", "/organizations/",
         {**ORG_FIELDS, "uscc": "91٣10115MA1ABC123Q"}, says="不允许的字符"),
    Case("superscript-digit-in-percent", "judge", "PUT", "/assignments/{assignment}/scoresheet/",
         {"items": [{"criterion": "{criterion}", "percent": "²"}]}, says="invalid_items"),
    Case("fullwidth-digit-in-percent", "judge", "PUT", "/assignments/{assignment}/scoresheet/",
         {"items": [{"criterion": "{criterion}", "percent": "５０"}]}, says="invalid_items"),
    Case("fullwidth-integer-answer", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": "１２"}}, says="整数"),
    Case("zero-width-space-in-uscc", "applicant", "POST", "/organizations/",
         {**ORG_FIELDS, "uscc": "\u200b" + make_org_code_uscc("91310115", "MA1ABC12")}, says="18位"),
    Case("id-number-space-inside", "other_applicant", "POST", "/applications/",
         {"category": "{ind_category}", "organization": "{other_organization}", "title": "个人",
          "nominee": {"name": "李四", "employer": "乙方", "id_number": "1101051949 1231002X"}}, says="18位"),
    # -- answers by declared type ----------------------------------------------------------------
    Case("revenue-NaN-string", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": "NaN"}}, says="有限"),
    Case("revenue-minus-Infinity-string", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": "-Infinity"}}, says="有限"),
    Case("revenue-sNaN-string", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": "sNaN"}}, says="有限"),
    Case("revenue-1e30-string", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": "1e30"}}, says="超出"),
    Case("revenue-5-places", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": "1.00001"}}, says="小数"),
    Case("revenue-list", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"revenue": [1]}}, says="小数"),
    Case("employees-1.9", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": 1.9}}, says="整数"),
    Case("employees-1.9-string", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": "1.9"}}, says="整数"),
    Case("employees-1e30-float", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": 1e30}}, says="超出"),
    Case("employees-true", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"employees": True}}, says="整数"),
    Case("summary-300000-chars", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"summary": LONG_SUMMARY}}, says="最多 500 字"),
    Case("summary-501-chars", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"summary": "质" * 501}}, says="最多 500 字"),
    Case("model-name-dict", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"model_name": {"a": 1}}}, says="文本"),
    Case("compliance-maybe", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"compliance": "maybe"}}, says="是/否"),
    Case("answers-as-list", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": [["employees", 1]]}, says="answers"),
    Case("unknown-question", "other_applicant", "PATCH", "/applications/{org_draft}/",
         {"answers": {"nope": 1}}, says="未知的问题"),
    # -- identifiers -----------------------------------------------------------------------------
    Case("uscc-fullwidth-duplicate", "applicant", "POST", "/organizations/",
         {**ORG_FIELDS, "uscc": "{organization_uscc_fullwidth}"}, says="duplicate_uscc"),
    Case("uscc-fullwidth-bad-check", "applicant", "POST", "/organizations/",
         {**ORG_FIELDS, "uscc": "91３10115MA1ABC123A"}, says="校验位"),
    Case("id-number-fullwidth-duplicate", "other_applicant", "POST", "/applications/",
         {"category": "{ind_category}", "organization": "{other_organization}", "title": "个人",
          "nominee": {"name": "张三", "employer": "乙方", "id_number": "{nominee_id_fullwidth}"}},
         says="duplicate_application"),
    Case("id-number-arabic-indic", "other_applicant", "POST", "/applications/",
         {"category": "{ind_category}", "organization": "{other_organization}", "title": "个人",
          "nominee": {"name": "李四", "employer": "乙方", "id_number": "٣" * 17 + "X"}}, says="18位"),
    # -- paths the API does not know: JSON 404, never an HTML page --------------------------------
    Case("path-null-null", "secretariat", "GET", "/applications/null,null/", status=404, says="not_found"),
    Case("path-unknown", "secretariat", "GET", "/no-such-thing/", status=404, says="not_found"),
    Case("path-unknown-anonymous", "anonymous", "GET", "/applications/../../etc/passwd", status=404,
         says="not_found"),
    Case("path-id-huge", "secretariat", "GET", f"/applications/{HUGE}/", status=404, says="not_found"),
    Case("path-assignment-huge", "secretariat", "GET", f"/assignments/{HUGE}/scoresheet/", status=404,
         says="not_found"),
    Case("path-id-arabic-indic", "secretariat", "GET", "/applications/٣/", status=404, says="not_found"),
    Case("path-id-fullwidth", "secretariat", "PATCH", "/organizations/１/", {"name": "x"}, status=404,
         says="not_found"),
    Case("path-certificate-script", "anonymous", "GET", "/public/certificates/<script>alert(1)<%2Fscript>/",
         status=404, says="not_found"),
    Case("path-certificate-slashes", "anonymous", "GET", "/public/certificates///evil.example/", status=404,
         says="not_found"),
    Case("path-rubric-unicode", "applicant", "GET", "/rubrics/评分标准/", status=404, says="not_found"),
    Case("method-not-allowed", "secretariat", "PUT", "/programmes/", {}, status=405, says="PUT"),
]


def _materialise(value, ids: dict):
    """Replace "{name}" placeholders inside a body by the world's values (ids stay numbers)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: _materialise(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_materialise(item, ids) for item in value]
    return value


def _ids(world) -> dict:
    ind_category = world["ind_draft"].category_id
    nominee_number = world["ind_draft"].nominee.get_id_number()
    return {"org_draft": world["org_draft"].pk, "ind_draft": world["ind_draft"].pk, "accepted": world["accepted"].pk,
            "organization": world["organization"].pk, "other_organization": world["other_organization"].pk,
            "assignment": world["assignment"].pk, "ind_category": ind_category,
            "organization_uscc_fullwidth": world["organization"].uscc.translate(FW),
            "cycle": world["cycle"].pk,
            "nominee_id_fullwidth": nominee_number.translate(FW), "criterion": gbt_codes()[0]}


def _client(world, who: str) -> APIClient:
    client = APIClient()
    if world[who] is not None:
        client.force_authenticate(world[who])
    return client


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_api_request_is_a_json_4xx_that_changes_nothing(world, case: Case):
    ids = _ids(world)
    path = API + case.path.format(**ids)
    body = case.body
    if isinstance(body, (dict, list)):
        raw = json.dumps(_materialise(body, ids), ensure_ascii=False).encode()
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = body
    before = db_dump()
    kwargs = {"content_type": case.content_type} if raw is not None else {}
    response = _client(world, case.who).generic(case.method, path, raw or b"", **kwargs)
    assert response.status_code == case.status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "<html" not in text.lower()
    assert case.says in text, text[:500]
    assert changed_tables(before, db_dump()) == []


# -- the web side: verification codes with any character -----------------------------------------
WEB_CASES = [
    ("/verify/?code=<script>alert(1)</script>", 404),
    ("/verify/?code=//evil.example", 404),
    ("/verify/?code=https://evil.example/x", 404),
    ("/verify/?code=../../admin/", 404),
    ("/verify/?code=%E2%80%AE", 404),
    ("/verify/?code=a%00b", 400),
    ("/verify/%00/", 400),
    ("/applications/%00/", 400),
]


@pytest.mark.parametrize(("url", "status"), WEB_CASES, ids=[u for u, _ in WEB_CASES])
def test_web_verify_any_code_is_a_page_not_an_error(db, url, status):
    client = Client()
    before = db_dump()
    response = client.get(url, follow=True)
    assert response.status_code == status
    for hop, _code in response.redirect_chain:
        assert hop.startswith("/verify/"), hop  # never off the site
    assert changed_tables(before, db_dump()) == []


# -- what good identifiers look like after normalisation -----------------------------------------
def test_fullwidth_uscc_is_stored_in_ascii(applicant):
    code = make_org_code_uscc("91310115", "MA1ABC12")
    client = APIClient()
    client.force_authenticate(applicant)
    response = client.post(f"{API}/organizations/", {**ORG_FIELDS, "uscc": code.translate(FW).lower()}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == code


def test_fullwidth_id_number_is_indexed_like_ascii(world):
    from nominations.models import Nominee

    nominee = world["ind_draft"].nominee
    number = nominee.get_id_number()
    assert number.isascii()
    twin = Nominee(name="x", employer="y")
    twin.set_id_number(number.translate(FW))
    assert (twin.id_number_index, twin.id_number_masked) == (nominee.id_number_index, nominee.id_number_masked)
    assert Nominee.objects.filter(id_number_index=twin.id_number_index).count() == 1


def test_api_server_errors_are_json_too(rf):
    """A view that crashes under /api/ still answers JSON (Django's 500 page is replaced)."""
    from django.http import HttpResponseServerError

    from config.middleware import ApiJsonErrorsMiddleware

    page = HttpResponseServerError("<html><body>Server Error</body></html>")
    page["Content-Security-Policy"] = "default-src 'self'"
    response = ApiJsonErrorsMiddleware(lambda request: page)(rf.get("/api/v1/applications/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "服务器内部错误，请稍后重试。", "code": "server_error"}
    assert response["Content-Security-Policy"] == "default-src 'self'"
    web = ApiJsonErrorsMiddleware(lambda request: page)(rf.get("/applications/"))
    assert web is page  # pages keep their HTML error page


def test_catalogue_size():
    """The figure for the closing note: bad inputs tried by this file."""
    assert len(CASES) + len(WEB_CASES) >= 90


# -- answers by declared type, the function every entry point uses -----------------------------
def _q(kind: str, label: str = "问题", help_text: str = ""):
    from nominations.models import Question

    return Question(key="k", label=label, type=kind, help_text=help_text)


@pytest.mark.parametrize(("kind", "value", "fragment"), [
    ("integer", 1.5, "整数"), ("integer", "1e20", "超出"), ("integer", "0x10", "整数"), ("integer", [1], "整数"),
    ("integer", float("nan"), "有限"), ("integer", "１０", "整数"), ("integer", False, "整数"),
    ("decimal", "Infinity", "有限"), ("decimal", "nan", "有限"), ("decimal", float("inf"), "有限"),
    ("decimal", "-1e15", "超出"), ("decimal", "0.00001", "小数"), ("decimal", "1,000", "小数"), ("decimal", {}, "小数"),
    ("date", "2018-02-30", "日期"), ("date", "１９９０-01-01", "日期"), ("date", "0001-01-01", "范围"),
    ("date", "9999-12-31", "范围"), ("date", 20180101, "日期"), ("date", "2018-1-1T00:00", "日期"),
    ("boolean", "yes", "是/否"), ("boolean", 1, "是/否"), ("boolean", None, "是/否"),
    ("text", "x" * 5001, "最多 5000 字"), ("text", ["a"], "文本"), ("text", True, "文本"), ("text", "a\x00", "空字符"),
], ids=lambda v: repr(v)[:20])
def test_answer_refused(kind, value, fragment):
    from nominations.answers import AnswerInvalid, answer_clean

    with pytest.raises(AnswerInvalid) as err:
        answer_clean(_q(kind), value)
    assert fragment in str(err.value)


@pytest.mark.parametrize(("kind", "value", "clean"), [
    ("integer", "12", 12), ("integer", 2.0, 2), ("integer", " 7 ", 7), ("integer", "1e3", 1000),
    ("decimal", "1234.50", "1234.50"), ("decimal", 0.5, "0.5"), ("decimal", "1E+3", "1000"), ("decimal", -3, "-3"),
    ("date", "2018-01-01", "2018-01-01"), ("boolean", "true", True), ("boolean", False, False),
    ("text", "  概述  ", "概述"), ("text", 12, "12"),
], ids=lambda v: repr(v)[:20])
def test_answer_accepted_in_canonical_form(kind, value, clean):
    from nominations.answers import answer_clean

    assert answer_clean(_q(kind), value) == clean


@pytest.mark.parametrize(("label", "help_text", "limit"), [
    ("概述（500字以内）", "", 500), ("经验概述", "不超过2000字", 2000), ("成果（限 800 字）", "", 800),
    ("简介（300 字以下）", "请简要填写，500字以内", 300), ("先进质量管理模式名称", "", 5000),
    ("成果报告", "不少于 3000 字", 5000), ("事迹", "1000字以上", 5000), ("摘要", "至少50字，不超过800字", 800),
])
def test_text_limit_is_what_the_label_promises(label, help_text, limit):
    from nominations.answers import AnswerInvalid, answer_clean, text_limit

    question = _q("text", label, help_text)
    assert text_limit(question) == limit
    assert answer_clean(question, "质" * limit) == "质" * limit
    with pytest.raises(AnswerInvalid):
        answer_clean(question, "质" * (limit + 1))


# -- NUL in form fields, which some views read straight from request.POST --------------------------
@pytest.mark.parametrize(("who", "url", "data"), [
    (None, "/signup/", {"username": "a\x00b", "email": "a@example.com", "password1": "x", "password2": "x"}),
    (None, "/login/", {"username": "sec\x00", "password": "x"}),
    ("secretariat", "/admin/nominations/cycle/", {"action": "x\x00", "_selected_action": "1"}),
    ("applicant", "/organizations/new/", {"name": "甲\x00", "uscc": "x"}),
], ids=["signup", "login", "admin action", "organization form"])
def test_nul_in_a_web_form_is_a_400_page(world, who, url, data):
    client = Client()
    if who:
        client.force_login(world[who])
    before = db_dump()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert changed_tables(before, db_dump()) == []


def test_nul_in_a_multipart_api_field_is_a_json_400(world):
    client = APIClient()
    client.force_authenticate(world["other_applicant"])
    before = db_dump()
    response = client.post(f"{API}/applications/{world['org_draft'].pk}/documents/",
                           {"kind": "evidence\x00", "file": b"%PDF-1.4"}, format="multipart")
    assert response.status_code == 400 and "空字符" in json.dumps(response.json(), ensure_ascii=False)
    assert changed_tables(before, db_dump()) == []


# -- integers beyond 64 bits in web forms ----------------------------------------------------------
def test_web_forms_refuse_integers_beyond_64_bits(world):
    from judging.forms import AutoAssignForm, DecisionForm

    assert not AutoAssignForm(data={"judges_per_application": 1, "seed": HUGE}).is_valid()
    form = DecisionForm(data={"outcome": "approve", "decided_on": "2024-08-20", "votes_for": HUGE,
                              "votes_against": 0, "votes_abstain": 0, "recused": [HUGE]})
    assert not form.is_valid()  # no OverflowError from the recused lookup on SQLite
    assert {"votes_for", "recused"} <= set(form.errors)


def test_web_auto_assign_with_a_huge_seed_changes_nothing(world):
    client = Client()
    client.force_login(world["secretariat"])
    before = db_dump()
    response = client.post(f"/judging/cycles/{world['cycle'].pk}/auto-assign/",
                           {"stage": "document", "judges_per_application": 1, "seed": HUGE})
    assert response.status_code < 500
    assert changed_tables(before, db_dump()) == []
