"""The arithmetic the report charts share: how a value is written, where the value axis puts its
ticks, how wide a label is, and which bucket labels the time axis can show without overlap.

Values come in three units (`Unit`):

- **count**: a number of things, written with the locale's thousands separator ("12,480");
- **percent**: 0 to 100, written "42%" or "42.5%" (one decimal unless whole); the axis is always
  0-100 so two charts of shares compare at a glance;
- **duration**: business time in seconds, written as the ticket pages write it ("3 h 20 min",
  `tickets.sla.marks.duration_label`), so a report and a ticket never disagree on the words.

The value axis starts at zero (every value here is a count, a share or a time: never negative)
and ends at the first "nice" step above the largest value: 1, 2 or 5 times a power of ten for
counts, whole minutes, hours and days for durations, giving four to six gridlines. A chart with
nothing but zeros still gets an axis (0 to 4) so the flat line reads as "zero", not "broken".

Text is measured by estimate (the server has no fonts): a conservative average advance per
character of a sans-serif, a little wide on purpose, so labels the estimate lets through never
touch in the browser."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from django.utils.formats import number_format
from django.utils.translation import gettext

from tickets.sla.marks import duration_label


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    DURATION = "duration"


def value_text(value: float | int | None, unit: Unit | str) -> str:
    """A value as the tables and labels write it; None is "no data" (the caller may hide it)."""
    if value is None:
        return gettext("no data")
    unit = Unit(unit)
    if unit == Unit.DURATION:
        if value == 0:
            return gettext("0 min")
        return duration_label(timedelta(seconds=value))
    text = _grouped(value)
    if unit == Unit.PERCENT:
        return gettext("%(value)s%%") % {"value": text}
    return text


def check_values(values: Sequence[float | int | None]) -> None:
    """Chart values are counts, shares and times: finite and never negative."""
    for value in values:
        if value is not None and (not math.isfinite(value) or value < 0):
            raise ValueError(f"Chart values are finite and never negative, not {value!r}.")


def tick_text(value: float | int, unit: Unit | str) -> str:
    """An axis tick: like `value_text`, but zero is just "0" whatever the unit."""
    if value == 0:
        return "0"
    return value_text(value, unit)


def _grouped(value: float | int) -> str:
    whole = float(value).is_integer()
    return number_format(
        int(value) if whole else value, decimal_pos=0 if whole else 1, force_grouping=True
    )


@dataclass(frozen=True)
class Scale:
    """The value axis: from 0 to `top`, with gridlines at `ticks` (0 and `top` included)."""

    top: float
    ticks: tuple[float, ...]


# Duration steps people read without arithmetic: minutes, then hours, then days.
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_DURATION_STEPS = (
    *(m * _MINUTE for m in (1, 2, 5, 10, 15, 30)),
    *(h * _HOUR for h in (1, 2, 3, 4, 6, 12)),
)
_MOST_INTERVALS = 5  # six gridlines with zero
_FEWEST_PADDED_INTERVALS = 4  # when even the smallest step covers the data in fewer


def value_scale(largest: float, unit: Unit | str) -> Scale:
    """The axis for values from 0 to `largest` (see the module docstring for the rule)."""
    unit = Unit(unit)
    if unit == Unit.PERCENT and largest <= 100:
        return Scale(top=100, ticks=(0, 20, 40, 60, 80, 100))
    for step in _steps(unit):
        intervals = math.ceil(largest / step)
        if intervals <= _MOST_INTERVALS:
            break
    if step == _smallest_step(unit) and intervals < 3:
        intervals = _FEWEST_PADDED_INTERVALS
    return Scale(top=step * intervals, ticks=tuple(step * i for i in range(intervals + 1)))


def _smallest_step(unit: Unit) -> int:
    return _MINUTE if unit == Unit.DURATION else 1


def _steps(unit: Unit):
    """Candidate steps, smallest first, without end."""
    if unit == Unit.DURATION:
        yield from _DURATION_STEPS
        base = _DAY
    else:
        base = 1
    for power in range(400):
        for factor in (1, 2, 5):
            yield base * factor * 10**power


# Advance widths as a share of the font size, a little wider than common sans-serifs (DejaVu
# Sans, the widest a Linux browser falls back to, has 0.64 em digits).
_NARROW = set("il.,:;'!|()[]/")
_WIDE = set("mwMW%@")
BOLD = 1.1  # bold text is about a tenth wider


def text_width(text: str, font_size: float, *, weight: float = 1.0) -> float:
    """The estimated width of `text` in user units at `font_size` (times `weight` for bold)."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char == " ":
            em += 0.32
        elif char in _WIDE:
            em += 0.92
        elif char.isupper():
            em += 0.72
        else:
            em += 0.64
    return em * font_size * weight


def labelled_indices(
    *, starts: Sequence[date], centres: Sequence[float], widths: Sequence[float], gap: float
) -> list[int]:
    """Which buckets of the time axis get a label, so that no two labels touch.

    The first arrangement that fits wins: every label, then every 2nd, 7th or 14th day (every
    2nd, 4th, 13th week; every 2nd, 3rd, 6th month), then for days the first of each month (of
    every 2nd, 3rd, 6th month), then ever sparser; at worst the first bucket alone."""
    count = len(starts)
    for indices in _arrangements(starts):
        if _fits(indices, centres, widths, gap):
            return indices
    return [0] if count else []


def _arrangements(starts: Sequence[date]):
    count = len(starts)
    days = _bucket_days(starts)
    if days == 1:
        steps = (1, 2, 7, 14)
    elif days == 7:
        steps = (1, 2, 4, 13, 26)
    elif days is not None and 28 <= days <= 31:
        steps = (1, 2, 3, 6, 12)
    else:
        steps = (1, 2, 5, 10)
    for step in steps:
        yield list(range(0, count, step))
    if days == 1:
        month_starts = [i for i, start in enumerate(starts) if start.day == 1]
        for every in (1, 2, 3, 6, 12):
            chosen = month_starts[::every]
            # The period's first day leads when it is not itself a month's first.
            if chosen and chosen[0] != 0:
                yield [0, *chosen]
            yield chosen
    step = steps[-1] * 2
    while step < count:
        yield list(range(0, count, step))
        step *= 2


def _bucket_days(starts: Sequence[date]) -> int | None:
    """The usual distance in days between bucket starts (None for a single bucket)."""
    gaps = sorted((b - a).days for a, b in pairwise(starts))
    return gaps[len(gaps) // 2] if gaps else None


def _fits(
    indices: list[int], centres: Sequence[float], widths: Sequence[float], gap: float
) -> bool:
    if not indices:
        return False
    return all(
        centres[b] - centres[a] >= (widths[a] + widths[b]) / 2 + gap for a, b in pairwise(indices)
    )


def bucket_heading(starts: Sequence[date]) -> str:
    """The table's first column heading, from how far apart the buckets are."""
    days = _bucket_days(starts)
    if days == 1:
        return gettext("Day")
    if days == 7:
        return gettext("Week")
    if days is not None and 28 <= days <= 31:
        return gettext("Month")
    return gettext("Period")
