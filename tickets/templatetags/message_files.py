"""{{ message|listed_attachments }}: the files listed under a message; an image its HTML shows
in place (a "cid:" image) is not listed again."""

from django import template

register = template.Library()


@register.filter
def listed_attachments(message):
    files = message.attachments.all()  # prefetched with the thread
    if not getattr(message, "has_html", False):
        return list(files)
    return [file for file in files if not file.is_inline]
