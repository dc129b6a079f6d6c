"""Ticket numbers: unique, sequential, never reused, safe under concurrent creation.

PostgreSQL draws them from a sequence (no lock is held, a rolled-back ticket leaves a gap);
elsewhere (the SQLite quickstart, whose writers are serialised anyway) a single counter row."""

from django.db import connection
from django.db.models import F

from tickets.models import TicketNumberCounter

FIRST_TICKET_NUMBER = 1000


def ticket_number_next() -> int:
    return ticket_numbers_next(1)[0]


def ticket_numbers_next(count: int) -> list[int]:
    """`count` new numbers, ascending, in one round trip (a batch of mail opens many tickets)."""
    if count < 1:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval('tickets_ticket_number_seq') FROM generate_series(1, %s)", [count]
            )
            return sorted(row[0] for row in cursor.fetchall())
    if not TicketNumberCounter.objects.filter(pk=1).update(value=F("value") + count):
        TicketNumberCounter.objects.create(pk=1, value=FIRST_TICKET_NUMBER + count - 1)
    last = TicketNumberCounter.objects.values_list("value", flat=True).get(pk=1)
    return list(range(last - count + 1, last + 1))
