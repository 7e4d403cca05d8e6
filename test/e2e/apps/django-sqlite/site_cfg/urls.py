import os

from django.http import JsonResponse
from django.urls import path

from counter.models import Hit


def count(request):
    Hit.objects.create()
    return JsonResponse({"app": "django-sqlite", "hits": Hit.objects.count(), "uid": os.getuid()})


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("count", count), path("healthz", healthz)]
