"""The desk's search (issue 14): a text search configuration for English, Russian and Ukrainian
text, and the indexes tickets/search.py reads.

PostgreSQL only; the SQLite quickstart searches with plain icontains (tickets/search.py says
how), so every statement here is skipped on other databases.

- `helpdesk_search`: a copy of the `simple` configuration (no stemming, no stop words: one
  configuration for every language, lower-cased) whose words first go through `unaccent`, so
  "cafe" finds "café" and the other way round.
- `helpdesk_unaccent(text)`: unaccent() wrapped as IMMUTABLE (it is, for a fixed dictionary),
  so names can be indexed by it.
- GIN indexes on the *expressions* `to_tsvector('helpdesk_search', body)` and `… subject`
  rather than stored tsvector columns: PostgreSQL keeps an expression index current inside the
  same statement as every insert, edit, split, merge or delete of a message, whatever code path
  (ORM, bulk update, raw SQL) made it, so nothing can forget to refresh it and no trigger or
  batched UPDATE of two million rows is needed. The price: evaluating the expression on a row
  recomputes to_tsvector, so tickets/search.py keeps every search on the indexes (bitmap
  scans) and computes snippets only for the page's messages.
- pg_trgm GIN indexes for fragments: order numbers, customers' names (unaccented), companies,
  phone numbers (digits only) and every email address.

Existing rows need no backfill beyond the index builds themselves, which run CONCURRENTLY (the
migration is not atomic) so a live desk keeps writing while they build; BENCHMARKS.md says how
long they took at a million tickets.

The extensions (unaccent, pg_trgm) are shared with the customer search (accounts 0010), so they
are created if missing and never dropped on the way back: another app's indexes use them."""

from django.db import migrations

CONFIG = "public.helpdesk_search"

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'helpdesk_search') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
                WITH public.unaccent, pg_catalog.simple;
        END IF;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION public.helpdesk_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
]

INDEXES = [
    (
        "tickets_message_search",
        f"tickets_message USING gin (to_tsvector('{CONFIG}'::regconfig, body))",
    ),
    (
        "tickets_ticket_subject_search",
        f"tickets_ticket USING gin (to_tsvector('{CONFIG}'::regconfig, subject))",
    ),
    (
        "tickets_ticket_order_trgm",
        "tickets_ticket USING gin (order_number gin_trgm_ops) WHERE order_number <> ''",
    ),
    (
        "tickets_search_customer_name_trgm",
        "accounts_customer USING gin (public.helpdesk_unaccent(name) gin_trgm_ops)",
    ),
    (
        "tickets_search_customer_company_trgm",
        "accounts_customer USING gin (company gin_trgm_ops) WHERE company <> ''",
    ),
    # The customers' phone digits: accounts 0010's accounts_customer_phone_trgm, the same index.
    (
        "accounts_customeremail_trgm",
        "accounts_customeremail USING gin (email gin_trgm_ops)",
    ),
]


def search_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in SETUP:
        schema_editor.execute(statement)
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
    for table in ("tickets_message", "tickets_ticket", "accounts_customer"):
        # Statistics on the new expressions, so the planner knows how rare a word is.
        schema_editor.execute(f"ANALYZE {table}")


def search_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS public.helpdesk_unaccent(text)")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0010_customer_search"),
        ("tickets", "0026_phone_calls"),
    ]

    operations = [
        migrations.RunPython(search_create, search_drop),
    ]
