"""Routes of the public notice, objection, winners and certificate API under /api/v1/ (API.md)."""
from django.urls import path

from nominations import api_publication as api

urlpatterns = [
    path("public/notices/", api.PublicNoticeListView.as_view(), name="api-public-notice-list"),
    path("public/notices/<int:pk>/objections/", api.PublicObjectionCreateView.as_view(),
         name="api-public-objection-create"),
    path("public/winners/", api.PublicWinnersView.as_view(), name="api-public-winners"),
    path("public/certificates/<str:code>/", api.PublicCertificateView.as_view(), name="api-public-certificate"),
    path("objections/", api.ObjectionListView.as_view(), name="api-objection-list"),
    path("objections/<int:pk>/resolve/", api.ObjectionResolveView.as_view(), name="api-objection-resolve"),
    path("objections/<int:pk>/investigate/", api.ObjectionInvestigateView.as_view(),
         name="api-objection-investigate"),
    path("applications/<int:pk>/certificate.pdf", api.ApplicationCertificatePdfView.as_view(),
         name="api-application-certificate"),
]
