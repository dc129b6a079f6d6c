"""Changes a manager makes to a tech's place in their departments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from departments.models import Department, Membership
from departments.selectors import departments_managed_by

# Retrieval priorities are relative weights; beyond this a weight stops meaning anything a
# person can reason about (a ticket waiting 1 minute would outrank one waiting 99 minutes).
RETRIEVAL_PRIORITY_MAX = 100


@transaction.atomic
def membership_retrieval_priority_set(
    *, by: User, tech: User, department: Department, priority: int
) -> Membership:
    """Set how strongly "get next" draws from `department` for `tech`.

    Rule: only a manager of that department (or an admin) may, only for a department the tech
    works in, and only to a whole number from 1 to RETRIEVAL_PRIORITY_MAX."""
    if not departments_managed_by(by).filter(pk=department.pk).exists():
        raise PermissionDenied
    if not 1 <= priority <= RETRIEVAL_PRIORITY_MAX:
        raise ValidationError(
            _("Choose a retrieval priority from 1 to %(max)d.") % {"max": RETRIEVAL_PRIORITY_MAX}
        )
    membership = (
        Membership.objects.select_for_update().filter(user=tech, department=department).first()
    )
    if membership is None:
        raise ValidationError(_("%(tech)s does not work in this department.") % {"tech": tech})
    membership.retrieval_priority = priority
    membership.save(update_fields=["retrieval_priority"])
    return membership
