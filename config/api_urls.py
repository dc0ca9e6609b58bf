from django.urls import include, path

urlpatterns = [
    path("", include("nominations.api_urls")),
    path("", include("judging.api_urls")),
]
