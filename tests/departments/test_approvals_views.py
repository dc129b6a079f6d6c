"""The approvals queue at /manage/approvals/ and the decisions on the ticket page: full pages,
htmx partials, refusals, bad input and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory, WebFormFactory
from tests.tickets.approval_support import held_mail
from tests.tickets.conftest import png_upload
from tickets import approvals, services, workflow
from tickets.attachments import attachments_inspect
from tickets.models import Message, OutboundEmail

__all__ = ["held_mail"]  # a fixture

pytestmark = pytest.mark.django_db

QUEUE = reverse("manage:approvals")
HTMX = {"HX-Request": "true"}


def customer_mail(mailoutbox):
    """What reached the customer (vera@example.org); staff are notified of approvals by mail
    too (tickets/notifying.py), and those mails are not the customer's."""
    return [mail for mail in mailoutbox if "vera@example.org" in mail.to]


def approve_url(message):
    return reverse("manage:approvals_reply_approve", args=[message.pk])


def edit_url(message):
    return reverse("manage:approvals_reply_edit", args=[message.pk])


def reject_url(message):
    return reverse("manage:approvals_reply_reject", args=[message.pk])


@pytest.fixture
def submit(department):
    """A visitor's ticket in the department's general pool."""
    form = WebFormFactory(default_department=department)

    def submit(subject="Printer shows E-042"):
        return services.ticket_submit_from_web(
            form=form,
            name="Vera Visitor",
            email="vera@example.org",
            subject=subject,
            body="It stopped after the update.",
            category=None,
            priority=3,
        )

    return submit


@pytest.fixture
def held(submit, trainee):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    return workflow.ticket_reply(
        ticket=ticket,
        tech=trainee,
        body="Restart the printer twice.\nThen print a test page.",
        internal=False,
        attachments=attachments_inspect([png_upload("marked.png")]),
    )


@pytest.fixture
def sales_manager(db):
    sales = DepartmentFactory(name="Sales")
    user = TechFactory(full_name="Sam Sales")
    MembershipFactory(user=user, department=sales, is_manager=True)
    return user


def test_the_queue_lists_each_held_reply_with_ticket_trainee_draft_and_files(
    client, manager, held, held_mail
):
    client.force_login(manager)

    response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"#{held.ticket.number}" in page and held.ticket.subject in page
    assert "Terry Trainee" in page
    assert "Restart the printer twice.<br>Then print a test page." in page
    assert "marked.png" in page
    assert page.count('data-testid="held-reply"') == 1
    assert "Confirmation of the new ticket to the customer" in page
    assert "Phone call: router" in page
    assert "<html" in page


def test_the_queue_as_an_htmx_partial(client, manager, held):
    client.force_login(manager)

    response = client.get(QUEUE, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="approval-list"' in page and "Restart the printer twice." in page
    assert "<html" not in page


def test_approve_without_javascript_redirects_with_a_message(
    client, manager, held, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url(held), follow=True)

    held.refresh_from_db()
    assert response.redirect_chain == [(QUEUE, 302)]
    assert f"Reply on {held.ticket.tag} approved and sent." in response.content.decode()
    # The customer gets the reply; the trainee a notification of the decision.
    assert not held.awaiting_approval
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [held.ticket.customer.emails.get().email, held.author.email]
    )
    assert "No reply waits for your approval." in response.content.decode()


def test_approve_with_htmx_swaps_the_row_out(client, manager, held):
    client.force_login(manager)

    response = client.post(approve_url(held), headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="decided"' in page and "approved and sent" in page
    assert "<html" not in page and 'data-testid="held-reply"' not in page


def test_a_decision_with_htmx_updates_the_headings_counts_out_of_band(
    client, manager, held, held_mail
):
    client.force_login(manager)
    page = client.get(QUEUE).content.decode()

    decided = client.post(approve_url(held), headers=HTMX).content.decode()
    mail = reverse("manage:approvals_mail_approve", args=[held_mail.pk])
    decided_mail = client.post(mail, headers=HTMX).content.decode()

    assert 'id="held-replies-count" data-testid="held-count">1<' in page
    assert 'id="held-mails-count" data-testid="held-mail-count">1<' in page
    assert 'id="held-replies-count" data-testid="held-count" hx-swap-oob="true">0<' in decided
    assert 'id="held-mails-count" data-testid="held-mail-count" hx-swap-oob="true">1<' in decided
    assert 'data-testid="held-mail-count" hx-swap-oob="true">0<' in decided_mail


def test_edit_then_approve_sends_the_managers_text(
    client, manager, held, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(held), {"body": "Restart it once, please."}, headers=HTMX)

    held.refresh_from_db()
    assert "edited, approved and sent" in response.content.decode()
    assert held.body == "Restart it once, please."
    (sent,) = [mail for mail in mailoutbox if held.author.email not in mail.to]
    assert "Restart it once, please." in sent.body


def test_reject_with_a_reason_without_javascript(client, manager, held, mailoutbox):
    client.force_login(manager)

    response = client.post(reject_url(held), {"reason": "Ask for the model first."})

    held.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert held.kind == Message.Kind.NOTE and held.rejection_reason == "Ask for the model first."
    assert not OutboundEmail.objects.filter(message=held).exists() and mailoutbox == []


def test_reject_with_htmx_swaps_the_row_out(client, manager, held):
    client.force_login(manager)

    response = client.post(reject_url(held), {"reason": "Wrong product."}, headers=HTMX)

    assert "rejected; the trainee sees your reason" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "field", "error"),
    [
        (reject_url, "reason", "Say why the reply is rejected"),
        (edit_url, "body", "The reply cannot be empty"),
    ],
)
def test_empty_text_or_reason_changes_nothing_and_says_why(
    client, manager, held, url, field, error
):
    client.force_login(manager)

    plain = client.post(url(held), {field: "   "})
    partial = client.post(url(held), {field: "  "}, headers=HTMX)

    assert plain.status_code == 400
    assert error in plain.content.decode() and "<html" in plain.content.decode()
    assert partial.status_code == 200
    assert (
        error in partial.content.decode() and 'data-testid="held-reply"' in partial.content.decode()
    )
    assert "<html" not in partial.content.decode()
    held.refresh_from_db()
    assert held.awaiting_approval and held.kind == Message.Kind.REPLY
    assert held.body.startswith("Restart the printer twice.")
    assert not OutboundEmail.objects.filter(message=held).exists()
    assert not Message.objects.filter(
        event_data__event__in=["reply_approved", "reply_rejected"]
    ).exists()


def test_the_loser_of_a_race_is_told_who_decided(client, manager, held, admin_user):
    approvals.reply_reject(message=held, manager=admin_user, reason="Not like this.")
    client.force_login(manager)

    plain = client.post(approve_url(held), follow=True)
    partial = client.post(approve_url(held), headers=HTMX)

    assert "Ada Admin already rejected this reply." in plain.content.decode()
    assert "Ada Admin already rejected this reply." in partial.content.decode()
    assert not OutboundEmail.objects.filter(message=held).exists()


def test_approving_a_held_mail(client, manager, held_mail):
    client.force_login(manager)

    response = client.post(
        reverse("manage:approvals_mail_approve", args=[held_mail.pk]), headers=HTMX
    )

    held_mail.refresh_from_db()
    assert "approved; it is on its way" in response.content.decode()
    assert held_mail.status != OutboundEmail.Status.AWAITING_APPROVAL


def test_a_manager_of_another_department_sees_nothing_and_cannot_decide(
    client, sales_manager, held, held_mail
):
    client.force_login(sales_manager)

    page = client.get(QUEUE).content.decode()
    responses = [
        client.post(approve_url(held)),
        client.post(edit_url(held), {"body": "Mine now."}),
        client.post(reject_url(held), {"reason": "Because."}),
        client.post(reverse("manage:approvals_mail_approve", args=[held_mail.pk])),
    ]

    assert "Restart the printer" not in page and "Phone call: router" not in page
    assert "No reply waits for your approval." in page
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    held.refresh_from_db()
    held_mail.refresh_from_db()
    assert held.awaiting_approval and held.body.startswith("Restart the printer twice.")
    assert held_mail.status == OutboundEmail.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("who", ["tech", "trainee"])
def test_techs_and_trainees_are_refused(client, request, held, who):
    client.force_login(request.getfixturevalue(who))

    responses = [
        client.get(QUEUE),
        client.post(approve_url(held)),
        client.post(reject_url(held), {"reason": "x"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    held.refresh_from_db()
    assert held.awaiting_approval


def test_query_count_does_not_grow_with_held_replies(client, manager, submit, trainee):
    def hold(count):
        for index in range(count):
            ticket = workflow.ticket_claim_on_open(
                ticket=submit(subject=f"Case {index}"), tech=trainee
            ).ticket
            workflow.ticket_reply(
                ticket=ticket,
                tech=trainee,
                body=f"Draft {index}",
                internal=False,
                attachments=attachments_inspect([png_upload(f"f{index}.png")]),
            )

    client.force_login(manager)

    def count():
        client.get(QUEUE)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        return len(queries), response.content.decode().count('data-testid="held-reply"')

    hold(3)
    few, rows_few = count()
    hold(57)
    many, rows_many = count()

    assert (rows_few, rows_many) == (3, 25)
    assert many == few


# The ticket page


def test_the_ticket_page_offers_a_supervisor_approve_edit_and_reject(client, manager, held):
    client.force_login(manager)

    page = client.get(
        reverse("tickets:desk_ticket", args=[held.ticket.number]) + "?peek=1"
    ).content.decode()

    assert "Awaiting approval" in page
    assert edit_url(held) in page and reject_url(held) in page
    assert 'name="return_to" value="ticket"' in page


def test_the_trainee_sees_no_decision_buttons(client, trainee, held):
    client.force_login(trainee)

    page = client.get(reverse("tickets:desk_ticket", args=[held.ticket.number])).content.decode()

    assert "Awaiting approval" in page
    assert reject_url(held) not in page


def test_a_decision_from_the_ticket_page_goes_back_to_the_ticket(client, manager, held):
    client.force_login(manager)
    ticket_page = reverse("tickets:desk_ticket", args=[held.ticket.number])

    empty = client.post(reject_url(held), {"reason": "", "return_to": "ticket"})
    done = client.post(reject_url(held), {"reason": "Too vague.", "return_to": "ticket"})

    assert empty.status_code == 302 and empty["Location"] == ticket_page
    assert done.status_code == 302 and done["Location"] == ticket_page
    held.refresh_from_db()
    assert held.rejection_reason == "Too vague."


def test_the_trainee_reads_the_rejection_reason_on_the_ticket(client, manager, trainee, held):
    approvals.reply_reject(message=held, manager=manager, reason="Ask for the model first.")
    client.force_login(trainee)

    page = client.get(reverse("tickets:desk_ticket", args=[held.ticket.number])).content.decode()

    assert "Rejected by Maria Manager: Ask for the model first." in page
    assert "Rejected reply, not sent" in page


def test_the_trainee_sees_the_edit_and_their_draft(client, manager, trainee, held):
    approvals.reply_approve(message=held, manager=manager, edited_body="Restart it once.")
    client.force_login(trainee)

    page = client.get(reverse("tickets:desk_ticket", args=[held.ticket.number])).content.decode()

    assert "Edited by Maria Manager before sending" in page
    assert "Restart the printer twice." in page
    assert "Maria Manager edited and approved a trainee's reply" in page


def test_the_customer_never_sees_a_rejected_reply_or_the_draft(client, manager, held):
    approvals.reply_reject(message=held, manager=manager, reason="No.")

    page = client.get(
        reverse("tickets:ticket_by_token", args=[held.ticket.access_token])
    ).content.decode()

    assert "Restart the printer" not in page and "Rejected" not in page
