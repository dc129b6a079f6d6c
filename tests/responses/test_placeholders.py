"""Placeholders are filled from a fixed list of values; nothing else in a response is evaluated."""

import pytest
from django.core.exceptions import ValidationError

from responses.models import CannedResponse
from responses.placeholders import (
    PLACEHOLDERS,
    placeholder_values,
    placeholders_render,
    placeholders_unknown,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(ticket, tech):
    return placeholder_values(ticket=ticket, tech=tech)


def test_every_listed_placeholder_has_a_value(values):
    assert values.keys() == PLACEHOLDERS.keys()


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("customer_name", "Vera Visitor"),
        ("customer_first_name", "Vera"),
        ("ticket_subject", "Printer shows E-042"),
        ("tech_name", "Tom Tech"),
        ("tech_first_name", "Tom"),
        ("department", "Technical support"),
    ],
)
def test_each_placeholder_is_filled(values, placeholder, expected):
    assert placeholders_render(f"<{{{{ {placeholder} }}}}>", values) == f"<{expected}>"


def test_ticket_number_and_tag_are_filled(ticket, values):
    text = "Ticket {{ ticket_number }}, tag {{ ticket_tag }}"

    assert placeholders_render(text, values) == f"Ticket {ticket.number}, tag [#{ticket.number}]"


def test_spaces_inside_the_braces_are_optional(values):
    text = "{{customer_name}}|{{ customer_name }}|{{   customer_name\t}}"

    assert placeholders_render(text, values) == "Vera Visitor|Vera Visitor|Vera Visitor"


def test_whole_response_is_filled_in_one_go(ticket, values):
    text = (
        "Hello {{ customer_first_name }},\n\n"
        "about {{ ticket_tag }} “{{ ticket_subject }}”: fixed.\n\n"
        "{{ tech_name }}, {{ department }}"
    )

    assert placeholders_render(text, values) == (
        "Hello Vera,\n\n"
        f"about [#{ticket.number}] “Printer shows E-042”: fixed.\n\n"
        "Tom Tech, Technical support"
    )


@pytest.mark.parametrize(
    "attempt",
    [
        "{{ ticket.customer.user.password }}",
        "{{ tech.password }}",
        "{{ settings.SECRET_KEY }}",
        "{{ request.session }}",
        "{0.__class__}",
        "{ticket.customer.user.password}",
        "%(customer_name)s",
        "{% debug %}",
        "{% load log %}{% get_admin_log 10 as log %}",
        "{{ customer_name|safe }}",
        "{{customer_name|upper}}",
        "{{ customer_name.__class__ }}",
        "{{ CUSTOMER_NAME }}",
        "{{ password }}",
        "{{ {{ settings.SECRET_KEY }} }}",
        "{{{ ticket.customer }}}",
    ],
)
def test_anything_outside_the_list_comes_out_as_written(values, settings, attempt):
    rendered = placeholders_render(attempt, values)

    assert rendered == attempt
    assert settings.SECRET_KEY not in rendered


def test_nested_braces_fill_only_the_inner_known_placeholder(values):
    rendered = placeholders_render("{{ {{ customer_name }} }}", values)

    assert rendered == "{{ Vera Visitor }}"


def test_values_that_look_like_placeholders_are_not_expanded_again(submit, tech):
    ticket = submit(name="{{ tech_name }} {0.__class__}", subject="{% debug %}")
    values = placeholder_values(ticket=ticket, tech=tech)

    rendered = placeholders_render("{{ customer_name }} / {{ ticket_subject }}", values)

    assert rendered == "{{ tech_name }} {0.__class__} / {% debug %}"


def test_output_is_plain_text_not_escaped(submit, tech):
    ticket = submit(name="O'Brien <Pat> & Co")
    values = placeholder_values(ticket=ticket, tech=tech)

    assert placeholders_render("{{ customer_name }}", values) == "O'Brien <Pat> & Co"


def test_a_value_missing_from_the_given_values_stays_as_written():
    assert placeholders_render("Hi {{ customer_name }}", {}) == "Hi {{ customer_name }}"


def test_unknown_placeholders_are_listed_once_in_order():
    text = "{{ ticket.customer }} {{ customer_name }} {% debug %} {{ ticket.customer }} {{x|safe}}"

    assert placeholders_unknown(text) == ["{{ ticket.customer }}", "{% debug %}", "{{x|safe}}"]


def test_clean_accepts_known_placeholders():
    response = CannedResponse(title="Hi", body="Hi {{ customer_name }}, {{ticket_tag}}")

    response.full_clean()


def test_clean_names_unknown_placeholders_and_the_allowed_ones():
    response = CannedResponse(
        title="Leaky", body="{{ customer_name }} {{ ticket.customer.user.password }} {% debug %}"
    )

    with pytest.raises(ValidationError) as raised:
        response.full_clean()

    (message,) = raised.value.message_dict["body"]
    assert "Unknown placeholders: {{ ticket.customer.user.password }}, {% debug %}." in message
    for name in PLACEHOLDERS:
        assert f"{{{{ {name} }}}}" in message
    assert "{{ customer_name }}" not in message.split("Only these")[0]
