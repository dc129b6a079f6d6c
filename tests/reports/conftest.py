"""Fixtures of the reports' tests: cases built at chosen instants (report_support), the monthly
summary's runs, managers and months (summary_support), and the sign-in history's readers and
week (sign_ins_support)."""

from tests.reports.report_support import (  # noqa: F401  (fixtures)
    bill,
    billing,
    billing_manager,
    billing_tech,
    legal,
    opened,
    support,
    support_manager,
    tina,
    tom,
)
from tests.reports.sign_ins_support import admin, viewer, week  # noqa: F401  (fixtures)
from tests.reports.summary_support import (  # noqa: F401  (fixtures)
    billing_october,
    maria,
    october,
    run,
    september,
)
