"""Routes of the events API under /api/v1/ (API.md, "Events")."""
from django.urls import path

from events.api import views as api

urlpatterns = [
    path("public/events/", api.PublicEventListView.as_view(), name="api-public-event-list"),
    path("events/", api.EventListView.as_view(), name="api-event-list"),
    path("events/<int:pk>/", api.EventDetailView.as_view(), name="api-event-detail"),
    path("events/<int:pk>/cancel/", api.EventCancelView.as_view(), name="api-event-cancel"),
    path("events/<int:pk>/close/", api.EventCloseView.as_view(), name="api-event-close"),
    path("events/<int:pk>/registrations/", api.EventRegistrationsView.as_view(), name="api-event-registrations"),
    path("events/<int:pk>/registrations.xlsx", api.EventRegistrationsExportView.as_view(),
         name="api-event-registrations-export"),
    path("registrations/", api.RegistrationListView.as_view(), name="api-registration-list"),
    path("registrations/<int:pk>/", api.RegistrationDetailView.as_view(), name="api-registration-detail"),
    path("registrations/<int:pk>/check-in/", api.RegistrationCheckInView.as_view(), name="api-registration-check-in"),
]
