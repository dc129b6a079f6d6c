"""Template helpers for absences: look up a person's current absence in the map a view built
with accounts.absences.absent_now (one query for a whole list), and read the ISO times events
store."""

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def absence_of(absent: dict | None, user_id):
    """{% include "includes/absence_badge.html" with absence=absent|absence_of:user.pk %}"""
    if not absent or user_id in (None, ""):
        return None
    return absent.get(user_id)


@register.filter
def iso_datetime(value) -> datetime | None:
    """An ISO 8601 string (as events store times) as a datetime, for |date."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None
