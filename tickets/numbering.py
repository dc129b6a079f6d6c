"""Ticket numbers: unique, sequential, never reused, safe under concurrent creation.

PostgreSQL draws them from a sequence (no lock is held, a rolled-back ticket leaves a gap);
elsewhere (the SQLite quickstart, whose writers are serialised anyway) a single counter row."""

from django.db import connection
from django.db.models import F

from tickets.models import TicketNumberCounter

FIRST_TICKET_NUMBER = 1000


def ticket_number_next() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('tickets_ticket_number_seq')")
            return cursor.fetchone()[0]
    if not TicketNumberCounter.objects.filter(pk=1).update(value=F("value") + 1):
        TicketNumberCounter.objects.create(pk=1, value=FIRST_TICKET_NUMBER)
    return TicketNumberCounter.objects.values_list("value", flat=True).get(pk=1)
