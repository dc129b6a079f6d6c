"""What a tech changes about a ticket on its page besides its owner and status: the category
and the priority. Neither moves the ticket: routing is the transfer's business."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from departments.models import Category
from tickets.events import event_add
from tickets.models import Message, Priority, Ticket
from tickets.sla.clocks import clocks_update


def ticket_properties_change(
    *, ticket: Ticket, by: User, category: Category | None, priority: int
) -> list[Message]:
    """Set the category (one of the ticket's own department's active ones, or none) and the
    priority. Each change is an event line in the thread; a new priority re-derives the SLA
    due times (its limits may be shorter). Department and owner stay as they are. Refused with
    a ValidationError naming the field, nothing written. Returns the event lines added."""
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose one of the priorities in the list.")})
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("category", "department")
            .get(pk=ticket.pk)
        )
        if category is not None and (
            category.department_id != ticket.department_id or not category.is_active
        ):
            raise ValidationError(
                {
                    "category": _(
                        "“%(category)s” is not a category of %(department)s. Transfer the "
                        "ticket first to use another department's categories."
                    )
                    % {"category": category.name, "department": ticket.department.name}
                }
            )
        changed = []
        fields = ["updated_at"]
        if (category.pk if category else None) != ticket.category_id:
            old = ticket.category.name if ticket.category else ""
            ticket.category = category
            fields.append("category")
            changed.append(
                ("category_changed", {"from": old, "to": category.name if category else ""})
            )
        if priority != ticket.priority:
            # Values, not labels: the thread shows them in the reader's language.
            changed.append(("priority_changed", {"from": ticket.priority, "to": priority}))
            ticket.priority = priority
            fields += ["priority", *clocks_update(ticket)]
        if not changed:
            return []
        ticket.save(update_fields=fields)
        return [event_add(ticket=ticket, author=by, event=e, data=data) for e, data in changed]
