"""The picker beside the reply box and inserting a response: full pages, htmx partials, and who
may use them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from responses.models import CannedResponse
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.questions import question
from tickets.questionnaires import field_name

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def picker_url(ticket):
    return reverse("responses:picker", args=[ticket.number])


def use_url(ticket, response):
    return reverse("responses:use", args=[ticket.number, response.pk])


def insert_url(ticket, response):
    """Inserting without JavaScript: the ticket side renders its page with the text."""
    return reverse("tickets:desk_reply_insert", args=[ticket.number, response.pk])


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


def test_picker_page_lists_responses_with_their_department_or_global(
    client, tech, ticket, canned, department
):
    canned(title="Reboot steps", body="Please restart.\nThen wait.", department=department)
    canned(title="Greeting", body="Hello {{ customer_first_name }}")
    client.force_login(tech)

    response = client.get(picker_url(ticket))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'for="response-search"' in page
    assert "Reboot steps" in page
    assert "Please restart." in page
    assert "Then wait." not in page
    assert "Technical support" in page
    assert "Global" in page
    # The department's own response is listed before the global one.
    assert page.index("Reboot steps") < page.index("Greeting")
    # A page of its own has no reply form: a small form posts each response.
    assert page.count(f'<form method="post" action="/desk/t/{ticket.number}/reply/insert/') == 2
    assert 'hx-post="' not in page
    assert "hx-disable" in page


def test_picker_search_returns_only_the_list_for_htmx(client, tech, ticket, canned):
    canned(title="Password reset", body="Use the link.")
    canned(title="Greeting", body="Hello.")
    client.force_login(tech)

    response = client.get(picker_url(ticket), {"q": "password"}, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="response-search"' not in page
    assert "Password reset" in page
    assert "Greeting" not in page
    assert 'hx-include="#id_body"' in page
    assert 'hx-target="#id_body"' in page
    assert 'hx-swap="outerHTML"' in page
    assert "HX-Request" in response.headers["Vary"]


def test_picker_search_without_matches_says_so(client, tech, ticket, canned):
    canned(title="Greeting")
    client.force_login(tech)

    response = client.get(picker_url(ticket), {"q": "<b>nothing</b>"}, headers=HTMX)

    assert "No canned response matches “&lt;b&gt;nothing&lt;/b&gt;”." in response.content.decode()


def test_picker_hides_other_departments_responses(client, tech, ticket, canned, billing):
    canned(title="Billing refund", department=billing)
    client.force_login(tech)

    response = client.get(picker_url(ticket))

    assert "Billing refund" not in response.content.decode()


def test_picker_escapes_what_admins_wrote(client, tech, ticket, canned):
    canned(title="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>")
    client.force_login(tech)

    page = client.get(picker_url(ticket), headers=HTMX).content.decode()

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_use_with_htmx_returns_the_textarea_with_previous_text_and_the_response(
    client, tech, ticket, canned
):
    response_row = canned(body="Hello {{ customer_first_name }}, see {{ ticket_tag }}.")
    client.force_login(tech)

    response = client.post(
        use_url(ticket, response_row), {"body": "I checked <your> logs.\n"}, headers=HTMX
    )

    page = response.content.decode().strip()
    assert response.status_code == 200
    assert page.startswith('<textarea id="id_body" name="body" class="form-control" rows="8"')
    inserted = f"I checked <your> logs.\n\nHello Vera, see [#{ticket.number}]."
    assert page.endswith(
        f' autofocus data-caret="{len(inserted)}">\n'
        f"I checked &lt;your&gt; logs.\n\nHello Vera, see [#{ticket.number}].</textarea>"
    )
    response_row.refresh_from_db()
    assert response_row.usage_count == 1


def test_use_into_an_empty_reply_box_inserts_just_the_response(client, tech, ticket, canned):
    response_row = canned(body="Hello {{ customer_first_name }}.")
    client.force_login(tech)

    response = client.post(use_url(ticket, response_row), {"body": "  \n"}, headers=HTMX)

    assert ">\nHello Vera.</textarea>" in response.content.decode()


def test_use_without_javascript_renders_the_ticket_page_with_the_reply_prefilled(
    client, tech, ticket, canned
):
    response_row = canned(body="Hello {{ customer_name }} & co.")
    client.force_login(tech)

    response = client.post(insert_url(ticket, response_row), {"body": "", "internal": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert ">Hello Vera Visitor &amp; co.</textarea>" in page
    assert 'id="id_internal" checked' in page
    response_row.refresh_from_db()
    assert response_row.usage_count == 1


def test_a_40_kb_draft_comes_back_whole_and_never_in_a_url(client, tech, ticket, canned):
    response_row = canned(body="Kind regards, {{ tech_name }}")
    draft = "".join(f"Line {index:05} of a long investigation.\n" for index in range(1150))
    assert len(draft) > 40_000
    client.force_login(tech)

    response = client.post(insert_url(ticket, response_row), {"body": draft}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert f"{escape(draft.rstrip())}\n\nKind regards, Tom Tech</textarea>" in page
    assert "Line 01149" not in response.request["PATH_INFO"]
    assert not response.request.get("QUERY_STRING")
    # Links and forms on the page returned never carry the draft either.
    assert "Line 00000" not in "".join(re.findall(r'(?:href|action|hx-\w+)="([^"]*)"', page))


def test_a_plain_post_to_the_htmx_endpoint_is_passed_on_with_its_body(client, tech, ticket, canned):
    response_row = canned(body="Thanks.")
    draft = "x" * 40_000
    client.force_login(tech)

    response = client.post(use_url(ticket, response_row), {"body": draft})

    assert response.status_code == 307
    assert response["Location"] == insert_url(ticket, response_row)
    followed = client.post(use_url(ticket, response_row), {"body": draft}, follow=True)
    assert followed.redirect_chain == [(insert_url(ticket, response_row), 307)]
    assert f"{draft}\n\nThanks.</textarea>" in followed.content.decode()


def test_picker_on_the_picker_page_inserts_into_an_empty_reply(client, tech, ticket, canned):
    response_row = canned(body="Hello {{ customer_first_name }}.")
    client.force_login(tech)

    picker = client.get(picker_url(ticket)).content.decode()
    response = client.post(insert_url(ticket, response_row))

    assert f'action="{insert_url(ticket, response_row)}"' in picker
    assert 'form="reply-form"' not in picker
    assert ">Hello Vera.</textarea>" in response.content.decode()


def test_ticket_page_buttons_submit_the_reply_form_without_javascript(client, tech, ticket, canned):
    response_row = canned(title="Greeting")
    client.force_login(tech)

    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()

    # The picker sits inside the reply form: its search field, its Search button (the form's
    # first, so Enter in the field searches) and each response are the reply form's own.
    reply_form = page[
        page.index('id="reply-form"') : page.index("</form>", page.index('id="reply-form"'))
    ]
    assert 'name="q"' in reply_form
    search_button = f'formaction="/desk/t/{ticket.number}/reply/responses/"'
    assert reply_form.index(search_button) < reply_form.index('name="then"')
    assert reply_form.index('type="submit"') == reply_form.index(search_button) - len(
        'type="submit" '
    )
    assert f'formaction="{insert_url(ticket, response_row)}"' in reply_form
    assert f'hx-post="{use_url(ticket, response_row)}"' in reply_form
    assert "<form" not in reply_form  # no form nested in the reply form
    # The picker is closed until the tech searches or inserts.
    assert 'data-testid="response-picker">' in reply_form
    assert "open data-testid" not in reply_form


def test_inserting_without_javascript_needs_a_post(client, tech, ticket, canned):
    client.force_login(tech)

    assert client.get(insert_url(ticket, canned())).status_code == 405


@pytest.mark.parametrize("view", ["use", "insert"])
def test_inserting_into_a_ticket_the_tech_may_not_see_is_not_found(client, ticket, canned, view):
    response_row = canned()
    outsider = TechFactory(full_name="Otto Outsider")
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)
    url = use_url(ticket, response_row) if view == "use" else insert_url(ticket, response_row)

    response = client.post(url, {"body": "draft"})

    assert response.status_code == 404
    response_row.refresh_from_db()
    assert response_row.usage_count == 0


def test_inserting_another_departments_response_without_javascript_is_not_found(
    client, tech, ticket, canned, billing
):
    response_row = canned(department=billing)
    client.force_login(tech)

    assert client.post(insert_url(ticket, response_row), {"body": "x"}).status_code == 404


def test_using_another_departments_response_is_not_found(client, tech, ticket, canned, billing):
    response_row = canned(department=billing)
    client.force_login(tech)

    response = client.post(use_url(ticket, response_row), headers=HTMX)

    assert response.status_code == 404
    response_row.refresh_from_db()
    assert response_row.usage_count == 0


def test_use_needs_a_post(client, tech, ticket, canned):
    client.force_login(tech)

    assert client.get(use_url(ticket, canned())).status_code == 405


@pytest.mark.parametrize("view", ["picker", "use"])
def test_customers_are_refused(client, customer_user, ticket, canned, view):
    response_row = canned()
    client.force_login(customer_user)

    if view == "picker":
        response = client.get(picker_url(ticket))
    else:
        response = client.post(use_url(ticket, response_row))

    assert response.status_code == 403
    response_row.refresh_from_db()
    assert response_row.usage_count == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, ticket):
    response = client.get(picker_url(ticket))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize("view", ["picker", "use"])
def test_a_ticket_the_tech_may_not_see_is_not_found(client, ticket, canned, view):
    response_row = canned()
    outsider = TechFactory(full_name="Otto Outsider")
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)

    if view == "picker":
        response = client.get(picker_url(ticket), headers=HTMX)
    else:
        response = client.post(use_url(ticket, response_row), headers=HTMX)

    assert response.status_code == 404
    response_row.refresh_from_db()
    assert response_row.usage_count == 0


def test_picker_lists_at_most_twenty(client, tech, ticket):
    CannedResponse.objects.bulk_create(
        CannedResponse(title=f"Response {index:02}", body="Text") for index in range(25)
    )
    client.force_login(tech)

    page = client.get(picker_url(ticket), headers=HTMX).content.decode()

    assert page.count("<li>") == 20
    assert "Response 19" in page
    assert "Response 20" not in page


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_picker_queries_do_not_grow_with_responses(
    client, tech, ticket, canned, department, billing, headers, django_assert_num_queries
):
    MembershipFactory(user=tech, department=billing)
    canned(title="First", department=department)
    client.force_login(tech)
    client.get(picker_url(ticket), headers=headers)
    # The full page adds the notification bell's unread count.
    with django_assert_num_queries(3 if headers else 5) as few:
        client.get(picker_url(ticket), headers=headers)
    for index in range(6):
        canned(title=f"Support {index}", department=department)
        canned(title=f"Billing {index}", department=billing)
        canned(title=f"Global {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(picker_url(ticket), headers=headers)
    marker = "data-canned-insert" if headers else f'action="/desk/t/{ticket.number}/reply/insert/'
    # The ticket's department's and the global ones; Billing's are not offered on this ticket.
    assert response.content.decode().count(marker) == 13


def test_ticket_page_picker_has_the_search_box_and_the_tickets_responses(
    client, tech, ticket, canned, department, billing
):
    MembershipFactory(user=tech, department=billing)
    canned(title="Greeting", body="Hello {{ customer_first_name }}")
    canned(title="Reboot steps", department=department)
    canned(title="Billing refund", department=billing)
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()

    assert '<label class="form-label" for="response-search">' in html
    assert 'hx-trigger="input changed delay:250ms, search, picker-search"' in html
    assert 'hx-target="#response-list"' in html
    assert "data-picker-search" in html
    assert "Greeting" in html
    assert "Reboot steps" in html
    # Offered on this ticket: its department's and the global ones, not Billing's.
    assert "Billing refund" not in html


def test_use_with_htmx_inserts_at_the_cursor(client, tech, ticket, canned):
    response_row = canned(body="Thanks, {{ customer_first_name }}.")
    client.force_login(tech)
    # The browser posts CRLF line breaks and counts the cursor over plain newlines, in UTF-16
    # code units (the emoji is two).
    draft = "Hello 👋\r\nBefore.\r\nAfter."
    caret = len("Hello 👋\nBefore.\n") + 1

    response = client.post(
        use_url(ticket, response_row), {"body": draft, "caret": str(caret)}, headers=HTMX
    )

    page = response.content.decode()
    assert ">\nHello 👋\nBefore.\n\nThanks, Vera.\n\nAfter.</textarea>" in page
    assert f'data-caret="{caret + 1 + len("Thanks, Vera.")}"' in page


@pytest.mark.parametrize("caret", ["", "-1", "x", "99999999", "999"])
def test_use_with_an_unknown_or_odd_cursor_appends(client, tech, ticket, canned, caret):
    response_row = canned(body="Thanks.")
    client.force_login(tech)

    response = client.post(
        use_url(ticket, response_row), {"body": "Draft.", "caret": caret}, headers=HTMX
    )

    assert ">\nDraft.\n\nThanks.</textarea>" in response.content.decode()


def search_url(ticket):
    return reverse("tickets:desk_reply_responses", args=[ticket.number])


def test_search_without_javascript_gives_the_page_back_with_the_draft(client, tech, ticket, canned):
    canned(title="Password reset", body="Use the link.")
    canned(title="Greeting", body="Hello.")
    draft = "".join(f"Line {index:05} of a long investigation.\r\n" for index in range(1150))
    client.force_login(tech)

    response = client.post(
        search_url(ticket), {"body": draft, "internal": "on", "q": "password"}, follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert f"{escape(draft.replace(chr(13), ''))}</textarea>" in page
    assert 'id="id_internal" checked' in page
    assert "Password reset" in page
    assert "Greeting" not in page
    assert 'value="password"' in page
    assert 'open data-testid="response-picker"' in page
    assert not response.request.get("QUERY_STRING")
    assert ticket.messages.count() == 1  # nothing was sent


def test_search_without_javascript_with_nothing_found_keeps_the_draft(client, tech, ticket, canned):
    canned(title="Greeting")
    client.force_login(tech)

    response = client.post(search_url(ticket), {"body": "My draft", "q": "\x00zzz"})

    page = response.content.decode()
    assert ">My draft</textarea>" in page
    assert "Greeting" in page  # a search no response can match is not applied


def test_insert_without_javascript_keeps_the_search(client, tech, ticket, canned):
    greeting = canned(title="Greeting", body="Hello.")
    canned(title="Password reset", body="Use the link.")
    client.force_login(tech)

    response = client.post(insert_url(ticket, greeting), {"body": "Draft", "q": "greet"})

    page = response.content.decode()
    assert ">Draft\n\nHello.</textarea>" in page
    assert "Password reset" not in page


def test_search_without_javascript_on_a_ticket_the_tech_may_not_see_is_not_found(client, ticket):
    outsider = TechFactory(full_name="Otto Outsider")
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)

    assert client.post(search_url(ticket), {"body": "x", "q": "y"}).status_code == 404


def test_search_without_javascript_needs_a_post(client, tech, ticket):
    client.force_login(tech)

    assert client.get(search_url(ticket)).status_code == 405


def test_search_without_javascript_keeps_the_questionnaire_answers_typed(
    client, tech, ticket, canned, department
):
    """A refused first reply shows the questionnaire inside the reply form; searching the
    picker from there gives back the answers typed so far with the draft."""
    asked = question("Printer model", departments=[department], ask_on_first_response=True)
    canned(title="Greeting")
    client.force_login(tech)

    response = client.post(
        search_url(ticket),
        {"body": "Draft", "questionnaire": "1", field_name(asked): "LaserJet 400", "q": "gre"},
    )

    page = response.content.decode()
    assert ">Draft</textarea>" in page
    assert 'data-testid="reply-questionnaire"' in page
    assert "LaserJet 400" in page


def test_search_without_javascript_queries_do_not_grow_with_responses(
    client, tech, ticket, canned, department, django_assert_num_queries
):
    canned(title="Support first", department=department)
    client.force_login(tech)
    data = {"body": "Draft", "q": "support"}
    client.post(search_url(ticket), data)
    with CaptureQueriesContext(connection) as few:
        client.post(search_url(ticket), data)
    for index in range(8):
        canned(title=f"Support {index}", department=department)
        canned(title=f"Global support {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.post(search_url(ticket), data)
    assert response.content.decode().count("data-canned-insert") == 17
