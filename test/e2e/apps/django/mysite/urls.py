import os

from django.http import JsonResponse
from django.urls import path


def index(request):
    return JsonResponse({"app": "django", "uid": os.getuid(), "gid": os.getgid()})


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("", index), path("healthz", healthz)]
