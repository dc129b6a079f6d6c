"""Who may own a ticket in which department: the one rule behind transfer, entering a ticket
for a customer and splitting a message into a new ticket."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from departments.models import Department, Membership


def tech_may_own(*, tech: User, department: Department) -> bool:
    """A ticket's owner works in its department: an active tech who is a member of it. Admins
    see and may work every ticket, so they may own one in any department."""
    if not tech.is_active:
        return False
    if tech.is_superuser:
        return True
    return tech.is_tech and Membership.objects.filter(user=tech, department=department).exists()


def owner_check(*, tech: User, department: Department) -> None:
    """Raise ValidationError unless the tech may own a ticket in this department."""
    if not tech_may_own(tech=tech, department=department):
        raise ValidationError(
            _("%(name)s does not work in %(department)s.")
            % {"name": tech.full_name, "department": department.name}
        )


def departments_to_own_in(tech: User) -> QuerySet[Department]:
    """The active departments where this person may own tickets (every one for an admin)."""
    departments = Department.objects.filter(is_active=True)
    if tech.is_superuser:
        return departments
    if not (tech.is_active and tech.is_tech):
        return departments.none()
    return departments.filter(memberships__user=tech).distinct()
