import email
import email.policy
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from pathlib import Path

import pytest

from tickets.mail.parsing import ParsedEmail, UnparseableEmail, extract_ticket_tag, parse_email
from tickets.mail.quoting import split_quoted_history

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def make_message(
    *, text: str | None = "Hello, my printer is broken.", **headers: str
) -> EmailMessage:
    message = EmailMessage()
    defaults = {
        "From": "Vera Customer <Vera@Example.COM>",
        "To": "support@helpdesk.example",
        "Subject": "Printer shows E-042",
        "Date": "Tue, 02 Jan 2024 10:15:00 +0300",
        "Message-ID": "<CAF=abc123@mail.example.com>",
    }
    for name, value in {**defaults, **headers}.items():
        if value is not None:
            message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    return message


def as_raw(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=email.policy.SMTP)


def raw_mail(headers: str, body: bytes = b"Hello.\r\n", *, encoding: str = "ascii") -> bytes:
    header_block = headers.strip("\n").replace("\n", "\r\n").encode(encoding)
    return header_block + b"\r\n\r\n" + body


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


def test_unknown_charset_is_decoded_with_replacement_characters():
    raw = raw_mail(
        "From: vera@example.com\nSubject: =?x-unknown?q?caf=E9?=\n"
        "Content-Type: text/plain; charset=x-unknown",
        b"caf\xe9 ok",
    )

    parsed = parse_email(raw)

    assert parsed.subject == "caf\ufffd"
    assert parsed.text == "caf\ufffd ok"


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
        ("From: john@example.com (John Smith)", "john@example.com", ""),
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


# --- header injection --------------------------------------------------------------------------


def test_crlf_in_raw_subject_starts_a_header_that_is_never_used():
    raw = b"From: vera@example.com\r\nSubject: a\r\nBcc: victim@example.com\r\n\r\nbody"

    parsed = parse_email(raw)

    assert parsed.subject == "a"
    assert "victim@example.com" not in (*parsed.to, *parsed.cc, *parsed.headers.values())


# The standard library refuses an address whose name holds CR or LF: that field is dropped.
@pytest.mark.parametrize(
    ("line_break", "to"),
    [
        ("=0D=0A", []),
        ("=0A", []),
        ("=0D", []),
        ("=E2=80=A8", ["support@helpdesk.example"]),
        ("=C2=85", ["support@helpdesk.example"]),
    ],
)
def test_encoded_line_breaks_never_survive_into_single_line_values(line_break, to):
    raw = raw_mail(
        "From: vera@example.com\n"
        f"To: =?utf-8?q?Support{line_break}Bcc:_x?= <support@helpdesk.example>\n"
        f"Subject: =?utf-8?q?a{line_break}Bcc:_victim@example.com?=\n"
        f"Auto-Submitted: =?utf-8?q?no{line_break}X?="
    )

    parsed = parse_email(raw)

    assert parsed.subject == "a Bcc: victim@example.com"
    assert parsed.to == to
    for value in (parsed.subject, *parsed.headers.values()):
        assert not set(value) & {"\r", "\n", "\x85", "\u2028"}


def test_subject_is_capped_at_998_characters():
    raw = raw_mail("From: vera@example.com\nSubject: " + "word " * 400)

    assert len(parse_email(raw).subject) == 998


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


# --- input that is not a mail ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n  ",
        PDF,
        b"<html><body>Hello</body></html>",
        b"\xff\xfe\x00\x01garbage\x00\x00",
        b"Subject: no sender\r\n\r\nbody",
    ],
)
def test_what_is_not_a_mail_is_unparseable(raw):
    with pytest.raises(UnparseableEmail):
        parse_email(raw)


def test_text_instead_of_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_email("From: vera@example.com\r\n\r\nhi")  # type: ignore[arg-type]


def test_bytearray_is_accepted():
    assert parse_email(bytearray(raw_mail("From: vera@example.com"))).text == "Hello."


def test_mime_nested_too_deeply_is_unparseable():
    depth = 60
    raw = b"From: vera@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(1, depth):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level - 1, level)
    raw += b"--b%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n" % (depth - 1)
    for level in reversed(range(depth)):
        raw += b"--b%d--\r\n" % level

    with pytest.raises(UnparseableEmail, match="nested"):
        parse_email(raw)


# --- bodies ------------------------------------------------------------------------------------


def test_alternative_mail_gives_plain_text_and_sanitised_html():
    message = make_message(text="Plain version.")
    message.add_alternative(
        "<p onclick='steal()'>HTML <b>version</b>.</p><script>alert(1)</script>", subtype="html"
    )

    parsed = parse_email(as_raw(message))

    assert parsed.text == "Plain version."
    assert parsed.html == "<p>HTML <b>version</b>.</p>"
    assert parsed.attachments == []


def test_html_only_mail_is_read_as_text_from_the_sanitised_html():
    message = make_message(text=None)
    message.set_content(
        "<html><head><style>p {color: red}</style><title>Mail</title></head><body>"
        "<p>Hello&nbsp;&amp; welcome,</p><p>line one<br>line two</p>"
        "<script>document.write('secret')</script></body></html>",
        subtype="html",
    )

    parsed = parse_email(as_raw(message))

    assert parsed.text == "Hello & welcome,\n\nline one\nline two"
    assert "secret" not in parsed.text and "color" not in parsed.text


def test_empty_plain_alternative_falls_back_to_the_html():
    message = make_message(text="\n")
    message.add_alternative("<p>The real text.</p>", subtype="html")

    assert parse_email(as_raw(message)).text == "The real text."


def test_mixed_mail_with_attachments():
    message = make_message(text="See the attached log and scan.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="scan.pdf")
    message.add_attachment("line 1\nline 2\n", filename="printer.log")
    message.add_attachment(b"\x00\x01", maintype="application", subtype="octet-stream")

    parsed = parse_email(as_raw(message))

    assert parsed.text == "See the attached log and scan."
    assert [(a.filename, a.content_type, a.inline) for a in parsed.attachments] == [
        ("scan.pdf", "application/pdf", False),
        ("printer.log", "text/plain", False),
        ("attachment-3.bin", "application/octet-stream", False),
    ]
    assert parsed.attachments[0].payload == PDF
    assert parsed.attachments[1].payload == b"line 1\r\nline 2\r\n"  # bytes as sent
    assert "payload" not in repr(parsed.attachments[0])  # a 20 MB repr helps nobody


def test_inline_cid_image_is_an_inline_attachment_the_html_can_show():
    message = make_message(text="Screenshot below.")
    message.add_alternative(
        '<p>Screenshot:</p><img src="cid:shot1@example.com" alt="screenshot">'
        '<img src="https://tracker.example/open.gif?id=42">',
        subtype="html",
    )
    html_part = message.get_payload()[1]
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<shot1@example.com>")
    message.add_attachment(
        PNG, maintype="image", subtype="png", filename="attached.png", cid="<other@example.com>"
    )

    parsed = parse_email(as_raw(message))

    inline, attached = parsed.attachments
    assert (inline.inline, inline.content_id, inline.content_type) == (
        True,
        "shot1@example.com",
        "image/png",
    )
    assert inline.filename == "attachment-1.png"
    assert inline.payload == PNG
    assert (attached.inline, attached.filename) == (False, "attached.png")
    assert '<img src="cid:shot1@example.com" alt="screenshot">' in parsed.html
    assert "tracker.example" not in parsed.html


def test_inline_disposition_with_content_id_but_not_an_image_is_not_inline():
    message = make_message(text="Body.")
    message.add_attachment(
        PDF, maintype="application", subtype="pdf", disposition="inline", cid="<doc@x.example>"
    )

    (attachment,) = parse_email(as_raw(message)).attachments

    assert (attachment.inline, attachment.content_id) == (False, "doc@x.example")


@pytest.mark.parametrize(
    ("sent_name", "shown_name"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\vera\\Desktop\\invoice.pdf", "invoice.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override: "invoiceexe.pdf"
        (".htaccess", "htaccess"),
        ("report. ", "report"),
        ("bad\x07name\x00.txt", "badname.txt"),
        ('what?*<>|":.txt', "what.txt"),
        ("..", "attachment-1.bin"),
        ("x" * 300 + ".docx", "x" * 145 + ".docx"),
        ("Счёт №42.pdf", "Счёт №42.pdf"),
    ],
)
def test_attachment_names_are_sanitised(sent_name, shown_name):
    message = make_message(text="Body.")
    message.add_attachment(b"data", maintype="application", subtype="octet-stream")
    message.get_payload()[1].set_param("filename", sent_name, header="Content-Disposition")

    (attachment,) = parse_email(as_raw(message)).attachments

    assert attachment.filename == shown_name


def test_rfc2231_encoded_cyrillic_filename():
    raw = raw_mail(
        'From: vera@example.ru\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nBody\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*=utf-8''%D0%A1%D1%87%D1%91%D1%82.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n",
    )

    (attachment,) = parse_email(raw).attachments

    assert (attachment.filename, attachment.payload) == ("Счёт.pdf", b"%PDF-")


def test_forwarded_message_becomes_an_eml_attachment():
    forwarded = make_message(Subject="The original problem", text="Original body.")
    message = make_message(text="Forwarding this to you.")
    message.add_attachment(forwarded)

    parsed = parse_email(as_raw(message))

    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.content_type) == (
        "forwarded-message.eml",
        "message/rfc822",
    )
    inner = email.message_from_bytes(attachment.payload, policy=email.policy.default)
    assert inner["Subject"] == "The original problem"
    assert inner.get_content().strip() == "Original body."
    assert parsed.text == "Forwarding this to you."


def test_bounce_report_keeps_the_human_readable_part_as_text():
    raw = raw_mail(
        "From: MAILER-DAEMON@mx.example.com\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.com\r\nStatus: 5.1.1\r\n"
        b"--r--\r\n",
    )

    parsed = parse_email(raw)

    assert parsed.text == "Delivery failed."
    (status,) = parsed.attachments
    assert status.content_type == "message/delivery-status"
    assert b"Status: 5.1.1" in status.payload


def test_body_split_around_an_inline_image_is_joined():
    raw = raw_mail(
        'From: vera@example.com\nContent-Type: multipart/mixed; boundary="m"',
        b"--m\r\nContent-Type: text/html\r\n\r\n<p>Before the picture.</p>\r\n"
        b"--m\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=a.png\r\n"
        b"Content-ID: <a@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
        b"--m\r\nContent-Type: text/html\r\n\r\n<p>After the picture.</p>\r\n--m--\r\n",
    )

    parsed = parse_email(raw)

    assert parsed.html == "<p>Before the picture.</p>\n<p>After the picture.</p>"
    assert parsed.text == "Before the picture.\n\nAfter the picture."
    assert [a.filename for a in parsed.attachments] == ["a.png"]


def test_multipart_without_its_boundary_is_read_as_text():
    raw = raw_mail("From: vera@example.com\nContent-Type: multipart/mixed", b"Just text.")

    parsed = parse_email(raw)

    assert (parsed.text, parsed.attachments) == ("Just text.", [])


def test_single_part_non_text_mail_is_one_attachment():
    raw = raw_mail(
        "From: scanner@example.com\nContent-Type: application/pdf\n"
        "Content-Transfer-Encoding: base64",
        b"JVBERi0=",
    )

    parsed = parse_email(raw)

    assert parsed.text == ""
    assert [(a.filename, a.payload) for a in parsed.attachments] == [("attachment-1.pdf", b"%PDF-")]


def test_single_part_text_body_with_a_name_is_still_the_body():
    raw = raw_mail('From: vera@example.com\nContent-Type: text/plain; name="note.txt"', b"Hi")

    assert parse_email(raw).text == "Hi"


def test_broken_base64_is_decoded_as_far_as_it_goes():
    raw = raw_mail(
        "From: vera@example.com\nContent-Transfer-Encoding: base64", b"SGVsbG8g!!d29ybGQ"
    )

    assert parse_email(raw).text.startswith("Hello")


def test_crlf_line_endings_become_newlines():
    raw = raw_mail("From: vera@example.com", b"one\r\ntwo\rthree\n")

    assert parse_email(raw).text == "one\ntwo\nthree"


# --- bounded work on hostile input -------------------------------------------------------------


def test_oversized_address_field_is_cut_before_parsing():
    # Whole, the standard parser would take minutes over these 180 KB of comments.
    raw = raw_mail("From: vera@example.com\nTo: " + "(a)" * 60_000 + " <late@example.com>")

    assert parse_email(raw).to == []


def test_long_recipient_list_keeps_the_recipients_that_fit():
    recipients = ", ".join(f"user{number}@example.com" for number in range(1000))

    to = parse_email(raw_mail(f"From: vera@example.com\nTo: {recipients}")).to

    assert 100 < len(to) < 1000
    assert to[:2] == ["user0@example.com", "user1@example.com"]


def test_only_the_first_of_repeated_recipient_fields_counts():
    raw = raw_mail("From: vera@example.com\nTo: first@example.com\nTo: second@example.com")

    assert parse_email(raw).to == ["first@example.com"]


def test_too_many_mime_parts_is_unparseable():
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(600))
    raw = raw_mail("From: vera@example.com\nContent-Type: multipart/mixed; boundary=b", parts)

    with pytest.raises(UnparseableEmail, match="MIME parts"):
        parse_email(raw + b"--b--\r\n")


def test_very_long_references_keep_the_thread_root_and_the_newest_ids():
    ids = " ".join(f"<{number}@x.example>" for number in range(5000))

    references = parse_email(raw_mail(f"From: vera@example.com\nReferences: {ids}")).references

    assert len(references) == 100
    assert references[:2] == ["<0@x.example>", "<4901@x.example>"]
    assert references[-1] == "<4999@x.example>"


SAMPLES = Path(__file__).parent / "samples"


def test_realistic_outlook_reply_in_windows_1251():
    parsed = parse_email((SAMPLES / "outlook_russian_reply.eml").read_bytes())

    assert parsed.from_address == "vera.petrova@example.ru"
    assert parsed.from_name == "Вера Петрова"
    assert parsed.to == ["support@helpdesk.example"]
    assert parsed.subject == "RE: [#1042] Принтер не печатает"
    assert extract_ticket_tag(parsed.subject) == 1042
    assert parsed.message_id == "<000001da3d6b$1f2e3d40$5d8ab7c0$@example.ru>"
    assert parsed.in_reply_to == ["<ticket-1042-reply-1@helpdesk.example>"]
    assert parsed.date == datetime(2024, 1, 2, 9, 40, 11, tzinfo=UTC)
    new_text, history = split_quoted_history(parsed.text)
    assert new_text == "Всё ещё не печатает, скриншот во вложении."
    assert history.startswith("-----Original Message-----\nFrom: Поддержка")
    assert parsed.html == (
        "<div><p>Всё ещё не печатает, скриншот во вложении.</p>\n"
        '<p><img width="640" height="480" src="cid:image001.png@01DA3D84.3B4E2A10" '
        'alt="screenshot"></p></div>'
    )
    (image,) = parsed.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "image001.png",
        "image/png",
        True,
        "image001.png@01DA3D84.3B4E2A10",
    )
    assert image.payload.startswith(b"\x89PNG")
