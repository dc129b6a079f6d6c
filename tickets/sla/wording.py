"""The SLA mails' events in words: which clock, and what became of it. The thread's event line
(templates/includes/message_card.html) says the same sentences; the managers' feed, the
notifications and the mails read them here. Times are shown in the active time zone (the
viewer's, or the mail's recipient's)."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.sla.clocks import Clock

# Thread events (event_data["event"]) the SLA sweep writes.
ESCALATED_EVENT = "sla_escalated"
WARNING_EVENT = "sla_warning"
SLA_EVENTS = (ESCALATED_EVENT, WARNING_EVENT)

CLOCK_NAMES = {
    Clock.RESPONSE: gettext_lazy("first response"),
    Clock.RESOLUTION: gettext_lazy("resolution"),
}


def clock_name(clock: str) -> str:
    """ "first response" or "resolution", for a mail's {{ sla_clock }}."""
    return str(CLOCK_NAMES.get(clock, clock))


def due_text(value: datetime | str | None) -> str:
    """A due time (a datetime, or the ISO text an event stores) in the active time zone."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def sla_event_text(data: dict) -> str:
    """One line for an SLA event: "Escalation: first response overdue (due …)", or "At
    risk: resolution due …"."""
    due = due_text(data.get("due"))
    response = data.get("clock") == Clock.RESPONSE
    if data.get("event") == ESCALATED_EVENT:
        if response:
            return _("Escalation: first response overdue (due %(due)s)") % {"due": due}
        return _("Escalation: resolution overdue (due %(due)s)") % {"due": due}
    if response:
        return _("At risk: first response due %(due)s") % {"due": due}
    return _("At risk: resolution due %(due)s") % {"due": due}
