"""Applicant pages: dashboard, organization profile, applications and the application form."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nominations import rules, selectors
from nominations.enums import CycleState
from nominations.errors import NotFound, WorkflowError
from nominations.forms.intake import (
    NOMINEE_ERROR_FIELDS,
    ApplicationCreateForm,
    OrganizationForm,
)
from nominations.models import Category, Cycle
from nominations.selectors.todos import APPLICANT_FILTER_LABELS, APPLICANT_FILTERS
from nominations.services import intake
from nominations.views.common import (
    client_ip,
    next_step,
    paginate,
    post_data,
    report_error,
)


def open_cycles():
    """Cycles accepting applications now, with their categories (two queries)."""
    now = timezone.now()
    return (Cycle.objects.filter(status=CycleState.OPEN, opens_at__lte=now, closes_at__gt=now)
            .select_related("programme")
            .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order", "code")))
            .order_by("programme__order", "-year"))


def _my_applications(user):
    return (selectors.applications_visible_to(user)
            .filter(organization_id__in=rules.organization_ids(user))
            .order_by("-updated_at"))


# -- organizations -------------------------------------------------------------------
@login_required
def organization_create(request):
    form = OrganizationForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            org = intake.organization_create(actor=request.user, uscc=form.cleaned_data["uscc"],
                                             ip=client_ip(request), **form.service_fields())
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("单位“%(name)s”已登记。下一步：新建申报。") % {"name": org.name})
            return redirect("application_new")
    return render(request, "nominations/organization/form.html", {"form": form, "organization": None})


@login_required
def organization_edit(request, pk: int):
    try:
        org = selectors.organization_for_user(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    initial = {f: getattr(org, f) for f in intake.ORGANIZATION_FIELDS}
    form = OrganizationForm(post_data(request), initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            intake.organization_update(organization=org, actor=request.user, ip=client_ip(request),
                                       **form.service_fields())
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("单位信息已保存。"))
            return redirect("home")
    return render(request, "nominations/organization/form.html", {"form": form, "organization": org})


# -- applications --------------------------------------------------------------------
@login_required
def application_list(request):
    """The user's organizations' applications; ?state= the 工作台's filters (draft, returned,
    in_progress, published: nominations.selectors.todos.APPLICANT_FILTERS)."""
    user = request.user
    state = request.GET.get("state")
    applications = _my_applications(user)
    if state in APPLICANT_FILTERS:
        applications = applications.filter(APPLICANT_FILTERS[state])
    else:
        state = None
    page, query = paginate(request, applications)
    rows = [(app, next_step(app, user)) for app in page.object_list]
    return render(request, "nominations/application/list.html", {
        "page_obj": page, "query": query, "rows": rows,
        "has_organization": bool(rules.organization_ids(user)), "state": state,
        "state_label": APPLICANT_FILTER_LABELS.get(state, ""),
    })


@login_required
def application_new(request):
    """Step 1: choose an open cycle's category."""
    if not rules.organization_ids(request.user):
        messages.info(request, _("申报前请先登记申报单位。"))
        return redirect("organization_create")
    return render(request, "nominations/application/new_choose.html", {"cycles": open_cycles()})


@login_required
def application_create(request, category_id: int):
    """Step 2: the title, the recommending unit and (individual categories) the nominee."""
    user = request.user
    organizations = selectors.organizations_for_user(user).filter(pk__in=rules.organization_ids(user))
    if not rules.organization_ids(user):
        messages.info(request, _("申报前请先登记申报单位。"))
        return redirect("organization_create")
    category = (Category.objects.select_related("cycle__programme")
                .filter(pk=category_id, cycle__status=CycleState.OPEN).first())
    if category is None:
        raise Http404(_("该类别不存在或当前不接受申报。"))
    form = ApplicationCreateForm(post_data(request), category=category, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            app = intake.application_create(
                actor=user, category=category, organization=data["organization"], title=data["title"],
                recommending_unit=data["recommending_unit"],
                nominee=form.nominee_data() if category.is_individual else None,
                ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form, NOMINEE_ERROR_FIELDS)
        else:
            messages.success(request, _("申报草稿已创建。下一步：填写申报表、上传申报材料。"))
            return redirect("application_edit", pk=app.pk)
    return render(request, "nominations/application/new_form.html", {"form": form, "category": category})
