"""The project's URLs plus the benchmark's two references, reachable only under
benchmarks.autosave_settings:

* /bench/bare/ — the floor the issue names: a bare Django JSON view (same server, same
  middleware, parses the same body, no database);
* /bench/answer/<assignment>/ — the API stack without the save: the API's own authentication
  (DRF view, the project's token classes), the same body parsed, and the same answer document
  as the autosave (the judge's scoresheet, read once per process and kept), no other query;
* /bench/write/<assignment>/ — the least a database-backed autosave can do: the API's own
  authentication (DRF view, the project's token classes), the same body parsed, one UPDATE of
  one row of the judge's own assignment (autocommit: one statement, one round trip and its
  commit), a two-key JSON answer. No lock, validation, conflict check or scoresheet.
"""
import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare_json(request):
    """Parse the same body as the autosave and answer a small JSON document."""
    body = json.loads(request.body or b"{}")
    return JsonResponse({"items": len(body.get("items", [])), "ok": True})


class WriteFloor(APIView):
    def put(self, request, pk: int):
        from judging.models import Assignment

        items = request.data.get("items") or [{}]
        text = str(items[0].get("opportunities", ""))[:200]
        updated = Assignment.objects.filter(pk=pk, judge_id=request.user.pk).update(decline_reason=text)
        return Response({"items": len(items), "ok": bool(updated)}, status=200 if updated else 404)


class AnswerFloor(APIView):
    documents: dict[int, dict] = {}

    def put(self, request, pk: int):
        from judging.api.scoresheet_json import scoresheet_data
        from judging.models import Assignment
        from judging.selectors import scoresheet_get

        request.data.get("items")  # parsed, as the autosave's body is
        document = self.documents.get(pk)
        if document is None:
            assignment = Assignment.objects.select_related("application__category").get(pk=pk, judge_id=request.user.pk)
            document = self.documents[pk] = scoresheet_data(scoresheet_get(assignment))
        return Response(document)


urlpatterns = [path("bench/bare/", bare_json), path("bench/answer/<int:pk>/", AnswerFloor.as_view()),
               path("bench/write/<int:pk>/", WriteFloor.as_view()), *project_urlpatterns]
