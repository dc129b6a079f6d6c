"""Customer search (accounts/customer_search.py): pg_trgm GIN indexes over the fields a tech
types a fragment of. Names, companies and notes are compared lower-cased and without accents
through accounts_immutable_unaccent (unaccent itself is only STABLE, so an index cannot use it);
phones by their digits alone; addresses and order numbers lower-cased.

PostgreSQL only: the SQLite quickstart searches with icontains and has no indexes to build. The
indexes are not in the models' Meta (GIN indexes and functions SQLite does not have), so
`makemigrations` leaves them alone."""

from django.db import migrations

FUNCTION = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION accounts_immutable_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""

# name, table, indexed expression, condition
INDEXES = [
    (
        "accounts_customer_name_trgm",
        "accounts_customer",
        "lower(accounts_immutable_unaccent(name))",
        "",
    ),
    (
        "accounts_customer_company_trgm",
        "accounts_customer",
        "lower(accounts_immutable_unaccent(company))",
        "company <> ''",
    ),
    (
        "accounts_customer_notes_trgm",
        "accounts_customer",
        "lower(accounts_immutable_unaccent(notes))",
        "notes <> ''",
    ),
    (
        "accounts_customer_phone_trgm",
        "accounts_customer",
        "regexp_replace(phone, '[^0-9]', '', 'g')",
        "phone <> ''",
    ),
    ("accounts_customeremail_email_trgm", "accounts_customeremail", "lower(email)", ""),
    (
        "accounts_ticket_order_number_trgm",
        "tickets_ticket",
        "lower(order_number)",
        "order_number <> ''",
    ),
]


def search_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for name, table, expression, condition in INDEXES:
        where = f" WHERE {condition}" if condition else ""
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table}"
            f" USING gin (({expression}) gin_trgm_ops){where}",
            params=None,
        )


def search_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression, _condition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)
    # The extensions stay: another app's search may use them.
    schema_editor.execute("DROP FUNCTION IF EXISTS accounts_immutable_unaccent(text)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customer_changes"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(search_indexes_create, search_indexes_drop)]
