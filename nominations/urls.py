"""Web routes (server-rendered pages) of the nominations app: accounts, applicants, recommenders,
the secretariat, the public notice, winners, verification and the publication desks.
The REST API lives in nominations/api/urls.py."""
from django.urls import path

from nominations.views import (
    applicant,
    application,
    application_form,
    auth,
    documents,
    jobs,
    public,
    publication,
    recommender,
    secretariat,
)
from nominations.views.common import FaviconView

urlpatterns = [
    # public (no login)
    path("notices/", public.notice_list, name="public_notice_list"),
    path("notices/<int:pk>/", public.notice_detail, name="public_notice_detail"),
    path("notices/<int:pk>/object/", public.objection_create, name="public_objection_create"),
    path("notices/<int:pk>/object/received/<str:token>/", public.objection_received,
         name="public_objection_received"),
    path("winners/", public.winners, name="public_winners"),
    path("verify/", public.verify_lookup, name="certificate_verify_lookup"),
    # path: a typed code may hold any character ("/" included); an unknown one is a 404 page
    path("verify/<path:code>/", public.certificate_verify, name="certificate_verify"),
    # applicants
    path("results/", public.applicant_results, name="applicant_results"),
    path("applications/<int:pk>/certificate.pdf", public.application_certificate, name="application_certificate"),
    # secretariat
    path("secretariat/publication/", publication.notice_overview, name="notice_overview"),
    path("secretariat/cycles/<int:pk>/notice/", publication.notice_desk, name="notice_desk"),
    path("secretariat/cycles/<int:pk>/notice/start/", publication.notice_start, name="notice_start"),
    path("secretariat/applications/<int:pk>/notice/<slug:name>/", publication.notice_decide,
         name="notice_decide"),
    path("secretariat/holidays/", publication.holiday_list, name="holiday_list"),
    path("secretariat/holidays/<int:pk>/delete/", publication.holiday_remove, name="holiday_delete"),
    path("secretariat/objections/", publication.objection_desk, name="objection_desk"),
    path("secretariat/objections/<int:pk>/", publication.objection_detail, name="objection_detail"),
    path("secretariat/objections/<int:pk>/evidence/", publication.objection_evidence, name="objection_evidence"),
    path("secretariat/objections/<int:pk>/<slug:name>/", publication.objection_action, name="objection_action"),
    path("secretariat/cycles/<int:pk>/publication/", publication.publication_desk, name="publication_desk"),
    path("secretariat/cycles/<int:pk>/publication/publish/", publication.publication_publish,
         name="publication_publish"),
    path("secretariat/cycles/<int:pk>/certificates/reissue/", publication.certificates_reissue,
         name="certificates_reissue"),
    path("secretariat/certificate-batches/<int:pk>/combined.pdf", publication.batch_combined_pdf,
         name="certificate_batch_combined"),
    path("secretariat/applications/<int:pk>/revoke/", publication.certificate_revoke, name="certificate_revoke"),
    path("secretariat/certificate-batches/<int:pk>/status/", jobs.certificate_batch_status_view,
         name="certificate_batch_status"),
    path("secretariat/jobs/<int:pk>/status/", jobs.job_status_view, name="job_status"),
    path("secretariat/jobs/<int:pk>/result/", jobs.job_result, name="job_result"),
    # "" (home, the 工作台) is routed in config/urls.py to judging.views.workbench: it joins both apps.
    # accounts (login: accounts.urls)
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("signup/", auth.signup, name="signup"),
    path("signup/sent/", auth.signup_sent, name="signup_sent"),
    path("signup/activate/<str:uidb64>/<str:token>/", auth.signup_activate_view, name="signup_activate"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    # applicants
    path("organizations/new/", applicant.organization_create, name="organization_create"),
    path("organizations/<int:pk>/edit/", applicant.organization_edit, name="organization_edit"),
    path("applications/", applicant.application_list, name="application_list"),
    path("applications/new/", applicant.application_new, name="application_new"),
    path("applications/new/<int:category_id>/", applicant.application_create, name="application_create"),
    path("applications/<int:pk>/", application.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", application_form.application_edit, name="application_edit"),
    path("applications/<int:pk>/autosave/", application_form.application_autosave, name="application_autosave"),
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
