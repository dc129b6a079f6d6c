import pytest

from responses.models import CannedResponse

# The ticket fixtures: tickets are opened through the real intake service.
from tests.tickets.conftest import category, public_form, submit  # noqa: F401


@pytest.fixture
def canned():
    """Make a canned response directly: admins write them in the admin, there is no service."""

    def canned(**fields):
        values = {"title": "Thanks", "body": "Hello {{ customer_first_name }}."}
        values.update(fields)
        return CannedResponse.objects.create(**values)

    return canned


@pytest.fixture
def ticket(submit):  # noqa: F811 (pytest injects the imported fixture)
    return submit(name="Vera Visitor", subject="Printer shows E-042")
