"""Parsing what an attacker or a broken mailer sends: injected header lines, input that is not
a mail, and input built to make the parser work without end."""

import pytest

from tests.mail.parsing_mails import PDF, raw_mail
from tickets.mail.parsing import UnparseableEmail, parse_email

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
