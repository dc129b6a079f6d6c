"""Demo satisfaction: a handful of cases the techs answered and closed, most of them rated by
their customers (every seeded mark but the best-and-worst pair shows, with comments), one poor
rating with a comment that the manager finds in the activity feed and the notifications, and
one closed case nobody rated yet. The demo customer's own closed case ("How do I add a second
user?") is left for whoever signs in as them to rate in the customer area.

The surveys of the rated cases stay in the outbox, held back (the customer rated before they
went out); the unrated case's survey goes out with the beat's next sweep, into var/mail/.
Loading it twice changes nothing. Runs on SQLite too (no PostgreSQL-only query)."""

from accounts.models import User
from departments.models import Category, Question, WebForm
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import Priority, SatisfactionMark, StatusType, Ticket
from tickets.questionnaires import questions_for_ticket
from tickets.satisfaction import rating_record

# The product a tech names when closing a Technical support case (its required questions,
# helpdesk/demo_questionnaires.py).
PRODUCTS = {
    "Label printer feeds blank labels": "Printer P100",
    "Scanner S5 not found after the docking station update": "Scanner S5",
}

# subject, customer email, name, category, tech, the closing reply, mark label (None: not rated),
# comment
CASES = [
    (
        "Label printer feeds blank labels",
        "ivan@example.org",
        "Ivan Petrenko",
        "Problem with a product",
        "tech@example.com",
        "The label roll was inserted the wrong way round; turn it so the shiny side faces the "
        "print head and run one calibration (hold the feed button for three seconds).",
        "Excellent, thank you",
        "Works again, and the calibration tip saved us a service call.",
    ),
    (
        "Cannot download last month's invoice",
        "li.wei@example.net",
        "Li Wei",
        "Invoices and payments",
        "tech2@example.com",
        "The download link had expired; we have sent the invoice again as a PDF attachment.",
        "The answer satisfies",
        "",
    ),
    (
        "Refund for order 5420 still missing",
        "nora.lind@example.org",
        "Nora Lind",
        "Refunds",
        "tech2@example.com",
        "The refund was issued on the 3rd; banks take up to ten working days to show it.",
        "Not complete enough",
        "You told me when it was issued, but not where my money is now or whom to ask.",
    ),
    (
        "Scanner S5 not found after the docking station update",
        "sam.okafor@example.org",
        "Sam Okafor",
        "Installation and setup",
        "tech@example.com",
        "Install the scanner driver 2.4 from our download page and restart; the scanner then "
        "shows up again behind the dock.",
        "The answer satisfies",
        "Took two tries, but it works.",
    ),
    (
        "Change the address on our invoices",
        "ben.varga@example.org",
        "Ben Varga",
        "Invoices and payments",
        "tech2@example.com",
        "Done: invoices from today carry your new address.",
        None,
        "",
    ),
]


def demo_satisfaction_load() -> None:
    if Ticket.objects.filter(subject=CASES[0][0]).exists():
        return
    marks = {mark.label: mark for mark in SatisfactionMark.objects.all()}
    form = WebForm.objects.get(slug="contact")
    for subject, email, name, category, tech_email, reply, mark, comment in CASES:
        ticket = ticket_services.ticket_submit_from_web(
            form=form,
            name=name,
            email=email,
            subject=subject,
            body="Could you help us with this, please?",
            category=Category.objects.get(name=category),
            priority=Priority.MEDIUM,
            ip_address="198.51.100.12",
        )
        workflow.ticket_reply(
            ticket=ticket,
            tech=User.objects.get(email=tech_email),
            body=reply,
            internal=False,
            then_status=StatusType.CLOSED,
            answers=_closing_answers(ticket),
        )
        if mark is not None and mark in marks:
            rating_record(ticket=ticket, mark=marks[mark], comment=comment)


def _closing_answers(ticket: Ticket) -> dict[int, object]:
    """The required answers a tech gives on closing: the product, and "solved"."""
    answers: dict[int, object] = {}
    for question in questions_for_ticket(ticket=ticket):
        if not question.is_required:
            continue
        if question.answer_type == Question.AnswerType.YES_NO:
            answers[question.pk] = "yes"
        elif question.dictionary_id is not None:
            entries = question.dictionary.entries.order_by("position")
            chosen = entries.filter(label=PRODUCTS.get(ticket.subject)).first() or entries.first()
            many = question.answer_type == Question.AnswerType.CHOICES
            answers[question.pk] = [chosen.pk] if many else chosen.pk
    return answers
