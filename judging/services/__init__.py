"""Writes of the judging app. Every service is keyword-only and follows the house order
(atomic → lock → permission/conditions → change → save(update_fields) → audit → on_commit).
Import from here: `from judging.services import assignment_create`."""
from judging.services.assignments import (
    assignment_accept,
    assignment_create,
    assignment_decline,
    assignment_reopen,
    assignment_set_due,
    assignment_set_leader,
    assignment_submit,
    assignment_transition,
    assignments_send_due_reminders,
)
from judging.services.auto_assign import AutoAssignResult, assignments_auto_assign
from judging.services.committee import DecisionResult, committee_decision_record
from judging.services.conflicts import (
    conflict_add,
    conflict_declare,
    conflict_dismiss,
    conflict_dismiss_detected,
    conflict_withdraw,
    conflicts_scan,
    conflicts_scan_cycle,
)
from judging.services.consensus import consensus_save, consensus_set
from judging.services.judges import (
    ImportResult,
    judge_create,
    judge_profile_save,
    judge_relation_add,
    judge_relation_remove,
    judges_import,
)
from judging.services.scoresheets import scoresheet_save, scoresheet_submit
from judging.services.site_visits import (
    application_eliminate,
    application_shortlist,
    applications_shortlist,
    site_report_save,
)

__all__ = [
    "AutoAssignResult", "DecisionResult", "ImportResult", "application_eliminate", "application_shortlist",
    "applications_shortlist", "assignment_accept", "assignment_create", "assignment_decline",
    "assignment_reopen", "assignment_set_due", "assignment_set_leader", "assignment_submit",
    "assignment_transition", "assignments_auto_assign", "assignments_send_due_reminders",
    "committee_decision_record", "conflict_add", "conflict_declare", "conflict_dismiss",
    "conflict_dismiss_detected", "conflict_withdraw", "conflicts_scan", "conflicts_scan_cycle",
    "consensus_save", "consensus_set", "judge_create", "judge_profile_save", "judge_relation_add",
    "judge_relation_remove", "judges_import", "scoresheet_save", "scoresheet_submit", "site_report_save",
]
from judging.services.feedback import feedback_generate, feedback_generate_cycle, feedback_release, feedback_release_cycle, feedback_update_summary  # noqa: E402,F401,E501
