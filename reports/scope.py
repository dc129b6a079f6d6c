"""Whose numbers a report shows: everything, one department or one tech, within what the viewer
may read (admins every department; managers the departments they manage). A department or tech
outside that is a 404, as for a ticket: a guessed id never shows another department's numbers."""

from dataclasses import dataclass

from django.http import Http404

from accounts.models import User
from departments.models import Department, Membership
from tickets.queues import id_from_query, managed_department_ids

NOBODY = "none"  # `tech=none`: the cases no tech owned


@dataclass(frozen=True)
class Scope:
    """`department_ids` None: every department (an admin's whole helpdesk)."""

    department_ids: tuple[int, ...] | None
    department: Department | None = None
    tech: User | None = None
    unowned: bool = False  # the cases nobody owned

    def query(self) -> dict[str, str]:
        values = {}
        if self.department:
            values["department"] = str(self.department.pk)
        if self.tech:
            values["tech"] = str(self.tech.pk)
        elif self.unowned:
            values["tech"] = NOBODY
        return values


@dataclass(frozen=True)
class ScopeChoices:
    """What the viewer may pick: departments and techs, for the form's lists."""

    departments: list[Department]
    techs: list[User]


def scope_choices(viewer: User) -> ScopeChoices:
    managed = managed_department_ids(viewer)
    departments = Department.objects.order_by("name")
    techs = User.objects.filter(kind=User.Kind.STAFF).order_by("full_name", "email")
    if managed is not None:
        departments = departments.filter(pk__in=managed)
        techs = techs.filter(
            pk__in=Membership.objects.filter(department_id__in=managed).values("user_id")
        )
    return ScopeChoices(departments=list(departments), techs=list(techs.only("full_name", "email")))


def scope_from_query(query, *, viewer: User) -> Scope:
    """The scope a query string asks for (`department`, `tech`), checked against the viewer."""
    managed = managed_department_ids(viewer)
    allowed = None if managed is None else tuple(managed)
    department = tech = None
    department_text, tech_text = query.get("department", ""), query.get("tech", "")
    if department_text:
        department_id = id_from_query(department_text)
        if department_id is None or (allowed is not None and department_id not in allowed):
            raise Http404
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise Http404
        allowed = (department.pk,)
    if tech_text == NOBODY:
        return Scope(department_ids=allowed, department=department, unowned=True)
    if tech_text:
        tech_id = id_from_query(tech_text)
        techs = User.objects.filter(pk=tech_id, kind=User.Kind.STAFF) if tech_id else None
        if techs is not None and managed is not None:
            techs = techs.filter(
                pk__in=Membership.objects.filter(department_id__in=managed).values("user_id")
            )
        tech = techs.first() if techs is not None else None
        if tech is None:
            raise Http404
    return Scope(department_ids=allowed, department=department, tech=tech)
