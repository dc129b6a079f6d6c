"""Placeholders in canned responses: a fixed list of names, filled by plain substitution.

Canned responses are written by admins and inserted into replies to customers. They are never
run through Django's template engine or str.format: either would let a response walk from the
values it is given to any attribute they reach (`{{ ticket.customer.user.password }}`,
`{0.__class__}`). Instead a regular expression replaces `{{ name }}` for the names listed
here, with values computed only from the fields below; everything else stays as written.
"""

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

PLACEHOLDERS: dict[str, Promise] = {
    "customer_name": _("The customer's name"),
    "customer_first_name": _("The first word of the customer's name"),
    "ticket_number": _("The ticket number, e.g. 1042"),
    "ticket_tag": _("The ticket tag used in email subjects, e.g. [#1042]"),
    "ticket_subject": _("The ticket's subject"),
    "tech_name": _("Your full name (the tech inserting the response)"),
    "tech_first_name": _("Your first name"),
    "department": _("The ticket's department"),
}

# Only a bare lower-case name can be a placeholder, so dotted paths, filters and indexes
# never match and are left exactly as written.
PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")

# Anything that looks like a template variable or tag, for telling admins what will not work.
TEMPLATE_LIKE_PATTERN = re.compile(r"\{\{\s*(.*?)\s*\}\}|\{%\s*(.*?)\s*%\}", re.DOTALL)


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def placeholder_values(*, ticket: "Ticket", tech: "User") -> dict[str, str]:
    """The values a response may use for this ticket and tech, and nothing else."""
    customer_name = ticket.customer.name.strip()
    tech_name = tech.full_name.strip()
    values = {
        "customer_name": customer_name,
        "customer_first_name": _first_word(customer_name),
        "ticket_number": str(ticket.number),
        "ticket_tag": ticket.tag,
        "ticket_subject": ticket.subject,
        "tech_name": tech_name,
        "tech_first_name": _first_word(tech_name),
        "department": ticket.department.name,
    }
    return values


def placeholders_render(
    template_text: str, values: dict[str, str], *, allowed: Mapping[str, Promise] = PLACEHOLDERS
) -> str:
    """Fill the known placeholders in one pass; unknown ones stay visibly as written.

    One pass matters: a value that itself looks like a placeholder (a customer who calls
    themselves "{{ tech_name }}") is inserted as text, never expanded again."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in allowed and name in values:
            return str(values[name])
        return match.group(0)

    return PLACEHOLDER_PATTERN.sub(replace, template_text)


def placeholders_unknown(
    template_text: str, *, allowed: Mapping[str, Promise] = PLACEHOLDERS
) -> list[str]:
    """Every `{{ … }}` or `{% … %}` in the text that is not a known placeholder, as written,
    in order of first appearance."""
    unknown: list[str] = []
    for match in TEMPLATE_LIKE_PATTERN.finditer(template_text):
        written = match.group(0)
        known = PLACEHOLDER_PATTERN.fullmatch(written)
        if known and known.group(1) in allowed:
            continue
        if written not in unknown:
            unknown.append(written)
    return unknown


def placeholders_as_text(allowed: Mapping[str, Promise] = PLACEHOLDERS) -> str:
    """The allowed placeholders written the way an admin types them."""
    return ", ".join(f"{{{{ {name} }}}}" for name in allowed)
