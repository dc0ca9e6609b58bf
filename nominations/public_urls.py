"""Web routes of the public notice, objections, winners, certificate verification, the
applicant's results and the secretariat's notice / objection / publication desks.
Included at "" before nominations.urls."""
from django.urls import path

from nominations.views import public, publication

urlpatterns = [
    # public (no login)
    path("notices/", public.notice_list, name="public_notice_list"),
    path("notices/<int:pk>/", public.notice_detail, name="public_notice_detail"),
    path("notices/<int:pk>/object/", public.objection_create, name="public_objection_create"),
    path("notices/<int:pk>/object/received/<str:token>/", public.objection_received,
         name="public_objection_received"),
    path("winners/", public.winners, name="public_winners"),
    path("verify/", public.verify_lookup, name="certificate_verify_lookup"),
    path("verify/<str:code>/", public.certificate_verify, name="certificate_verify"),
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
]
