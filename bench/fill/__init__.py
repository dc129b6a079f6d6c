"""Fill the bench database: staff, departments, customers, tickets and their threads.

Everything with many rows (customers, tickets, messages) is generated inside PostgreSQL with
INSERT ... SELECT over generate_series, so 100,000 tickets take seconds and 1,000,000 a couple of
minutes. The random draws are seeded, so two fills of the same size hold the same shape.

The shape follows a helpdesk that has run for two years: 80% of tickets closed (15% of them past
their deadline), 5% waiting for the customer, 15% new or in progress, of which 40% sit unassigned
in a general pool. One tech,
the one the bench signs in as, works in three departments and has a realistic pool of their own;
every other tech's ticket is drawn from the techs of the ticket's department.

The modules, in the order a fill uses them:

- dataset.py: `fill()` runs the steps below in one transaction; `dataset_ready()` finds a kept
  dataset of the requested size; both describe it as a `Dataset`.
- shape.py: the sizes, departments, shares and words of the generated helpdesk.
- staff.py: techs, departments, memberships, categories and canned responses, row by row.
- bulk.py: customers, tickets and messages in SQL, and the measured tech's pool.
- long_thread.py: the measured tech's ticket with a 50-message thread.
- history.py: what the reports count about cases: consultations, closings (reopened ones
  twice), the reopening mails and satisfaction ratings.
- mail_history.py: mailboxes, two years of inbound mail, the techs' sign-ins and sign-outs."""

from bench.fill.bulk import (
    MESSAGES_SQL,
    TICKETS_SQL,
    customers_insert,
    measured_pool_assign,
    messages_insert,
    tickets_insert,
)
from bench.fill.dataset import META_TABLE, Dataset, dataset_ready, fill
from bench.fill.long_thread import long_thread_insert
from bench.fill.shape import (
    BODIES,
    CANNED_TITLES,
    CUSTOMERS,
    DEPARTMENTS,
    FILL_VERSION,
    FIRST_NAMES,
    LAST_NAMES,
    MEASURED_MEMBERSHIPS,
    MEASURED_TECH_EMAIL,
    MINE_ACTIVE,
    MINE_PENDING,
    MINE_RETURNED,
    PRIORITY_CUTS,
    SEED,
    SOURCES,
    SUBJECTS,
    TECHS,
    THREAD_LENGTH,
    THREAD_PATTERN,
)
from bench.fill.staff import Staff, staff_insert

__all__ = [
    "BODIES",
    "CANNED_TITLES",
    "CUSTOMERS",
    "DEPARTMENTS",
    "FILL_VERSION",
    "FIRST_NAMES",
    "LAST_NAMES",
    "MEASURED_MEMBERSHIPS",
    "MEASURED_TECH_EMAIL",
    "MESSAGES_SQL",
    "META_TABLE",
    "MINE_ACTIVE",
    "MINE_PENDING",
    "MINE_RETURNED",
    "PRIORITY_CUTS",
    "SEED",
    "SOURCES",
    "SUBJECTS",
    "TECHS",
    "THREAD_LENGTH",
    "THREAD_PATTERN",
    "TICKETS_SQL",
    "Dataset",
    "Staff",
    "customers_insert",
    "dataset_ready",
    "fill",
    "long_thread_insert",
    "measured_pool_assign",
    "messages_insert",
    "staff_insert",
    "tickets_insert",
]
