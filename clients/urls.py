from django.urls import path

from clients.jobs import views as jobs
from clients.views import clients, dashboard, home, portal, sprints

app_name = "clients"

urlpatterns = [
    path("", home.home, name="home"),
    path("jobs/<str:kind>/<str:job_code>/", jobs.job_progress, name="job_progress"),
    path("jobs/<str:kind>/<str:job_code>/try-again/", jobs.job_try_again, name="job_try_again"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<str:client_code>/", clients.client_detail, name="client_detail"),
    path("clients/<str:client_code>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<str:client_code>/domains/", clients.domain_add, name="domain_add"),
    path("clients/<str:client_code>/founders/", clients.founder_add, name="founder_add"),
    path("clients/<str:client_code>/accounts/", clients.account_add, name="account_add"),
    path("clients/<str:client_code>/sprints/", clients.sprint_start, name="sprint_start"),
    path("domains/<str:domain_code>/delete/", clients.domain_delete, name="domain_delete"),
    path("domains/<str:domain_code>/restore/", clients.domain_restore, name="domain_restore"),
    path(
        "service-accounts/<str:account_code>/delete/", clients.account_delete, name="account_delete"
    ),
    path(
        "service-accounts/<str:account_code>/restore/",
        clients.account_restore,
        name="account_restore",
    ),
    path("sprints/<str:sprint_code>/", sprints.sprint_detail, name="sprint_detail"),
    path("sprints/<str:sprint_code>/activity/", sprints.sprint_activity, name="sprint_activity"),
    path("sprints/<str:sprint_code>/advance/", sprints.stage_advance, name="stage_advance"),
    path(
        "sprints/<str:sprint_code>/stages/<int:number>/items-done/",
        sprints.stage_items_done,
        name="stage_items_done",
    ),
    path("sprints/<str:sprint_code>/decide/", sprints.sprint_decide, name="sprint_decide"),
    path("sprints/<str:sprint_code>/findings/", sprints.finding_new, name="finding_new"),
    path(
        "sprints/<str:sprint_code>/findings/<str:finding_code>/",
        sprints.finding_row,
        name="finding_row",
    ),
    path(
        "sprints/<str:sprint_code>/findings/<str:finding_code>/edit/",
        sprints.finding_edit,
        name="finding_edit",
    ),
    path(
        "sprints/<str:sprint_code>/items/<str:item_code>/",
        sprints.item_state,
        name="item_state",
    ),
    path("portal/", portal.portal, name="portal"),
    path("portal/<str:sprint_code>/", portal.portal_sprint, name="portal_sprint"),
    path("portal/<str:sprint_code>/comment/", portal.portal_comment, name="portal_comment"),
]
