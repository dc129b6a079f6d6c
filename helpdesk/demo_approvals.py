"""Demo data for the approvals queue: a second held reply of the trainee's (beside the one
helpdesk.demo makes), and a reply a manager rejected with a reason the trainee reads."""

from accounts.models import User
from departments.models import Department
from tickets import approvals, services, workflow
from tickets.models import Priority, Source, Ticket

HELD_SUBJECT = "Walk-in: printer prints blank pages"
REJECTED_SUBJECT = "Phone call: invoice shows the wrong address"
REJECTION_REASON = (
    "We never change billing addresses over the phone: ask the customer to confirm it by email "
    "from the address on file first."
)


def demo_approvals_load() -> None:
    trainee = User.objects.filter(email="trainee@example.com").first()
    manager = User.objects.filter(email="manager@example.com").first()
    department = Department.objects.filter(slug="technical-support").first()
    if trainee is None or manager is None or department is None:
        return
    if not Ticket.objects.filter(subject=HELD_SUBJECT).exists():
        ticket = _walk_in(
            trainee=trainee,
            department=department,
            subject=HELD_SUBJECT,
            email="grace.okafor@example.net",
            name="Grace Okafor",
            body="Every page comes out blank since the new cartridge went in.",
        )
        workflow.ticket_reply(
            ticket=ticket,
            tech=trainee,
            body=(
                "Please remove the yellow protective tape from the new cartridge, put it back "
                "in and print a test page. If the page is still blank, send us a photo of the "
                "cartridge."
            ),
            internal=False,
        )
    if not Ticket.objects.filter(subject=REJECTED_SUBJECT).exists():
        ticket = _walk_in(
            trainee=trainee,
            department=department,
            subject=REJECTED_SUBJECT,
            email="hugo.martin@example.net",
            name="Hugo Martin",
            body="Called: the last invoice went to his old office address.",
        )
        reply = workflow.ticket_reply(
            ticket=ticket,
            tech=trainee,
            body="I have changed your billing address to the new office. All set!",
            internal=False,
        )
        approvals.reply_reject(message=reply, manager=manager, reason=REJECTION_REASON)


def _walk_in(*, trainee, department, subject, email, name, body) -> Ticket:
    return services.ticket_create_for_customer(
        staff=trainee,
        email=email,
        name=name,
        phone="",
        subject=subject,
        body=body,
        category=None,
        department=department,
        priority=Priority.MEDIUM,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=False,
    )
