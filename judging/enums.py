"""The vocabulary of the judging app: stages, states, kinds and their named groups."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from nominations.enums import ApplicationState


class CriterionKind(models.TextChoices):
    PROCESS = "process", _("过程（ADLI）")
    RESULT = "result", _("结果（LeTCI）")


class Stage(models.TextChoices):
    DOCUMENT = "document", _("资料评审")
    SITE = "site", _("现场评审")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("待确认")
    ACCEPTED = "accepted", _("评审中")
    DECLINED = "declined", _("已回避")
    SUBMITTED = "submitted", _("已提交")
    REOPENED = "reopened", _("退回修改")


class AssignmentTransition(models.TextChoices):
    ACCEPT = "accept", _("接受任务")
    DECLINE = "decline", _("回避（拒绝任务）")
    SUBMIT = "submit", _("提交评分")
    REOPEN = "reopen", _("退回重评")


class RelationKind(models.TextChoices):
    EMPLOYMENT = "employment", _("任职")
    CONSULTING = "consulting", _("咨询/辅导")
    RELATIVE = "relative", _("近亲属任职")
    COMPETITOR = "competitor", _("竞争对手")


class ConflictSource(models.TextChoices):
    DETECTED = "detected", _("系统检测")
    DECLARED = "declared", _("专家声明")
    SECRETARIAT = "secretariat", _("秘书处认定")


class ConflictStatus(models.TextChoices):
    ACTIVE = "active", _("须回避")
    DISMISSED = "dismissed", _("已排除")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("审定通过")
    DECLINE = "decline", _("审定不通过")


A = AssignmentState
# Named groups shared by rules, selectors, services and templates.
LIVE_ASSIGNMENT = frozenset({A.ASSIGNED, A.ACCEPTED, A.SUBMITTED, A.REOPENED})  # not declined
MATERIAL_ACCESS = frozenset({A.ACCEPTED, A.SUBMITTED, A.REOPENED})  # may open the application
SCORING = frozenset({A.ACCEPTED, A.REOPENED})  # sheet editable
OUTSTANDING = frozenset({A.ASSIGNED, A.ACCEPTED, A.REOPENED})  # not yet submitted, not declined

# Application states in which judges may be assigned, per stage.
ASSIGNABLE_STATES = {
    Stage.DOCUMENT: frozenset({ApplicationState.ACCEPTED, ApplicationState.DOCUMENT_REVIEW}),
    Stage.SITE: frozenset({ApplicationState.SITE_REVIEW}),
}
# Application states in which an assigned judge may open the materials (not once the
# application is withdrawn, eliminated or decided: access ends with the review).
JUDGE_ACCESS_STATES = frozenset({ApplicationState.ACCEPTED, ApplicationState.DOCUMENT_REVIEW,
                                 ApplicationState.SITE_REVIEW, ApplicationState.EVALUATED})
# The application state in which a stage is scored.
REVIEW_STATE = {
    Stage.DOCUMENT: ApplicationState.DOCUMENT_REVIEW,
    Stage.SITE: ApplicationState.SITE_REVIEW,
}
STAGE_OF_STATE = {v: k for k, v in REVIEW_STATE.items()}

RELATIONS_ANY_TIME = frozenset({RelationKind.CONSULTING, RelationKind.RELATIVE, RelationKind.COMPETITOR})
EMPLOYMENT_COOLING_OFF_YEARS = 3
PERCENT_STEP = 5
SPREAD_THRESHOLD = 30  # percentage points between judges on one item (more than one band apart)
