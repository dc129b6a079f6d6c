import dataclasses

import pytest

from tickets.mail.automatic import AutomaticReason, automatic_reasons, spam_flagged_upstream
from tickets.mail.parsing import parse_email

OWN = {"support@helpdesk.example", "Billing@Helpdesk.example"}


def parsed_mail(headers: str = "", *, sender: str = "vera@example.com"):
    raw = f"From: Vera <{sender}>\nTo: support@helpdesk.example\nSubject: Printer\n{headers}"
    return parse_email(raw.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\nHello.")


def reasons(headers: str = "", **kwargs) -> list[str]:
    return automatic_reasons(parsed_mail(headers, **kwargs), own_addresses=OWN)


def test_mail_a_person_wrote_has_no_reasons():
    assert reasons("X-Mailer: Thunderbird\nAuto-Submitted: no\nPrecedence: first-class") == []


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "AUTO-REPLIED", "auto-notified; owner=x", ""]
)
def test_auto_submitted_other_than_no(value):
    assert reasons(f"Auto-Submitted: {value}") == [AutomaticReason.AUTO_SUBMITTED]


@pytest.mark.parametrize("value", ["no", "No", " no ; comment=x", "no (a person wrote this)"])
def test_auto_submitted_no_is_a_person(value):
    assert reasons(f"Auto-Submitted: {value}") == []


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "BULK", "auto_reply"])
def test_automatic_precedence(value):
    assert reasons(f"Precedence: {value}") == [AutomaticReason.PRECEDENCE]


@pytest.mark.parametrize("value", ["All", "AutoReply", "OOF", "DR, RN, NRN"])
def test_auto_response_suppress_with_a_value(value):
    assert reasons(f"X-Auto-Response-Suppress: {value}") == [AutomaticReason.AUTO_RESPONSE_SUPPRESS]


@pytest.mark.parametrize("value", ["", "None"])
def test_auto_response_suppress_empty_or_none_is_not_a_sign(value):
    assert reasons(f"X-Auto-Response-Suppress: {value}") == []


@pytest.mark.parametrize("header", ["X-Autoreply: yes", "X-Autorespond: Vacation"])
def test_old_style_autoreply_headers(header):
    assert reasons(header) == [AutomaticReason.AUTOREPLY_HEADER]


@pytest.mark.parametrize(
    "header",
    [
        "List-Id: Printer users <printers.lists.example.com>",
        "List-Unsubscribe: <https://lists.example.com/unsubscribe?u=1>",
    ],
)
def test_mailing_list_mail(header):
    assert reasons(header) == [AutomaticReason.MAILING_LIST]


@pytest.mark.parametrize("value", ["<>", " <> ", "< >"])
def test_null_return_path_is_a_bounce(value):
    assert reasons(f"Return-Path: {value}") == [AutomaticReason.NULL_RETURN_PATH]


def test_ordinary_return_path_is_not_a_sign():
    assert reasons("Return-Path: <vera@example.com>") == []


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.com",
        "postmaster@example.com",
        "noreply@example.com",
        "no-reply@example.com",
        "No_Reply@example.com",
        "donotreply@example.com",
        "do-not-reply@example.com",
        "bounce@example.com",
        "bounces+12345-vera=example.com@sendgrid.example",
        "noreply-alerts@example.com",
    ],
)
def test_system_sender_local_parts(sender):
    assert reasons(sender=sender) == [AutomaticReason.SYSTEM_SENDER]


@pytest.mark.parametrize(
    "sender", ["replyguy@example.com", "postmasters-fan@example.com", "bouncer@example.com"]
)
def test_similar_local_parts_are_people(sender):
    assert reasons(sender=sender) == []


def test_system_sender_name_in_the_domain_is_not_a_sign():
    assert reasons(sender="vera@noreply.example.com") == []


def test_own_loop_header():
    assert reasons("X-Helpdesk-Loop: helpdesk.example") == [AutomaticReason.LOOP_HEADER]


def test_custom_loop_header_name():
    parsed = parsed_mail("X-Helpdesk-Other-Loop: 1")

    assert automatic_reasons(parsed, own_addresses=OWN, loop_header="X-Helpdesk-Other-Loop") == [
        AutomaticReason.LOOP_HEADER
    ]
    assert automatic_reasons(parsed, own_addresses=OWN) == []


@pytest.mark.parametrize("sender", ["support@helpdesk.example", "billing@helpdesk.example"])
def test_mail_from_our_own_mailboxes(sender):
    assert reasons(sender=sender) == [AutomaticReason.OWN_ADDRESS]


def test_every_reason_is_reported():
    found = reasons(
        "Auto-Submitted: auto-replied\nPrecedence: bulk\nX-Auto-Response-Suppress: All\n"
        "X-Autoreply: yes\nList-Id: <l.example>\nReturn-Path: <>\nX-Helpdesk-Loop: h",
        sender="noreply@helpdesk.example",
    )
    own = automatic_reasons(
        parsed_mail(sender="noreply@helpdesk.example"), own_addresses={"noreply@helpdesk.example"}
    )

    assert found == [
        "auto-submitted",
        "precedence",
        "auto-response-suppress",
        "autoreply-header",
        "mailing-list",
        "null-return-path",
        "system-sender",
        "loop-header",
    ]
    assert own == ["system-sender", "own-address"]


def test_reasons_come_from_parsed_headers_only():
    parsed = dataclasses.replace(parsed_mail(), headers={"precedence": "list"})

    assert automatic_reasons(parsed, own_addresses=set()) == ["precedence"]


@pytest.mark.parametrize(
    ("headers", "flagged"),
    [
        ("X-Spam-Flag: YES", True),
        ("X-Spam-Flag: yes", True),
        ("X-Spam-Flag: NO", False),
        ("X-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99", True),
        ("X-Spam-Status: No, score=-0.1 required=5.0", False),
        ("X-Spam-Status: YES,score=9", True),
        ("X-Spam-Status: Yesterday's news", False),
        ("", False),
    ],
)
def test_spam_flagged_upstream(headers, flagged):
    assert spam_flagged_upstream(parsed_mail(headers)) is flagged
