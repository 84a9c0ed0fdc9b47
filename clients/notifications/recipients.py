"""Who hears about each kind of event. One rule per kind; a sweep test checks that every
kind in EventKind has one, a template set and a test."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from clients.models import Sprint
from clients.notifications.models import EventKind


def consultants(sprint: Sprint) -> list[AbstractBaseUser]:
    """The sprint's consultant: whoever started it, while they are active staff; a sprint
    started by someone since gone (or by a script) falls to every active staff member."""
    owner = sprint.created_by
    if owner is not None and owner.is_staff and owner.is_active:
        return [owner]
    return list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))


def founders(sprint: Sprint) -> list[AbstractBaseUser]:
    """The client's people with a portal login (never staff)."""
    return list(
        get_user_model()
        .objects.filter(memberships__client_id=sprint.client_id, is_active=True, is_staff=False)
        .order_by("pk")
        .distinct()
    )


def deploy_owners(sprint: Sprint) -> list[AbstractBaseUser]:
    """Founders named in the client's "who deploys" field, by email address or full name."""
    named = sprint.client.deploy_owner.lower()
    if not named.strip():
        return []
    words = set(re.findall(r"[\w.+-]+@[\w.-]+|\w+", named))
    out = []
    for user in founders(sprint):
        email = (user.email or "").lower()
        full = " ".join(filter(None, [user.first_name, user.last_name])).lower()
        if (email and email in words) or (full and full in named):
            out.append(user)
    return out


def consultants_and_deploy_owners(sprint: Sprint) -> list[AbstractBaseUser]:
    return consultants(sprint) + deploy_owners(sprint)


RULES: dict[str, Callable[[Sprint], list[AbstractBaseUser]]] = {
    EventKind.FOUNDER_MESSAGE: consultants,
    EventKind.CONSULTANT_REPLY: founders,
    EventKind.BLOCKER_NEW: founders,
    EventKind.HANDOVER_ISSUED: founders,
    EventKind.DECISION_RECORDED: founders,
    EventKind.STAGE_COMPLETED: founders,
    EventKind.DEADLINE_NEAR: consultants,
    EventKind.OVERDUE: consultants,
    EventKind.DEPLOY_REFUSED: consultants_and_deploy_owners,
}


def recipients_for(kind: str, sprint: Sprint) -> list[AbstractBaseUser]:
    seen: set[int] = set()
    out = []
    for user in RULES[kind](sprint):
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out
