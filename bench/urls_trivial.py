"""The app's URLs plus a trivial staff view, so the benchmark compares like with like:
same middleware, session, auth and base template, next to no work."""

from django.shortcuts import render
from django.urls import include, path

from clients.access import staff_required


@staff_required
def trivial(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("launchready.urls")),
]
