"""The desk's search, second step (issue 14): one stored search document per ticket that
carries who may see the ticket, so a word search reads only the matches the person may see.

Why (BENCHMARKS.md, "Search"): with 0027's index on every message's text, learning which ticket
a matching message belongs to, and whether the person may see it, reads that message's row: a
word in one message of sixty is 37,000 rows at a million tickets, and a tech who sees a few per
cent of the tickets still paid for all of them.

`tickets_ticketsearch`, one row per ticket (PostgreSQL only; the SQLite quickstart searches
with icontains and has no such table):
- `staff_document`: the words of the subject and of every message but event lines (internal
  notes and consultations included), `public_document`: the subject and what the customer may
  read (their messages and replies not held for approval). Both `strip()`ped (no positions:
  a ticket's vocabulary, not its text), in the `helpdesk_search` configuration of 0027;
- `department_id`, `owner_id` (0: the general pool) and `customer_id`, copied from the ticket,
  so "who may see it" is answered by the same index as the words: a GIN index over
  (staff_document, owner_id, department_id), with btree_gin for the integer columns; a
  customer's search reads their own few documents by customer_id.

Kept current by triggers, so every path that writes tickets or messages (ORM, bulk update,
raw SQL, COPY) keeps it: a new ticket gets its row; a ticket's subject, department, owner or
customer change updates it; new messages are appended to their ticket's documents in one
statement per INSERT statement; a message edited, approved, moved to another ticket or deleted
recomputes the documents of the tickets concerned. A document that would outgrow PostgreSQL's
limit for a tsvector (1 MB) is left as it was rather than fail the write: a customer's message
is never lost to the search index. tickets/search.py checks every hit against the person's
visible tickets again, so a stale row can only hide a ticket, never show one.

Existing tickets are backfilled in batches of BATCH tickets after the triggers exist (so a desk
that keeps writing meanwhile is not missed); the migration is not atomic so each batch commits.

0027's expression indexes on every message's and subject's words go: the documents answer for
them, and each cost a to_tsvector and its GIN entries on every message taken in (snippets are
cut from the page's 25 tickets' messages, found by ticket).

Also a btree (customer_id, id) INCLUDE (department_id, assignee_id) on tickets: "the tickets
of the customers whose name matches, that this person may see", newest first, from the index
alone (a name fragment's search, and the customer search's visibility check; BENCHMARKS.md)."""

from django.db import migrations, transaction

CONFIG = "public.helpdesk_search"
BATCH = 20_000

# A message's kind as tickets.models.Message.Kind spells it; the customer reads their own
# messages and the replies not held for approval (tickets.models.customer_visible_q).
STAFF_MESSAGE = "m.kind <> 'event'"
PUBLIC_MESSAGE = "m.kind IN ('customer', 'reply') AND NOT m.awaiting_approval"

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    """
    CREATE TABLE IF NOT EXISTS tickets_ticketsearch (
        ticket_id bigint PRIMARY KEY,
        department_id bigint NOT NULL,
        owner_id bigint NOT NULL DEFAULT 0,
        customer_id bigint NOT NULL,
        staff_document tsvector NOT NULL DEFAULT ''::tsvector,
        public_document tsvector NOT NULL DEFAULT ''::tsvector
    )
    """,
    # The documents of the given tickets, from scratch.
    f"""
    CREATE OR REPLACE FUNCTION tickets_search_recompute(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM tickets_ticketsearch s WHERE s.ticket_id = ANY(ids)
            AND NOT EXISTS (SELECT 1 FROM tickets_ticket t WHERE t.id = s.ticket_id);
        BEGIN
            INSERT INTO tickets_ticketsearch AS s (ticket_id, department_id, owner_id,
                customer_id, staff_document, public_document)
            SELECT t.id, t.department_id, coalesce(t.assignee_id, 0), t.customer_id,
                strip(to_tsvector('{CONFIG}'::regconfig, t.subject) || coalesce(
                    (SELECT to_tsvector('{CONFIG}'::regconfig, string_agg(m.body, ' '))
                     FROM tickets_message m WHERE m.ticket_id = t.id AND {STAFF_MESSAGE}),
                    ''::tsvector)),
                strip(to_tsvector('{CONFIG}'::regconfig, t.subject) || coalesce(
                    (SELECT to_tsvector('{CONFIG}'::regconfig, string_agg(m.body, ' '))
                     FROM tickets_message m WHERE m.ticket_id = t.id AND {PUBLIC_MESSAGE}),
                    ''::tsvector))
            FROM tickets_ticket t WHERE t.id = ANY(ids)
            ON CONFLICT (ticket_id) DO UPDATE SET
                department_id = EXCLUDED.department_id, owner_id = EXCLUDED.owner_id,
                customer_id = EXCLUDED.customer_id, staff_document = EXCLUDED.staff_document,
                public_document = EXCLUDED.public_document;
        EXCEPTION WHEN program_limit_exceeded THEN
            -- A ticket whose words outgrow a tsvector keeps its last document.
            RAISE WARNING 'tickets_search_recompute: a document too large, left as it was';
        END;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_ticket_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM tickets_search_recompute(array(SELECT id FROM new_rows));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_ticket_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.subject IS DISTINCT FROM OLD.subject THEN
            PERFORM tickets_search_recompute(ARRAY[NEW.id]);
        ELSE
            UPDATE tickets_ticketsearch SET department_id = NEW.department_id,
                owner_id = coalesce(NEW.assignee_id, 0), customer_id = NEW.customer_id
            WHERE ticket_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_ticket_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM tickets_ticketsearch WHERE ticket_id IN (SELECT id FROM old_rows);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_ticket_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE tickets_ticketsearch;
        RETURN NULL;
    END
    $$
    """,
    # New messages: their words appended to their tickets' documents, one UPDATE per statement.
    f"""
    CREATE OR REPLACE FUNCTION tickets_search_message_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        BEGIN
            UPDATE tickets_ticketsearch s SET
                staff_document = s.staff_document || added.staff,
                public_document = s.public_document || added.public
            FROM (
                -- A customer's message or a reply is the same words for both documents:
                -- parsed once.
                SELECT ticket_id, staff, CASE
                    WHEN every_public THEN staff
                    WHEN public_text IS NULL THEN ''::tsvector
                    ELSE strip(to_tsvector('{CONFIG}'::regconfig, public_text))
                END AS public
                FROM (
                    SELECT m.ticket_id,
                        strip(to_tsvector('{CONFIG}'::regconfig, string_agg(m.body, ' ')))
                            AS staff,
                        string_agg(m.body, ' ') FILTER (WHERE {PUBLIC_MESSAGE}) AS public_text,
                        bool_and({PUBLIC_MESSAGE}) AS every_public
                    FROM new_rows m WHERE {STAFF_MESSAGE} GROUP BY m.ticket_id
                ) AS parsed
            ) AS added
            WHERE s.ticket_id = added.ticket_id;
        EXCEPTION WHEN program_limit_exceeded THEN
            RAISE WARNING 'tickets_search_message_inserted: a document too large, left as it was';
        END;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_message_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM tickets_search_recompute(array(
            SELECT DISTINCT unnest(ARRAY[o.ticket_id, n.ticket_id])
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.body IS DISTINCT FROM n.body OR o.kind IS DISTINCT FROM n.kind
                OR o.awaiting_approval IS DISTINCT FROM n.awaiting_approval
                OR o.ticket_id IS DISTINCT FROM n.ticket_id
        ));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_search_message_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM tickets_search_recompute(array(
            SELECT DISTINCT ticket_id FROM old_rows WHERE kind <> 'event'));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_ticket_inserted AFTER INSERT ON tickets_ticket
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_ticket_inserted()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_ticket_changed
    AFTER UPDATE OF subject, department_id, assignee_id, customer_id ON tickets_ticket
    FOR EACH ROW WHEN (
        OLD.subject IS DISTINCT FROM NEW.subject
        OR OLD.department_id IS DISTINCT FROM NEW.department_id
        OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
    ) EXECUTE FUNCTION tickets_search_ticket_changed()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_ticket_deleted AFTER DELETE ON tickets_ticket
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_ticket_deleted()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_ticket_truncated AFTER TRUNCATE ON tickets_ticket
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_ticket_truncated()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_message_inserted AFTER INSERT ON tickets_message
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_message_inserted()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_message_changed AFTER UPDATE ON tickets_message
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_message_changed()
    """,
    """
    CREATE OR REPLACE TRIGGER tickets_search_message_deleted AFTER DELETE ON tickets_message
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_search_message_deleted()
    """,
]

INDEXES = [
    (
        "tickets_ticketsearch_staff",
        "tickets_ticketsearch USING gin (staff_document, owner_id, department_id)",
    ),
    # A customer's search reads their own few documents: found by customer, then matched.
    ("tickets_ticketsearch_customer", "tickets_ticketsearch (customer_id)"),
    (
        "tickets_ticket_customer_id_id",
        "tickets_ticket (customer_id, id) INCLUDE (department_id, assignee_id)",
    ),
]

TRIGGERS = [
    ("tickets_search_ticket_inserted", "tickets_ticket"),
    ("tickets_search_ticket_changed", "tickets_ticket"),
    ("tickets_search_ticket_deleted", "tickets_ticket"),
    ("tickets_search_ticket_truncated", "tickets_ticket"),
    ("tickets_search_message_inserted", "tickets_message"),
    ("tickets_search_message_changed", "tickets_message"),
    ("tickets_search_message_deleted", "tickets_message"),
]
FUNCTIONS = [
    "tickets_search_ticket_inserted()",
    "tickets_search_ticket_changed()",
    "tickets_search_ticket_deleted()",
    "tickets_search_ticket_truncated()",
    "tickets_search_message_inserted()",
    "tickets_search_message_changed()",
    "tickets_search_message_deleted()",
    "tickets_search_recompute(bigint[])",
]


# 0027's indexes on every message's and subject's words: the documents answer for them now, and
# each costs a to_tsvector and GIN entries on every message taken in.
SUPERSEDED = [
    (
        "tickets_message_search",
        f"tickets_message USING gin (to_tsvector('{CONFIG}'::regconfig, body))",
    ),
    (
        "tickets_ticket_subject_search",
        f"tickets_ticket USING gin (to_tsvector('{CONFIG}'::regconfig, subject))",
    ),
]


def documents_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in SETUP:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM tickets_ticket")
        first, last = cursor.fetchone()
        for start in range(first, last + 1, BATCH):
            cursor.execute(
                "SELECT tickets_search_recompute(array("
                "SELECT id FROM tickets_ticket WHERE id >= %s AND id < %s))",
                [start, start + BATCH],
            )
        for name, definition in INDEXES:
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
        cursor.execute("ANALYZE tickets_ticketsearch")
        for name, _definition in SUPERSEDED:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def documents_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS tickets_ticket_customer_id_id")
    for name, definition in SUPERSEDED:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
    schema_editor.execute("DROP TABLE IF EXISTS tickets_ticketsearch")
    # btree_gin stays, like 0027's extensions: it is harmless and may be shared.


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0027_search"),
    ]

    operations = [
        migrations.RunPython(documents_create, documents_drop),
    ]
