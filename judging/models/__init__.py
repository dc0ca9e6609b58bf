"""Judging models. Import from here: `from judging.models import Rubric, Assignment`."""
from judging.models.assignments import Assignment, AutoAssignRun
from judging.models.decisions import CommitteeDecision, SiteVisitReport
from judging.models.judges import Conflict, JudgeProfile, JudgeRelation, person_name
from judging.models.rubrics import Criterion, Rubric, RubricLocked, rubric_in_use
from judging.models.scores import ConsensusChange, ConsensusScore, ItemScore

__all__ = [
    "Assignment", "AutoAssignRun", "CommitteeDecision", "Conflict", "ConsensusChange", "ConsensusScore",
    "Criterion", "ItemScore", "JudgeProfile", "JudgeRelation", "Rubric", "RubricLocked", "SiteVisitReport",
    "person_name", "rubric_in_use",
]
from judging.models.feedback import FeedbackReport, FeedbackStatus  # noqa: E402,F401  (feedback reports)
