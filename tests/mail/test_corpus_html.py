"""The HTML and attachment cases of the mail corpus (tests/mail/data/html, .../attachments), each
taken in by the real intake on PostgreSQL and then shown to a tech as the ticket page's frame
shows it.

Each `<name>.eml` has a `<name>.json` beside it: the keys every corpus case has (subject,
sender, display_name, body_contains, attachments, source) and these of its own, all optional:
  html_contains / html_excludes  in the stored HTML and in the frame's document
  body_excludes                  not in the message's text
  inline_images                  the files shown in place in the HTML (not listed as files)
  remote_images                  how many remote images the frame holds back
  image_check_failed             files kept as downloads after failing the image check
  attachment_sizes               {name: bytes}"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from tickets.mail.parsing import parse_email
from tickets.models import Attachment, InboundEmail

DATA = Path(__file__).parent / "data"
CLASSES = ("html", "attachments")
CASES = sorted(path for folder in CLASSES for path in (DATA / folder).glob("*.eml"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_the_corpus_has_cases_of_each_class_and_each_says_where_it_came_from():
    assert {path.parent.name for path in CASES} == set(CLASSES)
    for path in CASES:
        expected = _expected(path)
        assert expected["source"], path.name
        assert {"subject", "sender", "display_name", "body_contains", "attachments"} <= set(
            expected
        ), path.name


@pytest.mark.parametrize("path", CASES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_corpus_mail_reads_as_its_sender_meant_it(path, receive, client, admin_user):
    expected = _expected(path)
    raw = path.read_bytes()

    result = receive(raw)

    inbound = result.inbound
    assert inbound.status == InboundEmail.Status.TICKET, inbound.error
    message = inbound.message
    assert inbound.subject == expected["subject"]
    assert inbound.from_address == expected["sender"]
    assert parse_email(raw).from_name == expected["display_name"]
    for excerpt in expected["body_contains"]:
        assert excerpt in message.body
    for excerpt in expected.get("body_excludes", []):
        assert excerpt.replace("\\n", "\n") not in message.body
    files = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [file.original_name for file in files] == expected["attachments"]
    assert [file.original_name for file in files if file.is_inline] == expected.get(
        "inline_images", []
    )
    assert [file.original_name for file in files if file.failed_image_check] == expected.get(
        "image_check_failed", []
    )
    for file in files:
        if file.failed_image_check:
            assert (file.is_image, file.content_type) == (False, "application/octet-stream")
        if file.original_name in expected.get("attachment_sizes", {}):
            assert file.size == expected["attachment_sizes"][file.original_name]
    assert message.event_data.get("remote_images", 0) == expected.get("remote_images", 0)

    # As the tech's ticket page shows it: the frame's document.
    client.force_login(admin_user)
    number = message.ticket.number
    frame = client.get(reverse("tickets:desk_message_html", args=[number, message.pk]))
    assert frame.status_code == 200
    # The mail's part of the document (the head around it is the helpdesk's own).
    shown = frame.content.decode().partition("<body>")[2].rpartition("</body>")[0]
    for excerpt in expected.get("html_contains", []):
        assert excerpt in message.body_html
        if not excerpt.startswith("cid:"):  # the frame points those at the message's files
            assert excerpt in shown
    for excerpt in expected.get("html_excludes", []):
        assert excerpt.lower() not in message.body_html.lower()
        assert excerpt.lower() not in shown.lower()
    page = reverse("tickets:desk_ticket", args=[number])
    for file in files:
        if file.is_inline:
            assert f'src="{page}files/{file.pk}/"' in shown
    assert "cid:" not in shown
    assert '<img src="http' not in shown  # remote images wait until the tech asks
