"""The monthly summary's numbers: a month's key figures for a scope, read with the reports' own
selectors (so the mail and the reports page never disagree), each beside the month before with
the change as an arrow and words (a mail is often read as plain text: never colour alone). A
month before with nothing in it says "no earlier data", never a change from zero or a division by
it; differences are whole amounts, never ratios."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports.breakdowns import satisfaction_split
from reports.definitions import METRICS
from reports.metrics import Numbers, numbers_total
from reports.periods import ReportPeriod, period_from_query
from reports.scope import Scope
from reports.templatetags.report_tags import business_time, percent
from tickets.sla.marks import duration_label

COUNT, SHARE, TIME = "count", "share", "time"
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class MonthNumbers:
    """What the reports page shows for one month and scope: the numbers and the ratings given."""

    period: ReportPeriod
    numbers: Numbers
    ratings: int

    @property
    def is_empty(self) -> bool:
        return self.numbers.is_empty and not self.ratings

    @property
    def name(self) -> str:
        """ "October 2026", in the reader's language."""
        return date_format(self.period.first_day, "F Y")


Value = int | float | timedelta | None


@dataclass(frozen=True)
class Figure:
    """One line of the summary: its label, what kind of number it is, how it is read."""

    label: str | Promise
    kind: str  # COUNT, SHARE (a percentage) or TIME (business time)
    read: Callable[[MonthNumbers], Value]


def _counts(*keys: str) -> Callable[[MonthNumbers], int]:
    return lambda month: sum(month.numbers.count(key) for key in keys)


FIGURES = [
    Figure(METRICS["emails_received"].label, COUNT, _counts("emails_received")),
    Figure(METRICS["closed"].label, COUNT, _counts("closed")),
    Figure(
        gettext_lazy("Closed on time"),
        COUNT,
        _counts("closed_on_time", "closed_on_time_consulted"),
    ),
    Figure(
        gettext_lazy("Closed past deadline"), COUNT, _counts("closed_late", "closed_late_consulted")
    ),
    Figure(METRICS["within_sla"].label, SHARE, lambda month: month.numbers.share("within_sla")),
    Figure(
        gettext_lazy("First response, median"),
        TIME,
        lambda month: month.numbers.times.get("response_p50"),
    ),
    Figure(
        gettext_lazy("Resolution, median"),
        TIME,
        lambda month: month.numbers.times.get("resolution_p50"),
    ),
    Figure(METRICS["reopened"].label, COUNT, _counts("reopened")),
    Figure(
        gettext_lazy("Share of closed cases with customer feedback"),
        SHARE,
        lambda month: month.numbers.share("feedback"),
    ),
    Figure(gettext_lazy("Satisfaction ratings"), COUNT, lambda month: month.ratings),
]


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: str
    change: str

    def __str__(self) -> str:
        return _("- %(label)s: %(value)s — %(change)s") % {
            "label": self.label,
            "value": self.value,
            "change": self.change,
        }


def month_period(month: date, zone: tzinfo) -> ReportPeriod:
    """The calendar month that starts on `month`, as whole days in `zone`: the period the
    reports page shows for "last month" during the month after (the mail's link)."""
    following = (month.replace(day=1) + timedelta(days=31)).replace(day=1)
    during_following = timezone.make_aware(datetime.combine(following, time(12)), zone)
    return period_from_query({"period": "last_month"}, zone=zone, now=during_following)


def month_numbers(period: ReportPeriod, scope: Scope) -> MonthNumbers:
    return MonthNumbers(
        period=period,
        numbers=numbers_total(period, scope),
        ratings=satisfaction_split(period, scope).total,
    )


def summary_lines(*, month: date, zone: tzinfo, scope: Scope) -> list[SummaryLine]:
    """The month's key figures for the scope, in the zone's calendar, each with its change
    from the month before."""
    period = month_period(month, zone)
    return lines_compare(month_numbers(period, scope), month_numbers(period.before(), scope))


def lines_compare(month: MonthNumbers, before: MonthNumbers) -> list[SummaryLine]:
    lines = []
    for figure in FIGURES:
        value, earlier = figure.read(month), figure.read(before)
        lines.append(
            SummaryLine(
                label=str(figure.label),
                value=_shown(figure.kind, value),
                change=_("no earlier data")
                if before.is_empty or earlier is None
                else change_text(figure.kind, value, earlier, before.name),
            )
        )
    return lines


def change_text(kind: str, value: Value, earlier: Value, earlier_month: str) -> str:
    """The change from an earlier value, with an arrow and words: "↑ 5 more (September 2026:
    12)". A number the month has not (no case closed: no share within SLA) is followed by the
    earlier value alone."""
    values = {"month": earlier_month, "before": _shown(kind, earlier)}
    if value is None:
        return _("%(month)s: %(before)s") % values
    difference = value - earlier
    if kind == SHARE:
        difference = round(difference, 1)
    if (kind == TIME and abs(difference) < MINUTE) or (kind != TIME and difference == 0):
        return _("= no change (%(month)s: %(before)s)") % values
    rising = difference > (timedelta(0) if kind == TIME else 0)
    if kind == COUNT:
        count = abs(difference)
        if rising:
            text = ngettext(
                "↑ %(count)d more (%(month)s: %(before)s)",
                "↑ %(count)d more (%(month)s: %(before)s)",
                count,
            )
        else:
            text = ngettext(
                "↓ %(count)d fewer (%(month)s: %(before)s)",
                "↓ %(count)d fewer (%(month)s: %(before)s)",
                count,
            )
        return text % {**values, "count": count}
    if kind == SHARE:
        points = number_format(abs(difference), 1)
        text = (
            _("↑ %(points)s percentage points higher (%(month)s: %(before)s)")
            if rising
            else _("↓ %(points)s percentage points lower (%(month)s: %(before)s)")
        )
        return text % {**values, "points": points}
    amount = duration_label(abs(difference))
    text = (
        _("↑ %(amount)s longer (%(month)s: %(before)s)")
        if rising
        else _("↓ %(amount)s shorter (%(month)s: %(before)s)")
    )
    return text % {**values, "amount": amount}


def _shown(kind: str, value: Value) -> str:
    """As the reports page shows it; a number the month has not (no case closed, none
    answered) in a word, where the page has a dash."""
    if value is None:
        return _("none")
    if kind == SHARE:
        return percent(value)
    if kind == TIME:
        return business_time(value)
    return str(value)


def summary_text(lines: list[SummaryLine]) -> str:
    return "\n".join(str(line) for line in lines)
