"""Polling Dovecot a batch at a time: many mails fetched in one UID FETCH, taken in a batch per
transaction, flagged after each commit; a worker killed between batches loses and repeats
nothing."""

import imaplib
import math

import pytest

from departments.models import Mailbox
from tests.mail.mails import mail
from tickets.mail import fetching, polling
from tickets.mail.polling import mailbox_poll
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db

USER = "support@example.test"


def deliver(server, count):
    for index in range(count):
        server.deliver(
            USER, mail(sender=f"Person {index} <p{index}@example.org>", subject=f"Request {index}")
        )


@pytest.fixture
def body_fetches(monkeypatch):
    """The UID sets of every `UID FETCH ... (BODY.PEEK[])` the fetcher sends."""
    fetched: list[list[int]] = []
    real_uid = imaplib.IMAP4.uid

    def uid(self, command, *args):
        if command.upper() == "FETCH" and args[-1] == "(BODY.PEEK[])":
            fetched.append([int(u) for u in args[0].split(",")])
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", uid)
    return fetched


def test_mail_is_fetched_many_at_a_time_and_all_taken_in(
    mail_server, make_mailbox, monkeypatch, body_fetches
):
    mailbox = make_mailbox()
    deliver(mail_server, 120)
    monkeypatch.setattr(fetching, "FETCH_BATCH", 7)
    intake_batches = []
    real_receive_many = polling.inbound_receive_many

    def receive_many(*, mails, **kwargs):
        intake_batches.append(len(mails))
        return real_receive_many(mails=mails, **kwargs)

    monkeypatch.setattr(polling, "inbound_receive_many", receive_many)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert len(body_fetches) == math.ceil(120 / 7)
    assert [len(uids) for uids in body_fetches] == [7] * 17 + [1]
    on_server = mail_server.messages(USER)
    assert [uid for uids in body_fetches for uid in uids] == [m.uid for m in on_server]
    assert intake_batches == [50, 50, 20]  # polling.INTAKE_BATCH
    assert (result.taken_in, result.duplicates) == (120, 0)
    assert Ticket.objects.count() == 120
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {f"Request {n}" for n in range(120)}
    assert all(message.seen for message in on_server)
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == on_server[-1].uid


def test_a_worker_killed_after_the_second_batch_commits_duplicates_nothing(
    mail_server, make_mailbox, monkeypatch
):
    mailbox = make_mailbox()
    deliver(mail_server, 10)
    monkeypatch.setattr(polling, "INTAKE_BATCH", 3)
    monkeypatch.setattr(fetching, "FETCH_BATCH", 4)  # fetches and batches do not line up
    real_mark_done_many = fetching.ImapSession.mark_done_many
    flagged = []

    def killed_on_second_call(self, server_uids):
        if flagged:
            raise SystemExit("worker killed")
        flagged.append(server_uids)
        return real_mark_done_many(self, server_uids)

    monkeypatch.setattr(fetching.ImapSession, "mark_done_many", killed_on_second_call)
    with pytest.raises(SystemExit):
        mailbox_poll(mailbox_id=mailbox.pk)
    monkeypatch.setattr(fetching.ImapSession, "mark_done_many", real_mark_done_many)

    # Two batches were committed; only the first was flagged and passed by the cursor.
    uids = [m.uid for m in mail_server.messages(USER)]
    assert Ticket.objects.count() == 6
    assert [m.seen for m in mail_server.messages(USER)] == [True] * 3 + [False] * 7
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == uids[2]

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken_in, result.duplicates) == (4, 3)
    assert Ticket.objects.count() == 10
    assert InboundEmail.objects.count() == 10
    assert InboundEmail.objects.filter(status=InboundEmail.Status.TICKET).count() == 10
    assert all(message.seen for message in mail_server.messages(USER))
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == uids[-1]


def test_a_pop3_worker_killed_after_the_second_batch_commits_duplicates_nothing(
    mail_server, make_mailbox, monkeypatch
):
    mailbox = make_mailbox(protocol=Mailbox.Protocol.POP3)
    deliver(mail_server, 10)
    monkeypatch.setattr(polling, "INTAKE_BATCH", 3)
    real_mark_done_many = fetching.Pop3Session.mark_done_many
    calls = []

    def killed_on_second_call(self, server_uids):
        calls.append(server_uids)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_mark_done_many(self, server_uids)

    monkeypatch.setattr(fetching.Pop3Session, "mark_done_many", killed_on_second_call)
    with pytest.raises(SystemExit):
        mailbox_poll(mailbox_id=mailbox.pk)
    monkeypatch.setattr(fetching.Pop3Session, "mark_done_many", real_mark_done_many)

    # The session still ended with QUIT: the first batch's deletions went through.
    assert Ticket.objects.count() == 6
    assert len(mail_server.messages(USER)) == 7

    result = mailbox_poll(mailbox_id=mailbox.pk)

    # The second batch's mails are recognised by their UIDL, not fetched again.
    assert (result.taken_in, result.duplicates) == (4, 0)
    assert Ticket.objects.count() == 10
    assert InboundEmail.objects.count() == 10
    assert mail_server.messages(USER) == []
