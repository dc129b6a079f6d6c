"""Demo questionnaires: the admin's dictionaries (partners, products), questions asked of the
demo departments on closing (one already on the first reply), and a closed case with its
answers. Loading it twice changes nothing."""

from departments.models import Department, Dictionary, DictionaryEntry, Question, WebForm
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import StatusType, Ticket
from tickets.questionnaires import questions_for_ticket

DICTIONARIES = {
    "Partners": ["Northwind Ltd", "Contoso Retail", "Fabrikam Online", "Kyiv Bakery"],
    "Products": ["Router X2", "Printer P100", "Scanner S5", "Smart plug"],
}

Type = Question.AnswerType
QUESTIONS = [
    # text, help text, type, dictionary, required, on first response, department slugs, position
    (
        "Which product was it about?",
        "",
        Type.ONE_CHOICE,
        "Products",
        True,
        False,
        ["technical-support"],
        1,
    ),
    (
        "Which partner sold it?",
        "Leave empty when the customer bought from us directly.",
        Type.ONE_CHOICE,
        "Partners",
        False,
        False,
        ["technical-support", "billing"],
        2,
    ),
    ("Was the problem solved?", "", Type.YES_NO, None, True, False, ["technical-support"], 3),
    (
        "Did the customer give an order number?",
        "Asked with your first reply.",
        Type.YES_NO,
        None,
        False,
        True,
        ["technical-support", "billing"],
        4,
    ),
    ("Minutes spent", "", Type.NUMBER, None, False, False, ["billing"], 5),
    ("Anything the team should know?", "", Type.TEXT, None, False, False, ["billing"], 6),
]

ANSWERED_TICKET = "Router keeps dropping the Wi-Fi connection"


def demo_questionnaires_load(*, tech, form: WebForm) -> None:
    books = {}
    for name, labels in DICTIONARIES.items():
        books[name], _ = Dictionary.objects.get_or_create(
            name=name, defaults={"description": f"Demo list of {name.lower()}."}
        )
        for position, label in enumerate(labels, start=1):
            DictionaryEntry.objects.get_or_create(
                dictionary=books[name], label=label, defaults={"position": position}
            )
    for text, help_text, kind, book, required, early, slugs, position in QUESTIONS:
        question, created = Question.objects.get_or_create(
            text=text,
            defaults={
                "help_text": help_text,
                "answer_type": kind,
                "dictionary": books.get(book),
                "is_required": required,
                "ask_on_first_response": early,
                "position": position,
            },
        )
        if created:
            question.departments.set(Department.objects.filter(slug__in=slugs))
    if not Ticket.objects.filter(subject=ANSWERED_TICKET).exists():
        _closed_with_answers(tech=tech, form=form, books=books)


def _closed_with_answers(*, tech, form: WebForm, books) -> None:
    ticket = ticket_services.ticket_submit_from_web(
        form=form,
        name="Carla Customer",
        email="customer@example.com",
        subject=ANSWERED_TICKET,
        body="The router drops the Wi-Fi every evening around eight.",
        category=None,
        priority=2,
        ip_address="198.51.100.10",
    )
    ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket
    by_text = {q.text: q for q in questions_for_ticket(ticket=ticket)}
    workflow.ticket_reply(
        ticket=ticket,
        tech=tech,
        body="Please update the router to firmware 2.4; it fixes evening drop-outs.",
        internal=False,
        then_status=StatusType.CLOSED,
        answers={
            by_text["Which product was it about?"].pk: books["Products"]
            .entries.get(label="Router X2")
            .pk,
            by_text["Which partner sold it?"].pk: books["Partners"]
            .entries.get(label="Northwind Ltd")
            .pk,
            by_text["Was the problem solved?"].pk: "yes",
            by_text["Did the customer give an order number?"].pk: "no",
        },
    )
