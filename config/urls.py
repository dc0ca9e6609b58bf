from django.contrib import admin
from django.urls import include, path

from config import health
from judging.views import workbench

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("judging/", include("judging.urls")),
    path("", include("events.urls")),
    # The home page (工作台) joins both apps' to-dos: it lives in judging, which may import nominations.
    path("", workbench.home, name="home"),
    path("", include("accounts.urls")),  # login (two steps), two-factor enrolment
    path("", include("nominations.urls")),
]
