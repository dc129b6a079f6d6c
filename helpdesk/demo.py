"""Demo data for `make run`: a small helpdesk with every role. Loading it twice changes nothing."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from accounts.models import Customer, CustomerEmail, User
from departments.models import Department, Membership

DEMO_PASSWORD = "helpdesk-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


DEPARTMENTS = [
    # name, slug, consultation address, response time limit
    ("Technical support", "technical-support", "tech-consult@example.com", timedelta(hours=4)),
    ("Billing", "billing", "billing-consult@example.com", timedelta(hours=8)),
    ("Legal", "legal", "legal@example.com", timedelta(days=2)),  # consultations only
]

STAFF = [
    # email, name, trainee, superuser, memberships: (department slug, retrieval priority, manager)
    ("admin@example.com", "Ada Admin", False, True, []),
    (
        "manager@example.com",
        "Maria Manager",
        False,
        False,
        [("technical-support", 1, True), ("billing", 1, True)],
    ),
    (
        "tech@example.com",
        "Tom Tech",
        False,
        False,
        [("technical-support", 3, False), ("billing", 1, False)],
    ),
    ("tech2@example.com", "Tanya Tech", False, False, [("billing", 2, False)]),
    ("trainee@example.com", "Terry Trainee", True, False, [("technical-support", 1, False)]),
]

CUSTOMERS = [
    # email, name, company, phone, has an account, account manager email
    ("customer@example.com", "Carla Customer", "Northwind Ltd", "+1 555 0100", True, None),
    (
        "ivan@example.org",
        "Ivan Petrenko",
        "Kyiv Bakery",
        "+380 44 555 0101",
        False,
        "tech@example.com",
    ),
    ("li.wei@example.net", "Li Wei", "", "", False, None),
]

LOGINS = [
    DemoLogin("admin", "admin@example.com"),
    DemoLogin("manager", "manager@example.com"),
    DemoLogin("tech", "tech@example.com"),
    DemoLogin("tech", "tech2@example.com"),
    DemoLogin("trainee", "trainee@example.com"),
    DemoLogin("customer", "customer@example.com"),
]


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    """Create what is missing of the demo helpdesk; existing rows are left as they are."""
    departments = {}
    for name, slug, consultation_email, limit in DEPARTMENTS:
        departments[slug], _ = Department.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "consultation_email": consultation_email,
                "response_time_limit": limit,
            },
        )

    staff = {}
    for email, name, trainee, superuser, memberships in STAFF:
        staff[email] = _demo_user(
            email=email,
            full_name=name,
            kind=User.Kind.STAFF,
            replies_need_approval=trainee,
            is_superuser=superuser,
        )
        for slug, priority, manager in memberships:
            Membership.objects.get_or_create(
                user=staff[email],
                department=departments[slug],
                defaults={"retrieval_priority": priority, "is_manager": manager},
            )

    for email, name, company, phone, has_account, manager_email in CUSTOMERS:
        existing = CustomerEmail.objects.filter(email=email).select_related("customer").first()
        if existing:
            continue
        account = (
            _demo_user(email=email, full_name=name, kind=User.Kind.CUSTOMER)
            if has_account
            else None
        )
        customer = Customer.objects.create(
            name=name,
            company=company,
            phone=phone,
            user=account,
            account_manager=staff.get(manager_email),
        )
        CustomerEmail.objects.create(customer=customer, email=email, is_primary=True)
    return LOGINS


def _demo_user(*, email, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, **fields)
    return user
