"""Parsing a mail's header: the envelope fields, charsets, the sender, the header fields that
are kept, and ticket tags in subjects."""

from datetime import UTC, datetime
from email.header import Header

import pytest

from tests.mail.parsing_mails import as_raw, make_message, raw_mail
from tickets.mail.parsing import ParsedEmail, UnparseableEmail, extract_ticket_tag, parse_email

# --- the envelope --------------------------------------------------------------------------------


def test_plain_mail_gives_every_field():
    message = make_message(Cc="Boss <BOSS@example.com>, boss@example.com, other@example.com")
    message["Reply-To"] = "Vera at home <vera.home@example.net>"
    message["In-Reply-To"] = "<first@helpdesk.example>"
    message["References"] = "<first@helpdesk.example> <second@helpdesk.example>"

    parsed = parse_email(as_raw(message))

    assert isinstance(parsed, ParsedEmail)
    assert parsed.message_id == "<CAF=abc123@mail.example.com>"
    assert parsed.in_reply_to == ["<first@helpdesk.example>"]
    assert parsed.references == ["<first@helpdesk.example>", "<second@helpdesk.example>"]
    assert parsed.subject == "Printer shows E-042"
    assert parsed.from_address == "vera@example.com"
    assert parsed.from_name == "Vera Customer"
    assert parsed.reply_to == "vera.home@example.net"
    assert parsed.to == ["support@helpdesk.example"]
    assert parsed.cc == ["boss@example.com", "other@example.com"]
    assert parsed.date == datetime(2024, 1, 2, 7, 15, tzinfo=UTC)
    assert parsed.text == "Hello, my printer is broken."
    assert parsed.html == ""
    assert parsed.attachments == []
    assert parsed.size == len(as_raw(message))


def test_missing_optional_headers_are_repaired_not_fatal():
    parsed = parse_email(raw_mail("From: vera@example.com"))

    assert parsed.message_id == ""
    assert parsed.subject == ""
    assert parsed.date is None
    assert parsed.to == [] and parsed.cc == [] and parsed.reply_to == ""
    assert parsed.in_reply_to == [] and parsed.references == []
    assert parsed.text == "Hello."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID:  <abc@example.com>  ", "<abc@example.com>"),
        ("Message-ID: abc@example.com", "<abc@example.com>"),  # brackets forgotten
        ("Message-ID: not a message id", ""),
        ("Message-ID: <>", ""),
        ("Message-ID: <has space@example.com>", ""),
        ("Message-ID: <" + "a" * 1000 + "@example.com>", ""),
        ("Message-ID: <\xd0\xb9@example.com>", ""),  # not ASCII
    ],
)
def test_message_id_is_normalised_or_empty(header, expected):
    raw = raw_mail("From: vera@example.com").replace(b"\r\n\r\n", b"\r\n", 1)
    raw = raw.replace(b"\r\nHello", b"\r\n" + header.encode("latin-1") + b"\r\n\r\nHello")

    assert parse_email(raw).message_id == expected


def test_reference_lists_keep_order_drop_duplicates_and_garbage():
    raw = raw_mail(
        "From: vera@example.com\n"
        "In-Reply-To: <b@x.example> (Vera's message of Monday)\n"
        "References: <a@x.example>\n <b@x.example> junk <a@x.example>\n\t<c@x.example>"
    )

    parsed = parse_email(raw)

    assert parsed.in_reply_to == ["<b@x.example>"]
    assert parsed.references == ["<a@x.example>", "<b@x.example>", "<c@x.example>"]


@pytest.mark.parametrize(
    ("date_header", "expected"),
    [
        ("Date: Tue, 02 Jan 2024 10:15:00 +0300", datetime(2024, 1, 2, 7, 15, tzinfo=UTC)),
        ("Date: 2 Jan 2024 10:15:00 -0000", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),
        ("Date: yesterday, around lunch", None),
        ("Date: Tue, 32 Jan 2024 25:61:00 +0000", None),
        ("Date: Fri, 31 Dec 9999 23:30:00 -1000", None),  # past datetime.max in UTC
        ("Date:", None),
    ],
)
def test_date_is_aware_utc_or_none(date_header, expected):
    parsed = parse_email(raw_mail(f"From: vera@example.com\n{date_header}"))

    assert parsed.date == expected
    if parsed.date is not None:
        assert parsed.date.utcoffset().total_seconds() == 0


def test_encoded_word_subject_and_name_are_decoded():
    raw = raw_mail(
        "From: =?UTF-8?B?0JLQtdGA0LAg0J/QtdGC0YDQvtCy0LA=?= <vera@example.ru>\n"
        "Subject: =?UTF-8?Q?=D0=9F=D1=80=D0=B8=D0=BD=D1=82=D0=B5=D1=80?=\n"
        " =?UTF-8?Q?_=D0=BD=D0=B5_=D0=BF=D0=B5=D1=87=D0=B0=D1=82=D0=B0=D0=B5=D1=82?="
    )

    parsed = parse_email(raw)

    assert parsed.from_name == "Вера Петрова"
    assert parsed.subject == "Принтер не печатает"


@pytest.mark.parametrize("charset", ["iso-8859-5", "koi8-r", "windows-1251"])
def test_legacy_cyrillic_charsets_in_subject_and_body(charset):
    subject = Header("Не работает принтер", charset).encode()
    body = "Здравствуйте! Принтер пишет 'ошибка'.\n".encode(charset)
    raw = raw_mail(
        f"From: vera@example.ru\nSubject: {subject}\nMIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: 8bit",
        body,
    )

    parsed = parse_email(raw)

    assert parsed.subject == "Не работает принтер"
    assert parsed.text == "Здравствуйте! Принтер пишет 'ошибка'."


def test_ukrainian_koi8_u_body():
    raw = raw_mail(
        "From: olena@example.ua\nContent-Type: text/plain; charset=koi8-u",
        "Доброго дня! Ґанок і їжак.".encode("koi8-u"),
    )

    assert parse_email(raw).text == "Доброго дня! Ґанок і їжак."


def test_raw_8bit_header_is_read_in_the_body_charset_when_not_utf8():
    raw = raw_mail(
        "From: Вера <vera@example.ru>\nSubject: Счёт на оплату\n"
        "Content-Type: text/plain; charset=windows-1251",
        "Добрый день".encode("cp1251"),
        encoding="cp1251",
    )

    parsed = parse_email(raw)

    assert parsed.subject == "Счёт на оплату"
    assert parsed.from_name == "Вера"
    assert parsed.text == "Добрый день"


def test_raw_utf8_headers_are_read_as_utf8():
    raw = raw_mail("From: Олена <olena@example.ua>\nSubject: Привіт", encoding="utf-8")

    parsed = parse_email(raw)

    assert (parsed.subject, parsed.from_name) == ("Привіт", "Олена")


def test_text_in_an_unknown_charset_is_read_in_the_detected_one():
    raw = raw_mail(
        "From: vera@example.com\nSubject: =?x-unknown?q?caf=E9?=\n"
        "Content-Type: text/plain; charset=x-unknown",
        b"caf\xe9 ok",
    )

    parsed = parse_email(raw)

    assert parsed.subject == "café"
    assert parsed.text == "café ok"


@pytest.mark.parametrize("charset", ["us-ascii", '"\xff\xfe"', "base64", "rot13", "unicode_escape"])
def test_lying_or_dangerous_charset_labels_fall_back_to_utf8(charset):
    raw = raw_mail(
        f"From: vera@example.com\nContent-Type: text/plain; charset={charset}",
        "Ünïcode \\u0041".encode(),
        encoding="latin-1",
    )

    assert parse_email(raw).text == "Ünïcode \\u0041"


def test_nul_characters_never_reach_the_database():
    raw = raw_mail("From: vera@example.com\nSubject: =?utf-8?q?a=00b?=", b"one\x00two")

    parsed = parse_email(raw)

    assert parsed.subject == "ab"
    assert parsed.text == "onetwo"


# --- the sender --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_header",
    [
        "",
        "From: garbage",
        "From: <>",
        "From: a@",
        "From: @example.com",
        "From: undisclosed-recipients:;",
        'From: "john doe"@example.com',
        "From: x@[192.0.2.1]",
        "From: caf\xe9@example.com",  # a latin-1 byte: no readable address
        "From: =?utf-8?q?Vera=0D=0ABcc:_x?= <vera@example.com>",  # the registry refuses CR/LF
        "From: " + "a" * 250 + "@example.com",
    ],
)
def test_mail_without_a_usable_sender_is_unparseable(from_header):
    headers = f"{from_header}\nSubject: hello" if from_header else "Subject: hello"

    with pytest.raises(UnparseableEmail) as raised:
        parse_email(raw_mail(headers, encoding="latin-1"))

    assert raised.value.reason


def test_two_different_from_fields_are_refused():
    raw = raw_mail("From: ceo@example.com\nFrom: attacker@evil.example")

    with pytest.raises(UnparseableEmail, match="more than one From"):
        parse_email(raw)


def test_a_from_field_repeated_verbatim_is_accepted():
    raw = raw_mail("From: vera@example.com\nFrom: vera@example.com")

    assert parse_email(raw).from_address == "vera@example.com"


@pytest.mark.parametrize(
    ("from_header", "address", "name"),
    [
        ("From: John <JOHN@Example.com", "john@example.com", "John"),  # missing ">"
        ("From: john@example.com (John Smith)", "john@example.com", "John Smith"),
        ("From: Marc Smith marc@example.com", "marc@example.com", "Marc Smith"),
        ("From: Marc Smith <marc@example.com.>", "marc@example.com", "Marc Smith"),
        ("From: marc@example.com.", "marc@example.com", ""),
        ('From: "Marc Smith <marc@example.com>"', "marc@example.com", "Marc Smith"),
        ('From: "marc@example.com" <>', "marc@example.com", ""),
        ("From: Marc (marc@example.com)", "marc@example.com", "Marc"),
        ("From: first@example.com, second@example.com", "first@example.com", ""),
        ("From: Иван <иван@пример.рф>", "иван@пример.рф", "Иван"),  # SMTPUTF8
        ("From: root@localhost", "root@localhost", ""),
    ],
)
def test_sender_address_is_repaired_where_it_can_be(from_header, address, name):
    parsed = parse_email(raw_mail(from_header, encoding="utf-8"))

    assert (parsed.from_address, parsed.from_name) == (address, name)


def test_invalid_recipients_are_dropped_not_fatal():
    raw = raw_mail("From: vera@example.com\nTo: good@example.com, bad@, <>\nCc: a@")

    parsed = parse_email(raw)

    assert parsed.to == ["good@example.com"]
    assert parsed.cc == []


# --- the fixed header set ----------------------------------------------------------------------


def test_only_the_fixed_headers_and_helpdesk_headers_are_kept():
    raw = raw_mail(
        "From: vera@example.com\nReceived: from mx.example.com\nX-Mailer: Outlook 16.0\n"
        "Auto-Submitted: auto-replied\nPRECEDENCE: bulk\nX-Auto-Response-Suppress: All\n"
        "List-Id: <users.lists.example.com>\nList-Unsubscribe: <mailto:leave@lists.example.com>\n"
        "Return-Path: <>\nX-Spam-Flag: YES\nX-Spam-Status: Yes, score=7.2\n"
        "X-Helpdesk-Loop: helpdesk.example\nX-Helpdesk-Ticket: 1042\nX-Helpdesk-Internal: 1\n"
        "X-Helpdesk-Loop: second.example"
    )

    headers = parse_email(raw).headers

    assert headers == {
        "auto-submitted": "auto-replied",
        "precedence": "bulk",
        "x-auto-response-suppress": "All",
        "list-id": "<users.lists.example.com>",
        "list-unsubscribe": "<mailto:leave@lists.example.com>",
        "return-path": "<>",
        "x-spam-flag": "YES",
        "x-spam-status": "Yes, score=7.2",
        "x-helpdesk-loop": "helpdesk.example",  # the first of repeated fields
        "x-helpdesk-ticket": "1042",
        "x-helpdesk-internal": "1",
    }


def test_empty_kept_header_is_present_with_an_empty_value():
    headers = parse_email(raw_mail("From: vera@example.com\nAuto-Submitted:")).headers

    assert headers == {"auto-submitted": ""}


# --- ticket tags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[#1042] Printer shows E-042", 1042),
        ("Re: Fwd: [#1042] Printer", 1042),
        ("RE: Printer [#1042]", 1042),
        ("Printer [# 1042 ]", 1042),
        ("[#1042] Fwd: [#7] older ticket", 1042),  # the leftmost tag is the newest
        ("[#0042] leading zeros", 42),
        ("[#1000000000000] the largest", 10**12),
        ("[#1000000000001] absurd", None),
        ("[#99999999999999999999] absurd", None),
        ("[#0] zero", None),
        ("#1042 without brackets", None),
        ("[1042] without hash", None),
        ("[#１０４２] full-width digits", None),
        ("[#10 42]", None),
        ("", None),
    ],
)
def test_extract_ticket_tag(subject, number):
    assert extract_ticket_tag(subject) == number
