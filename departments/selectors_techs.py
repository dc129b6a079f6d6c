"""What a manager may read of a tech: the tech themselves, their memberships and their open pool.

A manager reaches a tech only through a department they manage (admins: every staff member);
anyone else gets a 404, so a manager of one department learns nothing of another's techs."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.models import User
from departments.models import Department, Membership
from departments.selectors import departments_managed_by
from tickets.models import StatusType, Ticket

POOL_LIST_SIZE = 20
POOL_COUNT_CAP = 999


def tech_for_supervisor(*, user: User, tech_id: int) -> User:
    """The staff member `user` may supervise, or Http404."""
    techs = User.objects.filter(kind=User.Kind.STAFF)
    if not user.is_superuser:
        techs = techs.filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), department__in=departments_managed_by(user)
                )
            )
        )
    tech = techs.filter(pk=tech_id).first()
    if tech is None:
        raise Http404
    return tech


def departments_editable_for(*, viewer: User, tech: User) -> QuerySet[Department]:
    """The tech's departments whose membership settings the viewer may change: those they manage."""
    return departments_managed_by(viewer).filter(memberships__user=tech)


@dataclass(frozen=True)
class MembershipRow:
    membership: Membership
    editable: bool  # the viewer manages this department


def tech_memberships(*, viewer: User, tech: User) -> list[MembershipRow]:
    """Every active department the tech works in; the viewer may edit those they manage."""
    managed = departments_managed_by(viewer).filter(pk=OuterRef("department_id"))
    memberships = (
        Membership.objects.filter(user=tech, department__is_active=True)
        .select_related("department")
        .annotate(editable=Exists(managed))
        .order_by("department__name")
    )
    return [MembershipRow(membership=m, editable=m.editable) for m in memberships]


@dataclass(frozen=True)
class OpenPool:
    tickets: list[Ticket]
    count: int  # capped at POOL_COUNT_CAP + 1

    @property
    def count_capped(self) -> bool:
        return self.count > POOL_COUNT_CAP

    @property
    def more(self) -> bool:
        return self.count > len(self.tickets)


def tech_open_pool(*, viewer: User, tech: User, size: int = POOL_LIST_SIZE) -> OpenPool:
    """The tech's tickets not closed, highest priority then oldest first (as the desk ranks
    them), in the departments the viewer supervises; a list of `size` and a capped count."""
    tickets = Ticket.objects.filter(assignee=tech).exclude(status_type=StatusType.CLOSED)
    if not viewer.is_superuser:
        tickets = tickets.filter(department__in=departments_managed_by(viewer))
    count = tickets.order_by()[: POOL_COUNT_CAP + 1].count()
    rows = list(
        tickets.select_related("customer", "department", "status").order_by(
            "-priority", "created_at", "id"
        )[:size]
    )
    return OpenPool(tickets=rows, count=count)
