"""When what the SLA clocks count changes (a department's limits or calendar, a calendar's hours
or holidays, a priority limit), the departments concerned are marked stale: the SLA sweep
(tickets/sla/recompute.py) recomputes the due times of their open cases in batches and clears
the mark. The mark is a database column, so a change made while the broker or the cache is down
is still carried out; the cached policies are dropped at once and again when the change
commits."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from departments.models import BusinessCalendar, BusinessHours, Department, Holiday, PriorityLimit

POLICY_CACHE_KEY = "sla-policy:{}"


def departments_clocks_stale(*, department_ids) -> None:
    """Mark these departments' clocks for recomputing; the cached policies go at commit."""
    ids = [pk for pk in department_ids if pk is not None]
    if not ids:
        return
    Department.objects.filter(pk__in=ids).update(clocks_stale_since=timezone.now())
    keys = [POLICY_CACHE_KEY.format(pk) for pk in ids]
    # Now, for the rest of this transaction; and at commit, for what another process cached
    # from the old rows meanwhile.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def calendar_departments_stale(calendar_id) -> None:
    departments_clocks_stale(
        department_ids=Department.objects.filter(calendar_id=calendar_id).values_list(
            "pk", flat=True
        )
    )


@receiver([post_save, post_delete], sender=BusinessCalendar)
def _calendar_changed(sender, instance, **kwargs):
    calendar_departments_stale(instance.pk)


@receiver([post_save, post_delete], sender=BusinessHours)
@receiver([post_save, post_delete], sender=Holiday)
def _calendar_day_changed(sender, instance, **kwargs):
    calendar_departments_stale(instance.calendar_id)


@receiver([post_save, post_delete], sender=PriorityLimit)
def _priority_limit_changed(sender, instance, **kwargs):
    departments_clocks_stale(department_ids=[instance.department_id])
