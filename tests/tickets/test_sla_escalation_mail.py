"""The escalation and warning mails as they land in the mailbox: rendered from the editable
template when the outbox sends them, with the ticket tag, the clock, the due time in the
recipient's time zone, the department, the owner and the desk link; staff only."""

import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from responses.models import MailTemplate
from tests.tickets.escalation_support import (
    MINUTE,
    RESOLUTION,
    RESPONSE,
    boss,
    case,
    colleague,
    desk,
    outsider,
    owner,
    sla_mails,
    staff,
)
from tickets.mail import outbox
from tickets.mail.outbox import outbox_send_due
from tickets.models import OutboundEmail
from tickets.sla.escalation import recipient_id_of_key, sla_alerts_sweep, sla_mail_key

pytestmark = pytest.mark.django_db
__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]  # fixtures


@pytest.fixture
def sent(case, mailoutbox, django_capture_on_commit_callbacks):
    """Sweep a case past its first response limit, the mails sent after the commit; the mails
    by address."""

    def sent(ticket=None, *, at=None):
        ticket = ticket or case()
        with django_capture_on_commit_callbacks(execute=True):
            sla_alerts_sweep(now=at or ticket.created_at + RESPONSE + MINUTE)
        return ticket, {mail.to[0]: mail for mail in mailoutbox}

    return sent


def test_the_escalation_mail_names_the_case_the_clock_and_when_it_was_due(sent, boss, desk):
    boss.time_zone = "America/New_York"
    boss.save(update_fields=["time_zone"])

    ticket, mails = sent()

    mail = mails[boss.email]
    assert mail.subject == f"{ticket.tag} Escalation: first response overdue: {ticket.subject}"
    due = date_format(
        timezone.localtime(ticket.response_due_at, zoneinfo.ZoneInfo("America/New_York")),
        "DATETIME_FORMAT",
    )
    assert f"it was due {due} (America/New_York)." in mail.body
    assert "Hello Maria Manager," in mail.body
    assert f"ticket #{ticket.number} (Field service) passed its first response time" in mail.body
    assert "Owner: Tom Tech" in mail.body
    assert "Customer: Carla Customer" in mail.body
    assert f"{settings.SITE_URL}/desk/t/{ticket.number}/" in mail.body
    assert ticket.access_token not in mail.body  # the customer's private link is theirs
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"


def test_each_recipient_reads_the_due_time_in_their_own_time_zone(sent, boss, owner):
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])

    _ticket, mails = sent()

    assert "(Asia/Tokyo)" in mails[owner.email].body
    assert f"({settings.TIME_ZONE})" in mails[boss.email].body


def test_the_resolution_escalation_says_resolution(sent, case, mailoutbox):
    ticket = case()
    sent(ticket, at=ticket.created_at + RESOLUTION + MINUTE)

    to_maria = sorted(m.subject for m in mailoutbox if m.to == ["maria@example.com"])
    assert to_maria == [
        f"{ticket.tag} Escalation: first response overdue: {ticket.subject}",
        f"{ticket.tag} Escalation: resolution overdue: {ticket.subject}",
    ]


def test_an_unowned_case_says_nobody_owns_it(sent, case):
    _ticket, mails = sent(case(owned=False))

    assert "Owner: nobody yet (the department's general pool)" in mails["cleo@example.com"].body


def test_the_departments_own_template_is_used_and_keeps_the_ticket_tag(sent, desk):
    MailTemplate.objects.create(
        key=MailTemplate.Key.ESCALATION,
        department=desk,
        subject="LATE: {{ sla_clock }}",
        body="{{ owner_name }} missed {{ sla_clock }}; see {{ desk_link }}",
    )

    ticket, mails = sent()

    mail = mails["maria@example.com"]
    assert mail.subject == f"{ticket.tag} LATE: first response"
    assert mail.body.startswith("Tom Tech missed first response; see http")


def test_the_warning_mail_has_its_own_template(desk, case, mailoutbox, sent):
    desk.sla_warning_enabled = True
    desk.save()
    ticket = case()

    ticket, mails = sent(ticket, at=ticket.risk_at + MINUTE)

    mail = mails["tom@example.com"]
    assert mail.subject.startswith(f"{ticket.tag} At risk: first response due ")
    assert "has less than a fifth of its first response time left" in mail.body
    assert {row.kind for row in OutboundEmail.objects.all()} == {outbox.SLA_WARNING}


def test_a_recipient_who_left_before_the_mail_went_out_is_not_mailed(case, owner, mailoutbox):
    ticket = case()
    sla_alerts_sweep(now=ticket.created_at + RESPONSE + MINUTE)  # queued, not sent yet
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    outbox_send_due(outbox_ids=list(sla_mails().values_list("pk", flat=True)))

    assert [mail.to for mail in mailoutbox] == [["maria@example.com"]]
    held = sla_mails().get(to=owner.email)
    assert held.status == OutboundEmail.Status.HELD
    assert "no longer an active staff member" in held.error


def test_each_mail_is_keyed_by_case_clock_due_time_and_recipient(case, owner):
    ticket = case()
    sla_alerts_sweep(now=ticket.created_at + RESPONSE + MINUTE)

    row = sla_mails().get(to=owner.email)

    assert row.idempotency_key == sla_mail_key(
        kind=outbox.ESCALATION,
        ticket_id=ticket.pk,
        clock="response",
        due_at=ticket.response_due_at,
        user_id=owner.pk,
    )
    assert recipient_id_of_key(row.idempotency_key) == owner.pk
    assert row.ticket_id == ticket.pk
    assert row.message.event_data["event"] == "sla_escalated"


def test_sending_many_escalations_reads_the_people_once(case, mailoutbox):
    tickets = [case(subject=f"Case {n}") for n in range(4)]
    sla_alerts_sweep(now=tickets[-1].created_at + RESPONSE + MINUTE)
    ids = list(sla_mails().values_list("pk", flat=True))
    assert len(ids) == 8

    with CaptureQueriesContext(connection) as captured:
        assert outbox_send_due(outbox_ids=ids) == 8
    people = [q for q in captured.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(people) == 1
    assert len(mailoutbox) == 8
