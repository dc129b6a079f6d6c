"""Reads of canned responses: which ones a tech may pick, and the picker's list."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from departments.models import Department, Membership
from responses.models import CannedResponse

# A search longer than any sensible title is typing, not searching.
QUERY_MAX_LENGTH = 100
# The picker is a short list to click from; searching finds the rest.
PICKER_LIMIT = 20


def canned_responses_available(*, user: User) -> QuerySet[CannedResponse]:
    """Active responses a person may insert: global ones and those of the active departments
    they belong to; an admin may use every one. Customers get none."""
    responses = CannedResponse.objects.filter(is_active=True)
    if user.is_superuser and user.is_active:
        return responses
    if not (user.is_active and user.is_tech):
        return responses.none()
    member_of = Membership.objects.filter(user=user, department__is_active=True).values(
        "department"
    )
    return responses.filter(Q(department__isnull=True) | Q(department__in=member_of))


def canned_responses_for(
    *, user: User, department: Department | None = None, query: str = ""
) -> QuerySet[CannedResponse]:
    """The picker's list: responses matching `query` in title or text, by title.

    For a ticket (`department` is the ticket's): the global responses and that department's
    own, listed first, and nothing of other departments, whichever departments the tech belongs
    to (the caller has checked that they may work the ticket). Without a department: everything
    available to the person."""
    if department is None:
        responses = canned_responses_available(user=user)
    elif user.is_active and (user.is_superuser or user.is_tech):
        responses = CannedResponse.objects.filter(is_active=True).filter(
            Q(department__isnull=True) | Q(department=department, department__is_active=True)
        )
    else:
        responses = CannedResponse.objects.none()
    responses = responses.select_related("department")
    query = query.strip()[:QUERY_MAX_LENGTH]
    if query:
        responses = responses.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if department is not None:
        responses = responses.annotate(
            department_rank=Case(
                When(department=department, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("department_rank", "title", "pk")
    else:
        responses = responses.order_by("title", "pk")
    return responses
