"""Fill the bench database: staff, departments, customers, tickets and their threads.

Everything with many rows (customers, tickets, messages) is generated inside PostgreSQL with
INSERT ... SELECT over generate_series, so 100,000 tickets take seconds and 1,000,000 a couple of
minutes. The random draws are seeded, so two fills of the same size hold the same shape.

The shape follows a helpdesk that has run for two years: 80% of tickets closed, 5% waiting for
the customer, 15% new or in progress, of which 40% sit unassigned in a general pool. One tech,
the one the bench signs in as, works in three departments and has a realistic pool of their own;
every other tech's ticket is drawn from the techs of the ticket's department."""

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction

# Bump when the generated shape changes: a kept database filled by another version is refilled.
FILL_VERSION = "1"
SEED = 20240611

MEASURED_TECH_EMAIL = "measured-tech@bench.example.com"
TECHS = 50
CUSTOMERS = 50_000
MINE_ACTIVE = 40  # the measured tech's pool ("mine")
MINE_PENDING = 12
MINE_RETURNED = 3  # of the pool, tickets the customer wrote back to
THREAD_LENGTH = 50

# name, SLA in hours, share of the tickets
DEPARTMENTS = [
    ("Technical support", 8, 0.24),
    ("Billing", 24, 0.18),
    ("Accounts", 24, 0.12),
    ("Shipping", 48, 0.10),
    ("Returns", 48, 0.09),
    ("Sales", 8, 0.08),
    ("Hardware", 24, 0.07),
    ("Network", 4, 0.05),
    ("Security", 2, 0.04),
    ("Partners", 72, 0.03),
]
# department index -> the measured tech's retrieval priority there
MEASURED_MEMBERSHIPS = {0: 3, 1: 1, 4: 2}

PRIORITY_CUTS = [0.20, 0.70, 0.95]  # low 20%, medium 50%, high 25%, emergency 5%
SOURCES = [
    ("email", 0.45),
    ("public_form", 0.30),
    ("phone", 0.10),
    ("customer_area", 0.07),
    ("member_area", 0.04),
    ("staff", 0.03),
    ("walk_in", 0.01),
]
FIRST_NAMES = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kasia", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Huber", "Ivanova",
    "Jensen", "Kowalski", "Laurent", "Müller", "Nowak", "Okafor", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang", "Novák",
]  # fmt: skip
SUBJECTS = [
    "Cannot sign in after password reset",
    "Invoice shows the wrong VAT number",
    "Order arrived damaged",
    "Refund not received yet",
    "VPN drops every few minutes",
    "Printer offline on the second floor",
    "Please change the delivery address",
    "Two-factor code never arrives",
    "Question about the enterprise plan",
    "Export to CSV times out",
    "Charged twice for the same month",
    "Parcel stuck in customs",
    "Laptop does not boot after update",
    "Need a copy of last year's invoices",
    "Account locked after failed attempts",
    "Wrong item in my order",
]
BODIES = [
    "Hello,\n\nsince this morning I cannot sign in any more. I reset my password twice and the "
    "page still says the password is wrong. Could you have a look?\n\nThanks",
    "Hi, the invoice attached to my last order shows an old VAT number. Our accounting needs a "
    "corrected copy before the end of the month. Best regards",
    "Thank you for getting back to me. I tried what you suggested and it works now on my laptop, "
    "but my colleague still sees the same error on hers.",
    "Dear support team,\n\nthe parcel came today but the box was crushed and two of the glasses "
    "inside are broken. I have photos if you need them. What should I do?",
    "We checked the logs: the request reached us at 09:14 and failed on the payment provider's "
    "side. I have asked them to look into it and will write again as soon as I hear back.",
    "Customer called again, very polite but getting impatient. Promised an answer by tomorrow.",
    "I have refunded the second charge; it should be back on your card within five working "
    "days. Sorry for the trouble.",
    "Could you please tell me when the replacement will be shipped? I need it before Friday.",
]
CANNED_TITLES = [
    "Greeting",
    "Asking for a screenshot",
    "Refund issued",
    "Password reset steps",
    "Escalated to second level",
    "Closing: no answer",
    "Shipping times",
    "Invoice copy",
    "Thanks for your patience",
    "Known outage",
]

META_TABLE = "bench_meta"


@dataclass(frozen=True)
class Dataset:
    tickets: int
    messages: int
    tech_email: str
    thread_number: int  # the measured tech's ticket with THREAD_LENGTH messages
    short_thread_number: int  # one of their tickets with a three-message thread
    fill_seconds: float  # how long the fill took (when this run reused it: the original fill)
    reused: bool


def dataset_ready(*, tickets: int) -> Dataset | None:
    """The dataset already in the database, if it holds `tickets` tickets of this version."""
    meta = _meta_read()
    if meta.get("version") != FILL_VERSION or meta.get("tickets") != str(tickets):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] != tickets:
            return None
    return Dataset(
        tickets=tickets,
        messages=int(meta["messages"]),
        tech_email=meta["tech_email"],
        thread_number=int(meta["thread_number"]),
        short_thread_number=int(meta["short_thread_number"]),
        fill_seconds=float(meta["fill_seconds"]),
        reused=True,
    )


def fill(*, tickets: int, log: Callable[[str], None] = print) -> Dataset:
    """Empty the bench database and generate `tickets` tickets with their threads."""
    started = time.perf_counter()
    rng = random.Random(SEED)

    def step(label: str, function, *args):
        began = time.perf_counter()
        result = function(*args)
        log(f"  {label}: {time.perf_counter() - began:.1f} s")
        return result

    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are right by construction: skip their per-row trigger checks (millions
        # of them at the large size). Needs a superuser (the bench's postgres role is one).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [(SEED % 1000) / 1000])
        step("emptied the tables", _reset, cursor)
        staff = step("staff, departments, memberships", _staff, cursor, rng)
        step(f"{CUSTOMERS:,} customers", _customers, cursor)
        step(f"{tickets:,} tickets", _tickets, cursor, tickets, staff)
        step("the measured tech's pool", _measured_pool, cursor, staff)
        step("messages", _messages, cursor)
        thread_number, short_number = step("a 50-message thread", _long_thread, cursor, staff)
        cursor.execute("SELECT count(*) FROM tickets_message")
        messages = cursor.fetchone()[0]
    # VACUUM cannot run in a transaction; it also sets the visibility map (index-only scans).
    with connection.cursor() as cursor:
        step("VACUUM ANALYZE", cursor.execute, "VACUUM ANALYZE")
    dataset = Dataset(
        tickets=tickets,
        messages=messages,
        tech_email=MEASURED_TECH_EMAIL,
        thread_number=thread_number,
        short_thread_number=short_number,
        fill_seconds=round(time.perf_counter() - started, 1),
        reused=False,
    )
    _meta_write(dataset)
    return dataset


@dataclass(frozen=True)
class _Staff:
    measured_tech_id: int
    department_ids: list[int]
    measured_department_ids: list[int]
    department_limits: list[timedelta]
    first_category_ids: list[int]
    # Techs of each department (the measured tech left out), flattened: department i's techs
    # are tech_ids[offsets[i] : offsets[i] + counts[i]].
    tech_ids: list[int]
    tech_offsets: list[int]
    tech_counts: list[int]
    statuses: dict[str, int]


def _reset(cursor) -> None:
    cursor.execute(
        "TRUNCATE tickets_attachment, tickets_message, tickets_ticket, accounts_customeremail,"
        " accounts_customer, departments_membership, departments_webform_categories,"
        " departments_webform, departments_category, responses_cannedresponse,"
        " departments_department, accounts_loginevent, django_session, accounts_user"
        " RESTART IDENTITY CASCADE"
    )
    cursor.execute("ALTER SEQUENCE tickets_ticket_number_seq RESTART")
    cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")


def _staff(cursor, rng: random.Random) -> _Staff:
    tech_ids = []
    for index in range(TECHS):
        email = MEASURED_TECH_EMAIL if index == 0 else f"tech{index}@bench.example.com"
        name = "Measured Tech" if index == 0 else f"{rng.choice(FIRST_NAMES)} Tech{index}"
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, full_name, kind,"
            " replies_need_approval, time_zone, is_active, date_joined,"
            " reply_as_note_by_default, signature_image, signature_text)"
            " VALUES ('!', false, %s, %s, 'staff', false, '', true,"
            " now() - interval '3 years', false, '', '') RETURNING id",
            [email, name],
        )
        tech_ids.append(cursor.fetchone()[0])

    department_ids, limits = [], []
    for name, hours, _share in DEPARTMENTS:
        cursor.execute(
            "INSERT INTO departments_department (name, slug, consultation_email,"
            " response_time_limit, is_active, created_at)"
            " VALUES (%s, %s, '', %s, true, now() - interval '3 years') RETURNING id",
            [name, name.lower().replace(" ", "-"), timedelta(hours=hours)],
        )
        department_ids.append(cursor.fetchone()[0])
        limits.append(timedelta(hours=hours))

    # Every other tech works in a home department and maybe one or two more.
    members: dict[int, list[int]] = {index: [] for index in range(len(DEPARTMENTS))}
    rows = []
    for position, tech_id in enumerate(tech_ids[1:]):
        home = position % len(DEPARTMENTS)
        extra = rng.sample([i for i in range(len(DEPARTMENTS)) if i != home], rng.randint(0, 2))
        for index in [home, *extra]:
            members[index].append(tech_id)
            rows.append((tech_id, department_ids[index], rng.randint(1, 3)))
    measured = tech_ids[0]
    for index, weight in MEASURED_MEMBERSHIPS.items():
        rows.append((measured, department_ids[index], weight))
    cursor.executemany(
        "INSERT INTO departments_membership (user_id, department_id, retrieval_priority,"
        " is_manager) VALUES (%s, %s, %s, false)",
        rows,
    )
    # One manager per department (never the measured tech, whose desk stays a plain tech's).
    for index, department_id in enumerate(department_ids):
        cursor.execute(
            "UPDATE departments_membership SET is_manager = true"
            " WHERE department_id = %s AND user_id = %s",
            [department_id, members[index][0]],
        )

    first_categories = []
    for index, (name, _hours, _share) in enumerate(DEPARTMENTS):
        for number, topic in enumerate(("General question", "Problem", "Request")):
            cursor.execute(
                "INSERT INTO departments_category (name, position, is_active, department_id)"
                " VALUES (%s, %s, true, %s) RETURNING id",
                [f"{name}: {topic}", number, department_ids[index]],
            )
            category_id = cursor.fetchone()[0]
            if number == 0:
                first_categories.append(category_id)

    canned = [(title, None) for title in CANNED_TITLES]
    for index, (name, _hours, _share) in enumerate(DEPARTMENTS):
        canned += [(f"{name}: {title}", department_ids[index]) for title in CANNED_TITLES[:2]]
    cursor.executemany(
        "INSERT INTO responses_cannedresponse (title, body, is_active, created_at, updated_at,"
        " usage_count, department_id) VALUES (%s, %s, true, now(), now(), 0, %s)",
        [(title, BODIES[i % len(BODIES)], dept) for i, (title, dept) in enumerate(canned)],
    )

    cursor.execute("SELECT type, id FROM tickets_status WHERE is_default")
    statuses = dict(cursor.fetchall())
    flat, offsets, counts = [], [], []
    for index in range(len(DEPARTMENTS)):
        offsets.append(len(flat))
        counts.append(len(members[index]))
        flat.extend(members[index])
    return _Staff(
        measured_tech_id=measured,
        department_ids=department_ids,
        measured_department_ids=[department_ids[i] for i in MEASURED_MEMBERSHIPS],
        department_limits=limits,
        first_category_ids=first_categories,
        tech_ids=flat,
        tech_offsets=offsets,
        tech_counts=counts,
        statuses=statuses,
    )


def _customers(cursor) -> None:
    cursor.execute(
        "INSERT INTO accounts_customer (name, phone, company, notes, created_at, updated_at)"
        " SELECT (%(first)s::text[])[1 + mod(g, %(nf)s)] || ' '"
        " || (%(last)s::text[])[1 + mod(g / %(nf)s, %(nl)s)],"
        " '', '', '', now() - interval '2 years', now() - interval '2 years'"
        " FROM generate_series(1, %(customers)s) AS g",
        {
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            "nf": len(FIRST_NAMES),
            "nl": len(LAST_NAMES),
            "customers": CUSTOMERS,
        },
    )
    cursor.execute(
        "INSERT INTO accounts_customeremail (customer_id, email, is_primary)"
        " SELECT id, 'customer' || id || '@example.net', true FROM accounts_customer"
    )


def _cuts(shares: list[float]) -> list[float]:
    """Thresholds for width_bucket: a draw in [0, 1) falls in bucket i with probability
    shares[i]."""
    cuts, total = [], 0.0
    for share in shares[:-1]:
        total += share
        cuts.append(round(total, 6))
    return cuts


TICKETS_SQL = """
WITH draws AS (
    SELECT g, random() AS r_state, random() AS r_pool, random() AS r_priority,
           random() AS r_department, random() AS r_tech, random() AS r_customer,
           random() AS r_category, random() AS r_source, random() AS r_age,
           random() AS r_subject, random() AS r_response, random() AS r_closing
    FROM generate_series(1, %(tickets)s) AS g
), states AS (
    SELECT d.*,
           1 + width_bucket(r_department, %(department_cuts)s::float8[]) AS dept,
           CASE WHEN r_state < 0.80 THEN 'closed'
                WHEN r_state < 0.85 THEN 'pending'
                WHEN r_pool < 0.40 THEN 'general'
                ELSE 'assigned' END AS state
    FROM draws AS d
), shaped AS (
    SELECT s.*,
           (%(department_ids)s::bigint[])[dept] AS department_id,
           (%(limits)s::interval[])[dept] AS sla,
           now() - CASE state WHEN 'closed' THEN r_age * interval '730 days'
                              WHEN 'pending' THEN r_age * interval '45 days'
                              ELSE r_age * r_age * interval '30 days' END AS created
    FROM states AS s
)
INSERT INTO tickets_ticket (
    number, subject, customer_id, department_id, category_id, priority, status_id, status_type,
    source, assignee_id, order_number, answer_preference, access_token, created_at, updated_at,
    first_response_at, closed_at, due_at
)
SELECT nextval('tickets_ticket_number_seq'), subject, customer_id, department_id, category_id,
       priority, status_id, status_type, source, assignee_id, '', 'answer_by_email',
       md5(random()::text) || lpad(g::text, 11, '0'), created,
       coalesce(closed_at, first_response_at, created), first_response_at, closed_at, due_at
FROM (
    SELECT g, created, department_id,
           (%(subjects)s::text[])[1 + floor(r_subject * %(subject_count)s)::int] AS subject,
           %(first_customer)s + floor(r_customer * %(customers)s)::bigint AS customer_id,
           CASE WHEN r_category < 0.2 THEN NULL
                ELSE (%(first_categories)s::bigint[])[dept] + mod(floor(r_category * 30)::int, 3)
           END AS category_id,
           1 + width_bucket(r_priority, %(priority_cuts)s::float8[]) AS priority,
           CASE state WHEN 'closed' THEN %(closed)s WHEN 'pending' THEN %(pending)s
                      WHEN 'general' THEN CASE WHEN r_response < 0.9 THEN %(new)s
                                               ELSE %(open)s END
                      ELSE %(open)s END AS status_id,
           CASE state WHEN 'closed' THEN 'closed' WHEN 'pending' THEN 'pending'
                      WHEN 'general' THEN CASE WHEN r_response < 0.9 THEN 'new' ELSE 'open' END
                      ELSE 'open' END AS status_type,
           (%(sources)s::text[])[1 + width_bucket(r_source, %(source_cuts)s::float8[])] AS source,
           CASE WHEN state = 'general' THEN NULL
                ELSE (%(tech_ids)s::bigint[])[(%(tech_offsets)s::int[])[dept] + 1
                     + floor(r_tech * (%(tech_counts)s::int[])[dept])::int]
           END AS assignee_id,
           CASE WHEN state IN ('closed', 'pending') OR (state = 'assigned' AND r_response < 0.5)
                THEN created + r_response * sla END AS first_response_at,
           CASE WHEN state = 'closed'
                THEN least(now(), created + sla + r_closing * interval '5 days') END AS closed_at,
           created + sla AS due_at
    FROM shaped
    ORDER BY created
) AS ordered
"""


def _tickets(cursor, tickets: int, staff: _Staff) -> None:
    cursor.execute("SELECT min(id) FROM accounts_customer")
    first_customer = cursor.fetchone()[0]
    cursor.execute(
        TICKETS_SQL,
        {
            "tickets": tickets,
            "department_cuts": _cuts([share for _n, _h, share in DEPARTMENTS]),
            "department_ids": staff.department_ids,
            "limits": staff.department_limits,
            "subjects": SUBJECTS,
            "subject_count": len(SUBJECTS),
            "first_customer": first_customer,
            "customers": CUSTOMERS,
            "first_categories": staff.first_category_ids,
            "priority_cuts": PRIORITY_CUTS,
            "closed": staff.statuses["closed"],
            "pending": staff.statuses["pending"],
            "new": staff.statuses["new"],
            "open": staff.statuses["open"],
            "sources": [name for name, _share in SOURCES],
            "source_cuts": _cuts([share for _name, share in SOURCES]),
            "tech_ids": staff.tech_ids,
            "tech_offsets": staff.tech_offsets,
            "tech_counts": staff.tech_counts,
        },
    )


def _measured_pool(cursor, staff: _Staff) -> None:
    """Hand the measured tech a pool of their own, some pending tickets and a share of the
    closed ones in their departments, taken from the other techs there."""
    params = {"tech": staff.measured_tech_id, "departments": staff.measured_department_ids}
    for status_type, limit in (("open", MINE_ACTIVE), ("pending", MINE_PENDING)):
        cursor.execute(
            "UPDATE tickets_ticket SET assignee_id = %(tech)s WHERE id IN ("
            " SELECT id FROM tickets_ticket WHERE status_type = %(type)s"
            " AND assignee_id IS NOT NULL AND department_id = ANY(%(departments)s)"
            " ORDER BY md5(id::text) LIMIT %(limit)s)",
            {**params, "type": status_type, "limit": limit},
        )
    cursor.execute(
        "UPDATE tickets_ticket SET assignee_id = %(tech)s WHERE status_type = 'closed'"
        " AND department_id = ANY(%(departments)s) AND random() < 0.1",
        params,
    )
    cursor.execute(
        "UPDATE tickets_ticket SET returned_at = now() - interval '2 hours' WHERE id IN ("
        " SELECT id FROM tickets_ticket WHERE assignee_id = %(tech)s AND status_type = 'open'"
        " ORDER BY md5(id::text) LIMIT %(limit)s)",
        {**params, "limit": MINE_RETURNED},
    )


MESSAGES_SQL = """
INSERT INTO tickets_message (
    ticket_id, kind, author_id, author_customer_id, author_name, body, event_data,
    created_at, awaiting_approval, email_message_id, emailed_at
)
SELECT t.id, m.kind,
       CASE WHEN m.kind = 'customer' THEN NULL ELSE t.assignee_id END,
       CASE WHEN m.kind = 'customer' THEN t.customer_id END,
       CASE WHEN m.kind = 'customer' THEN c.name ELSE u.full_name END,
       (%(bodies)s::text[])[1 + mod(t.id + m.i, %(body_count)s)],
       '{}'::jsonb, t.created_at + (m.i - 1) * interval '3 hours', false, '',
       CASE WHEN m.kind = 'reply' THEN t.created_at + (m.i - 1) * interval '3 hours' END
FROM tickets_ticket AS t
JOIN accounts_customer AS c ON c.id = t.customer_id
LEFT JOIN accounts_user AS u ON u.id = t.assignee_id
CROSS JOIN LATERAL (
    SELECT i, CASE WHEN i = 1 OR t.assignee_id IS NULL THEN 'customer'
                   WHEN i = 2 THEN 'reply'
                   WHEN mod(t.id, 2) = 0 THEN 'note'
                   ELSE 'customer' END AS kind
    FROM generate_series(1, 1 + mod(hashint8(t.id)::bigint + 2147483648, 3)::int) AS i
) AS m
"""


def _messages(cursor) -> None:
    """One to three messages a ticket: the customer's, then a reply, then a note or the
    customer again."""
    cursor.execute(MESSAGES_SQL, {"bodies": BODIES, "body_count": len(BODIES)})


# The long thread, repeated five times: what a drawn-out case looks like.
THREAD_PATTERN = [
    "customer",
    "event:claimed",
    "reply",
    "customer",
    "note",
    "reply",
    "customer",
    "event:status_changed",
    "reply",
    "note",
]


def _long_thread(cursor, staff: _Staff) -> tuple[int, int]:
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
        cursor.execute(
            "INSERT INTO tickets_message (ticket_id, kind, author_id, author_customer_id,"
            " author_name, body, event_data, created_at, awaiting_approval, email_message_id,"
            " emailed_at) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, false, '', %s)"
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


def _meta_read() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return {}
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")
        return dict(cursor.fetchall())


def _meta_write(dataset: Dataset) -> None:
    values = {
        "version": FILL_VERSION,
        "tickets": str(dataset.tickets),
        "messages": str(dataset.messages),
        "tech_email": dataset.tech_email,
        "thread_number": str(dataset.thread_number),
        "short_thread_number": str(dataset.short_thread_number),
        "fill_seconds": str(dataset.fill_seconds),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.executemany(f"INSERT INTO {META_TABLE} VALUES (%s, %s)", list(values.items()))
