"""What each number of the reports counts, in one place: its name, the definition the page shows
beside it, the rows it is counted from and the condition on them. The aggregates
(reports/metrics.py), the case lists behind each number (reports/case_lists.py) and the CSV
exports read these, so a number and its list can never disagree."""

from dataclasses import dataclass

from django.db.models import Aggregate, Count, F, Q, Value
from django.utils.translation import gettext_lazy as _

from tickets.models import InboundEmail

# The sources a number is counted from.
CLOSINGS, MAILS, CONSULTATIONS, REOPENINGS = "closings", "mails", "consultations", "reopenings"

ACCEPTED_MAIL = (
    InboundEmail.Status.TICKET,
    InboundEmail.Status.REPLY,
    InboundEmail.Status.CONSULTATION,
)

# The field that says whose / which department's a row of each source is.
OWNER_FIELD = {
    CLOSINGS: "owner_id",
    REOPENINGS: "owner_id",
    MAILS: "owner_id",  # the case's owner when the mail joined it
    CONSULTATIONS: "case_owner_id",  # the case's owner when it was sent
}
DEPARTMENT_FIELD = {
    CLOSINGS: "department_id",
    REOPENINGS: "department_id",
    MAILS: "department_id",
    CONSULTATIONS: "case_department_id",
}

# When each source's row happened: the trend's buckets, the case lists' order.
MOMENT = {
    CLOSINGS: "closed_at",
    REOPENINGS: "reopened_at",
    MAILS: "received_at",
    CONSULTATIONS: "asked_at",
}
ON_TIME = Q(deadline__isnull=True) | Q(closed_at__lte=F("deadline"))
PAST_DEADLINE = Q(deadline__isnull=False, closed_at__gt=F("deadline"))
# First response by its due time (a case closed unanswered: closed by it) and closed by the
# deadline.
RESPONSE_ON_TIME = (
    Q(response_due_at__isnull=True)
    | Q(first_response_at__lte=F("response_due_at"))
    | Q(first_response_at__isnull=True, closed_at__lte=F("response_due_at"))
)
WITHIN_SLA = ON_TIME & RESPONSE_ON_TIME
CONSULTED_BEFORE = Q(deadline_when_asked__isnull=True) | Q(asked_at__lte=F("deadline_when_asked"))
CONSULTED_PAST = Q(deadline_when_asked__isnull=False, asked_at__gt=F("deadline_when_asked"))


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str
    source: str
    condition: Q
    short: str = ""  # a column heading in the breakdowns

    @property
    def number(self) -> int:
        """Its place among the seed's eight (1–8), 0 for the others."""
        return SEED_KEYS.index(self.key) + 1 if self.key in SEED_KEYS else 0


METRICS = {
    metric.key: metric
    for metric in [
        Metric(
            "emails_received",
            _("E-mails received"),
            _(
                "Mails taken into tickets in the period: new tickets, customers' replies and "
                "consultation answers. Spam, refused, quarantined and duplicate mail is not "
                "counted."
            ),
            MAILS,
            Q(),
            short=_("Mail in"),
        ),
        Metric(
            "closed_on_time",
            _("Closed on time without consulting"),
            _(
                "Cases closed in the period at or before their deadline (the resolution due "
                "time), never referred to another department before closing."
            ),
            CLOSINGS,
            ON_TIME & Q(consulted=False),
            short=_("On time"),
        ),
        Metric(
            "closed_on_time_consulted",
            _("Closed on time with consulting"),
            _(
                "Cases closed in the period at or before their deadline, with at least one "
                "consultation sent before closing."
            ),
            CLOSINGS,
            ON_TIME & Q(consulted=True),
            short=_("On time, consulted"),
        ),
        Metric(
            "closed_late_consulted",
            _("Closed past deadline with consulting"),
            _(
                "Cases closed in the period after their deadline, with at least one "
                "consultation sent before closing."
            ),
            CLOSINGS,
            PAST_DEADLINE & Q(consulted=True),
            short=_("Late, consulted"),
        ),
        Metric(
            "closed_late",
            _("Closed past deadline without consulting"),
            _("Cases closed in the period after their deadline, never consulted."),
            CLOSINGS,
            PAST_DEADLINE & Q(consulted=False),
            short=_("Late"),
        ),
        Metric(
            "consulted_before_deadline",
            _("Consulted before deadline"),
            _(
                "Cases whose first consultation was sent in the period, at or before the "
                "case's deadline as it was then."
            ),
            CONSULTATIONS,
            CONSULTED_BEFORE,
            short=_("Consulted in time"),
        ),
        Metric(
            "consulted_past_deadline",
            _("Consulted past deadline"),
            _(
                "Cases whose first consultation was sent in the period, after the case's "
                "deadline as it was then."
            ),
            CONSULTATIONS,
            CONSULTED_PAST,
            short=_("Consulted late"),
        ),
        Metric(
            "feedback",
            _("Customer feedback after closing"),
            _(
                "Of the cases closed in the period, those whose customer rated the answer or "
                "wrote again after the closing; the percentage is of all cases closed in the "
                "period."
            ),
            CLOSINGS,
            Q(feedback_at__isnull=False),
            short=_("Feedback"),
        ),
        Metric(
            "closed",
            _("Cases closed"),
            _(
                "Cases closed in the period (a case closed, reopened and closed again counts "
                "once, by its last closing in the period; cases closed as spam are left out)."
            ),
            CLOSINGS,
            Q(),
            short=_("Closed"),
        ),
        Metric(
            "within_sla",
            _("Within SLA"),
            _(
                "Of the cases closed in the period, the share answered by their first response "
                "due time and closed by their deadline."
            ),
            CLOSINGS,
            WITHIN_SLA,
            short=_("Within SLA"),
        ),
        Metric(
            "reopened",
            _("Reopened"),
            _("Cases reopened in the period after they had been closed."),
            REOPENINGS,
            Q(),
            short=_("Reopened"),
        ),
    ]
}

SEED_KEYS = [
    "emails_received",
    "closed_on_time",
    "closed_on_time_consulted",
    "closed_late_consulted",
    "closed_late",
    "consulted_before_deadline",
    "consulted_past_deadline",
    "feedback",
]
SEED_METRICS = [METRICS[key] for key in SEED_KEYS]

RESPONSE_TIME_DEFINITION = _(
    "Business time from a case's creation to its first public reply, for the cases closed in "
    "the period (time waiting for the customer not counted), on its department's calendar."
)
RESOLUTION_TIME_DEFINITION = _(
    "Business time from a case's creation (or its reopening) to its closing, for cases closed "
    "in the period (time waiting for the customer not counted)."
)
TECH_ATTRIBUTION = _(
    "A tech's numbers: the cases they owned when the case closed; mail counts for the case's "
    "owner when it arrived, consultations for the case's owner when they were sent. Departments "
    "likewise: the case's department when it closed, when the mail arrived, or when it was "
    "consulted."
)


def count_aggregates(source: str) -> dict[str, Aggregate]:
    """The aggregate of every counting number of a source, by key."""
    if source == REOPENINGS:
        return {"reopened": Count("ticket_id", distinct=True)}
    # count(*) or count(1), not count(id): the mail's partial index holds no id, and a count
    # of rows lets a year of mail be counted from the index alone.
    return {
        metric.key: Count(Value(1), filter=metric.condition) if metric.condition else Count("*")
        for metric in METRICS.values()
        if metric.source == source
    }
