"""Reads of the judging app (fetch and authorise together). Import from here."""
from judging.selectors.assignments import (
    assignment_for_judge,
    assignment_for_secretariat,
    assignments_due,
    assignments_for_judge,
    assignments_list,
    judge_for_secretariat,
    judge_may_access_application,
    judges_list,
    judges_with_load,
    judging_progress,
    judging_progress_totals,
    panel,
    panel_leader,
    panels_of,
    progress_applications,
    stage_outstanding,
    stage_sheets_complete,
    with_conflicts,
)
from judging.selectors.conflicts import (
    conflict_map,
    conflict_reasons,
    conflicts_detect,
    conflicts_list,
    detected_conflicts,
    employment_cutoff,
)
from judging.selectors.ranking import (
    RankingRow,
    attach_recused,
    committee_ranking,
    committee_stage,
    decision_quota_warning,
    judge_leniency,
    ranking,
    sheet_totals,
)
from judging.selectors.scoresheets import (
    ConsensusBook,
    Scoresheet,
    consensus_book,
    criteria_for_application,
    item_points,
    panel_scores_visible,
    q2,
    scored_criteria,
    scoresheet_get,
    scoring_open,
)

__all__ = [
    "ConsensusBook", "RankingRow", "Scoresheet", "attach_recused", "assignment_for_judge", "assignment_for_secretariat",
    "assignments_due", "assignments_for_judge", "assignments_list", "committee_ranking", "committee_stage",
    "conflict_map", "conflict_reasons", "conflicts_detect", "conflicts_list", "consensus_book",
    "criteria_for_application", "decision_quota_warning", "detected_conflicts", "employment_cutoff",
    "item_points", "judge_for_secretariat", "judge_leniency", "judge_may_access_application", "judges_list", "judges_with_load",
    "judging_progress", "judging_progress_totals", "panel", "panel_leader", "panels_of", "progress_applications", "panel_scores_visible", "q2", "ranking", "scored_criteria", "scoresheet_get",
    "scoring_open", "sheet_totals", "stage_outstanding", "stage_sheets_complete", "with_conflicts",
]
