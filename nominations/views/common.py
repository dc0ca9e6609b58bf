"""Helpers shared by the web views: access checks, error reporting, paging, next steps.

Views stay thin: fetch-and-authorise with `access_application_or_404`, parse with a form,
call one service, and turn a WorkflowError into a message with `report_error`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps
from typing import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from nominations import rules, selectors
from nominations.enums import ApplicationState as S
from nominations.enums import Transition
from nominations.errors import NotFound, WorkflowError
from nominations.uploads import LABELS as UPLOAD_LABELS

PAGE_SIZE = 25


# -- access ------------------------------------------------------------------------
def role_required(predicate: Callable, message) -> Callable:
    """Anonymous → login redirect; signed in without the role → 403 with `message`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


secretariat_required = role_required(rules.is_secretariat, gettext_lazy("此页面仅供评选秘书处使用。"))
recommender_required = role_required(rules.is_recommender, gettext_lazy("此页面仅供推荐单位使用。"))


def access_application_or_404(request: HttpRequest, pk):
    """The application if this user may see it; 404 alike for missing and not yours."""
    try:
        return selectors.application_for_user(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def post_data(request: HttpRequest):
    """The POST data for a form on a POST (even when empty), None on a GET."""
    return request.POST if request.method == "POST" else None


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return resolve_url(default)


# -- errors ------------------------------------------------------------------------
def error_html(exc: WorkflowError):
    """The error's message, followed by every missing item as a list."""
    missing = [m for m in exc.missing if m]
    if not missing or (len(missing) == 1 and missing[0] == exc.message):
        return exc.message
    return format_html(
        '<p class="msg-title">{}</p><ul class="msg-list">{}</ul>',
        exc.message, format_html_join("", "<li>{}</li>", ((m,) for m in missing)),
    )


def apply_field_errors(form, exc: WorkflowError, mapping: dict[str, str] | None = None) -> None:
    """Show the service's field errors at the matching form fields (others at the top)."""
    if form is None:
        return
    mapping = mapping or {}
    for key, errors in (exc.field_errors or {}).items():
        field = mapping.get(key, key)
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def report_error(request: HttpRequest, exc: WorkflowError, form=None,
                 mapping: dict[str, str] | None = None) -> None:
    apply_field_errors(form, exc, mapping)
    messages.error(request, error_html(exc))


# -- paging ------------------------------------------------------------------------
def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    """Return (page, querystring without `page`) for a list page."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


# -- presentation ------------------------------------------------------------------
def local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def next_step(app, user) -> str:
    """One sentence telling this user what happens next with `app` (no extra queries)."""
    state = app.state
    mine = rules.is_application_applicant(user, app)
    as_recommender = rules.is_application_recommender(user, app)
    as_secretariat = rules.is_secretariat(user)
    needs_recommender = app.cycle.programme.needs_recommender
    if state == S.DRAFT:
        return (_("下一步：填写申报表、上传申报材料，然后提交申报。") if mine
                else _("申报单位尚未提交。"))
    if state == S.RETURNED:
        if mine:
            if app.amendment_deadline:
                return _("下一步：按补正意见修改，并在 %(deadline)s 前重新提交。") % {
                    "deadline": local(app.amendment_deadline)}
            return _("下一步：按补正意见修改后重新提交。")
        return _("已退回补正，等待申报单位修改后重新提交。")
    if state == S.SUBMITTED:
        if needs_recommender:
            if as_recommender:
                return _("下一步：审核申报材料，推荐或退回补正。")
            unit = app.recommending_unit.name if app.recommending_unit_id else _("推荐单位")
            return _("等待“%(unit)s”审核推荐。") % {"unit": unit}
        if as_secretariat:
            return _("下一步：进行形式审查，受理、退回补正或不予受理。")
        return _("等待秘书处形式审查。")
    if state == S.ENDORSED:
        if as_secretariat:
            return _("下一步：进行形式审查，受理、退回补正或不予受理。")
        return _("已获推荐，等待秘书处形式审查。")
    if state == S.ACCEPTED and as_secretariat:
        return _("下一步：分配评审专家，然后开始资料评审。")
    if state == S.AWARDED and app.objections.exists():  # filed, investigated and not upheld
        return _("公示期满，异议已处理，等待发布结果。")
    texts = {
        S.ACCEPTED: _("已受理，等待进入专家资料评审。"),
        S.DOCUMENT_REVIEW: _("专家资料评审进行中。"),
        S.SITE_REVIEW: _("已入围现场评审，现场评审进行中。"),
        S.EVALUATED: _("专家评审已完成，等待审定委员会审定。"),
        S.APPROVED: _("审定通过，等待公示。"),
        S.PUBLIC_NOTICE: _("公示中。"),
        S.AWARDED: _("公示期满无异议，等待发布结果。"),
        S.PUBLISHED: _("获奖结果已发布。"),
        S.INELIGIBLE: _("不予受理，理由见处理意见。"),
        S.WITHDRAWN: _("申报已撤回，流程结束。"),
        S.ELIMINATED: _("未入围下一评审阶段，流程结束。"),
        S.NOT_AWARDED: _("未获奖，流程结束。"),
        S.REVOKED: _("奖项已撤销。"),
    }
    return str(texts.get(state, ""))


@dataclass
class CheckItem:
    label: str
    ok: bool
    action: str = ""


def completeness(app, documents) -> list[CheckItem]:
    """What a complete application has, item by item (for the checklist; the submit
    service remains the authority on what blocks submission)."""
    items = [CheckItem(_("项目名称"), bool(app.title.strip()), _("填写项目名称"))]
    if app.cycle.programme.needs_recommender:
        items.append(CheckItem(_("推荐单位"), bool(app.recommending_unit_id), _("选择推荐单位")))
    if app.category.is_individual:
        items.append(CheckItem(_("被推荐个人信息"), bool(app.nominee_id), _("填写被推荐个人信息")))
    answers = app.answers or {}
    for q in app.category.questions.all():
        if q.required:
            items.append(CheckItem(_("申报表：%(label)s") % {"label": q.label},
                                   answers.get(q.key) not in (None, ""),
                                   _("填写“%(label)s”") % {"label": q.label}))
    present = {d.kind for d in documents}
    for req in app.category.document_requirements.all():
        if req.required:
            items.append(CheckItem(_("材料：%(label)s") % {"label": req.label}, req.kind in present,
                                   _("上传“%(label)s”") % {"label": req.label}))
    items.append(CheckItem(_("诚信承诺"), bool(app.commitment), _("勾选诚信承诺")))
    return items


def draft_headline(items: list[CheckItem]) -> str:
    todo = [i.action for i in items if not i.ok]
    if not todo:
        return _("下一步：确认内容无误后，点击“提交申报”。")
    if len(todo) <= 2:
        return _("下一步：%(actions)s，然后提交申报。") % {"actions": _("、").join(todo)}
    return _("下一步：%(actions)s等 %(n)d 项，然后提交申报。") % {
        "actions": _("、").join(todo[:2]), "n": len(todo)}


def answer_rows(app) -> list[tuple[str, str, bool]]:
    """(question, shown value, required) for each question of the category."""
    answers = app.answers or {}
    rows = []
    for q in app.category.questions.all():
        value = answers.get(q.key)
        if value is True:
            shown = _("是")
        elif value is False:
            shown = _("否")
        elif value in (None, ""):
            shown = ""
        else:
            shown = str(value)
        rows.append((q.label, shown, q.required))
    return rows


ACTION_LABELS = {
    "create": gettext_lazy("创建申报草稿"),
    "update": gettext_lazy("修改申报内容"),
    "document.upload": gettext_lazy("上传申报材料"),
    "document.delete": gettext_lazy("删除申报材料"),
}
MINOR_ACTIONS = frozenset(ACTION_LABELS)


@dataclass
class HistoryRow:
    label: str
    actor: str
    at: dt.datetime
    note: str
    source_label: str
    target_label: str
    target: str
    minor: bool


def _state_label(state: str) -> str:
    try:
        return str(S(state).label)
    except ValueError:
        return state


def history_rows(app) -> list[HistoryRow]:
    """The application's audit trail as timeline rows (oldest first)."""
    rows = []
    for entry in selectors.application_history(app):
        if entry.action in ACTION_LABELS:
            label = str(ACTION_LABELS[entry.action])
        else:
            try:
                label = str(Transition(entry.action).label)
            except ValueError:
                label = entry.action
        actor = entry.actor
        actor_name = (actor.get_full_name() or actor.get_username()) if actor else (
            _("系统") if entry.actor_name == "system" else entry.actor_name)
        rows.append(HistoryRow(
            label=label, actor=actor_name, at=entry.at, note=entry.note,
            source_label=_state_label(entry.source) if entry.source else "",
            target_label=_state_label(entry.target) if entry.target else "",
            target=entry.target, minor=entry.action in MINOR_ACTIONS,
        ))
    return rows


def requirement_rows(app, documents) -> list[dict]:
    """Each document requirement with its uploaded files and what it accepts."""
    by_kind: dict[str, list] = {}
    for doc in documents:
        by_kind.setdefault(doc.kind, []).append(doc)
    rows = []
    for req in app.category.document_requirements.all():
        types = req.content_types or ["application/pdf"]
        rows.append({
            "requirement": req,
            "documents": by_kind.pop(req.kind, []),
            "types": _("、").join(UPLOAD_LABELS.get(t, t) for t in types),
            "accept": ",".join(sorted({*types, *(f".{e}" for t in types for e in _extensions(t))})),
        })
    for kind, docs in by_kind.items():  # documents of a kind no longer required
        rows.append({"requirement": None, "kind": kind, "documents": docs, "types": "", "accept": ""})
    return rows


def _extensions(content_type: str) -> set[str]:
    from nominations.uploads import EXTENSIONS

    return EXTENSIONS.get(content_type, set())


def upload_limit_mb() -> int:
    return int(settings.UPLOAD_MAX_BYTES / 1048576)


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/emblem.svg")


HOUR = 3600


def counted_over(key: str, limit: int, seconds: int = HOUR) -> bool:
    """Count one more under `key` for the period, in the shared cache (every app server counts
    together); True past the limit. The web's own limits (sign-up, password reset, objections)."""
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count > limit
