"""Demo data for `make run`: a small helpdesk with every role. Loading it twice changes nothing."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from accounts.models import Customer, CustomerEmail, User
from departments.models import Category, Department, Membership, WebForm
from helpdesk.demo_absence import demo_absence_load
from helpdesk.demo_activity import demo_activity_load
from helpdesk.demo_approvals import demo_approvals_load
from helpdesk.demo_calendars import demo_calendars_load
from helpdesk.demo_calls import demo_calls_load
from helpdesk.demo_customer_search import demo_customer_search_load
from helpdesk.demo_customers import demo_customers_load
from helpdesk.demo_mail import demo_mail_load
from helpdesk.demo_mail_html import demo_newsletter_mail
from helpdesk.demo_notifications import demo_notifications_load
from helpdesk.demo_questionnaires import demo_questionnaires_load
from helpdesk.demo_reports import demo_reports_load
from helpdesk.demo_satisfaction import demo_satisfaction_load
from helpdesk.demo_sign_ins import demo_sign_ins_load
from helpdesk.demo_sla import demo_sla_load
from helpdesk.demo_summary import demo_summary_load
from reports.daily_counts import days_count, days_uncounted
from responses.models import CannedResponse
from tickets import services as ticket_services
from tickets import workflow
from tickets.mail.intake import inbound_receive
from tickets.models import BlockedSender, InboundEmail, Priority, Source, StatusType, Ticket

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

CATEGORIES = [
    # name, department slug, position
    ("Problem with a product", "technical-support", 10),
    ("Installation and setup", "technical-support", 20),
    ("Invoices and payments", "billing", 30),
    ("Refunds", "billing", 40),
]

WEB_FORMS = [
    # slug, title, audience, default department, order number, answer preference, introduction
    (
        "contact",
        "Contact support",
        WebForm.Audience.PUBLIC,
        "technical-support",
        True,
        True,
        "Describe the problem and attach screenshots if you can. We answer within working hours.",
    ),
    (
        "members",
        "Members' priority line",
        WebForm.Audience.MEMBER,
        "technical-support",
        True,
        False,
        "For signed-in customers: your details are filled in for you.",
    ),
    (
        "new-request",
        "New request",
        WebForm.Audience.CUSTOMER_AREA,
        "technical-support",
        True,
        True,
        "",
    ),
]

BLOCKED = [
    (BlockedSender.Kind.DOMAIN, "spam.example", "Known spam source"),
    (BlockedSender.Kind.EMAIL, "fraudster@example.net", "Chargeback fraud"),
    (BlockedSender.Kind.IP, "192.0.2.0/24", "Abusive network"),
]

TICKETS = [
    # subject, customer email, name, category, priority, final state, owner email, body
    (
        "Printer shows error E-042 after the update",
        "customer@example.com",
        "Carla Customer",
        "Problem with a product",
        Priority.HIGH,
        StatusType.NEW,
        None,
        "Since yesterday's firmware update the printer stops with E-042 on every job.",
    ),
    (
        "Site is down for all our shops",
        "ivan@example.org",
        "Ivan Petrenko",
        "Problem with a product",
        Priority.EMERGENCY,
        StatusType.OPEN,
        "tech@example.com",
        "None of our five shops can open the ordering page. Customers are queueing.",
    ),
    (
        "Invoice 2026-118 charged twice",
        "li.wei@example.net",
        "Li Wei",
        "Invoices and payments",
        Priority.MEDIUM,
        StatusType.PENDING,
        "tech2@example.com",
        "My card was charged twice for invoice 2026-118. Please refund one of the charges.",
    ),
    (
        "How do I add a second user?",
        "customer@example.com",
        "Carla Customer",
        "Installation and setup",
        Priority.LOW,
        StatusType.CLOSED,
        "tech@example.com",
        "We hired a new colleague. How do we give her access?",
    ),
    (
        "Refund for the cancelled order",
        "li.wei@example.net",
        "Li Wei",
        "Refunds",
        Priority.MEDIUM,
        StatusType.NEW,
        None,
        "I cancelled order 5531 within the trial period and would like my money back.",
    ),
]

CANNED_RESPONSES = [
    # title, department slug (None: global), body
    (
        "Greeting",
        None,
        "Hello {{ customer_first_name }},\n\nthank you for writing to us about {{ ticket_tag }}.",
    ),
    (
        "Need more details",
        None,
        "Hello {{ customer_first_name }},\n\nto help you further we need a little more: "
        "which version are you using, and what exactly do you see on the screen? "
        "A screenshot helps a lot.\n\n{{ tech_name }}, {{ department }}",
    ),
    (
        "Restart the printer",
        "technical-support",
        "Hello {{ customer_first_name }},\n\nplease switch the printer off, wait ten seconds, "
        "switch it on again and send one test page. Does the error come back?\n\n"
        "{{ tech_name }}",
    ),
    (
        "Refund on its way",
        "billing",
        "Hello {{ customer_first_name }},\n\nwe have issued the refund; it reaches your account "
        "within five working days.\n\n{{ tech_name }}, {{ department }}",
    ),
]

DEMO_MAILS = [
    # A customer's mail (as it would arrive in a mailbox), and one the upstream filter flagged.
    (
        b"From: Olga Sokolova <olga@example.com.ua>\r\nTo: support@example.com\r\n"
        b"Subject: =?utf-8?b?0J3QtSDQv9GA0LDRhtGO0ZQg0LTRgNGD0LrQsNGA0LrQsA==?=\r\n"
        b"Message-ID: <demo-olga-1@example.com.ua>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "Добрий день! Принтер не друкує після оновлення. Що робити?\r\n".encode()
    ),
    (
        b"From: Lucky Winner <prize@lottery.example>\r\nTo: support@example.com\r\n"
        b"Subject: YOU WON $1,000,000\r\nMessage-ID: <demo-spam-1@lottery.example>\r\n"
        b"X-Spam-Flag: YES\r\n\r\nClaim your prize now!!!\r\n"
    ),
]

LOGINS = [
    DemoLogin("admin", "admin@example.com"),
    DemoLogin("manager", "manager@example.com"),
    DemoLogin("tech", "tech@example.com"),
    DemoLogin("tech", "tech2@example.com"),
    DemoLogin("trainee", "trainee@example.com"),
    DemoLogin("tech, absent now", "away@example.com"),
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

    categories = {}
    for name, slug, position in CATEGORIES:
        categories[name], _ = Category.objects.get_or_create(
            name=name, defaults={"department": departments[slug], "position": position}
        )
    forms = {}
    for slug, title, audience, department, order, preference, intro in WEB_FORMS:
        forms[slug], _ = WebForm.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "audience": audience,
                "default_department": departments[department],
                "show_order_number": order,
                "show_answer_preference": preference,
                "introduction": intro,
            },
        )
    for kind, value, reason in BLOCKED:
        BlockedSender.objects.get_or_create(kind=kind, value=value, defaults={"reason": reason})
    for title, slug, body in CANNED_RESPONSES:
        CannedResponse.objects.get_or_create(
            title=title, defaults={"department": departments.get(slug), "body": body}
        )
    for raw in [*DEMO_MAILS, demo_newsletter_mail()]:
        inbound_receive(raw=raw, channel=InboundEmail.Channel.WEBHOOK, mailbox=None)
    demo_mail_load()  # a Russian mail without a charset, a Chinese attachment name
    for subject, email, name, category, priority, state, owner, body in TICKETS:
        if Ticket.objects.filter(subject=subject).exists():
            continue
        _demo_ticket(
            form=forms["contact"],
            subject=subject,
            email=email,
            name=name,
            category=categories[category],
            priority=priority,
            state=state,
            owner=staff.get(owner),
            body=body,
        )
    _demo_trainee_work(
        trainee=staff["trainee@example.com"], department=departments["technical-support"]
    )
    demo_approvals_load()
    demo_questionnaires_load(tech=staff["tech@example.com"], form=forms["contact"])
    demo_sign_ins_load()
    demo_absence_load(
        staff=staff,
        departments=departments,
        categories=categories,
        form=forms["contact"],
        password=DEMO_PASSWORD,
    )
    demo_notifications_load()
    demo_calls_load()  # on the outage case, after the notifications demo wrote there
    demo_customers_load()  # Ivan's history and order numbers, and a duplicate of him to merge
    demo_customer_search_load()
    demo_calendars_load()
    demo_activity_load()  # the feed's watermark sits before its activity
    demo_sla_load()  # after the activity: its escalations and reminders are new to the feed
    demo_reports_load()  # five months of closed cases behind /reports/
    demo_summary_load()  # last month's summary for the manager, from that history
    demo_satisfaction_load()  # likewise its poor rating
    # The reports' daily counts of that history, as the beat would count them (PostgreSQL).
    days_count(days_uncounted(limit=1000))
    return LOGINS


TRAINEE_PHONE_TICKET = "Phone call: cannot reset the router password"


def _demo_trainee_work(*, trainee: User, department: Department) -> None:
    """A trainee's work waiting for a manager: a phone ticket whose confirmation mail is held,
    and a public reply held for approval."""
    if Ticket.objects.filter(subject=TRAINEE_PHONE_TICKET).exists():
        return
    ticket = ticket_services.ticket_create_for_customer(
        staff=trainee,
        email="li.wei@example.net",
        name="Li Wei",
        phone="",
        subject=TRAINEE_PHONE_TICKET,
        body="Called at 10:40: the reset button does nothing, the lights blink orange.",
        category=None,
        department=department,
        priority=Priority.MEDIUM,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=True,
    )
    workflow.ticket_reply(
        ticket=ticket,
        tech=trainee,
        body="Hold the reset button for 30 seconds until the lights turn white, then try again.",
        internal=False,
    )


def _demo_ticket(*, form, subject, email, name, category, priority, state, owner, body):
    ticket = ticket_services.ticket_submit_from_web(
        form=form,
        name=name,
        email=email,
        subject=subject,
        body=body,
        category=category,
        priority=priority,
        ip_address="198.51.100.10",
    )
    if owner is not None:
        ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=owner).ticket
    if state != StatusType.NEW:
        workflow.ticket_status_change(ticket=ticket, status_type=state, author=owner)
    return ticket


def _demo_user(*, email, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, **fields)
    return user
