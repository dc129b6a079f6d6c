"""The default status of each type: where automatic changes move a ticket."""

from tickets.models import Status, StatusType

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
