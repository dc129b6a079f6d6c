"""Message-ID reuse and our own mail over real IMAP and POP3 on Dovecot: every different mail is
recorded with its raw bytes, a copy is recorded once, and the server is told only after the
commit."""

import pytest
from django.db import connection

from departments.models import Mailbox
from tests.mail.mails import mail, relayed, resent_edited, sample
from tickets.mail import fetching, intake
from tickets.mail.polling import mailbox_poll
from tickets.models import InboundEmail, Ticket

USER = "support@example.test"
OUTLOOK = sample("outlook_russian_reply.eml")
OUTLOOK_EDITED = resent_edited(OUTLOOK)
Status = InboundEmail.Status


@pytest.fixture
def flag_moments(monkeypatch, mail_server):
    """What was true each time the poll told the IMAP server mails were done: whether a
    transaction was still open, which of the mails were recorded, which were seen already."""
    moments = []
    real_mark_done_many = fetching.ImapSession.mark_done_many

    def mark_done_many(self, server_uids):
        recorded = InboundEmail.objects.filter(server_uid__in=server_uids)
        moments.append(
            {
                "in_transaction": connection.in_atomic_block,
                "recorded": set(recorded.values_list("server_uid", flat=True)),
                "seen": {str(m.uid) for m in mail_server.messages(USER) if m.seen},
                "uids": set(server_uids),
            }
        )
        return real_mark_done_many(self, server_uids)

    monkeypatch.setattr(fetching.ImapSession, "mark_done_many", mark_done_many)
    return moments


@pytest.mark.django_db(transaction=True)
def test_two_different_mails_under_one_message_id_are_both_recorded_and_flagged_after_commit(
    mail_server, make_mailbox, flag_moments
):
    mailbox = make_mailbox()
    own = mail(sender=mailbox.email_address, subject="Forwarded back to us by a rule")
    for raw in (OUTLOOK, OUTLOOK_EDITED, own):
        mail_server.deliver(USER, raw)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (3, 0)
    on_server = mail_server.messages(USER)
    records = {r.server_uid: r for r in InboundEmail.objects.all()}
    assert sorted(records) == sorted(str(m.uid) for m in on_server)
    # Each record keeps the bytes the server holds, readable from storage.
    for message in on_server:
        with records[str(message.uid)].raw.open("rb") as handle:
            assert handle.read() == message.raw
    first, edited, set_aside = (records[str(m.uid)] for m in on_server)
    assert first.message_id_header == edited.message_id_header != ""
    assert [first.status, edited.status] == [Status.TICKET, Status.TICKET]
    assert first.ticket != edited.ticket
    assert "Message-ID" in edited.error
    assert set_aside.status == Status.SET_ASIDE and set_aside.ticket is None
    assert Ticket.objects.count() == 2
    # Told to the server once, after the commit: no transaction open, every mail recorded,
    # none of them seen before.
    assert flag_moments == [
        {"in_transaction": False, "recorded": set(records), "seen": set(), "uids": set(records)}
    ]
    assert all(message.seen for message in on_server)


@pytest.mark.django_db
def test_a_worker_killed_while_writing_leaves_every_mail_unseen_and_unrecorded(
    mail_server, make_mailbox, monkeypatch
):
    mailbox = make_mailbox()
    for raw in (OUTLOOK, OUTLOOK_EDITED):
        mail_server.deliver(USER, raw)
    real_write = intake.plans_write

    def killed(*args, **kwargs):
        real_write(*args, **kwargs)
        raise SystemExit("worker killed before the commit")

    monkeypatch.setattr(intake, "plans_write", killed)
    with pytest.raises(SystemExit):
        mailbox_poll(mailbox_id=mailbox.pk)
    monkeypatch.undo()

    assert not InboundEmail.objects.exists()
    assert not any(message.seen for message in mail_server.messages(USER))
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 0

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (2, 0)
    assert InboundEmail.objects.count() == 2
    assert all(message.seen for message in mail_server.messages(USER))


@pytest.mark.django_db
def test_the_same_mail_delivered_again_by_another_path_is_recorded_once(mail_server, make_mailbox):
    mailbox = make_mailbox()
    mail_server.deliver(USER, OUTLOOK)
    first = mailbox_poll(mailbox_id=mailbox.pk)
    mail_server.deliver(USER, relayed(OUTLOOK))  # re-delivered later, through another relay

    again = mailbox_poll(mailbox_id=mailbox.pk)

    assert (first.taken_in, again.taken_in, again.duplicates) == (1, 0, 1)
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert [m.seen for m in mail_server.messages(USER)] == [True, True]


@pytest.mark.django_db
def test_pop3_keeps_both_mails_under_one_message_id_and_deletes_them_after_commit(
    mail_server, make_mailbox
):
    mailbox = make_mailbox(protocol=Mailbox.Protocol.POP3)
    for raw in (OUTLOOK, relayed(OUTLOOK), OUTLOOK_EDITED):
        mail_server.deliver(USER, raw)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (2, 1)
    contents = set()
    for inbound in InboundEmail.objects.all():
        with inbound.raw.open("rb") as handle:
            contents.add(handle.read())
    assert contents == {OUTLOOK, OUTLOOK_EDITED}
    assert mail_server.messages(USER) == []
