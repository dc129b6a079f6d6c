"""The periods a report offers by name (today, yesterday, this or last week or month), as whole
days in the viewer's time zone. Weeks run Monday to Sunday (ISO 8601), as in the seeds' offices."""

from datetime import datetime, timedelta, tzinfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.sign_in_sessions import Period

TODAY = "today"
YESTERDAY = "yesterday"
THIS_WEEK = "this_week"
LAST_WEEK = "last_week"
THIS_MONTH = "this_month"
LAST_MONTH = "last_month"

PRESETS = {
    TODAY: _("Today"),
    YESTERDAY: _("Yesterday"),
    THIS_WEEK: _("This week"),
    LAST_WEEK: _("Last week"),
    THIS_MONTH: _("This month"),
    LAST_MONTH: _("Last month"),
}


def period_preset(name: str, *, zone: tzinfo, now: datetime | None = None) -> Period:
    """The named period around now, in the zone; KeyError for a name not in PRESETS. "This"
    week or month ends today: the days still to come hold nothing yet."""
    today = timezone.localtime(now or timezone.now(), zone).date()
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    first, last = {
        TODAY: (today, today),
        YESTERDAY: (today - timedelta(days=1), today - timedelta(days=1)),
        THIS_WEEK: (monday, today),
        LAST_WEEK: (monday - timedelta(days=7), monday - timedelta(days=1)),
        THIS_MONTH: (first_of_month, today),
        LAST_MONTH: (last_month_end.replace(day=1), last_month_end),
    }[name]
    return Period(first_day=first, last_day=last, zone=zone)
