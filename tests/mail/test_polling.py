"""Polling real IMAP and POP3 mailboxes on Dovecot: nothing lost, nothing taken in twice."""

import threading

import pytest
from django.db import connection

from departments.models import Mailbox
from tests.concurrency import run_in_threads
from tests.mail.mails import mail
from tickets.mail import polling
from tickets.mail.polling import mailbox_poll
from tickets.models import InboundEmail, Ticket

USER = "support@example.test"


def deliver(server, count, **kwargs):
    for index in range(count):
        server.deliver(USER, mail(subject=f"Request {index}", **kwargs))


@pytest.mark.django_db
def test_imap_mail_becomes_tickets_and_is_marked_seen_after_commit(mail_server, make_mailbox):
    mailbox = make_mailbox()
    deliver(mail_server, 3)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (3, 0)
    assert Ticket.objects.count() == 3
    assert all(message.seen for message in mail_server.messages(USER))
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == max(m.uid for m in mail_server.messages(USER))
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    again = mailbox_poll(mailbox_id=mailbox.pk)
    assert (again.taken_in, again.duplicates) == (0, 0)


@pytest.mark.django_db
def test_a_worker_killed_between_commit_and_flag_duplicates_nothing(
    mail_server, make_mailbox, monkeypatch
):
    mailbox = make_mailbox()
    deliver(mail_server, 2)

    def killed(self, server_uids):
        raise SystemExit("worker killed")

    monkeypatch.setattr("tickets.mail.fetching.ImapSession.mark_done_many", killed)
    with pytest.raises(SystemExit):
        mailbox_poll(mailbox_id=mailbox.pk)
    monkeypatch.undo()
    # Both mails were committed; the worker died before the server was told or the cursor moved.
    assert Ticket.objects.count() == 2
    assert not any(message.seen for message in mail_server.messages(USER))

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (0, 2)
    assert Ticket.objects.count() == 2
    assert all(message.seen for message in mail_server.messages(USER))


@pytest.mark.django_db
def test_a_new_uidvalidity_resynchronises_without_duplicates(mail_server, make_mailbox):
    mailbox = make_mailbox()
    deliver(mail_server, 2)
    mailbox_poll(mailbox_id=mailbox.pk)
    mail_server.change_uidvalidity(USER)
    deliver(mail_server, 1, body="one more")

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (1, 2)
    assert Ticket.objects.count() == 3
    mailbox.refresh_from_db()
    assert mailbox.imap_uidvalidity == mail_server.uidvalidity(USER)


@pytest.mark.django_db
def test_oversized_mail_is_recorded_and_left_unseen_on_the_server(
    mail_server, make_mailbox, settings
):
    mailbox = make_mailbox()
    mail_server.deliver(USER, mail(body="x" * 5000))
    deliver(mail_server, 1)
    settings.MAIL_MAX_SIZE = 3000

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.oversized) == (1, 1)
    big = InboundEmail.objects.get(status=InboundEmail.Status.OVERSIZED)
    assert big.size > 3000
    on_server = mail_server.messages(USER)
    assert [m.seen for m in on_server] == [False, True]


@pytest.mark.django_db
def test_a_malformed_mail_is_quarantined_and_the_next_one_goes_through(mail_server, make_mailbox):
    mailbox = make_mailbox()
    mail_server.deliver(USER, b"From: \r\nSubject: broken\r\n\r\nno sender at all\r\n")
    deliver(mail_server, 1)

    mailbox_poll(mailbox_id=mailbox.pk)

    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["quarantined", "ticket"]
    assert all(message.seen for message in mail_server.messages(USER))


@pytest.mark.django_db
def test_pop3_mail_becomes_tickets_and_is_deleted_after_commit(mail_server, make_mailbox):
    mailbox = make_mailbox(protocol=Mailbox.Protocol.POP3)
    deliver(mail_server, 2)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert result.taken_in == 2
    assert Ticket.objects.count() == 2
    assert mail_server.messages(USER) == []


@pytest.mark.django_db
def test_a_failed_login_is_recorded_on_the_mailbox(mail_server, make_mailbox):
    mailbox = make_mailbox(password="wrong")

    with pytest.raises(polling.MailboxError):
        mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.last_error and mailbox.last_error_at is not None
    assert "wrong" not in mailbox.last_error


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_polls_never_take_a_mail_in_twice(mail_server, make_mailbox):
    mailbox = make_mailbox()
    deliver(mail_server, 6)
    results = []
    # Fails the test if either poll raised.
    run_in_threads(2, lambda _: results.append(mailbox_poll(mailbox_id=mailbox.pk)))

    assert Ticket.objects.count() == 6
    assert InboundEmail.objects.count() == 6
    assert sum(r.taken_in for r in results) == 6


@pytest.mark.django_db(transaction=True)
def test_the_poll_lock_lets_one_worker_in(make_mailbox):
    mailbox = make_mailbox()
    with polling.mailbox_poll_lock(mailbox.pk) as first:
        holder = threading.Event()
        second = []

        def other():
            with polling.mailbox_poll_lock(mailbox.pk) as acquired:
                second.append(acquired)
            connection.close()
            holder.set()

        threading.Thread(target=other).start()
        holder.wait(10)
    assert first is True
    assert second == [False]


@pytest.mark.django_db
@pytest.mark.parametrize("protocol", [Mailbox.Protocol.IMAP, Mailbox.Protocol.POP3])
def test_a_backlog_beyond_one_poll_is_drained_at_once_not_at_the_next_beat(
    mail_server, make_mailbox, protocol, settings
):
    from tickets.tasks import mailbox_poll_task

    settings.MAIL_POLL_BATCH = 3
    mailbox = make_mailbox(protocol=protocol)
    deliver(mail_server, 7)

    result = mailbox_poll_task.delay(mailbox_id=mailbox.pk).get()

    # 3 + 3 + 1: the first two polls reached the limit and queued the next one themselves.
    assert result["limit_reached"] is True
    assert Ticket.objects.count() == 7
    assert InboundEmail.objects.count() == 7
    again = mailbox_poll(mailbox_id=mailbox.pk)
    assert (again.taken_in, again.duplicates, again.limit_reached) == (0, 0, False)
