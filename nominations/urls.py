"""Web routes (server-rendered pages). The REST API lives in api_urls.py."""
from django.urls import path

from nominations.views import applicant, application, auth, documents, recommender, secretariat
from nominations.views.common import FaviconView

urlpatterns = [
    path("", applicant.home, name="home"),
    # accounts
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("signup/", auth.signup, name="signup"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    # applicants
    path("organizations/new/", applicant.organization_create, name="organization_create"),
    path("organizations/<int:pk>/edit/", applicant.organization_edit, name="organization_edit"),
    path("applications/", applicant.application_list, name="application_list"),
    path("applications/new/", applicant.application_new, name="application_new"),
    path("applications/new/<int:category_id>/", applicant.application_create, name="application_create"),
    path("applications/<int:pk>/", application.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applicant.application_edit, name="application_edit"),
    path("applications/<int:pk>/transitions/<slug:name>/", application.application_transition_view,
         name="application_transition"),
    # documents
    path("applications/<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path("applications/<int:pk>/documents/<int:doc_id>/delete/", documents.document_delete,
         name="document_delete"),
    path("applications/<int:pk>/documents/<int:doc_id>/download/", documents.document_download,
         name="document_download"),
    # recommending units
    path("recommender/", recommender.recommender_queue, name="recommender_queue"),
    # secretariat
    path("secretariat/cycles/", secretariat.cycle_list, name="cycle_list"),
    path("secretariat/cycles/<int:pk>/", secretariat.cycle_detail, name="cycle_detail"),
    path("secretariat/cycles/<int:pk>/transitions/<slug:name>/", secretariat.cycle_transition_view,
         name="cycle_transition"),
    path("secretariat/applications/<int:pk>/review/", secretariat.application_review,
         name="application_review"),
]

# Browsers ask for /favicon.ico on pages without an icon link (the admin).
urlpatterns.append(path("favicon.ico", FaviconView.as_view()))
