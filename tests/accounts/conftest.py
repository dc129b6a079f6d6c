from tests.accounts.customer_search_world import (  # noqa: F401
    billing,
    billing_tech,
    make_customer,
    make_ticket,
    other_tech,
    write,
)
