"""The per-ticket search documents (tickets 0028): kept current by triggers whatever writes the
tickets and messages, carrying who may see each ticket, and never trusted alone to show one."""

import pytest
from django.db import connection

from accounts.customer_edits import customer_merge
from accounts.models import Customer, CustomerEmail
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import access, approvals, workflow
from tickets.models import Message, Ticket
from tickets.search import SearchScope, search_query, tickets_search

pytestmark = pytest.mark.django_db


def found(user, text):
    result = tickets_search(
        tickets=access.tickets_visible_to_staff(user),
        query=search_query(text),
        public_only=False,
        scope=access.staff_search_scope(user),
    )
    return [hit.ticket.number for hit in result.hits]


def found_by_customer(customer, text):
    result = tickets_search(
        tickets=Ticket.objects.filter(customer=customer),
        query=search_query(text),
        public_only=True,
        scope=SearchScope(customer_id=customer.pk),
    )
    return [hit.ticket.number for hit in result.hits]


def document(ticket):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT department_id, owner_id, customer_id, staff_document::text,"
            " public_document::text FROM tickets_ticketsearch WHERE ticket_id = %s",
            [ticket.pk],
        )
        return cursor.fetchone()


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


def test_a_new_ticket_has_its_document_with_who_may_see_it(submit, department):
    ticket = submit(subject="Kettle whistles", body="Loud whistle at night.")

    department_id, owner_id, customer_id, staff, public = document(ticket)
    assert (department_id, owner_id, customer_id) == (department.pk, 0, ticket.customer_id)
    for word in ("kettle", "whistles", "loud", "night"):
        assert f"'{word}'" in staff and f"'{word}'" in public


def test_notes_are_in_the_staff_document_only_and_events_in_neither(submit, tech):
    ticket = submit(subject="Fan noise")
    ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket
    workflow.ticket_reply(ticket=ticket, tech=tech, body="Suspect the bearing.", internal=True)

    _dept, owner_id, _customer, staff, public = document(ticket)
    assert owner_id == tech.pk
    assert "'bearing'" in staff and "'bearing'" not in public
    event_words = set()
    for body in Message.objects.filter(ticket=ticket, kind=Message.Kind.EVENT).values_list(
        "body", flat=True
    ):
        event_words |= {word.lower() for word in body.split() if word.isalpha()}
    assert not any(f"'{word}'" in staff for word in event_words - {"fan", "noise"})


def test_a_held_reply_reaches_the_customers_search_only_once_approved(
    submit, trainee, manager, customer_with_account
):
    ticket = submit(subject="Router", user=customer_with_account.user)
    ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=trainee).ticket
    held = workflow.ticket_reply(
        ticket=ticket, tech=trainee, body="Reset the quokka switch.", internal=False
    )
    assert held.awaiting_approval
    assert found_by_customer(customer_with_account, "quokka") == []
    assert found(manager, "quokka") == [ticket.number]

    approvals.reply_approve(message=held, manager=manager)
    assert found_by_customer(customer_with_account, "quokka") == [ticket.number]


def test_a_transfer_moves_the_ticket_into_the_other_departments_search(
    submit, tech, manager, billing
):
    biller = TechFactory(full_name="Bea Biller")
    MembershipFactory(user=biller, department=billing)
    ticket = submit(subject="Invoice wombat")
    assert found(tech, "wombat") == [ticket.number]
    assert found(biller, "wombat") == []

    workflow.ticket_transfer(ticket=ticket, by=manager, to_department=billing)
    assert found(tech, "wombat") == []
    assert found(biller, "wombat") == [ticket.number]
    assert document(ticket)[0] == billing.pk


def test_a_claimed_ticket_leaves_a_colleagues_search(submit, tech, department):
    colleague = TechFactory(full_name="Cole League")
    MembershipFactory(user=colleague, department=department)
    ticket = submit(subject="Toaster sparks")
    assert found(colleague, "toaster") == [ticket.number]

    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    assert found(colleague, "toaster") == []
    assert found(tech, "toaster") == [ticket.number]


def test_merged_customers_find_the_moved_tickets_on_my(submit, customer_with_account, admin_user):
    ticket = submit(subject="Blender lid", email="other@example.org", name="Other Person")
    removed = ticket.customer
    assert found_by_customer(customer_with_account, "blender") == []

    customer_merge(kept=customer_with_account, removed=removed, actor=admin_user)
    assert found_by_customer(customer_with_account, "blender") == [ticket.number]
    assert document(ticket)[2] == customer_with_account.pk


def test_a_message_moved_to_another_ticket_moves_its_words(submit, tech):
    first = submit(subject="One", body="Axolotl in the tank.")
    second = submit(subject="Two", body="Nothing here.", email="two@example.org")
    message = Message.objects.get(ticket=first, kind=Message.Kind.CUSTOMER)

    Message.objects.filter(pk=message.pk).update(ticket=second)
    assert found(tech, "axolotl") == [second.number]
    assert "'axolotl'" not in document(first)[3]


def test_messages_inserted_in_one_statement_reach_each_ticket(submit, tech):
    first = submit(subject="One")
    second = submit(subject="Two", email="two@example.org")
    Message.objects.bulk_create(
        [
            Message(ticket=first, kind=Message.Kind.NOTE, body="Marmot first."),
            Message(ticket=first, kind=Message.Kind.NOTE, body="Narwhal first."),
            Message(ticket=second, kind=Message.Kind.NOTE, body="Marmot second."),
        ]
    )

    assert set(found(tech, "marmot")) == {first.number, second.number}
    assert found(tech, "narwhal") == [first.number]


def test_a_deleted_ticket_leaves_no_document(submit):
    ticket = submit(subject="Gone soon")
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert document(ticket) is None


def test_a_stale_document_never_shows_a_ticket_the_person_may_not_see(submit, tech, billing):
    ticket = submit(subject="Secret ibex")
    Ticket.objects.filter(pk=ticket.pk).update(department=billing)
    # As if a trigger had missed the transfer: the document still says the tech's department.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticketsearch SET department_id = %s WHERE ticket_id = %s",
            [tech.memberships.get().department_id, ticket.pk],
        )
    assert found(tech, "ibex") == []


def test_the_documents_can_be_rebuilt(submit, tech):
    ticket = submit(subject="Rebuilt", body="Pangolin scales.")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_ticketsearch")
        assert found(tech, "pangolin") == []
        cursor.execute("SELECT tickets_search_recompute(array(SELECT id FROM tickets_ticket))")
    assert found(tech, "pangolin") == [ticket.number]


def test_a_thread_too_large_to_index_still_keeps_every_message(submit, tech):
    """PostgreSQL refuses a tsvector over 1 MB: the document stays as it was and the message is
    saved all the same (found by the rest of its ticket's words, and on the ticket page)."""
    ticket = submit(subject="Huge logs", body="Start of the logs.")
    chunk = " ".join(f"w{index:06d}x{part}" for index in range(40_000) for part in "a")
    for part in range(4):
        Message.objects.create(ticket=ticket, kind=Message.Kind.NOTE, body=f"{chunk} p{part}")

    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).count() == 4
    assert found(tech, "logs") == [ticket.number]


def test_customers_with_the_same_name_elsewhere_do_not_widen_a_customers_search(
    submit, customer_with_account
):
    mine = submit(subject="Lamp flickers", user=customer_with_account.user)
    other = Customer.objects.create(name=customer_with_account.name)
    CustomerEmail.objects.create(customer=other, email="twin@example.org", is_primary=True)
    submit(subject="Lamp flickers too", email="twin@example.org", name=other.name)

    assert found_by_customer(customer_with_account, "lamp") == [mine.number]
