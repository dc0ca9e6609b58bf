"""The vocabulary of the nominations app: states, kinds and their named groups."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProgrammeCode(models.TextChoices):
    MQA = "MQA", _("上海市市长质量奖")
    QGA = "QGA", _("上海市质量金奖")
    QB = "QB", _("上海市质量标杆")


class CycleState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("申报中")
    CLOSED = "closed", _("申报截止")
    JUDGING = "judging", _("评审中")
    DELIBERATION = "deliberation", _("审定中")
    NOTICE = "notice", _("公示中")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("平均分")
    TRIMMED_MEAN = "trimmed_mean", _("去掉最高最低分后的平均分")
    CONSENSUS = "consensus", _("合议分")


class NomineeKind(models.TextChoices):
    ORGANIZATION = "organization", _("组织")
    INDIVIDUAL = "individual", _("个人")


class QuestionType(models.TextChoices):
    TEXT = "text", _("文本")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    DATE = "date", _("日期")
    BOOLEAN = "boolean", _("是/否")


class RecommenderKind(models.TextChoices):
    DISTRICT = "district", _("区市场监管局")
    ASSOCIATION = "association", _("行业协会")
    GROUP = "group", _("企业集团")
    COMMITTEE_MEMBER = "committee_member", _("审定委员会成员单位")


class EligibilityKind(models.TextChoices):
    YEARS_REGISTERED = "years_registered", _("注册经营年限")
    PRIOR_AWARD = "prior_award", _("须曾获奖项")
    LOCKOUT = "lockout", _("获奖后限制申报年限")
    DECLARATION = "declaration", _("申报声明")


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    PERMIT_HK = "permit_hk", _("港澳居民居住证")
    PERMIT_TW = "permit_tw", _("台湾居民居住证")
    PASSPORT = "passport", _("护照")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ENDORSED = "endorsed", _("已推荐")
    RETURNED = "returned", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    INELIGIBLE = "ineligible", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    DOCUMENT_REVIEW = "document_review", _("资料评审")
    SITE_REVIEW = "site_review", _("现场评审")
    EVALUATED = "evaluated", _("评审完成")
    ELIMINATED = "eliminated", _("未入围")
    APPROVED = "approved", _("审定通过")
    NOT_AWARDED = "not_awarded", _("未获奖")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    AWARDED = "awarded", _("公示通过")
    PUBLISHED = "published", _("已发布")
    REVOKED = "revoked", _("已撤销")


S = ApplicationState
# Named groups shared by templates, rules and services.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
DEAD = frozenset({S.WITHDRAWN, S.INELIGIBLE})
IN_INTAKE = frozenset({S.SUBMITTED, S.ENDORSED, S.RETURNED})
IN_JUDGING = frozenset({S.DOCUMENT_REVIEW, S.SITE_REVIEW})
DECIDED = frozenset({S.APPROVED, S.NOT_AWARDED, S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED})
FINAL = frozenset({S.WITHDRAWN, S.INELIGIBLE, S.ELIMINATED, S.NOT_AWARDED, S.PUBLISHED, S.REVOKED})


class Transition(models.TextChoices):
    SUBMIT = "submit", _("提交")
    ENDORSE = "endorse", _("推荐")
    RETURN = "return", _("退回补正")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", pgettext_lazy("transition", "不予受理")
    WITHDRAW = "withdraw", _("撤回")
    START_REVIEW = "start_review", _("开始资料评审")
    SHORTLIST = "shortlist", _("入围现场评审")
    ELIMINATE = "eliminate", _("淘汰")
    FINISH_REVIEW = "finish_review", _("完成评审")
    APPROVE = "approve", pgettext_lazy("transition", "审定通过")
    DECLINE = "decline", pgettext_lazy("transition", "审定不通过")
    OPEN_NOTICE = "open_notice", _("进入公示")
    CONFIRM = "confirm", pgettext_lazy("transition", "公示通过")
    OVERTURN = "overturn", _("公示异议成立")
    PUBLISH = "publish", _("发布")
    REVOKE = "revoke", _("撤销")


class CycleTransition(models.TextChoices):
    OPEN = "open", _("开放申报")
    CLOSE = "close", _("截止申报")
    START_JUDGING = "start_judging", _("开始评审")
    START_DELIBERATION = "start_deliberation", _("进入审定")
    START_NOTICE = "start_notice", _("开始公示")
    PUBLISH = "publish", _("发布结果")
    ARCHIVE = "archive", _("归档")
