"""Feedback reports (评审反馈报告), mounted at /judging/feedback/ (namespace "feedback")."""
from django.urls import path

from judging import views_feedback as v

app_name = "feedback"
urlpatterns = [
    path("", v.index, name="index"),
    path("cycles/<int:pk>/", v.cycle_reports, name="cycle"),
    path("cycles/<int:pk>/generate/", v.cycle_generate, name="cycle_generate"),
    path("cycles/<int:pk>/release/", v.cycle_release, name="cycle_release"),
    path("applications/<int:pk>/generate/", v.application_generate, name="generate"),
    path("applications/<int:pk>/report.pdf", v.download, name="download"),
    path("reports/<int:pk>/", v.report_detail, name="report"),
    path("reports/<int:pk>/preview.pdf", v.report_preview, name="preview"),
    path("reports/<int:pk>/release/", v.report_release, name="release"),
    path("mine/", v.mine, name="mine"),
]
