from django.urls import path

from handover.views import founder, past, staff, verify

app_name = "handover"

urlpatterns = [
    path("past-sprints/", past.past_sprints, name="past_sprints"),
    path("sprints/<str:sprint_code>/handover/", staff.handover_draft, name="handover_draft"),
    path("sprints/<str:sprint_code>/handover/edit/", staff.handover_edit, name="handover_edit"),
    path("sprints/<str:sprint_code>/handover/issue/", staff.handover_issue, name="handover_issue"),
    path("handover/verify/", verify.handover_verify, name="handover_verify"),
    path(
        "handover/<str:handover_code>/download/",
        founder.handover_download,
        name="handover_download",
    ),
    path(
        "handover/<str:handover_code>/acknowledge/",
        founder.handover_acknowledge,
        name="handover_acknowledge",
    ),
]
