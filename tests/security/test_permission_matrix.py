"""Issue 8: who may reach what. Every API operation (from the OpenAPI schema), every web
route (from the URL resolver: data pages, downloads, the certificate PDF) × every persona
of tests/security/world.py, one table of expected status per cell.

The world holds, before any request, the data that could leak (SECRET in world.py: titles,
the nominee and ID number, judges' comments, conflict reasons, objections, site reports,
minutes). Every answer, allowed or denied, must contain no secret outside the persona's
CLEARANCE, and a denied answer (401/403/404/405, a redirect to the login) none at all.
Each cell runs in a savepoint rolled back after the request: every cell sees the same world.

A new API operation or web route without a row fails test_every_operation_and_route_has_a_row.
To update the table: `MATRIX_TABLE=/tmp/matrix.txt .venv/bin/python -m pytest -q
tests/security/test_permission_matrix.py -k observed` writes the observed one; review the diff.
"""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from tests.security.world import PERSONAS, SECRET, _private_storage, module_world, rolled_back  # noqa: F401
from tests import factories as f

# What each persona may read (SECRET keys); the secretariat reads everything except the whole
# ID number, which every answer masks.
CLEARANCE = {
    "anonymous": set(),
    # applicant A: own applications (D's nominee masked), the accept note in the history,
    # P's site report in the feedback; as P's host, the attendees' names (never phones)
    "applicant_a": {"title_a", "title_d", "nominee", "notice_note", "site_summary", "attendee"},
    # applicant B: own application, own registration with its attendees
    "applicant_b": {"title_b", "attendee", "attendee_phone"},
    "recommender_named": {"title_a", "notice_note"},
    "recommender_other": {"title_b"},
    # judges with access read the application with its history, and their own sheet only
    "judge_assigned": {"title_a", "strength_assigned", "notice_note"},
    "judge_submitted": {"title_a", "strength_submitted", "notice_note"},
    # the conflicted judge keeps the row of their own assignment and conflict (title, reason),
    # and nothing of the application's content
    "judge_conflicted": {"title_a", "conflict_reason"},
    "judge_unassigned": set(),
    # the committee reads what it decides on: the site report and its own minute (P)
    "committee": {"site_summary", "minute"},
    "secretariat": set(SECRET) - {"id_number"},
}
DENIED = {301, 302, 401, 403, 404, 405}
#                anon appA appB recN recO jAsg jSub jCon jUna comm sec
COLUMNS = "anonymous applicant_a applicant_b recommender_named recommender_other judge_assigned judge_submitted " \
          "judge_conflicted judge_unassigned committee secretariat".split()
assert tuple(COLUMNS) == PERSONAS


def pdf(name="m.pdf"):
    return f.pdf_upload(name)


def csv_file():
    return SimpleUploadedFile("judges.csv", "username,name\nm-new-judge,新专家\n".encode(), content_type="text/csv")


# One row per API operation (and more where the object's state matters):
# (method, schema path, path ids, query, body, expected statuses in COLUMNS order).
# Bodies are valid for the personas that may act, so an allowed cell shows the act succeed.
API = [
    # catalog and auth (public)
    ("GET", "/api/v1/programmes/", {}, "", None, None),
    ("GET", "/api/v1/cycles/", {}, "", None, None),
    ("GET", "/api/v1/recommending-units/", {}, "?mine=true", None, None),
    ("GET", "/api/v1/rubrics/{code}/", {"code": "rubric"}, "", None, None),
    ("POST", "/api/v1/auth/token/", {}, "", {"username": "m-sec", "password": "wrong"}, None),
    ("DELETE", "/api/v1/auth/token/", {}, "", None, None),  # revokes the caller's own token (rolled back)
    # cycles (secretariat)
    ("GET", "/api/v1/cycles/{id}/transitions/", {"id": "cycle"}, "", None, None),
    ("POST", "/api/v1/cycles/{id}/transitions/", {"id": "cycle"}, "", {"name": "close", "note": "矩阵"}, None),
    # organizations
    ("GET", "/api/v1/organizations/", {}, "", None, None),
    ("POST", "/api/v1/organizations/", {}, "", {
        "name": "上海矩阵新建有限公司", "uscc": f._uscc(99), "established_on": "2010-01-01", "district": "浦东新区",
        "industry": "制造业", "address": "上海市浦东新区", "contact_name": "王", "contact_phone": "021-12345678",
        "contact_email": "new@example.com"}, None),
    ("GET", "/api/v1/organizations/{id}/", {"id": "org_a"}, "", None, None),
    ("PATCH", "/api/v1/organizations/{id}/", {"id": "org_a"}, "", {"address": "上海市黄浦区"}, None),
    # applications
    ("GET", "/api/v1/applications/", {}, "", None, None),
    ("POST", "/api/v1/applications/", {}, "", {"category": "@category", "organization": "@org_p", "title": "矩阵新申报",
                                               "answers": {}, "commitment": False}, None),
    ("GET", "/api/v1/applications/{id}/", {"id": "a"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/", {"id": "d"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/", {"id": "b"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/", {"id": "p"}, "", None, None),
    ("PATCH", "/api/v1/applications/{id}/", {"id": "d"}, "", {"title": "矩阵改名"}, None),
    ("PATCH", "/api/v1/applications/{id}/", {"id": "a"}, "", {"title": "矩阵改名"}, None),
    ("GET", "/api/v1/applications/{id}/history/", {"id": "a"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/transitions/", {"id": "a"}, "", None, None),
    ("POST", "/api/v1/applications/{id}/transitions/", {"id": "a"}, "", {"name": "withdraw", "note": "矩阵"}, None),
    ("POST", "/api/v1/applications/{id}/transitions/", {"id": "b"}, "", {"name": "endorse", "note": "矩阵"}, None),
    ("POST", "/api/v1/applications/{id}/documents/", {"id": "d"}, "", "upload", None),
    ("DELETE", "/api/v1/applications/{id}/documents/{doc_id}/", {"id": "a", "doc_id": "doc_a"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/documents/{doc_id}/download/", {"id": "a", "doc_id": "doc_a"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/documents/{doc_id}/download/", {"id": "b", "doc_id": "doc_b"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/documents/{doc_id}/download/", {"id": "p", "doc_id": "doc_p"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/certificate.pdf", {"id": "p"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/feedback.pdf", {"id": "p"}, "", None, None),
    ("GET", "/api/v1/applications/{id}/consensus/", {"id": "a"}, "?stage=document", None, None),
    ("PUT", "/api/v1/applications/{id}/consensus/", {"id": "a"}, "", {"stage": "document", "items": []}, None),
    ("GET", "/api/v1/applications/{id}/site-report/", {"id": "p"}, "", None, None),
    ("PUT", "/api/v1/applications/{id}/site-report/", {"id": "p"}, "", {"summary": "矩阵", "recommendation": "建议"}, None),
    ("POST", "/api/v1/applications/{id}/decision/", {"id": "a"}, "", {"outcome": "approve", "votes_for": 9,
                                                                     "votes_against": 1, "votes_abstain": 1}, None),
    # judging
    ("GET", "/api/v1/assignments/", {}, "", None, None),
    ("POST", "/api/v1/assignments/", {}, "", {"application": "@a", "judge": "@judge_unassigned", "stage": "document"}, None),
    ("GET", "/api/v1/assignments/{id}/", {"id": "asg_assigned"}, "", None, None),
    ("POST", "/api/v1/assignments/{id}/accept/", {"id": "asg_assigned"}, "", None, None),
    ("POST", "/api/v1/assignments/{id}/decline/", {"id": "asg_assigned"}, "", {"reason": "矩阵回避"}, None),
    ("POST", "/api/v1/assignments/{id}/submit/", {"id": "asg_assigned"}, "", None, None),
    ("POST", "/api/v1/assignments/{id}/reopen/", {"id": "asg_submitted"}, "", {"reason": "矩阵退回"}, None),
    ("GET", "/api/v1/assignments/{id}/scoresheet/", {"id": "asg_assigned"}, "", None, None),
    ("GET", "/api/v1/assignments/{id}/scoresheet/", {"id": "asg_submitted"}, "", None, None),
    ("PUT", "/api/v1/assignments/{id}/scoresheet/", {"id": "asg_assigned"}, "",
     {"items": [{"criterion": "4.1.2", "percent": 65}]}, None),
    ("GET", "/api/v1/judges/", {}, "", None, None),
    ("POST", "/api/v1/judges/", {}, "", {"username": "m-new-judge", "name": "新专家"}, None),
    ("POST", "/api/v1/judges/import/", {}, "", "csv", None),
    ("GET", "/api/v1/conflicts/", {}, "", None, None),
    ("POST", "/api/v1/conflicts/", {}, "", {"organization": "@org_b", "reason": "矩阵声明"}, None),
    ("POST", "/api/v1/conflicts/{id}/dismiss/", {"id": "conflict"}, "", {"reason": "矩阵排除"}, None),
    ("POST", "/api/v1/conflicts/{id}/withdraw/", {"id": "conflict"}, "", None, None),
    ("POST", "/api/v1/cycles/{id}/auto-assign/", {"id": "cycle"}, "", {"stage": "document",
                                                                      "judges_per_application": 1}, None),
    ("GET", "/api/v1/cycles/{id}/ranking/", {"id": "cycle"}, "?category={category}", None, None),
    ("GET", "/api/v1/cycles/{id}/leniency/", {"id": "cycle"}, "?category={category}", None, None),
    ("GET", "/api/v1/cycles/{id}/export.xlsx", {"id": "cycle"}, "", None, None),
    ("GET", "/api/v1/cycles/{id}/feedback/", {"id": "cycle_p"}, "", None, None),
    ("POST", "/api/v1/cycles/{id}/feedback/generate/", {"id": "cycle"}, "", None, None),
    ("POST", "/api/v1/cycles/{id}/feedback/release/", {"id": "cycle"}, "", None, None),
    ("GET", "/api/v1/feedback/{id}/", {"id": "feedback"}, "", None, None),
    ("PATCH", "/api/v1/feedback/{id}/", {"id": "feedback"}, "", {"summary": "矩阵总评"}, None),
    ("POST", "/api/v1/feedback/{id}/release/", {"id": "feedback"}, "", None, None),
    # publication
    ("GET", "/api/v1/public/notices/", {}, "", None, None),
    ("POST", "/api/v1/public/notices/{id}/objections/", {"id": "notice"}, "",
     {"application": "@p", "name": "矩阵异议人", "phone": "13800001111", "content": "矩阵异议"}, None),
    ("GET", "/api/v1/public/winners/", {}, "", None, None),
    ("GET", "/api/v1/public/certificates/{code}/", {"code": "certificate_code"}, "", None, None),
    ("GET", "/api/v1/objections/", {}, "", None, None),
    ("POST", "/api/v1/objections/{id}/investigate/", {"id": "objection"}, "", None, None),
    ("POST", "/api/v1/objections/{id}/resolve/", {"id": "objection"}, "",
     {"outcome": "dismissed", "resolution": "矩阵"}, None),
    ("GET", "/api/v1/public/certificates/", {}, "?number={certificate_number}&check={certificate_check}", None, None),
    # events (hosted by P's organization; applicant B's organization registered)
    ("GET", "/api/v1/public/events/", {}, "", None, None),
    ("GET", "/api/v1/events/", {}, "", None, None),
    ("POST", "/api/v1/events/", {}, "", "event", None),
    ("GET", "/api/v1/events/{id}/", {"id": "event"}, "", None, None),
    ("PATCH", "/api/v1/events/{id}/", {"id": "event"}, "", {"location": "上海市黄浦区"}, None),
    ("POST", "/api/v1/events/{id}/cancel/", {"id": "event"}, "", {"reason": "矩阵取消"}, None),
    ("POST", "/api/v1/events/{id}/close/", {"id": "event"}, "", {"attendance": 1, "summary": "矩阵"}, None),
    ("GET", "/api/v1/events/{id}/registrations/", {"id": "event"}, "", None, None),
    ("POST", "/api/v1/events/{id}/registrations/", {"id": "event"}, "", {
        "organization": "@org_a", "attendees": [{"name": "矩阵参会", "position": "经理", "phone": "13800002222"}]}, None),
    ("GET", "/api/v1/events/{id}/registrations.xlsx", {"id": "event"}, "", None, None),
    ("GET", "/api/v1/registrations/", {}, "?mine=true", None, None),
    ("GET", "/api/v1/registrations/{id}/", {"id": "registration"}, "", None, None),
    ("DELETE", "/api/v1/registrations/{id}/", {"id": "registration"}, "", None, None),
    ("POST", "/api/v1/registrations/{id}/check-in/", {"id": "registration"}, "", None, None),
]

# One row per web route (GET): the resolver's pattern, the URL, its ids, the expected statuses.
# Anonymous callers of a login-only page are redirected to the login (302).
WEB = [
    ("healthz", "/healthz", {}, None),
    ("readyz", "/readyz", {}, None),
    ("i18n/setlang/", "/i18n/setlang/", {}, None),
    ("favicon.ico", "/favicon.ico", {}, None),
    ("", "/", {}, None),
    ("login/", "/login/", {}, None),
    ("logout/", "/logout/", {}, None),
    ("signup/", "/signup/", {}, None),
    ("password/", "/password/", {}, None),
    ("signup/sent/", "/signup/sent/", {}, None),
    ("signup/activate/<str:uidb64>/<str:token>/", "/signup/activate/bm9wZQ/nope/", {}, None),
    ("login/code/", "/login/code/", {}, None),
    ("account/two-factor/", "/account/two-factor/", {}, None),
    ("account/two-factor/backup-codes/", "/account/two-factor/backup-codes/", {}, None),
    ("password/reset/", "/password/reset/", {}, None),
    ("password/reset/sent/", "/password/reset/sent/", {}, None),
    ("password/reset/<str:uidb64>/<str:token>/", "/password/reset/bm9wZQ/nope/", {}, None),
    ("password/reset/complete/", "/password/reset/complete/", {}, None),
    # public
    ("notices/", "/notices/", {}, None),
    ("notices/<int:pk>/", "/notices/{notice}/", {}, None),
    ("notices/<int:pk>/object/", "/notices/{notice}/object/", {}, None),
    ("notices/<int:pk>/object/received/<str:token>/", "/notices/{notice}/object/received/nope/", {}, None),
    ("winners/", "/winners/", {}, None),
    ("verify/", "/verify/", {}, None),
    ("verify/<path:code>/", "/verify/{certificate_code}/", {}, None),
    # applicants
    ("results/", "/results/", {}, None),
    ("applications/<int:pk>/certificate.pdf", "/applications/{p}/certificate.pdf", {}, None),
    ("organizations/new/", "/organizations/new/", {}, None),
    ("organizations/<int:pk>/edit/", "/organizations/{org_a}/edit/", {}, None),
    ("applications/", "/applications/", {}, None),
    ("applications/new/", "/applications/new/", {}, None),
    ("applications/new/<int:category_id>/", "/applications/new/{category}/", {}, None),
    ("applications/<int:pk>/", "/applications/{a}/", {}, None),
    ("applications/<int:pk>/", "/applications/{d}/", {}, None),
    ("applications/<int:pk>/", "/applications/{b}/", {}, None),
    ("applications/<int:pk>/", "/applications/{p}/", {}, None),
    ("applications/<int:pk>/edit/", "/applications/{d}/edit/", {}, None),
    ("applications/<int:pk>/autosave/", "/applications/{d}/autosave/", {}, None),
    ("applications/<int:pk>/transitions/<slug:name>/", "/applications/{a}/transitions/withdraw/", {}, None),
    ("applications/<int:pk>/documents/", "/applications/{d}/documents/", {}, None),
    ("applications/<int:pk>/documents/<int:doc_id>/delete/", "/applications/{a}/documents/{doc_a}/delete/", {}, None),
    ("applications/<int:pk>/documents/<int:doc_id>/download/", "/applications/{a}/documents/{doc_a}/download/", {},
     None),
    ("applications/<int:pk>/documents/<int:doc_id>/download/", "/applications/{b}/documents/{doc_b}/download/", {},
     None),
    ("recommender/", "/recommender/", {}, None),
    # secretariat (nominations)
    ("secretariat/cycles/", "/secretariat/cycles/", {}, None),
    ("secretariat/cycles/<int:pk>/", "/secretariat/cycles/{cycle}/", {}, None),
    ("secretariat/cycles/<int:pk>/transitions/<slug:name>/", "/secretariat/cycles/{cycle}/transitions/close/", {},
     None),
    ("secretariat/applications/<int:pk>/review/", "/secretariat/applications/{a}/review/", {}, None),
    ("secretariat/publication/", "/secretariat/publication/", {}, None),
    ("secretariat/cycles/<int:pk>/notice/", "/secretariat/cycles/{cycle_p}/notice/", {}, None),
    ("secretariat/cycles/<int:pk>/notice/start/", "/secretariat/cycles/{cycle}/notice/start/", {}, None),
    ("secretariat/applications/<int:pk>/notice/<slug:name>/", "/secretariat/applications/{p}/notice/confirm/", {},
     None),
    ("secretariat/holidays/", "/secretariat/holidays/", {}, None),
    ("secretariat/holidays/<int:pk>/delete/", "/secretariat/holidays/1/delete/", {}, None),
    ("secretariat/objections/", "/secretariat/objections/", {}, None),
    ("secretariat/objections/<int:pk>/", "/secretariat/objections/{objection}/", {}, None),
    ("secretariat/objections/<int:pk>/evidence/", "/secretariat/objections/{objection}/evidence/", {}, None),
    ("secretariat/objections/<int:pk>/<slug:name>/", "/secretariat/objections/{objection}/investigate/", {}, None),
    ("secretariat/cycles/<int:pk>/publication/", "/secretariat/cycles/{cycle_p}/publication/", {}, None),
    ("secretariat/cycles/<int:pk>/publication/publish/", "/secretariat/cycles/{cycle_p}/publication/publish/", {},
     None),
    ("secretariat/cycles/<int:pk>/certificates/reissue/", "/secretariat/cycles/{cycle_p}/certificates/reissue/", {},
     None),
    ("secretariat/certificate-batches/<int:pk>/combined.pdf", "/secretariat/certificate-batches/{batch}/combined.pdf", {},
     None),
    ("secretariat/applications/<int:pk>/revoke/", "/secretariat/applications/{p}/revoke/", {}, None),
    ("secretariat/certificate-batches/<int:pk>/status/", "/secretariat/certificate-batches/{batch}/status/", {}, None),
    ("secretariat/jobs/<int:pk>/status/", "/secretariat/jobs/1/status/", {}, None),
    ("secretariat/jobs/<int:pk>/result/", "/secretariat/jobs/1/result/", {}, None),
    # judging: judges
    ("judging/", "/judging/", {}, None),
    ("judging/assignments/<int:pk>/", "/judging/assignments/{asg_assigned}/", {}, None),
    ("judging/assignments/<int:pk>/", "/judging/assignments/{asg_submitted}/", {}, None),
    ("judging/assignments/<int:pk>/accept/", "/judging/assignments/{asg_assigned}/accept/", {}, None),
    ("judging/assignments/<int:pk>/decline/", "/judging/assignments/{asg_assigned}/decline/", {}, None),
    ("judging/applications/<int:pk>/consensus/<slug:stage>/", "/judging/applications/{a}/consensus/document/", {},
     None),
    ("judging/applications/<int:pk>/site-report/", "/judging/applications/{p}/site-report/", {}, None),
    ("judging/my-conflicts/declare/", "/judging/my-conflicts/declare/", {}, None),
    ("judging/my-conflicts/<int:pk>/withdraw/", "/judging/my-conflicts/{conflict}/withdraw/", {}, None),
    # judging: secretariat
    ("judging/desk/", "/judging/desk/", {}, None),
    ("judging/judges/", "/judging/judges/", {}, None),
    ("judging/judges/new/", "/judging/judges/new/", {}, None),
    ("judging/judges/<int:pk>/", "/judging/judges/{judge_conflicted}/", {}, None),
    ("judging/judges/<int:pk>/relations/", "/judging/judges/{judge_conflicted}/relations/", {}, None),
    ("judging/judges/<int:pk>/relations/<int:relation_id>/delete/",
     "/judging/judges/{judge_conflicted}/relations/1/delete/", {}, None),
    ("judging/conflicts/", "/judging/conflicts/", {}, None),
    ("judging/conflicts/scan/", "/judging/conflicts/scan/", {}, None),
    ("judging/conflicts/<int:pk>/dismiss/", "/judging/conflicts/{conflict}/dismiss/", {}, None),
    ("judging/cycles/<int:pk>/assignments/", "/judging/cycles/{cycle}/assignments/", {}, None),
    ("judging/cycles/<int:pk>/assignments/new/", "/judging/cycles/{cycle}/assignments/new/", {}, None),
    ("judging/cycles/<int:pk>/auto-assign/", "/judging/cycles/{cycle}/auto-assign/", {}, None),
    ("judging/cycles/<int:pk>/progress/", "/judging/cycles/{cycle}/progress/", {}, None),
    ("judging/cycles/<int:pk>/ranking/", "/judging/cycles/{cycle}/ranking/", {}, None),
    ("judging/cycles/<int:pk>/exports/", "/judging/cycles/{cycle}/exports/", {}, None),
    ("judging/assignments/<int:pk>/reopen/", "/judging/assignments/{asg_submitted}/reopen/", {}, None),
    ("judging/assignments/<int:pk>/leader/", "/judging/assignments/{asg_assigned}/leader/", {}, None),
    ("judging/assignments/<int:pk>/due/", "/judging/assignments/{asg_assigned}/due/", {}, None),
    ("judging/applications/<int:pk>/transitions/<slug:name>/", "/judging/applications/{a}/transitions/finish_review/",
     {}, None),
    ("judging/applications/<int:pk>/decision/", "/judging/applications/{a}/decision/", {}, None),
    # judging: committee
    ("judging/committee/", "/judging/committee/", {}, None),
    ("judging/committee/cycles/<int:pk>/", "/judging/committee/cycles/{cycle}/", {}, None),
    ("judging/committee/applications/<int:pk>/", "/judging/committee/applications/{a}/", {}, None),
    ("judging/committee/applications/<int:pk>/", "/judging/committee/applications/{p}/", {}, None),
    # judging: feedback reports
    ("judging/feedback/", "/judging/feedback/", {}, None),
    ("judging/feedback/cycles/<int:pk>/", "/judging/feedback/cycles/{cycle_p}/", {}, None),
    ("judging/feedback/cycles/<int:pk>/generate/", "/judging/feedback/cycles/{cycle_p}/generate/", {}, None),
    ("judging/feedback/cycles/<int:pk>/release/", "/judging/feedback/cycles/{cycle_p}/release/", {}, None),
    ("judging/feedback/applications/<int:pk>/generate/", "/judging/feedback/applications/{p}/generate/", {}, None),
    ("judging/feedback/applications/<int:pk>/report.pdf", "/judging/feedback/applications/{p}/report.pdf", {}, None),
    ("judging/feedback/reports/<int:pk>/", "/judging/feedback/reports/{feedback}/", {}, None),
    ("judging/feedback/reports/<int:pk>/preview.pdf", "/judging/feedback/reports/{feedback}/preview.pdf", {}, None),
    ("judging/feedback/reports/<int:pk>/release/", "/judging/feedback/reports/{feedback}/release/", {}, None),
    ("judging/feedback/mine/", "/judging/feedback/mine/", {}, None),
    # events
    ("events/", "/events/", {}, None),
    ("events/mine/", "/events/mine/", {}, None),
    ("events/<int:pk>/", "/events/{event}/", {}, None),
    ("events/<int:pk>/registrations/", "/events/{event}/registrations/", {}, None),
    ("events/registrations/<int:pk>/cancel/", "/events/registrations/{registration}/cancel/", {}, None),
    ("events/registrations/<int:pk>/qr.png", "/events/registrations/{registration}/qr.png", {}, None),
    ("events/checkin/<str:token>/", "/events/checkin/nope/", {}, None),
    ("secretariat/events/", "/secretariat/events/", {}, None),
    ("secretariat/events/new/", "/secretariat/events/new/", {}, None),
    ("secretariat/events/<int:pk>/", "/secretariat/events/{event}/", {}, None),
    ("secretariat/events/<int:pk>/edit/", "/secretariat/events/{event}/edit/", {}, None),
    ("secretariat/events/<int:pk>/cancel/", "/secretariat/events/{event}/cancel/", {}, None),
    ("secretariat/events/<int:pk>/close/", "/secretariat/events/{event}/close/", {}, None),
    ("secretariat/events/<int:pk>/registrations.xlsx", "/secretariat/events/{event}/registrations.xlsx", {}, None),
    ("secretariat/events/<int:pk>/registrations/<int:reg_pk>/check-in/",
     "/secretariat/events/{event}/registrations/{registration}/check-in/", {}, None),
    # the admin (staff only; no persona is staff)
    ("admin/", "/admin/nominations/application/", {}, None),
    ("admin/", "/admin/nominations/application/{a}/change/", {}, None),
]


def _resolve(value, ids):
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def _token(client, user):
    """A token through the API's own login (keeps working whatever the token library)."""
    cache.clear()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-123456"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", "replace")


def _leaks(text: str, persona: str, status: int) -> list[str]:
    allowed = set() if status in DENIED else CLEARANCE[persona]
    return [key for key, value in SECRET.items() if key not in allowed and value in text]


def api_request(client, headers, row, ids):
    method, path, params, query, body, _expect = row
    url = path.format(**{k: ids[v] for k, v in params.items()}) + query.format(**ids)
    if body == "upload":
        return client.post(url, {"kind": "application_form", "file": pdf()}, **headers)
    if body == "event":
        now = timezone.now()
        body = {"kind": "exchange_visit", "title": "矩阵交流", "host_applications": ["@p"], "location": "上海",
                "starts_at": (now + dt.timedelta(days=9)).isoformat(), "ends_at": (now + dt.timedelta(days=9, hours=2)).isoformat(),
                "capacity": 10, "per_organization_limit": 2, "description": "矩阵",
                "registration_opens_at": now.isoformat(), "registration_closes_at": (now + dt.timedelta(days=5)).isoformat()}
    if body == "csv":
        return client.post(url, {"file": csv_file()}, **headers)
    data = json.dumps(_resolve(body, ids)) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json", **headers)


def web_url(row, ids):
    return row[1].format(**ids)


def run_cells(world, persona):
    """Every row for one persona: (kind, label, status, leaks)."""
    ids = world.ids
    user = world.user(persona)
    api_client, web_client = Client(), Client()
    headers = {}
    if user is not None:
        headers = {"HTTP_AUTHORIZATION": f"Token {_token(api_client, user)}"}
        web_client.force_login(user)
    out = []
    for row in API:
        cache.clear()
        with rolled_back():
            response = api_request(api_client, headers, row, ids)
        status = response.status_code
        out.append(("api", api_key(row), status, _leaks(_body_text(response), persona, status)))
    for row in WEB:
        cache.clear()
        with rolled_back():
            response = web_client.get(web_url(row, ids))
        status = response.status_code
        out.append(("web", web_key(row), status, _leaks(_body_text(response), persona, status)))
    return out


# -- the table ------------------------------------------------------------------------------
def api_key(row) -> str:
    method, path, params = row[0], row[1], row[2]
    return f"{method} {path.format(**{name: '{' + key + '}' for name, key in params.items()})}"


def web_key(row) -> str:
    return row[1]


def parse_table(text: str) -> dict[str, list[int]]:
    table = {}
    for line in text.strip().splitlines()[1:]:
        *key, = line.rsplit(None, len(COLUMNS))
        label, codes = key[0].strip(), key[1:]
        assert len(codes) == len(COLUMNS), line
        assert label not in table, f"two lines for {label}"
        table[label] = [int(c) for c in codes]
    return table


def format_table(results: dict[str, dict[str, int]]) -> str:
    width = max(len(k) for k in results) + 2
    head = "".ljust(width) + " ".join(c[:4].rjust(4) for c in ("anon", "apA", "apB", "recN", "recO", "jAsg", "jSub",
                                                                "jCon", "jUna", "comm", "sec"))
    lines = [head] + [k.ljust(width) + " ".join(str(v[p]).rjust(4) for p in COLUMNS) for k, v in results.items()]
    return "\n".join(lines)


# Expected status per cell. 401: the API without credentials; 302: a page sends an anonymous
# caller to the login (or, for a logged-in caller, back to a page with a message); 403: the
# role may not; 404: not there or not visible to this caller (never reveals existence);
# 405: a POST-only action reached with GET; 400/409: the caller passed the permission check
# and the act was refused on its merits (state, conditions). Review a changed cell as a
# change of who may see or do what.
EXPECTED = parse_table("""
                                                                    anon  apA  apB recN recO jAsg jSub jCon jUna comm  sec
GET /api/v1/programmes/                                              200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/cycles/                                                  200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/recommending-units/                                      401  200  200  200  200  200  200  200  200  200  200
GET /api/v1/rubrics/{rubric}/                                        200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/auth/token/                                             400  400  400  400  400  400  400  400  400  400  400
DELETE /api/v1/auth/token/                                           401  204  204  204  204  204  204  204  204  204  204
GET /api/v1/cycles/{cycle}/transitions/                              401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/cycles/{cycle}/transitions/                             401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/organizations/                                           401  200  200  200  200  200  200  200  200  200  200
POST /api/v1/organizations/                                          401  201  201  201  201  201  201  201  201  201  201
GET /api/v1/organizations/{org_a}/                                   401  200  404  404  404  404  404  404  404  404  200
PATCH /api/v1/organizations/{org_a}/                                 401  200  404  404  404  404  404  404  404  404  200
GET /api/v1/applications/                                            401  200  200  200  200  200  200  200  200  200  200
POST /api/v1/applications/                                           401  201  400  400  400  400  400  400  400  400  400
GET /api/v1/applications/{a}/                                        401  200  404  200  404  200  200  404  404  404  200
GET /api/v1/applications/{d}/                                        401  200  404  404  404  404  404  404  404  404  200
GET /api/v1/applications/{b}/                                        401  404  200  404  200  404  404  404  404  404  200
GET /api/v1/applications/{p}/                                        401  200  404  200  404  404  404  404  404  404  200
PATCH /api/v1/applications/{d}/                                      401  200  404  404  404  404  404  404  404  404  403
PATCH /api/v1/applications/{a}/                                      401  409  404  403  404  403  403  404  404  404  403
GET /api/v1/applications/{a}/history/                                401  200  404  200  404  200  200  404  404  404  200
GET /api/v1/applications/{a}/transitions/                            401  200  404  200  404  200  200  404  404  404  200
POST /api/v1/applications/{a}/transitions/                           401  200  404  403  404  403  403  404  404  404  403
POST /api/v1/applications/{b}/transitions/                           401  404  403  404  200  404  404  404  404  404  403
POST /api/v1/applications/{d}/documents/                             401  201  404  404  404  404  404  404  404  404  403
DELETE /api/v1/applications/{a}/documents/{doc_a}/                   401  409  404  403  404  403  403  404  404  404  403
GET /api/v1/applications/{a}/documents/{doc_a}/download/             401  200  404  200  404  200  200  404  404  404  200
GET /api/v1/applications/{b}/documents/{doc_b}/download/             401  404  200  404  200  404  404  404  404  404  200
GET /api/v1/applications/{p}/documents/{doc_p}/download/             401  200  404  200  404  404  404  404  404  404  200
GET /api/v1/applications/{p}/certificate.pdf                         401  200  404  404  404  404  404  404  404  404  200
GET /api/v1/applications/{p}/feedback.pdf                            401  200  404  404  404  404  404  404  404  404  200
GET /api/v1/applications/{a}/consensus/                              401  404  404  404  404  404  404  404  404  404  200
PUT /api/v1/applications/{a}/consensus/                              401  404  404  404  404  400  403  404  404  404  400
GET /api/v1/applications/{p}/site-report/                            401  404  404  404  404  404  404  404  404  404  200
PUT /api/v1/applications/{p}/site-report/                            401  404  404  404  404  404  404  404  404  404  409
POST /api/v1/applications/{a}/decision/                              401  403  403  403  403  403  403  403  403  403  409
GET /api/v1/assignments/                                             401  403  403  403  403  200  200  200  200  403  200
POST /api/v1/assignments/                                            401  403  403  403  403  403  403  403  403  403  201
GET /api/v1/assignments/{asg_assigned}/                              401  404  404  404  404  200  404  404  404  404  200
POST /api/v1/assignments/{asg_assigned}/accept/                      401  404  404  404  404  409  404  404  404  404  404
POST /api/v1/assignments/{asg_assigned}/decline/                     401  404  404  404  404  200  404  404  404  404  200
POST /api/v1/assignments/{asg_assigned}/submit/                      401  404  404  404  404  200  404  404  404  404  404
POST /api/v1/assignments/{asg_submitted}/reopen/                     401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/assignments/{asg_assigned}/scoresheet/                   401  404  404  404  404  200  404  404  404  404  200
GET /api/v1/assignments/{asg_submitted}/scoresheet/                  401  404  404  404  404  404  200  404  404  404  200
PUT /api/v1/assignments/{asg_assigned}/scoresheet/                   401  404  404  404  404  200  404  404  404  404  404
GET /api/v1/judges/                                                  401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/judges/                                                 401  403  403  403  403  403  403  403  403  403  201
POST /api/v1/judges/import/                                          401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/conflicts/                                               401  403  403  403  403  200  200  200  200  200  200
POST /api/v1/conflicts/                                              401  403  403  403  403  201  201  201  201  201  403
POST /api/v1/conflicts/{conflict}/dismiss/                           401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/conflicts/{conflict}/withdraw/                          401  404  404  404  404  404  404  403  404  404  404
POST /api/v1/cycles/{cycle}/auto-assign/                             401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/cycles/{cycle}/ranking/                                  401  403  403  403  403  403  403  403  403  200  200
GET /api/v1/cycles/{cycle}/leniency/                                 401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/cycles/{cycle}/export.xlsx                               401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/cycles/{cycle_p}/feedback/                               401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/cycles/{cycle}/feedback/generate/                       401  403  403  403  403  403  403  403  403  403  202
POST /api/v1/cycles/{cycle}/feedback/release/                        401  403  403  403  403  403  403  403  403  403  400
GET /api/v1/feedback/{feedback}/                                     401  403  403  403  403  403  403  403  403  403  200
PATCH /api/v1/feedback/{feedback}/                                   401  403  403  403  403  403  403  403  403  403  409
POST /api/v1/feedback/{feedback}/release/                            401  403  403  403  403  403  403  403  403  403  409
GET /api/v1/public/notices/                                          200  200  200  200  200  200  200  200  200  200  200
POST /api/v1/public/notices/{notice}/objections/                     400  400  400  400  400  400  400  400  400  400  400
GET /api/v1/public/winners/                                          200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/public/certificates/{certificate_code}/                  200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/objections/                                              401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/objections/{objection}/investigate/                     401  403  403  403  403  403  403  403  403  403  409
POST /api/v1/objections/{objection}/resolve/                         401  403  403  403  403  403  403  403  403  403  409
GET /api/v1/public/certificates/                                     200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/public/events/                                           200  200  200  200  200  200  200  200  200  200  200
GET /api/v1/events/                                                  401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/events/                                                 401  403  403  403  403  403  403  403  403  403  201
GET /api/v1/events/{event}/                                          200  200  200  200  200  200  200  200  200  200  200
PATCH /api/v1/events/{event}/                                        401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/events/{event}/cancel/                                  401  403  403  403  403  403  403  403  403  403  200
POST /api/v1/events/{event}/close/                                   401  403  403  403  403  403  403  403  403  403  409
GET /api/v1/events/{event}/registrations/                            401  200  403  403  403  403  403  403  403  403  200
POST /api/v1/events/{event}/registrations/                           401  201  400  403  403  403  403  403  403  403  403
GET /api/v1/events/{event}/registrations.xlsx                        401  403  403  403  403  403  403  403  403  403  200
GET /api/v1/registrations/                                           401  200  200  200  200  200  200  200  200  200  200
GET /api/v1/registrations/{registration}/                            401  404  200  404  404  404  404  404  404  404  200
DELETE /api/v1/registrations/{registration}/                         401  404  204  404  404  404  404  404  404  404  204
POST /api/v1/registrations/{registration}/check-in/                  401  403  403  403  403  403  403  403  403  403  200
/healthz                                                             200  200  200  200  200  200  200  200  200  200  200
/readyz                                                              200  200  200  200  200  200  200  200  200  200  200
/i18n/setlang/                                                       302  302  302  302  302  302  302  302  302  302  302
/favicon.ico                                                         301  301  301  301  301  301  301  301  301  301  301
/                                                                    200  200  200  200  200  200  200  200  200  200  200
/login/                                                              200  302  302  302  302  302  302  302  302  302  302
/logout/                                                             405  405  405  405  405  405  405  405  405  405  405
/signup/                                                             200  302  302  302  302  302  302  302  302  302  302
/password/                                                           302  200  200  200  200  200  200  200  200  200  200
/signup/sent/                                                        200  200  200  200  200  200  200  200  200  200  200
/signup/activate/bm9wZQ/nope/                                        400  400  400  400  400  400  400  400  400  400  400
/login/code/                                                         302  302  302  302  302  302  302  302  302  302  302
/account/two-factor/                                                 302  302  302  302  302  200  200  200  200  200  200
/account/two-factor/backup-codes/                                    302  200  200  200  200  200  200  200  200  200  200
/password/reset/                                                     200  200  200  200  200  200  200  200  200  200  200
/password/reset/sent/                                                200  200  200  200  200  200  200  200  200  200  200
/password/reset/bm9wZQ/nope/                                         400  400  400  400  400  400  400  400  400  400  400
/password/reset/complete/                                            200  200  200  200  200  200  200  200  200  200  200
/notices/                                                            200  200  200  200  200  200  200  200  200  200  200
/notices/{notice}/                                                   200  200  200  200  200  200  200  200  200  200  200
/notices/{notice}/object/                                            200  200  200  200  200  200  200  200  200  200  200
/notices/{notice}/object/received/nope/                              404  404  404  404  404  404  404  404  404  404  404
/winners/                                                            200  200  200  200  200  200  200  200  200  200  200
/verify/                                                             200  200  200  200  200  200  200  200  200  200  200
/verify/{certificate_code}/                                          200  200  200  200  200  200  200  200  200  200  200
/results/                                                            302  200  200  200  200  200  200  200  200  200  200
/applications/{p}/certificate.pdf                                    302  200  404  404  404  404  404  404  404  404  200
/organizations/new/                                                  302  200  200  200  200  200  200  200  200  200  200
/organizations/{org_a}/edit/                                         302  200  404  404  404  404  404  404  404  404  200
/applications/                                                       302  200  200  200  200  200  200  200  200  200  200
/applications/new/                                                   302  200  200  302  302  302  302  302  302  302  302
/applications/new/{category}/                                        302  200  200  302  302  302  302  302  302  302  302
/applications/{a}/                                                   302  200  404  200  404  200  200  404  404  404  200
/applications/{d}/                                                   302  200  404  404  404  404  404  404  404  404  200
/applications/{b}/                                                   302  404  200  404  200  404  404  404  404  404  200
/applications/{p}/                                                   302  200  404  200  404  404  404  404  404  404  200
/applications/{d}/edit/                                              302  200  404  404  404  404  404  404  404  404  302
/applications/{d}/autosave/                                          405  405  405  405  405  405  405  405  405  405  405
/applications/{a}/transitions/withdraw/                              302  200  404  302  404  302  302  404  404  404  302
/applications/{d}/documents/                                         405  405  405  405  405  405  405  405  405  405  405
/applications/{a}/documents/{doc_a}/delete/                          405  405  405  405  405  405  405  405  405  405  405
/applications/{a}/documents/{doc_a}/download/                        302  200  404  200  404  200  200  404  404  404  200
/applications/{b}/documents/{doc_b}/download/                        302  404  200  404  200  404  404  404  404  404  200
/recommender/                                                        302  403  403  200  200  403  403  403  403  403  403
/secretariat/cycles/                                                 302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle}/                                         302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle}/transitions/close/                       302  403  403  403  403  403  403  403  403  403  200
/secretariat/applications/{a}/review/                                302  403  403  403  403  403  403  403  403  403  200
/secretariat/publication/                                            302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle_p}/notice/                                302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle}/notice/start/                            302  403  403  403  403  403  403  403  403  403  405
/secretariat/applications/{p}/notice/confirm/                        302  403  403  403  403  403  403  403  403  403  200
/secretariat/holidays/                                               302  403  403  403  403  403  403  403  403  403  200
/secretariat/holidays/1/delete/                                      302  403  403  403  403  403  403  403  403  403  405
/secretariat/objections/                                             302  403  403  403  403  403  403  403  403  403  200
/secretariat/objections/{objection}/                                 302  403  403  403  403  403  403  403  403  403  200
/secretariat/objections/{objection}/evidence/                        302  403  403  403  403  403  403  403  403  403  404
/secretariat/objections/{objection}/investigate/                     302  403  403  403  403  403  403  403  403  403  302
/secretariat/cycles/{cycle_p}/publication/                           302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle_p}/publication/publish/                   302  403  403  403  403  403  403  403  403  403  200
/secretariat/cycles/{cycle_p}/certificates/reissue/                  302  403  403  403  403  403  403  403  403  403  405
/secretariat/certificate-batches/{batch}/combined.pdf                      302  403  403  403  403  403  403  403  403  403  200
/secretariat/applications/{p}/revoke/                                302  403  403  403  403  403  403  403  403  403  200
/secretariat/certificate-batches/{batch}/status/                           302  403  403  403  403  403  403  403  403  403  200
/secretariat/jobs/1/status/                                          302  403  403  403  403  403  403  403  403  403  404
/secretariat/jobs/1/result/                                          302  403  403  403  403  403  403  403  403  403  404
/judging/                                                            302  403  403  403  403  200  200  200  200  403  403
/judging/assignments/{asg_assigned}/                                 302  403  403  403  403  200  404  404  404  403  403
/judging/assignments/{asg_submitted}/                                302  403  403  403  403  404  200  404  404  403  403
/judging/assignments/{asg_assigned}/accept/                          405  405  405  405  405  405  405  405  405  405  405
/judging/assignments/{asg_assigned}/decline/                         302  403  403  403  403  200  404  404  404  403  403
/judging/applications/{a}/consensus/document/                        302  403  403  403  403  404  404  404  404  403  200
/judging/applications/{p}/site-report/                               302  403  403  403  403  404  404  404  404  403  200
/judging/my-conflicts/declare/                                       405  405  405  405  405  405  405  405  405  405  405
/judging/my-conflicts/{conflict}/withdraw/                           405  405  405  405  405  405  405  405  405  405  405
/judging/desk/                                                       302  403  403  403  403  403  403  403  403  403  200
/judging/judges/                                                     302  403  403  403  403  403  403  403  403  403  200
/judging/judges/new/                                                 302  403  403  403  403  403  403  403  403  403  200
/judging/judges/{judge_conflicted}/                                  302  403  403  403  403  403  403  403  403  403  200
/judging/judges/{judge_conflicted}/relations/                        405  405  405  405  405  405  405  405  405  405  405
/judging/judges/{judge_conflicted}/relations/1/delete/               405  405  405  405  405  405  405  405  405  405  405
/judging/conflicts/                                                  302  403  403  403  403  403  403  403  403  403  200
/judging/conflicts/scan/                                             405  405  405  405  405  405  405  405  405  405  405
/judging/conflicts/{conflict}/dismiss/                               405  405  405  405  405  405  405  405  405  405  405
/judging/cycles/{cycle}/assignments/                                 302  403  403  403  403  403  403  403  403  403  200
/judging/cycles/{cycle}/assignments/new/                             405  405  405  405  405  405  405  405  405  405  405
/judging/cycles/{cycle}/auto-assign/                                 405  405  405  405  405  405  405  405  405  405  405
/judging/cycles/{cycle}/progress/                                    302  403  403  403  403  403  403  403  403  403  200
/judging/cycles/{cycle}/ranking/                                     302  403  403  403  403  403  403  403  403  403  200
/judging/cycles/{cycle}/exports/                                     302  403  403  403  403  403  403  403  403  403  200
/judging/assignments/{asg_submitted}/reopen/                         405  405  405  405  405  405  405  405  405  405  405
/judging/assignments/{asg_assigned}/leader/                          405  405  405  405  405  405  405  405  405  405  405
/judging/assignments/{asg_assigned}/due/                             405  405  405  405  405  405  405  405  405  405  405
/judging/applications/{a}/transitions/finish_review/                 405  405  405  405  405  405  405  405  405  405  405
/judging/applications/{a}/decision/                                  302  403  403  403  403  403  403  403  403  403  200
/judging/committee/                                                  302  403  403  403  403  403  403  403  403  200  200
/judging/committee/cycles/{cycle}/                                   302  403  403  403  403  403  403  403  403  200  200
/judging/committee/applications/{a}/                                 302  403  403  403  403  403  403  403  403  404  404
/judging/committee/applications/{p}/                                 302  403  403  403  403  403  403  403  403  200  200
/judging/feedback/                                                   302  403  403  403  403  403  403  403  403  403  200
/judging/feedback/cycles/{cycle_p}/                                  302  403  403  403  403  403  403  403  403  403  200
/judging/feedback/cycles/{cycle_p}/generate/                         302  403  403  403  403  403  403  403  403  403  405
/judging/feedback/cycles/{cycle_p}/release/                          302  403  403  403  403  403  403  403  403  403  405
/judging/feedback/applications/{p}/generate/                         302  403  403  403  403  403  403  403  403  403  405
/judging/feedback/applications/{p}/report.pdf                        404  200  404  404  404  404  404  404  404  404  200
/judging/feedback/reports/{feedback}/                                302  403  403  403  403  403  403  403  403  403  200
/judging/feedback/reports/{feedback}/preview.pdf                     302  403  403  403  403  403  403  403  403  403  200
/judging/feedback/reports/{feedback}/release/                        302  403  403  403  403  403  403  403  403  403  405
/judging/feedback/mine/                                              302  200  200  200  200  200  200  200  200  200  200
/events/                                                             200  200  200  200  200  200  200  200  200  200  200
/events/mine/                                                        302  200  200  200  200  200  200  200  200  200  200
/events/{event}/                                                     200  200  200  200  200  200  200  200  200  200  200
/events/{event}/registrations/                                       302  200  403  403  403  403  403  403  403  403  200
/events/registrations/{registration}/cancel/                         302  405  405  405  405  405  405  405  405  405  405
/events/registrations/{registration}/qr.png                          302  404  200  404  404  404  404  404  404  404  200
/events/checkin/nope/                                                302  403  403  403  403  403  403  403  403  403  404
/secretariat/events/                                                 302  403  403  403  403  403  403  403  403  403  200
/secretariat/events/new/                                             302  403  403  403  403  403  403  403  403  403  200
/secretariat/events/{event}/                                         302  403  403  403  403  403  403  403  403  403  200
/secretariat/events/{event}/edit/                                    302  403  403  403  403  403  403  403  403  403  200
/secretariat/events/{event}/cancel/                                  302  403  403  403  403  403  403  403  403  403  405
/secretariat/events/{event}/close/                                   302  403  403  403  403  403  403  403  403  403  405
/secretariat/events/{event}/registrations.xlsx                       302  403  403  403  403  403  403  403  403  403  200
/secretariat/events/{event}/registrations/{registration}/check-in/   302  403  403  403  403  403  403  403  403  403  405
/admin/nominations/application/                                      302  302  302  302  302  302  302  302  302  302  302
/admin/nominations/application/{a}/change/                           302  302  302  302  302  302  302  302  302  302  302
""")


def _schema_operations() -> set[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
            if method in ("get", "post", "put", "patch", "delete")}


def _routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


API_ROUTES_NOT_IN_SCHEMA = {"api/v1/schema/", "api/v1/docs/"}  # the schema itself and its viewer


def test_every_operation_and_route_has_a_row():
    """A new endpoint fails here until it has a row (and a line in EXPECTED)."""
    assert _schema_operations() - {f"{r[0]} {r[1]}" for r in API} == set(), "API operations without a row"
    schema_paths = {op.split(" ", 1)[1] for op in _schema_operations()}
    routes = set(_routes())
    import re
    api_routes = {r for r in routes if r.startswith("api/")} - API_ROUTES_NOT_IN_SCHEMA
    as_schema = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", r)
                 for r in api_routes}
    assert as_schema - schema_paths == set(), "API routes missing from the schema"
    web_routes = {r for r in routes if not r.startswith(("api/", "admin/"))} | {"admin/"}
    assert web_routes - {r[0] for r in WEB} == set(), "web routes without a row"
    keys = [api_key(r) for r in API] + [web_key(r) for r in WEB]
    assert len(keys) == len(set(keys)), "two rows for one cell"
    assert set(keys) == set(EXPECTED), "rows and EXPECTED differ"


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona, module_world, db):
    column = COLUMNS.index(persona)
    wrong, leaked = [], []
    for _kind, key, status, leaks in run_cells(module_world, persona):
        if status != EXPECTED[key][column]:
            wrong.append(f"{key}: {status}, expected {EXPECTED[key][column]}")
        if leaks:
            leaked.append(f"{key} ({status}): {', '.join(leaks)}")
    assert leaked == [], "data this persona may not see:\n" + "\n".join(leaked)
    assert wrong == [], "\n".join(wrong)


@pytest.mark.skipif(not os.environ.get("MATRIX_TABLE"), reason="writes the observed table when MATRIX_TABLE=<file>")
def test_write_observed_table(module_world, db):
    """`MATRIX_TABLE=/tmp/matrix.txt pytest tests/security/test_permission_matrix.py -k observed`
    writes the statuses observed now in EXPECTED's format: diff it with EXPECTED, review every
    changed cell as a change of who may see or do what, then paste it."""
    observed = {}
    for persona in PERSONAS:
        for _kind, key, status, _leaks in run_cells(module_world, persona):
            observed.setdefault(key, {})[persona] = status
    with open(os.environ["MATRIX_TABLE"], "w", encoding="utf-8") as out:
        out.write(format_table(observed) + "\n")
