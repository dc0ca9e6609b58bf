"""Applications (申报) and their documents; the application state machine."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from nominations import rules
from nominations.enums import ApplicationState as S
from nominations.enums import Transition as T


class PrivateStorage(Storage):
    """Delegates to the `private` entry of settings.STORAGES at every call, so the
    location follows the settings (tests, deployments) instead of import time.

    Only the storage API: the filesystem locally, an S3-compatible object store in a
    cluster. No `path()` (an object store has none) and no `url()`: files are read with
    `open()` and streamed by permission-checked views."""

    def _target(self) -> Storage:
        return storages["private"]

    def _open(self, name, mode="rb"):
        return self._target().open(name, mode)

    def _save(self, name, content):
        # save() has already chosen an available name through this proxy: go straight to the
        # backend's write (one existence check per file, not two: a round trip on S3).
        return self._target()._save(name, content)

    def get_available_name(self, name, max_length=None):
        return self._target().get_available_name(name, max_length=max_length)

    def delete(self, name):
        return self._target().delete(name)

    def exists(self, name):
        return self._target().exists(name)

    def listdir(self, path):
        return self._target().listdir(path)

    def size(self, name):
        return self._target().size(name)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def get_modified_time(self, name):
        return self._target().get_modified_time(name)


_private = PrivateStorage()


def private_storage():
    return _private


def document_upload_to(instance: "Document", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}.{ext[:8]}"


def _needs_recommender(app: "Application") -> bool:
    return app.cycle.programme.needs_recommender


def _no_recommender_needed(app: "Application") -> bool:
    return not app.cycle.programme.needs_recommender


def _has_site_stage(app: "Application") -> bool:
    return app.cycle.programme.has_site_stage


def _no_site_stage(app: "Application") -> bool:
    return not app.cycle.programme.has_site_stage


# Messages shown when a condition is unmet (read by services.transitions).
_needs_recommender.message = _("本奖项无须推荐单位推荐。")
_no_recommender_needed.message = _("本奖项须先经推荐单位推荐，才能受理。")
_has_site_stage.message = _("本奖项不设现场评审。")
_no_site_stage.message = _("本奖项设有现场评审，须先入围现场评审。")


def _label(transition: T, **extra) -> dict:
    return {"name": transition.value, "label": transition.label, "admin": True, **extra}


class Application(ConcurrentTransitionMixin, models.Model):
    cycle = models.ForeignKey("nominations.Cycle", on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("评选周期"))
    category = models.ForeignKey("nominations.Category", on_delete=models.PROTECT,
                                 related_name="applications", verbose_name=_("申报类别"))
    organization = models.ForeignKey("nominations.Organization", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("申报单位"))
    nominee = models.OneToOneField("nominations.Nominee", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="application", verbose_name=_("被推荐个人"))
    recommending_unit = models.ForeignKey("nominations.RecommendingUnit", on_delete=models.PROTECT,
                                          null=True, blank=True, related_name="applications",
                                          verbose_name=_("推荐单位"))
    title = models.CharField(_("项目名称"), max_length=300)
    answers = models.JSONField(_("申报表内容"), default=dict, blank=True)
    commitment = models.BooleanField(_("诚信承诺"), default=False)

    state = FSMField(_("状态"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    reference = models.CharField(_("申报编号"), max_length=30, unique=True, null=True, blank=True)
    live_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False, verbose_name=_("进行中申报的唯一键"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    amendment_deadline = models.DateTimeField(_("补正截止"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    eligibility_results = models.JSONField(_("资格审查结果"), default=list, blank=True)
    eligibility_override_reason = models.TextField(_("资格审查例外理由"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cycle", "category", "state"])]
        verbose_name = _("申报")
        verbose_name_plural = _("申报")

    def __str__(self) -> str:
        return f"{self.reference or _('草稿')} {self.title}"

    @property
    def display_name(self) -> str:
        """The honoured party: organization, or person with employer."""
        if self.nominee_id:
            return gettext("%(name)s（%(employer)s）") % {"name": self.nominee.name, "employer": self.nominee.employer}
        return self.organization.name

    # -- transitions: state and derived fields only; see services.transitions ----
    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED,
                permission=rules.applicant_of, custom=_label(T.SUBMIT))
    def submit(self, *, now, reference: str | None = None) -> None:
        if reference and not self.reference:
            self.reference = reference
        self.submitted_at = now
        self.first_submitted_at = self.first_submitted_at or now
        self.amendment_deadline = None

    @transition(field=state, source=S.SUBMITTED, target=S.ENDORSED, conditions=[_needs_recommender],
                permission=rules.recommender_of, custom=_label(T.ENDORSE))
    def endorse(self) -> None:
        pass

    @transition(field=state, source=[S.SUBMITTED, S.ENDORSED], target=S.RETURNED,
                permission=rules.secretariat_or_recommender, custom=_label(T.RETURN))
    def return_(self, *, reason: str, deadline) -> None:
        self.return_reason = reason
        self.amendment_deadline = deadline

    @transition(field=state, source=S.ENDORSED, target=S.ACCEPTED,
                permission=rules.secretariat, custom=_label(T.ACCEPT))
    @transition(field=state, source=S.SUBMITTED, target=S.ACCEPTED, conditions=[_no_recommender_needed],
                permission=rules.secretariat, custom=_label(T.ACCEPT))
    def accept(self, *, results: list, override_reason: str = "") -> None:
        self.eligibility_results = results
        self.eligibility_override_reason = override_reason

    @transition(field=state, source=[S.SUBMITTED, S.ENDORSED], target=S.INELIGIBLE,
                permission=rules.secretariat, custom=_label(T.REJECT))
    def reject(self, *, reason: str) -> None:
        self.decision_reason = reason
        self.live_key = None

    @transition(field=state, source=[S.DRAFT, S.SUBMITTED, S.ENDORSED, S.RETURNED, S.ACCEPTED,
                                     S.DOCUMENT_REVIEW],
                target=S.WITHDRAWN, permission=rules.applicant_of, custom=_label(T.WITHDRAW))
    def withdraw(self) -> None:
        self.live_key = None

    @transition(field=state, source=S.ACCEPTED, target=S.DOCUMENT_REVIEW,
                permission=rules.secretariat, custom=_label(T.START_REVIEW))
    def start_review(self) -> None:
        pass

    @transition(field=state, source=S.DOCUMENT_REVIEW, target=S.SITE_REVIEW, conditions=[_has_site_stage],
                permission=rules.secretariat, custom=_label(T.SHORTLIST))
    def shortlist(self) -> None:
        pass

    @transition(field=state, source=[S.DOCUMENT_REVIEW, S.SITE_REVIEW], target=S.ELIMINATED,
                permission=rules.secretariat, custom=_label(T.ELIMINATE))
    def eliminate(self) -> None:
        pass

    @transition(field=state, source=S.SITE_REVIEW, target=S.EVALUATED,
                permission=rules.secretariat, custom=_label(T.FINISH_REVIEW))
    @transition(field=state, source=S.DOCUMENT_REVIEW, target=S.EVALUATED, conditions=[_no_site_stage],
                permission=rules.secretariat, custom=_label(T.FINISH_REVIEW))
    def finish_review(self) -> None:
        pass

    @transition(field=state, source=S.EVALUATED, target=S.APPROVED,
                permission=rules.secretariat, custom=_label(T.APPROVE))
    def approve(self) -> None:
        pass

    @transition(field=state, source=S.EVALUATED, target=S.NOT_AWARDED,
                permission=rules.secretariat, custom=_label(T.DECLINE))
    def decline(self) -> None:
        pass

    @transition(field=state, source=S.APPROVED, target=S.PUBLIC_NOTICE,
                permission=rules.secretariat, custom=_label(T.OPEN_NOTICE))
    def open_notice(self) -> None:
        pass

    @transition(field=state, source=S.PUBLIC_NOTICE, target=S.AWARDED,
                permission=rules.secretariat, custom=_label(T.CONFIRM))
    def confirm(self) -> None:
        pass

    @transition(field=state, source=S.PUBLIC_NOTICE, target=S.NOT_AWARDED,
                permission=rules.secretariat, custom=_label(T.OVERTURN))
    def overturn(self) -> None:
        pass

    @transition(field=state, source=S.AWARDED, target=S.PUBLISHED,
                permission=rules.secretariat, custom=_label(T.PUBLISH))
    def publish(self) -> None:
        pass

    @transition(field=state, source=S.PUBLISHED, target=S.REVOKED,
                permission=rules.secretariat, custom=_label(T.REVOKE))
    def revoke(self, *, reason: str) -> None:
        self.decision_reason = reason


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("申报"))
    kind = models.SlugField(_("材料类型"), max_length=50)
    file = models.FileField(storage=private_storage, upload_to=document_upload_to, max_length=300, verbose_name=_("文件"))
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 校验值"))
    content_type = models.CharField(max_length=100, verbose_name=_("文件类型"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("上传时间"))

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return self.name
