"""Formatting the reports' numbers, and the link from a number to the cases it counts."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from tickets.sla.marks import duration_label

register = template.Library()


@register.filter
def business_time(value) -> str:
    """A business-time duration as people say it; an en dash when there is none."""
    return duration_label(value) if value is not None else "–"


@register.filter
def percent(value) -> str:
    return f"{number_format(value, 1)} %" if value is not None else "–"


@register.filter
def count_of(numbers, key: str) -> int:
    return numbers.count(key)


@register.filter
def share_of(numbers, key: str):
    return numbers.share(key)


@register.filter
def time_of(numbers, key: str):
    return numbers.times.get(key)


@register.simple_tag(takes_context=True)
def report_url(context, name: str, *args, **narrow) -> str:
    """The URL `name` for the page's period and scope, narrowed by `narrow` (a row's tech or
    department; a dict as `query=`)."""
    values = {**context["period"].query(), **context["scope"].query()}
    values.update(narrow.pop("query", None) or {})
    values.update({key: value for key, value in narrow.items() if value is not None})
    return f"{reverse(name, args=args)}?{urlencode(values)}"
