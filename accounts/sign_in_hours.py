"""Hours signed in: per tech, the time within a period during which they had a session, in
total and per local day of the period's zone. The per-tech column of the main report and the
sign-in history report read these.

The rules:
- A session lasts from its sign-in until it ended: the sign-out, or for a session that expired
  its last activity (the SESSION_EXPIRED row is dated there). A session still signed in counts
  until its last activity so far, not until now: the figure then never shrinks when the session
  later expires at that same last activity, and a browser left open overnight without a click
  adds nothing. Activity is written at most once a minute (SIGN_IN_ACTIVITY_RESOLUTION).
- Only the part inside the period counts: a session begun the evening before it counts from the
  period's first midnight, one still going after it until its last midnight.
- Sessions of one tech that overlap (a laptop and a tablet at once) count once: these are hours
  the tech was signed in, not the sum of their sessions.
- Days are the period zone's days: a session across midnight is split between the two days, and
  a day when the clocks change has 23 or 25 hours to fill.

Each public function asks one query (accounts.sign_in_sessions pairs the sign-ins with their
endings) and sums in Python, but for the totals on PostgreSQL, which the database sums (the same
rules in SQL); a period is at most PERIOD_MAX_DAYS days."""

import bisect
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.utils.translation import gettext

from accounts.models import LoginEvent
from accounts.sign_in_sessions import (
    Period,
    SignInSession,
    ending_after_activity_max,
    sign_in_sessions_overlapping,
)

Interval = tuple[datetime, datetime]  # [start, end) in UTC


def sign_in_hours(*, user_ids: Iterable[int], period: Period) -> dict[int, timedelta]:
    """Each tech's time signed in within the period (every id given, zero included). On
    PostgreSQL summed by the database (a year of a team's sessions is tens of thousands of
    rows); elsewhere from the sessions, by hours_total."""
    user_ids = list(user_ids)
    if connection.vendor == "postgresql":
        return _hours_total_sql(user_ids=user_ids, period=period)
    sessions = sign_in_sessions_overlapping(user_ids=user_ids, period=period)
    return hours_total(sessions=sessions, user_ids=user_ids, period=period)


# hours_total in SQL: each session clipped to the period, merged with the sessions of the same
# tech it overlaps (a new run starts where a session begins after every earlier one ended), and
# the runs summed. The sessions are those sign_in_sessions_overlapping finds.
HOURS_TOTAL_SQL = """
WITH clipped AS (
    SELECT sign_in.user_id,
           greatest(sign_in.at, %(start)s) AS starts,
           least(coalesce(ending.at, sign_in.last_activity_at, sign_in.at), %(end)s) AS ends
    FROM accounts_loginevent AS sign_in
    LEFT JOIN accounts_loginevent AS ending ON ending.sign_in_id = sign_in.id
    WHERE sign_in.user_id = ANY(%(users)s) AND sign_in.kind = %(kind)s AND sign_in.at < %(end)s
      AND (sign_in.last_activity_at >= %(reach)s
           OR (sign_in.last_activity_at IS NULL AND sign_in.at >= %(reach)s))
), ordered AS (
    SELECT user_id, starts, ends,
           max(ends) OVER (PARTITION BY user_id ORDER BY starts, ends
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ended_before
    FROM clipped WHERE ends > starts
), runs AS (
    SELECT user_id, starts, ends,
           count(*) FILTER (WHERE ended_before IS NULL OR starts > ended_before)
               OVER (PARTITION BY user_id ORDER BY starts, ends ROWS UNBOUNDED PRECEDING) AS run
    FROM ordered
)
SELECT user_id, sum(ends - starts) FROM (
    SELECT user_id, run, min(starts) AS starts, max(ends) AS ends FROM runs GROUP BY 1, 2
) AS merged
GROUP BY 1
"""


def _hours_total_sql(*, user_ids: list[int], period: Period) -> dict[int, timedelta]:
    totals = dict.fromkeys(user_ids, timedelta(0))
    if not user_ids:
        return totals
    start, end = _utc(period.start), _utc(period.end)
    params = {
        "start": start,
        "end": end,
        "users": user_ids,
        "kind": LoginEvent.Kind.SIGN_IN,
        "reach": start - ending_after_activity_max(),
    }
    with connection.cursor() as cursor:
        cursor.execute(HOURS_TOTAL_SQL, params)
        for user_id, total in cursor.fetchall():
            totals[user_id] = total
    return totals


def sign_in_hours_by_day(
    *, user_ids: Iterable[int], period: Period
) -> dict[int, dict[date, timedelta]]:
    """Each tech's time signed in on each day of the period, in the period's zone: every id
    given and every day of the period, in order, zero included."""
    user_ids = list(user_ids)
    sessions = sign_in_sessions_overlapping(user_ids=user_ids, period=period)
    return hours_by_day(sessions=sessions, user_ids=user_ids, period=period)


def hours_total(
    *, sessions: Iterable[SignInSession], user_ids: Iterable[int], period: Period
) -> dict[int, timedelta]:
    """What sign_in_hours sums, from sessions already fetched."""
    totals = dict.fromkeys(user_ids, timedelta(0))
    for user_id, intervals in _signed_in_intervals(sessions, period).items():
        if user_id in totals:
            totals[user_id] = sum((end - start for start, end in intervals), timedelta(0))
    return totals


def hours_by_day(
    *, sessions: Iterable[SignInSession], user_ids: Iterable[int], period: Period
) -> dict[int, dict[date, timedelta]]:
    """What sign_in_hours_by_day sums, from sessions already fetched."""
    days = period_days(period)
    # Midnights in UTC: the first of each day, then the end of the last one.
    midnights = [_utc(Period(first_day=day, last_day=day, zone=period.zone).start) for day in days]
    midnights.append(_utc(period.end))
    by_day = {user_id: dict.fromkeys(days, timedelta(0)) for user_id in user_ids}
    for user_id, intervals in _signed_in_intervals(sessions, period).items():
        hours = by_day.get(user_id)
        if hours is None:
            continue
        for start, end in intervals:
            index = bisect.bisect_right(midnights, start) - 1
            while index < len(days) and midnights[index] < end:
                piece = min(end, midnights[index + 1]) - max(start, midnights[index])
                if piece > timedelta(0):
                    hours[days[index]] += piece
                index += 1
    return by_day


def period_days(period: Period) -> list[date]:
    count = (period.last_day - period.first_day).days + 1
    return [period.first_day + timedelta(days=n) for n in range(count)]


def hours_text(duration: timedelta) -> str:
    """ "7 h 05 min", "45 min", "0 min": hours signed in, to the minute (rounded down)."""
    minutes = int(duration.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)d min") % {"minutes": minutes}


def hours_decimal(duration: timedelta) -> str:
    """ "7.08": hours with two decimals, for a spreadsheet to add up."""
    return f"{duration.total_seconds() / 3600:.2f}"


def _signed_in_intervals(
    sessions: Iterable[SignInSession], period: Period
) -> dict[int, list[Interval]]:
    """Per tech, the sessions clipped to the period and merged where they overlap, in order."""
    bounds = (_utc(period.start), _utc(period.end))
    clipped: dict[int, list[Interval]] = {}
    for session in sessions:
        start = max(_utc(session.signed_in_at), bounds[0])
        end = min(_utc(session.until), bounds[1])
        if end > start:
            clipped.setdefault(session.user_id, []).append((start, end))
    merged: dict[int, list[Interval]] = {}
    for user_id, intervals in clipped.items():
        intervals.sort()
        joined = [intervals[0]]
        for start, end in intervals[1:]:
            last_start, last_end = joined[-1]
            if start <= last_end:
                joined[-1] = (last_start, max(last_end, end))
            else:
                joined.append((start, end))
        merged[user_id] = joined
    return merged


def _utc(moment: datetime) -> datetime:
    # Aware datetimes that share a tzinfo subtract as wall-clock times (a 25-hour day would come
    # out as 24 hours); in UTC they subtract as the time that passed.
    return moment.astimezone(UTC)
