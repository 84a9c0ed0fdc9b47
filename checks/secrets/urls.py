from django.urls import path

from checks.secrets.views import gate, inventory, scans

app_name = "secrets"

urlpatterns = [
    path("secrets/<str:client_code>/", inventory.inventory, name="secrets_inventory"),
    path("secrets/<str:client_code>/records/new/", inventory.record_new, name="secrets_record_new"),
    path("secrets/<str:client_code>/env/new/", inventory.envvar_new, name="secrets_envvar_new"),
    path("secrets/<str:client_code>/scans/", scans.scan_start, name="secrets_scan_start"),
    path("secrets/<str:client_code>/tokens/", gate.token_new, name="secrets_token_new"),
    path(
        "secret-records/<str:record_code>/edit/", inventory.record_edit, name="secrets_record_edit"
    ),
    path(
        "secret-records/<str:record_code>/delete/",
        inventory.record_delete,
        name="secrets_record_delete",
    ),
    path(
        "secret-records/<str:record_code>/restore/",
        inventory.record_restore,
        name="secrets_record_restore",
    ),
    path("env-vars/<str:envvar_code>/edit/", inventory.envvar_edit, name="secrets_envvar_edit"),
    path(
        "env-vars/<str:envvar_code>/delete/", inventory.envvar_delete, name="secrets_envvar_delete"
    ),
    path("secret-scans/<str:scan_code>/", scans.scan_detail, name="secrets_scan_detail"),
    path("secret-scans/<str:scan_code>/allow/", scans.scan_allow, name="secrets_scan_allow"),
    path(
        "secret-allowlist/<str:allow_code>/delete/", scans.allow_delete, name="secrets_allow_delete"
    ),
    path(
        "secret-allowlist/<str:allow_code>/restore/",
        scans.allow_restore,
        name="secrets_allow_restore",
    ),
    path(
        "deploy-tokens/<str:token_code>/created/",
        gate.token_created,
        name="secrets_token_created",
    ),
    path("deploy-tokens/<str:token_code>/revoke/", gate.token_revoke, name="secrets_token_revoke"),
    path("api/deploy-gate/<str:client_code>/", gate.deploy_gate, name="secrets_deploy_gate"),
]
