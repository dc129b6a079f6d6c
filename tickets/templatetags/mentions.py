"""{{ message|mentions_marked }}: a note's or reply's text with its mentions marked."""

from django import template

from tickets.mentions import body_with_mentions

register = template.Library()


@register.filter
def mentions_marked(message):
    return body_with_mentions(message.body, (message.event_data or {}).get("mentions"))
