"""Web routes of events: public pages, enterprises' registrations, the host's list, and the
secretariat's desk. The REST API lives in events/api/urls.py."""
from django.urls import path

from events.views import desk, public

app_name = "events"

urlpatterns = [
    path("events/", public.event_list, name="list"),
    path("events/mine/", public.my_registrations, name="mine"),
    path("events/<int:pk>/", public.event_detail, name="detail"),
    path("events/<int:pk>/registrations/", public.host_registrations, name="registrations"),
    path("events/registrations/<int:pk>/cancel/", public.registration_cancel_view, name="registration_cancel"),
    path("events/registrations/<int:pk>/qr.png", public.registration_qr, name="registration_qr"),
    path("events/checkin/<str:token>/", desk.check_in_scan, name="checkin_scan"),
    path("secretariat/events/", desk.desk, name="desk"),
    path("secretariat/events/new/", desk.event_create_view, name="desk_create"),
    path("secretariat/events/<int:pk>/", desk.desk_detail, name="desk_detail"),
    path("secretariat/events/<int:pk>/edit/", desk.event_edit_view, name="desk_edit"),
    path("secretariat/events/<int:pk>/cancel/", desk.event_cancel_view, name="desk_cancel"),
    path("secretariat/events/<int:pk>/close/", desk.event_close_view, name="desk_close"),
    path("secretariat/events/<int:pk>/registrations.xlsx", desk.event_export_view, name="desk_export"),
    path("secretariat/events/<int:pk>/registrations/<int:reg_pk>/check-in/", desk.check_in_view, name="desk_check_in"),
]
