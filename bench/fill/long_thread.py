"""The measured tech's ticket with a long thread, written message by message like a real case."""

import json
from datetime import timedelta

from bench.fill.shape import BODIES, THREAD_LENGTH, THREAD_PATTERN
from bench.fill.staff import Staff


def long_thread_insert(cursor, staff: Staff) -> tuple[int, int]:
    """Give one of the measured tech's tickets a 50-message thread with a few attachments;
    return its number and that of another ticket of theirs with a three-message thread."""
    cursor.execute(
        "SELECT t.id, t.number, t.customer_id, t.created_at, c.name FROM tickets_ticket AS t"
        " JOIN accounts_customer AS c ON c.id = t.customer_id"
        " WHERE t.assignee_id = %s AND t.status_type = 'open' ORDER BY t.number LIMIT 1",
        [staff.measured_tech_id],
    )
    ticket_id, number, customer_id, created, customer_name = cursor.fetchone()
    cursor.execute(
        "SELECT t.number FROM tickets_ticket AS t WHERE t.assignee_id = %s"
        " AND t.status_type = 'open' AND t.id <> %s"
        " AND (SELECT count(*) FROM tickets_message AS m WHERE m.ticket_id = t.id) = 3"
        " ORDER BY t.number LIMIT 1",
        [staff.measured_tech_id, ticket_id],
    )
    short_number = cursor.fetchone()[0]
    cursor.execute("SELECT full_name FROM accounts_user WHERE id = %s", [staff.measured_tech_id])
    tech_name = cursor.fetchone()[0]
    cursor.execute("SELECT department_id FROM tickets_ticket WHERE id = %s", [ticket_id])
    department_id = cursor.fetchone()[0]
    cursor.execute("DELETE FROM tickets_message WHERE ticket_id = %s", [ticket_id])
    for index in range(THREAD_LENGTH):
        kind = THREAD_PATTERN[index % len(THREAD_PATTERN)]
        event = {}
        if kind.startswith("event:"):
            kind, name = kind.split(":")
            event = {"event": name}
            if name == "status_changed":
                event.update({"from": "Waiting for customer", "to": "In progress"})
        is_customer = kind == "customer"
        # As the writers mark them (tickets/activity.py).
        activity = ""
        if is_customer:
            activity = "ticket_created" if index == 0 else "customer_message"
        elif event.get("event") == "status_changed":
            activity = "status_changed"
        cursor.execute(
            "INSERT INTO tickets_message (ticket_id, kind, author_id, author_customer_id,"
            " author_name, body, event_data, created_at, awaiting_approval, email_message_id,"
            " emailed_at, activity, department_id, rejection_reason)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, false, '', %s, %s, %s, '')"
            " RETURNING id",
            [
                ticket_id,
                kind,
                None if is_customer else staff.measured_tech_id,
                customer_id if is_customer else None,
                customer_name if is_customer else tech_name,
                "" if kind == "event" else BODIES[index % len(BODIES)],
                json.dumps(event),
                created + timedelta(hours=index),
                created + timedelta(hours=index) if kind == "reply" else None,
                activity,
                department_id if activity else None,
            ],
        )
        message_id = cursor.fetchone()[0]
        if is_customer and index % 3 == 0:
            cursor.execute(
                "INSERT INTO tickets_attachment (file, original_name, content_type, size,"
                " is_image, thumbnail, created_at, message_id)"
                " VALUES ('bench/missing.pdf', %s, 'application/pdf', 48213, false, '', %s, %s)",
                [f"receipt-{index}.pdf", created + timedelta(hours=index), message_id],
            )
    cursor.execute(
        "UPDATE tickets_ticket SET updated_at = %s WHERE id = %s",
        [created + timedelta(hours=THREAD_LENGTH), ticket_id],
    )
    return number, short_number
