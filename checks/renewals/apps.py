from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "checks.renewals"
    label = "renewals"
    verbose_name = "Renewal calendar"
