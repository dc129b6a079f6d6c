"""The corpus of hard real-world mails (tests/mail/data/<class>/<name>.eml, README.md there):
each is taken in through the intake the poller and the webhooks use, on PostgreSQL, and the
ticket, its first message, its customer and its attachments, and the tech's ticket page, must
show what its <name>.json expects, as a mail client would show it. The whole corpus once more
as one batch must end the same, except that a customer is named by their first mail."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import CustomerEmail
from tickets.models import InboundEmail

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MAILS = sorted(DATA.glob("*/*.eml"))
Status = InboundEmail.Status


@dataclass(frozen=True)
class Expected:
    """What <name>.json says about its mail; keys other than these are another test's."""

    path: Path
    status: str
    subject: str | None
    sender: str | None
    display_name: str | None
    body_contains: list[str]
    attachments: list[str] | None
    shown_in_place: list[str]  # inline images the HTML shows, not listed again as files

    @classmethod
    def load(cls, path: Path) -> "Expected":
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert data.get("source"), f"{path.name}: say where the mail came from"
        return cls(
            path=path,
            status=data.get("status", Status.TICKET),
            subject=data.get("subject"),
            sender=data.get("sender"),
            display_name=data.get("display_name"),
            body_contains=data.get("body_contains", []),
            attachments=data.get("attachments"),
            shown_in_place=data.get("inline_images", []),
        )


def corpus_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def assert_taken_in_as_expected(inbound: InboundEmail, expected: Expected, *, name=None):
    """`name`: the customer's name expected instead of the mail's own display name (in a
    batch, an earlier mail from the same address names the customer)."""
    inbound.refresh_from_db()
    assert inbound.status == expected.status, inbound.error
    if expected.status != Status.TICKET:
        assert inbound.ticket is None and inbound.message is None
        return
    ticket, message = inbound.ticket, inbound.message
    if expected.subject is not None:
        assert ticket.subject == (expected.subject or "(no subject)")
    if expected.sender is not None:
        assert inbound.from_address == expected.sender
        assert CustomerEmail.objects.filter(customer=ticket.customer, email=expected.sender)
    if name is None and expected.display_name is not None:
        name = expected.display_name or expected.sender
    if name is not None:
        assert ticket.customer.name == name
    shown = "\n".join([message.body, *message.event_data.get("quoted", [])])
    for excerpt in expected.body_contains:
        assert excerpt in shown
    assert "\ufffd" not in shown + ticket.subject + ticket.customer.name
    if expected.attachments is not None:
        names = [a.original_name for a in message.attachments.order_by("pk")]
        assert names == expected.attachments, message.event_data.get("refused_attachments")


@pytest.fixture
def page_of(client, tech):
    client.force_login(tech)

    def page_of(ticket) -> str:
        response = client.get(reverse("tickets:desk_ticket", args=[ticket.number]))
        assert response.status_code == 200
        return response.content.decode()

    return page_of


@pytest.mark.parametrize("path", MAILS, ids=corpus_id)
def test_corpus_mail_is_shown_as_its_sender_meant_it(path, receive, page_of):
    expected = Expected.load(path)

    result = receive(path.read_bytes())

    assert_taken_in_as_expected(result.inbound, expected)
    if expected.status == Status.TICKET:
        page = page_of(result.inbound.ticket)
        listed = [
            name for name in expected.attachments or [] if name not in expected.shown_in_place
        ]
        texts = [expected.subject, expected.display_name, *listed]
        for text in filter(None, texts):
            assert escape(text) in page
        for excerpt in expected.body_contains:
            assert escape(excerpt) in page


def test_the_corpus_as_one_batch_ends_as_each_mail_alone(receive_many):
    expected = [Expected.load(path) for path in MAILS]

    results = receive_many(*(path.read_bytes() for path in MAILS))

    first_names: dict[str, str] = {}
    for result, mail in zip(results, expected, strict=True):
        assert not result.duplicate, corpus_id(mail.path)
        name = None
        if mail.sender is not None and mail.display_name is not None:
            name = first_names.setdefault(mail.sender, mail.display_name or mail.sender)
        assert_taken_in_as_expected(result.inbound, mail, name=name)


def test_every_corpus_mail_has_its_expectations():
    assert len(MAILS) >= 20
    for path in MAILS:
        assert path.with_suffix(".json").exists(), path.name
        Expected.load(path)
