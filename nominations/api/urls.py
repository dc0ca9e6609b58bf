"""Routes of the nominations API under /api/v1/ (API.md): catalog, organizations,
applications, public notices, objections, winners and certificates."""
from django.urls import path

from nominations.api import applications as api
from nominations.api import publication

urlpatterns = [
    # catalog (public)
    path("programmes/", api.ProgrammeListView.as_view(), name="api-programme-list"),
    path("cycles/", api.CycleListView.as_view(), name="api-cycle-list"),
    path("cycles/<int:pk>/transitions/", api.CycleTransitionsView.as_view(), name="api-cycle-transitions"),
    path("recommending-units/", api.RecommendingUnitListView.as_view(), name="api-recommending-unit-list"),
    # organizations
    path("organizations/", api.OrganizationListView.as_view(), name="api-organization-list"),
    path("organizations/<int:pk>/", api.OrganizationDetailView.as_view(), name="api-organization-detail"),
    # applications
    path("applications/", api.ApplicationListView.as_view(), name="api-application-list"),
    path("applications/<int:pk>/", api.ApplicationDetailView.as_view(), name="api-application-detail"),
    path("applications/<int:pk>/documents/", api.ApplicationDocumentsView.as_view(),
         name="api-application-documents"),
    path("applications/<int:pk>/documents/<int:doc_id>/", api.ApplicationDocumentDetailView.as_view(),
         name="api-application-document"),
    path("applications/<int:pk>/documents/<int:doc_id>/download/", api.ApplicationDocumentDownloadView.as_view(),
         name="api-application-document-download"),
    # applications/<pk>/transitions/ is mounted by judging.api.urls (its subclass adds the
    # committee decision, judging's act, to nominations' transitions endpoint)
    path("applications/<int:pk>/history/", api.ApplicationHistoryView.as_view(), name="api-application-history"),
    path("applications/<int:pk>/certificate.pdf", publication.ApplicationCertificatePdfView.as_view(),
         name="api-application-certificate"),
    # public notice, objections, winners, certificate verification
    path("public/notices/", publication.PublicNoticeListView.as_view(), name="api-public-notice-list"),
    path("public/notices/<int:pk>/objections/", publication.PublicObjectionCreateView.as_view(),
         name="api-public-objection-create"),
    path("public/winners/", publication.PublicWinnersView.as_view(), name="api-public-winners"),
    path("public/certificates/", publication.PublicCertificateByNumberView.as_view(),
         name="api-public-certificate-by-number"),
    path("public/certificates/<str:code>/", publication.PublicCertificateView.as_view(),
         name="api-public-certificate"),
    path("objections/", publication.ObjectionListView.as_view(), name="api-objection-list"),
    path("objections/<int:pk>/investigate/", publication.ObjectionInvestigateView.as_view(),
         name="api-objection-investigate"),
    path("objections/<int:pk>/resolve/", publication.ObjectionResolveView.as_view(), name="api-objection-resolve"),
]
