from tests.reports.report_support import (  # noqa: F401  (fixtures)
    bill,
    billing,
    legal,
    opened,
    support,
    support_manager,
    tina,
    tom,
)
