"""Demo history for the reports: five months of cases in Technical support and Billing, each
opened, answered and closed at its own moment — most on time, some past their deadline, some
referred to Legal before or after it, a few reopened by their customer and closed again, some
rated — so every number of /reports/ and its trend has something to show in `make run`.

Written straight as rows at past instants (the services stamp "now"), the way the product would
have written them then: the ticket and its clocks, its thread, its mail, its consultation, its
closings and its rating. Loading it twice changes nothing."""

import hashlib
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, CustomerEmail, User
from departments.models import Category, Department
from tickets.models import (
    Closure,
    Consultation,
    InboundEmail,
    Message,
    SatisfactionMark,
    SatisfactionRating,
    Source,
    StatusType,
    Ticket,
)
from tickets.numbering import ticket_numbers_next
from tickets.statuses import status_default

MARKER = "[history]"  # in the subjects of the demo's past cases
DAYS = 150
HOUR = timedelta(hours=1)
SUBJECTS = [
    "Printer shows E-042 after the update",
    "Cannot sign in to the customer portal",
    "Invoice total does not match the order",
    "Router keeps dropping the connection",
    "Refund for a duplicate payment",
    "Scanner driver will not install",
    "VAT number missing on the invoice",
    "Laptop battery drains overnight",
]
SOURCES = [Source.EMAIL] * 5 + [Source.PUBLIC_FORM] * 3 + [Source.PHONE] * 2


@transaction.atomic
def demo_reports_load() -> None:
    if Ticket.objects.filter(subject__startswith=MARKER).exists():
        return
    rng = random.Random(12)
    now = timezone.now()
    departments = list(Department.objects.filter(slug__in=["technical-support", "billing"]))
    legal = Department.objects.filter(slug="legal").first()
    techs = {
        department.pk: list(
            User.objects.filter(
                memberships__department=department, replies_need_approval=False
            ).exclude(is_superuser=True)
        )
        for department in departments
    }
    categories = {
        department.pk: list(Category.objects.filter(department=department))
        for department in departments
    }
    customers = list(Customer.objects.filter(emails__isnull=False).distinct()[:6])
    addresses = dict(
        CustomerEmail.objects.filter(customer__in=customers).values_list("customer_id", "email")
    )
    marks = list(SatisfactionMark.objects.filter(is_active=True))
    closed = status_default(StatusType.CLOSED)
    plans = [
        _plan(rng, now - timedelta(days=day), departments, techs, categories, customers)
        for day in range(DAYS, 1, -1)
        for _ in range(rng.choice([0, 1, 2, 2, 3]))
    ]
    numbers = ticket_numbers_next(len(plans))
    for plan, number in zip(plans, numbers, strict=True):
        _case_write(
            plan,
            number=number,
            closed=closed,
            legal=legal,
            marks=marks,
            rng=rng,
            address=addresses.get(plan["customer"].pk, ""),
        )


def _plan(rng, day, departments, techs, categories, customers) -> dict:
    department = rng.choice(departments)
    opened = day.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=0)
    response_limit = department.response_time_limit
    resolution_limit = department.resolution_limit
    late = rng.random() < 0.18
    resolved_in = resolution_limit * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.1, 0.95))
    return {
        "department": department,
        "owner": rng.choice(techs[department.pk]) if techs[department.pk] else None,
        "category": rng.choice(categories[department.pk]) if categories[department.pk] else None,
        "customer": rng.choice(customers),
        "source": rng.choice(SOURCES),
        "subject": f"{MARKER} {rng.choice(SUBJECTS)}",
        "opened": opened,
        "answered": opened + min(response_limit * rng.uniform(0.1, 1.3), resolved_in * 0.8),
        "closed": opened + resolved_in,
        "response_limit": response_limit,
        "resolution_limit": resolution_limit,
        "consulted": rng.random() < 0.12,
        "reopened": rng.random() < 0.06,
        "rated": rng.random() < 0.35,
        "priority": rng.choice([1, 2, 2, 2, 3, 3, 4]),
    }


def _case_write(plan, *, number, closed, legal, marks, rng, address) -> None:
    opened, answered, closed_at = plan["opened"], plan["answered"], plan["closed"]
    deadline = opened + plan["resolution_limit"]
    ticket = Ticket.objects.create(
        number=number,
        subject=plan["subject"],
        customer=plan["customer"],
        department=plan["department"],
        category=plan["category"],
        priority=plan["priority"],
        status=closed,
        status_type=StatusType.CLOSED,
        source=plan["source"],
        assignee=plan["owner"],
        created_at=opened,
        first_response_at=answered,
        closed_at=closed_at,
        response_due_at=opened + plan["response_limit"],
        resolution_due_at=deadline,
        response_limit=plan["response_limit"],
        resolution_limit=plan["resolution_limit"],
        response_used=answered - opened,
        resolution_used=closed_at - opened,
        sla_mark_at=closed_at,
        resolution_started_at=opened,
    )
    owner = plan["owner"]
    thread = [
        (Message.Kind.CUSTOMER, None, "It stopped working this morning.", opened),
        (Message.Kind.REPLY, owner, "Thank you — here is what to do.", answered),
    ]
    consultation_at = None
    if plan["consulted"] and legal is not None:
        # Half before the deadline, half after it (the case then closes late).
        consultation_at = opened + (answered - opened) / 2
        if rng.random() < 0.4:
            consultation_at = max(deadline + HOUR, opened + HOUR)
            closed_at = ticket.closed_at = max(closed_at, consultation_at + 2 * HOUR)
            Ticket.objects.filter(pk=ticket.pk).update(
                closed_at=closed_at, resolution_used=closed_at - opened
            )
        thread.append(
            (
                Message.Kind.CONSULTATION_OUT,
                owner,
                "Is this covered by the contract?",
                consultation_at,
            )
        )
    messages = Message.objects.bulk_create(
        Message(
            ticket=ticket,
            kind=kind,
            author=author,
            author_name=author.full_name if author else plan["customer"].name,
            author_customer=None if author else plan["customer"],
            body=body,
        )
        for kind, author, body, _ in thread
    )
    for message, (_, _, _, moment) in zip(messages, thread, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=moment)
    if consultation_at is not None:
        Consultation.objects.create(
            ticket=ticket,
            department=legal,
            asked_by=owner,
            question=messages[-1],
            asked_at=consultation_at,
            answered_at=consultation_at + HOUR,
            due_at_when_asked=deadline,
            deadline_when_asked=deadline,
            first_of_case=True,
            case_department=ticket.department,
            case_owner=owner,
        )
    if plan["source"] == Source.EMAIL:
        _mails_write(ticket, address=address, opened=opened, replies=rng.randint(0, 2))
    _closings_write(ticket, plan=plan, closed_at=closed_at, consulted=consultation_at, rng=rng)
    if plan["rated"] and marks:
        mark = rng.choices(marks, weights=[5, 4, 2, 1][: len(marks)])[0]
        rated_at = closed_at + timedelta(hours=rng.randint(1, 30))
        SatisfactionRating.objects.create(
            ticket=ticket,
            mark=mark,
            score=mark.score,
            comment="" if mark.score >= 0 else "The second step did not work for me.",
            department=plan["department"],
            owner=owner,
            rated_at=rated_at,
            changed_at=rated_at,
        )
        Closure.objects.filter(ticket=ticket, superseded_at__isnull=True).update(
            feedback_at=rated_at
        )


def _closings_write(ticket, *, plan, closed_at, consulted, rng) -> None:
    fields = {
        "ticket": ticket,
        "department": plan["department"],
        "owner": plan["owner"],
        "deadline": ticket.resolution_due_at,
        "response_due_at": ticket.response_due_at,
        "first_response_at": ticket.first_response_at,
        "response_used": ticket.first_response_at - ticket.created_at,
    }
    if plan["reopened"]:
        # Closed early, the customer wrote back a day later, closed again after that.
        first_close = ticket.created_at + (closed_at - ticket.created_at) / 3
        reopened = first_close + timedelta(hours=rng.randint(2, 20))
        closed_at = max(closed_at, reopened + 2 * HOUR)
        Ticket.objects.filter(pk=ticket.pk).update(
            closed_at=closed_at,
            resolution_started_at=reopened,
            resolution_due_at=reopened + plan["resolution_limit"],
            resolution_used=closed_at - reopened,
        )
        Closure.objects.create(
            **fields,
            closed_at=first_close,
            resolution_used=first_close - ticket.created_at,
            consulted=consulted is not None and consulted <= first_close,
            reopened_at=reopened,
            superseded_at=closed_at,
            feedback_at=reopened,
        )
        fields["deadline"] = reopened + plan["resolution_limit"]
        resolution_used = closed_at - reopened
    else:
        resolution_used = closed_at - ticket.created_at
    Closure.objects.create(
        **fields,
        closed_at=closed_at,
        resolution_used=resolution_used,
        consulted=consulted is not None,
    )


def _mails_write(ticket, *, address, opened, replies) -> None:
    for n in range(1 + replies):
        received = opened + timedelta(hours=5 * n)
        InboundEmail.objects.create(
            channel=InboundEmail.Channel.IMAP,
            raw_sha256=hashlib.sha256(f"demo-history-{ticket.number}-{n}".encode()).hexdigest(),
            from_address=address,
            subject=ticket.subject,
            status=InboundEmail.Status.TICKET if n == 0 else InboundEmail.Status.REPLY,
            ticket=ticket,
            department_id=ticket.department_id,
            owner_id=ticket.assignee_id,
            received_at=received,
            processed_at=received,
        )
