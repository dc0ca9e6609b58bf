"""Routes of the judging API under /api/v1/ (API.md, Judging)."""
from django.urls import path

from judging.api import assignments as api
from judging.api import catalog as api_catalog
from judging.api import feedback as api_feedback
from judging.api import transitions as api_transitions

urlpatterns = [
    path("rubrics/<str:code>/", api_catalog.RubricDetailView.as_view(), name="api-rubric-detail"),  # catalog
    # assignments (judge: own; secretariat: all)
    path("assignments/", api.AssignmentListView.as_view(), name="api-assignment-list"),
    path("assignments/<int:pk>/", api.AssignmentDetailView.as_view(), name="api-assignment-detail"),
    path("assignments/<int:pk>/accept/", api.AssignmentAcceptView.as_view(), name="api-assignment-accept"),
    path("assignments/<int:pk>/decline/", api.AssignmentDeclineView.as_view(), name="api-assignment-decline"),
    path("assignments/<int:pk>/submit/", api.AssignmentSubmitView.as_view(), name="api-assignment-submit"),
    path("assignments/<int:pk>/reopen/", api.AssignmentReopenView.as_view(), name="api-assignment-reopen"),
    path("assignments/<int:pk>/scoresheet/", api.ScoresheetView.as_view(), name="api-assignment-scoresheet"),
    # judge pool and conflicts
    path("judges/", api.JudgeListView.as_view(), name="api-judge-list"),
    path("judges/import/", api.JudgeImportView.as_view(), name="api-judge-import"),
    path("conflicts/", api.ConflictListView.as_view(), name="api-conflict-list"),
    path("conflicts/<int:pk>/dismiss/", api.ConflictDismissView.as_view(), name="api-conflict-dismiss"),
    path("conflicts/<int:pk>/withdraw/", api.ConflictWithdrawView.as_view(), name="api-conflict-withdraw"),
    # cycle-wide
    path("cycles/<int:pk>/auto-assign/", api.AutoAssignView.as_view(), name="api-cycle-auto-assign"),
    path("cycles/<int:pk>/ranking/", api.RankingView.as_view(), name="api-cycle-ranking"),
    path("cycles/<int:pk>/leniency/", api.LeniencyView.as_view(), name="api-cycle-leniency"),
    path("cycles/<int:pk>/export.xlsx", api.ExportView.as_view(), name="api-cycle-export"),
    # per application
    path("applications/<int:pk>/transitions/", api_transitions.ApplicationTransitionsView.as_view(),
         name="api-application-transitions"),
    path("applications/<int:pk>/consensus/", api.ConsensusView.as_view(), name="api-application-consensus"),
    path("applications/<int:pk>/site-report/", api.SiteReportView.as_view(), name="api-application-site-report"),
    path("applications/<int:pk>/decision/", api.DecisionView.as_view(), name="api-application-decision"),
    # feedback reports (评审反馈报告)
    path("applications/<int:pk>/feedback.pdf", api_feedback.ApplicationFeedbackPdfView.as_view(),
         name="api-application-feedback-pdf"),
    path("cycles/<int:pk>/feedback/", api_feedback.CycleFeedbackListView.as_view(), name="api-cycle-feedback-list"),
    path("cycles/<int:pk>/feedback/generate/", api_feedback.CycleFeedbackGenerateView.as_view(),
         name="api-cycle-feedback-generate"),
    path("cycles/<int:pk>/feedback/release/", api_feedback.CycleFeedbackReleaseView.as_view(),
         name="api-cycle-feedback-release"),
    path("feedback/<int:pk>/", api_feedback.FeedbackDetailView.as_view(), name="api-feedback-detail"),
    path("feedback/<int:pk>/release/", api_feedback.FeedbackReleaseView.as_view(), name="api-feedback-release"),
]
