from nominations.models.audit import AuditEntry
from nominations.models.catalog import (
    Category,
    Cycle,
    DocumentRequirement,
    EligibilityRule,
    Programme,
    Question,
)
from nominations.models.parties import (
    AwardRecord,
    Membership,
    Nominee,
    Organization,
    RecommenderMembership,
    RecommendingUnit,
)
from nominations.models.applications import Application, Document
from nominations.models.jobs import BackgroundJob
from nominations.models.publication import (
    CHECK_CODE_LENGTH,
    OBJECTION_OPEN,
    Certificate,
    CertificateBatch,
    Holiday,
    NoticeEntry,
    Objection,
    ObjectionState,
    Publication,
    PublicNotice,
)

__all__ = [
    "CHECK_CODE_LENGTH", "OBJECTION_OPEN", "Certificate", "CertificateBatch", "Holiday", "NoticeEntry", "Objection", "ObjectionState",
    "Publication", "PublicNotice",
    "Application", "AuditEntry", "BackgroundJob", "AwardRecord", "Category", "Cycle", "Document",
    "DocumentRequirement", "EligibilityRule", "Membership", "Nominee", "Organization",
    "Programme", "Question", "RecommenderMembership", "RecommendingUnit",
]
