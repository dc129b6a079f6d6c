"""Reading a mail's HTML and parts as a mail client shows them: the text of a newsletter whose
plain part is a stub, names for parts that carry none, uuencoded files in a plain body."""

import binascii

import pytest

from tests.mail.parsing_mails import PNG, as_raw, make_message, raw_mail
from tickets.mail.parsing import parse_email
from tickets.mail.uuencoded import uuencoded_extract


def alternative(plain: str, html: str) -> bytes:
    message = make_message(text=plain)
    message.add_alternative(html, subtype="html")
    return as_raw(message)


@pytest.mark.parametrize(
    "stub",
    [
        "View this email in your browser: https://news.example/42",
        "Your mail program cannot show this message. Please use an HTML capable reader.",
        "\n",
    ],
)
def test_a_stub_plain_part_gives_way_to_the_htmls_text(stub):
    html = "<h1>March news</h1><p>The new driver fixes the paper jam.</p><p>See you soon</p>"

    parsed = parse_email(alternative(stub, html))

    assert parsed.text.startswith("March news\n\nThe new driver fixes the paper jam.")


@pytest.mark.parametrize(
    ("plain", "html"),
    [
        ("Thanks, that fixed it!", "<p>Thanks, that fixed it!</p>"),
        ("Yes, please call me at 10.", "<div>Yes, please call me at 10.<br></div>"),
        # A long plain part is the mail, whatever the HTML says.
        ("\n".join(f"Line {n} of my report" for n in range(10)), "<p>Something else</p>"),
    ],
)
def test_a_real_plain_part_stays_the_text(plain, html):
    parsed = parse_email(alternative(plain, html))

    assert parsed.text == plain


def test_an_inline_image_is_named_from_its_content_id_or_its_place():
    message = make_message(text="See below.")
    message.add_alternative(
        '<img src="cid:image001.jpg@01D9"><img src="cid:ii_lx2k1abc"><img src="cid:'
        '7A1C3E52-0D5B-4F0A-9C61-2B3D4E5F6A7B">',
        subtype="html",
    )
    html_part = message.get_payload()[1]
    for content_id in ("image001.jpg@01D9", "ii_lx2k1abc", "7A1C3E52-0D5B-4F0A-9C61-2B3D4E5F6A7B"):
        html_part.add_related(PNG, maintype="image", subtype="png", cid=f"<{content_id}>")

    parsed = parse_email(as_raw(message))

    # A cid naming a file of another type keeps that name only when the type agrees.
    assert [part.filename for part in parsed.attachments] == [
        "image001.jpg.png",
        "ii_lx2k1abc.png",
        "inline-3.png",
    ]


def test_a_forwarded_mail_is_named_from_its_subject_without_path_or_colons():
    forwarded = make_message(Subject="Re: Fwd: ../../etc/passwd: \u202eexe.pdf", text="x")
    message = make_message(text="See the forwarded mail.")
    message.add_attachment(forwarded)

    (part,) = parse_email(as_raw(message)).attachments

    assert part.filename == "Re Fwd ..-..-etc-passwd exe.pdf.eml"


def test_a_forwarded_mail_without_subject_keeps_the_generic_name():
    forwarded = make_message(Subject=None, text="x")
    message = make_message(text="See the forwarded mail.")
    message.add_attachment(forwarded)

    (part,) = parse_email(as_raw(message)).attachments

    assert part.filename == "forwarded-message.eml"


def uuencode(data: bytes) -> str:
    return "".join(binascii.b2a_uu(data[i : i + 45]).decode() for i in range(0, len(data), 45))


def test_uuencoded_files_in_a_plain_body_become_attachments():
    body = (
        (
            f"Two files.\r\n\r\nbegin 644 shot.png\r\n{uuencode(PNG)}`\r\nend\r\n"
            f"begin 600 notes.txt\r\n{uuencode(b'remember the milk')}`\r\nend\r\nBye.\r\n"
        )
        .replace("\n", "\r\n")
        .replace("\r\r", "\r")
    )
    raw = raw_mail("From: a@example.com\nSubject: files", body.encode())

    parsed = parse_email(raw)

    assert parsed.text == "Two files.\n\nBye."
    assert [(p.filename, p.content_type, p.payload) for p in parsed.attachments] == [
        ("shot.png", "image/png", PNG),
        ("notes.txt", "text/plain", b"remember the milk"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Please begin 644 tests today.\nend",
        "begin 644 plan.txt\nfirst we meet, then we talk\nend",
        "begin 644 never-ended.bin\n" + uuencode(b"abc"),
        "begin 999 bad-mode.bin\n" + uuencode(b"abc") + "end",
    ],
)
def test_text_that_only_looks_like_uuencode_stays_text(text):
    assert uuencoded_extract(text) == (text, [])


def test_a_uuencoded_file_name_is_made_safe():
    text = f"begin 644 ../../\u202eevil.exe\n{uuencode(b'MZ')}`\nend"

    parsed = parse_email(raw_mail("From: a@example.com", text.encode()))

    assert [p.filename for p in parsed.attachments] == ["evil.exe"]
    assert parsed.text == ""


def test_a_short_reply_whose_html_quotes_history_keeps_its_plain_text():
    history = "".join(f"<p>Earlier line {n} of the long thread.</p>" for n in range(30))
    html = f"<div>Yes, that works.</div><blockquote>{history}</blockquote>"

    parsed = parse_email(alternative("Yes, that works.", html))

    assert parsed.text == "Yes, that works."


def test_files_over_the_limit_are_named_as_not_kept(settings):
    from tickets.mail.intake_plans import inspected_attachments

    settings.ATTACHMENT_MAX_FILES = 2
    message = make_message(text="Five files.")
    for number in range(5):
        message.add_attachment(
            f"file {number}".encode(), "application", "pdf", filename=f"{number}.pdf"
        )

    kept, refused = inspected_attachments(parse_email(as_raw(message)))

    assert [file.original_name for file in kept] == ["0.pdf", "1.pdf"]
    assert refused == ["3 more files were not kept: a message keeps at most 2."]
