"""Scoped loaders for the secrets app: every object is looked up among the clients the
user may see (clients.access), so anyone else gets 404."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from checks.secrets.models import AllowlistEntry, DeployToken, EnvVar, ScanRun, SecretRecord
from clients.access import clients_for_user


def _scoped(request: HttpRequest, model: type[Model]) -> QuerySet:
    return model.objects.filter(client__in=clients_for_user(request.user)).select_related("client")


def get_record_for_user(request: HttpRequest, record_code: str) -> SecretRecord:
    return get_object_or_404(_scoped(request, SecretRecord), code=record_code)


def get_envvar_for_user(request: HttpRequest, envvar_code: str) -> EnvVar:
    return get_object_or_404(_scoped(request, EnvVar), code=envvar_code)


def get_scan_for_user(request: HttpRequest, scan_code: str) -> ScanRun:
    return get_object_or_404(_scoped(request, ScanRun), code=scan_code)


def get_allow_for_user(request: HttpRequest, allow_code: str) -> AllowlistEntry:
    return get_object_or_404(_scoped(request, AllowlistEntry), code=allow_code)


def get_token_for_user(request: HttpRequest, token_code: str) -> DeployToken:
    return get_object_or_404(_scoped(request, DeployToken), code=token_code)
