import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import CustomerEmail
from tests.factories import CategoryFactory, CustomerFactory, WebFormFactory
from tickets import services
from tickets.attachments import attachments_inspect


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="screenshot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def category(department):
    return CategoryFactory(name="Problem with a product", department=department)


@pytest.fixture
def public_form(department, category):
    form = WebFormFactory(
        slug="contact",
        title="Contact support",
        default_department=department,
        show_order_number=True,
        show_answer_preference=True,
    )
    return form


@pytest.fixture
def submit(public_form, category):
    """Open a ticket through the public form's service, as a visitor would."""

    def submit(**overrides):
        values = {
            "form": public_form,
            "name": "Vera Visitor",
            "email": "vera@example.org",
            "subject": "Printer shows E-042",
            "body": "It stopped after the update.",
            "category": category,
            "priority": 3,
            "ip_address": "198.51.100.7",
        }
        values.update(overrides)
        if "files" in values:
            values["attachments"] = attachments_inspect(values.pop("files"))
        return services.ticket_submit_from_web(**values)

    return submit


@pytest.fixture
def customer_with_account(customer_user):
    customer = CustomerFactory(name=customer_user.full_name, user=customer_user)
    CustomerEmail.objects.create(customer=customer, email=customer_user.email, is_primary=True)
    return customer
