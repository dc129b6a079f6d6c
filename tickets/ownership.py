"""Who may own a ticket in which department: the one rule behind transfer, entering a ticket
for a customer and splitting a message into a new ticket."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
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
    return (
        tech.is_tech
        and Membership.objects.filter(
            user=tech, department=department, department__is_active=True
        ).exists()
    )


def owners_among(*, user_ids: set[int], department: Department) -> set[int]:
    """Which of these people may own a ticket in the department (tech_may_own), in one query:
    a batch of new tickets asks once, not once a ticket."""
    if not user_ids:
        return set()
    return set(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                kind=User.Kind.STAFF,
                memberships__department=department,
                memberships__department__is_active=True,
            )
        )
        .values_list("pk", flat=True)
    )


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
