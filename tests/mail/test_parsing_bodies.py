"""Parsing a mail's body: plain text and sanitised HTML, attachments and inline images, and a
real mail from Outlook end to end."""

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.mail.parsing_mails import PDF, PNG, as_raw, make_message, raw_mail
from tickets.mail.html_sanitizing import html_for_frame
from tickets.mail.parsing import extract_ticket_tag, parse_email
from tickets.mail.quoting import split_quoted_history

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
    assert inline.filename == "shot1.png"  # named from its Content-ID
    assert inline.payload == PNG
    assert (attached.inline, attached.filename) == (False, "attached.png")
    assert '<img src="cid:shot1@example.com" alt="screenshot">' in parsed.html
    # The remote image's source is kept for a tech who asks; the frame holds it back.
    assert "tracker.example" in parsed.html
    frame = html_for_frame(parsed.html, inline_urls={}, remote_images=False)
    assert "tracker.example" not in frame.html
    assert frame.remote_images == 1


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
        "The original problem.eml",  # named from its subject
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
        '<p><img width="640" height="480" style="width:6.6666in" '
        'src="cid:image001.png@01DA3D84.3B4E2A10" alt="screenshot"></p></div>'
    )
    (image,) = parsed.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "image001.png",
        "image/png",
        True,
        "image001.png@01DA3D84.3B4E2A10",
    )
    assert image.payload.startswith(b"\x89PNG")
