"""Web routes of the judging pages, mounted at /judging/ (app_name "judging")."""
from django.urls import path

from judging.views import committee, judge, secretariat

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
    path("desk/", secretariat.desk, name="desk"),
    path("judges/", secretariat.judge_list, name="judge_list"),
    path("judges/new/", secretariat.judge_create, name="judge_create"),
    path("judges/<int:pk>/", secretariat.judge_detail, name="judge_detail"),
    path("judges/<int:pk>/relations/", secretariat.judge_relation_add, name="judge_relation_add"),
    path("judges/<int:pk>/relations/<int:relation_id>/delete/", secretariat.judge_relation_remove,
         name="judge_relation_remove"),
    path("conflicts/", secretariat.conflict_board, name="conflict_board"),
    path("conflicts/scan/", secretariat.conflict_scan, name="conflict_scan"),
    path("conflicts/<int:pk>/dismiss/", secretariat.conflict_dismiss, name="conflict_dismiss"),
    path("cycles/<int:pk>/assignments/", secretariat.assignment_board, name="assignment_board"),
    path("cycles/<int:pk>/assignments/new/", secretariat.assignment_create, name="assignment_create"),
    path("cycles/<int:pk>/auto-assign/", secretariat.auto_assign, name="auto_assign"),
    path("cycles/<int:pk>/progress/", secretariat.progress, name="progress"),
    path("cycles/<int:pk>/ranking/", secretariat.ranking, name="ranking"),
    path("cycles/<int:pk>/export.xlsx", secretariat.export, name="export"),
    path("assignments/<int:pk>/reopen/", secretariat.assignment_reopen, name="assignment_reopen"),
    path("assignments/<int:pk>/leader/", secretariat.assignment_leader, name="assignment_leader"),
    path("assignments/<int:pk>/due/", secretariat.assignment_due, name="assignment_due"),
    path("applications/<int:pk>/transitions/<slug:name>/", secretariat.application_review_transition,
         name="review_transition"),
    path("applications/<int:pk>/decision/", secretariat.decision, name="decision"),
    # committee (and secretariat)
    path("committee/", committee.committee_home, name="committee_home"),
    path("committee/cycles/<int:pk>/", committee.committee_ranking, name="committee_ranking"),
]
