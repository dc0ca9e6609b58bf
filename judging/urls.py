"""Web routes of the judging pages, mounted at /judging/ (app_name "judging")."""
from django.urls import path

from judging.views import board, committee, decisions, feedback, judge, pool, ranking

app_name = "judging"

urlpatterns = [
    # judges
    path("", judge.home, name="home"),
    path("assignments/<int:pk>/", judge.assignment_sheet, name="assignment_sheet"),
    path("assignments/<int:pk>/accept/", judge.assignment_accept, name="assignment_accept"),
    path("assignments/<int:pk>/decline/", judge.assignment_decline, name="assignment_decline"),
    path("applications/<int:pk>/consensus/<slug:stage>/", judge.consensus, name="consensus"),
    path("applications/<int:pk>/site-report/", judge.site_report, name="site_report"),
    path("my-conflicts/declare/", judge.my_conflict_declare, name="my_conflict_declare"),
    path("my-conflicts/<int:pk>/withdraw/", judge.my_conflict_withdraw, name="my_conflict_withdraw"),
    # secretariat
    path("desk/", pool.desk, name="desk"),
    path("judges/", pool.judge_list, name="judge_list"),
    path("judges/new/", pool.judge_create, name="judge_create"),
    path("judges/<int:pk>/", pool.judge_detail, name="judge_detail"),
    path("judges/<int:pk>/relations/", pool.judge_relation_add, name="judge_relation_add"),
    path("judges/<int:pk>/relations/<int:relation_id>/delete/", pool.judge_relation_remove,
         name="judge_relation_remove"),
    path("conflicts/", pool.conflict_board, name="conflict_board"),
    path("conflicts/scan/", pool.conflict_scan, name="conflict_scan"),
    path("conflicts/<int:pk>/dismiss/", pool.conflict_dismiss, name="conflict_dismiss"),
    path("cycles/<int:pk>/assignments/", board.assignment_board, name="assignment_board"),
    path("cycles/<int:pk>/assignments/new/", board.assignment_create, name="assignment_create"),
    path("cycles/<int:pk>/auto-assign/", board.auto_assign, name="auto_assign"),
    path("cycles/<int:pk>/progress/", board.progress, name="progress"),
    path("cycles/<int:pk>/ranking/", ranking.ranking, name="ranking"),
    path("cycles/<int:pk>/exports/", ranking.exports, name="exports"),
    path("assignments/<int:pk>/reopen/", board.assignment_reopen, name="assignment_reopen"),
    path("assignments/<int:pk>/leader/", board.assignment_leader, name="assignment_leader"),
    path("assignments/<int:pk>/due/", board.assignment_due, name="assignment_due"),
    path("applications/<int:pk>/transitions/<slug:name>/", board.application_review_transition,
         name="review_transition"),
    path("applications/<int:pk>/decision/", decisions.decision, name="decision"),
    # committee (and secretariat)
    path("committee/", committee.committee_home, name="committee_home"),
    path("committee/cycles/<int:pk>/", committee.committee_ranking, name="committee_ranking"),
    path("committee/applications/<int:pk>/", committee.committee_application, name="committee_application"),
    # feedback reports (评审反馈报告)
    path("feedback/", feedback.index, name="feedback_index"),
    path("feedback/cycles/<int:pk>/", feedback.cycle_reports, name="feedback_cycle"),
    path("feedback/cycles/<int:pk>/generate/", feedback.cycle_generate, name="feedback_cycle_generate"),
    path("feedback/cycles/<int:pk>/release/", feedback.cycle_release, name="feedback_cycle_release"),
    path("feedback/applications/<int:pk>/generate/", feedback.application_generate, name="feedback_generate"),
    path("feedback/applications/<int:pk>/report.pdf", feedback.download, name="feedback_download"),
    path("feedback/reports/<int:pk>/", feedback.report_detail, name="feedback_report"),
    path("feedback/reports/<int:pk>/preview.pdf", feedback.report_preview, name="feedback_preview"),
    path("feedback/reports/<int:pk>/release/", feedback.report_release, name="feedback_release"),
    path("feedback/mine/", feedback.mine, name="feedback_mine"),
]
