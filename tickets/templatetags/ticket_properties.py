from django import template

from tickets.models import Priority

register = template.Library()


@register.filter
def priority_label(value) -> str:
    """A priority's name in the reader's language, from the number an event stored."""
    try:
        return str(Priority(int(value)).label)
    except (TypeError, ValueError):
        return str(value)
