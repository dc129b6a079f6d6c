"""A mail's HTML on the ticket pages: the sandboxed frame and its own policy, the remote images
a tech may ask for (full page and htmx), inline images through the access-checked file view,
who may read which frame, and a thread of many HTML mails costing no more queries than one."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, DepartmentFactory, MembershipFactory
from tests.tickets.conftest import png_bytes
from tickets.mail.intake import inbound_receive
from tickets.message_html import FRAME_SANDBOX
from tickets.models import Message

pytestmark = pytest.mark.django_db

NEWSLETTER_HTML = (
    '<h1>Spring issue</h1><p><img src="cid:logo@acme.example" alt="ACME logo"></p>'
    '<p>New driver out.</p><img src="https://track.example/open.gif" alt="">'
    '<p><a href="https://acme.example/spring">Read online</a></p>'
)


def html_mail(
    *,
    sender="ACME News <news@acme.example>",
    subject="ACME spring issue",
    html=NEWSLETTER_HTML,
    plain="View this mail online: https://acme.example/spring",
    images=(("logo@acme.example", None),),
    references="",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.test"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="acme.example")
    if references:
        message["References"] = references
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for content_id, payload in images:
        html_part.add_related(
            payload or png_bytes(), maintype="image", subtype="png", cid=f"<{content_id}>"
        )
    return message.as_bytes()


def receive(mailbox, raw) -> Message:
    return inbound_receive(raw=raw, channel="imap", mailbox=mailbox).inbound.message


def page(message) -> str:
    return reverse("tickets:desk_ticket", args=[message.ticket.number])


def frame_url(message, **query) -> str:
    url = reverse("tickets:desk_message_html", args=[message.ticket.number, message.pk])
    return url + ("?remote=1" if query.get("remote") else "")


def body_url(message) -> str:
    return reverse("tickets:desk_message_body", args=[message.ticket.number, message.pk])


def test_the_ticket_page_shows_an_html_mail_in_a_sandboxed_frame(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    client.force_login(tech)

    html = client.get(page(message)).content.decode()

    assert f'<iframe class="message-html-frame" src="{frame_url(message)}"' in html
    assert f'sandbox="{FRAME_SANDBOX}"' in html
    assert "allow-scripts" not in html
    assert "Show remote images" in html
    assert "1 remote image is blocked" in html
    # The stub plain part is not what the tech reads: the text comes from the HTML.
    assert message.body.startswith("Spring issue")
    # The inline logo is shown in place, not listed again with the files.
    logo = message.attachments.get()
    assert (logo.original_name, logo.is_inline) == ("logo.png", True)
    assert f"files/{logo.pk}/" not in html


def test_a_plain_mail_has_no_frame(client, tech, mailbox):
    raw = html_mail(html="", images=())
    message = receive(mailbox, raw.replace(b"text/html", b"text/x-other"))
    client.force_login(tech)

    html = client.get(page(message)).content.decode()

    assert message.body_html == ""
    assert "message-html-frame" not in html


def test_the_frame_has_its_own_strict_policy_and_shows_inline_images(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    logo = message.attachments.get()
    client.force_login(tech)

    response = client.get(frame_url(message))

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "img-src 'self';" in policy
    assert "script-src" not in policy  # default-src 'none' forbids every script
    assert f"sandbox {FRAME_SANDBOX}" in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert f'<img src="{page(message)}files/{logo.pk}/" alt="ACME logo">' in body
    assert "track.example" not in body
    assert 'target="_blank"' in body
    # The inline image itself comes through the page's access-checked file view.
    image = client.get(f"{page(message)}files/{logo.pk}/")
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == logo.file.open("rb").read()


def test_remote_images_are_loaded_only_when_asked(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    client.force_login(tech)

    response = client.get(frame_url(message, remote=True))

    assert '<img src="https://track.example/open.gif"' in response.content.decode()
    assert "img-src 'self' https: http:" in response["Content-Security-Policy"]


def test_the_remote_images_toggle_is_an_htmx_partial(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    client.force_login(tech)

    shown = client.get(f"{body_url(message)}?remote=1", headers={"HX-Request": "true"})
    hidden = client.get(body_url(message), headers={"HX-Request": "true"})

    html = shown.content.decode()
    assert shown.status_code == 200
    assert "<html" not in html and "Answer" not in html  # the block alone
    assert f'src="{frame_url(message, remote=True)}"' in html
    assert "Block them again" in html
    assert f'src="{frame_url(message)}"' in hidden.content.decode()
    assert "Show remote images" in hidden.content.decode()


def test_the_remote_images_toggle_works_without_javascript(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    client.force_login(tech)

    response = client.get(f"{body_url(message)}?remote=1")

    assert response.status_code == 302
    assert (
        response["Location"] == f"{page(message)}?remote_images={message.pk}#message-{message.pk}"
    )
    html = client.get(response["Location"]).content.decode()
    assert f'src="{frame_url(message, remote=True)}"' in html
    assert "Block them again" in html
    back = client.get(body_url(message))
    assert back["Location"] == f"{page(message)}#message-{message.pk}"


def test_nonsense_in_the_remote_images_parameter_is_ignored(client, tech, mailbox):
    message = receive(mailbox, html_mail())
    client.force_login(tech)

    for value in ("abc", "-1", "9" * 40, ""):
        response = client.get(f"{page(message)}?remote_images={value}")
        assert response.status_code == 200
        assert f'src="{frame_url(message)}"' in response.content.decode()


def test_a_tech_of_another_department_cannot_read_the_frame_nor_its_images(client, mailbox):
    message = receive(mailbox, html_mail())
    logo = message.attachments.get()
    outsider = MembershipFactory(department=DepartmentFactory(name="Sales")).user
    client.force_login(outsider)

    assert client.get(frame_url(message)).status_code == 404
    assert client.get(f"{body_url(message)}?remote=1").status_code == 404
    assert client.get(f"{page(message)}files/{logo.pk}/").status_code == 404


def test_an_html_mail_cannot_show_another_tickets_inline_image(client, tech, mailbox):
    """A cid naming another ticket's image (ids are guessable) finds nothing: only the
    message's own files are looked up."""
    victim = receive(mailbox, html_mail(sender="Victim <victim@example.org>"))
    victim_logo = victim.attachments.get()
    attacker = receive(
        mailbox,
        html_mail(
            sender="Eve <eve@example.org>",
            html=f'<p>Look</p><img src="cid:logo@acme.example">'
            f'<img src="/desk/t/{victim.ticket.number}/files/{victim_logo.pk}/">',
            images=(),
        ),
    )
    client.force_login(tech)

    body = client.get(frame_url(attacker)).content.decode()

    assert f"files/{victim_logo.pk}/" not in body
    assert "<img>" in body


def test_customers_see_their_own_html_mail_and_no_one_elses(client, mailbox, customer_user):
    customer = CustomerFactory(name="Carla", user=customer_user)
    customer.emails.create(email=customer_user.email, is_primary=True)
    own = receive(mailbox, html_mail(sender=f"Carla <{customer_user.email}>"))
    foreign = receive(mailbox, html_mail(sender="Stranger <stranger@example.org>"))
    client.force_login(customer_user)
    number = own.ticket.number

    html = client.get(reverse("tickets:my_ticket", args=[number])).content.decode()
    frame = client.get(reverse("tickets:my_message_html", args=[number, own.pk]))

    own_frame = reverse("tickets:my_message_html", args=[number, own.pk])
    assert f'src="{own_frame}"' in html
    assert frame.status_code == 200
    logo = own.attachments.get()
    assert f'src="/my/t/{number}/files/{logo.pk}/"' in frame.content.decode()
    foreign_number = foreign.ticket.number
    assert (
        client.get(
            reverse("tickets:my_message_html", args=[foreign_number, foreign.pk])
        ).status_code
        == 404
    )
    # Another ticket's message named under one's own ticket is not found either.
    assert (
        client.get(reverse("tickets:my_message_html", args=[number, foreign.pk])).status_code == 404
    )
    foreign_logo = foreign.attachments.get()
    assert client.get(f"/my/t/{number}/files/{foreign_logo.pk}/").status_code == 404


def test_a_customer_cannot_read_an_internal_notes_html(client, mailbox, customer_user):
    customer = CustomerFactory(name="Carla", user=customer_user)
    customer.emails.create(email=customer_user.email, is_primary=True)
    own = receive(mailbox, html_mail(sender=f"Carla <{customer_user.email}>"))
    note = Message.objects.create(
        ticket=own.ticket, kind=Message.Kind.NOTE, body="Internal", body_html="<p>Internal</p>"
    )
    client.force_login(customer_user)

    url = reverse("tickets:my_message_html", args=[own.ticket.number, note.pk])

    assert client.get(url).status_code == 404


def test_the_secret_link_shows_the_frame_under_its_own_path(client, mailbox):
    message = receive(mailbox, html_mail())
    token = message.ticket.access_token

    html = client.get(reverse("tickets:ticket_by_token", args=[token])).content.decode()
    frame = client.get(reverse("tickets:token_message_html", args=[token, message.pk]))

    assert f'src="/support/t/{token}/messages/{message.pk}/html/"' in html
    logo = message.attachments.get()
    assert f'src="/support/t/{token}/files/{logo.pk}/"' in frame.content.decode()
    assert (
        client.get(reverse("tickets:token_message_html", args=["x" * 43, message.pk])).status_code
        == 404
    )


def test_ticket_page_queries_do_not_grow_with_html_mails(
    client, tech, mailbox, django_assert_num_queries
):
    first = receive(mailbox, html_mail(sender="Carla <carla@example.org>"))
    client.force_login(tech)
    client.get(page(first))
    # 19, and since the desk's properties: whether a consultation is open, the categories
    with django_assert_num_queries(21) as few:
        client.get(page(first))
    for index in range(6):
        receive(
            mailbox,
            html_mail(
                sender="Carla <carla@example.org>",
                subject=f"[{first.ticket.tag}] more {index}",
                images=((f"logo{index}@acme.example", None), ("logo@acme.example", None)),
            ),
        )
    assert first.ticket.messages.exclude(body_html="").count() == 7

    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(page(first)).content.decode()
    assert html.count('class="message-html-frame"') == 7


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<p style="width: expression(alert(1))">x</p>',
        '<p style="background:url(https://evil.example/t.png)">x</p>',
        '<form action="https://evil.example/"><input name="pw"></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<base href="https://evil.example/">',
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)"></svg>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="https://evil.example/x"></object>',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "<style>@import url(https://evil.example/x.css);</style>",
        '<a href="https://ok.example/" onmouseover="alert(1)" style="position:fixed">x</a>',
        '<img src="cid:x" srcset="https://evil.example/t.png 1x">',
        '<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>',
        '"><script>alert(1)</script>',
        "<div><!--<script>alert(1)</script>--></div>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    ],
)
def test_hostile_html_is_harmless_in_the_frame(client, tech, mailbox, hostile):
    message = receive(mailbox, html_mail(html=f"<p>Hello</p>{hostile}<p>Bye</p>", images=()))
    client.force_login(tech)

    body = client.get(frame_url(message, remote=True)).content.decode()
    shown = body.partition("<body>")[2].rpartition("</body>")[0].lower()

    assert "hello" in shown and "bye" in shown
    for word in (
        "<script", "alert(", "javascript:", "expression", "url(", "<form", "<input", "<meta",
        "<base", "<svg", "<iframe", "<object", "<link", "<style", "position", "srcset",
        "background=", "evil.example", "on" + "error", "on" + "load", "on" + "mouseover",
    ):  # fmt: skip
        assert word not in shown, word
