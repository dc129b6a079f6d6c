"""A department's SLA policy as plain values: its calendar, its response and resolution limits
(with the shorter ones per priority), the optional at-risk warning and the pending reminder and
auto-close days. Policies are cached per department for a minute (departments/sla_changes.py
drops them when something changes); with the cache down they are read from the database."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache

from departments.business_time import ALWAYS_OPEN, Calendar, CalendarError, calendar_load
from departments.models import Department, PriorityLimit
from departments.sla_changes import POLICY_CACHE_KEY

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Limits:
    response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class Policy:
    department_id: int
    calendar: Calendar
    limits: Limits
    priority_limits: dict[int, Limits] = field(default_factory=dict)
    warning_enabled: bool = False
    pending_reminder_days: int | None = None
    pending_autoclose_days: int | None = None

    def limits_for(self, priority: int) -> Limits:
        return self.priority_limits.get(priority, self.limits)

    @property
    def is_always_open(self) -> bool:
        return self.calendar.always_open


def policies_load(department_ids: Iterable[int]) -> dict[int, Policy]:
    """The policies of these departments from the database: one query for the departments, one
    for their priority limits, two for their calendars' hours and holidays."""
    departments = list(
        Department.objects.filter(pk__in=list(department_ids))
        .select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
    )
    by_priority: dict[int, dict[int, Limits]] = {}
    for row in PriorityLimit.objects.filter(department__in=departments):
        by_priority.setdefault(row.department_id, {})[row.priority] = Limits(
            row.response_time_limit, row.resolution_limit
        )
    return {
        department.pk: Policy(
            department_id=department.pk,
            calendar=_calendar(department),
            limits=Limits(department.response_time_limit, department.resolution_limit),
            priority_limits=by_priority.get(department.pk, {}),
            warning_enabled=department.sla_warning_enabled,
            pending_reminder_days=department.pending_reminder_days,
            pending_autoclose_days=department.pending_autoclose_days,
        )
        for department in departments
    }


def _calendar(department: Department) -> Calendar:
    try:
        return calendar_load(department.calendar)
    except CalendarError as error:
        # A calendar without open hours cannot be counted in: the clocks run around the clock
        # rather than never coming due.
        logger.error("sla: %s; counting around the clock for %s", error, department)
        return ALWAYS_OPEN


def policies_for(department_ids: Iterable[int]) -> dict[int, Policy]:
    """The policies of these departments, from the cache where it has them."""
    ids = set(department_ids) - {None}
    if not ids:
        return {}
    keys = {POLICY_CACHE_KEY.format(pk): pk for pk in ids}
    found = cache.get_many(list(keys))
    policies = {keys[key]: policy for key, policy in found.items()}
    missing = ids - set(policies)
    if missing:
        loaded = policies_load(missing)
        cache.set_many(
            {POLICY_CACHE_KEY.format(pk): policy for pk, policy in loaded.items()},
            CACHE_SECONDS,
        )
        policies.update(loaded)
    return policies


def policy_for(department_id: int) -> Policy:
    return policies_for([department_id])[department_id]
