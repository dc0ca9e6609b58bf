"""The project's URLs plus the benchmark's floor: a bare Django JSON view (same server, same
middleware, no database), reachable only under benchmarks.autosave_settings."""
import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare_json(request):
    """Parse the same body as the autosave and answer a small JSON document."""
    body = json.loads(request.body or b"{}")
    return JsonResponse({"items": len(body.get("items", [])), "ok": True})


urlpatterns = [path("bench/bare/", bare_json), *project_urlpatterns]
