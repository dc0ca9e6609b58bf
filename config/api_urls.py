from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from ?script= (no inline script; templates/drf_spectacular
    # drops the inline style), so the docs page passes the site's Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("nominations.api.urls")),
    path("", include("judging.api.urls")),
    path("", include("events.api.urls")),
]
