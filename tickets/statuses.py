"""The default status of each type: where automatic changes move a ticket."""

from django.db.models import Q, QuerySet

from tickets.models import Consultation, Status, StatusType

DEFAULT_NAMES = {
    StatusType.NEW: "New",
    StatusType.OPEN: "In progress",
    StatusType.PENDING: "Waiting for customer",
    StatusType.CONSULTATION: "Under consultation",
    StatusType.CLOSED: "Closed",
}


def status_default(status_type: str) -> Status:
    """The status automatic changes use for a type; recreated if an admin removed it."""
    status = Status.objects.filter(type=status_type, is_default=True).first()
    if status is None:
        status, _ = Status.objects.get_or_create(
            type=status_type,
            is_default=True,
            defaults={"name": DEFAULT_NAMES[StatusType(status_type)]},
        )
    return status


def statuses_offered(ticket) -> QuerySet[Status]:
    """The statuses a person may move this case into: "under consultation" only while a
    consultation is open (the consultation itself sets it), "new" only while nobody owns it
    (a general-pool case waiting to be received). Its present status is always among them."""
    statuses = Status.objects.all()
    consulting = Consultation.objects.filter(ticket=ticket, answered_at__isnull=True).exists()
    if not consulting:
        statuses = statuses.exclude(Q(type=StatusType.CONSULTATION) & ~Q(pk=ticket.status_id))
    if ticket.assignee_id is not None:
        statuses = statuses.exclude(Q(type=StatusType.NEW) & ~Q(pk=ticket.status_id))
    return statuses
