"""The period a report covers: a named one (today, last month…) or any dates, as whole days in
the viewer's time zone, and the buckets its trend is drawn in (days, weeks or months)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from accounts.sign_in_sessions import Period

PERIOD_MAX_DAYS = 366 * 3
DEFAULT_PRESET = "last_month"

PRESETS = {
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "this_week": _("This week"),
    "last_week": _("Last week"),
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "last_quarter": _("Last quarter"),
    "this_year": _("This year"),
    "last_year": _("Last year"),
}

DAY, WEEK, MONTH = "day", "week", "month"
BUCKET_NAMES = {DAY: _("by day"), WEEK: _("by week"), MONTH: _("by month")}


class PeriodError(ValueError):
    """The dates asked for do not make a period; the message says why."""


@dataclass(frozen=True)
class ReportPeriod:
    """A period and how it was asked for (a preset's key, or "custom")."""

    period: Period
    preset: str

    @property
    def start(self) -> datetime:
        return self.period.start

    @property
    def end(self) -> datetime:
        return self.period.end

    @property
    def first_day(self) -> date:
        return self.period.first_day

    @property
    def last_day(self) -> date:
        return self.period.last_day

    @property
    def zone(self) -> tzinfo:
        return self.period.zone

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def label(self) -> str:
        return str(PRESETS.get(self.preset, _("Chosen dates")))

    def query(self) -> dict[str, str]:
        """The query string values that ask for this period again."""
        if self.preset in PRESETS:
            return {"period": self.preset}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}

    def before(self) -> "ReportPeriod":
        """The period of the same length just before (for "change from the month before")."""
        if self.preset in ("this_month", "last_month"):
            last = self.first_day - timedelta(days=1)
            return _custom(last.replace(day=1), last, self.zone)
        return _custom(
            self.first_day - timedelta(days=self.days),
            self.first_day - timedelta(days=1),
            self.zone,
        )


def _custom(first: date, last: date, zone: tzinfo) -> ReportPeriod:
    return ReportPeriod(period=Period(first_day=first, last_day=last, zone=zone), preset="custom")


def _quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def preset_days(preset: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period around `today`."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if preset in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())
        if preset == "last_week":
            monday -= timedelta(days=7)
        return monday, monday + timedelta(days=6)
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if preset == "this_quarter":
        return _quarter_start(today), today
    if preset == "last_quarter":
        last = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(last), last
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise PeriodError(_("Pick a period from the list."))


def period_from_query(
    query, *, zone: tzinfo | None = None, now: datetime | None = None
) -> ReportPeriod:
    """The period a query string asks for: `from`/`to` dates (either may be left out: one day,
    or up to today), else `period` (a preset), else last month. Raises PeriodError."""
    zone = zone or timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    first_text, last_text = query.get("from", "").strip(), query.get("to", "").strip()
    if first_text or last_text:
        first, last = _date(first_text), _date(last_text)
        first, last = first or last, last or (today if first and first <= today else first)
        if last < first:
            raise PeriodError(_("The first day comes after the last day."))
        if (last - first).days + 1 > PERIOD_MAX_DAYS:
            raise PeriodError(_("Pick a period of at most three years."))
        return _custom(first, last, zone)
    preset = query.get("period", "") or DEFAULT_PRESET
    first, last = preset_days(preset, today)
    return ReportPeriod(period=Period(first_day=first, last_day=last, zone=zone), preset=preset)


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        day = parse_date(text) if len(text) <= 10 else None
    except ValueError:
        day = None
    if day is None or not (1900 <= day.year <= 9999):
        raise PeriodError(_("Enter dates as YYYY-MM-DD."))
    return day


def bucket_kind(period: ReportPeriod) -> str:
    """Days for up to two months, weeks up to half a year, then months."""
    if period.days <= 62:
        return DAY
    if period.days <= 190:
        return WEEK
    return MONTH


def bucket_starts(period: ReportPeriod, kind: str) -> list[date]:
    """The first day of every bucket the period touches, in order (weeks start on Monday)."""
    if kind == DAY:
        return [period.first_day + timedelta(days=n) for n in range(period.days)]
    if kind == WEEK:
        day = period.first_day - timedelta(days=period.first_day.weekday())
        starts = []
        while day <= period.last_day:
            starts.append(day)
            day += timedelta(days=7)
        return starts
    day, starts = period.first_day.replace(day=1), []
    while day <= period.last_day:
        starts.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return starts
