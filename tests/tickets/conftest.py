import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Customer, CustomerEmail
from departments.models import Department
from tests.factories import CategoryFactory, CustomerFactory, WebFormFactory
from tickets import services
from tickets.attachments import attachments_inspect, attachments_save
from tickets.models import Message, Status, Ticket


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


@pytest.fixture
def message(db):
    status, _ = Status.objects.get_or_create(type="new", is_default=True, defaults={"name": "New"})
    ticket = Ticket.objects.create(
        number=987_654,
        subject="Printer shows E-042",
        customer=Customer.objects.create(name="Carla Customer"),
        department=Department.objects.create(name="Attachments desk", slug="attachments-desk"),
        status=status,
        status_type="new",
        source="public_form",
    )
    return Message.objects.create(ticket=ticket, kind="customer", body="See the files.")


@pytest.fixture
def save(message):
    """Inspect and store files on the message, as a service does."""

    def save(*files):
        names: list[str] = []
        attachments = attachments_save(
            message=message, inspected=attachments_inspect(list(files)), stored_names=names
        )
        return attachments, names

    return save
