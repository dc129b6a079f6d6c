"""Order numbers on the desk, linked to the shop's page of the order when ORDER_URL_TEMPLATE
says where that is (helpdesk/settings.py checks it is an http(s) address)."""

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings


@dataclass(frozen=True)
class Order:
    number: str
    url: str  # "" when no shop address is configured


def order_url(number: str) -> str:
    template = settings.ORDER_URL_TEMPLATE
    if not template or not number:
        return ""
    return template.replace("{order}", quote(number, safe=""))


def orders_of(tickets) -> list[Order]:
    """The distinct order numbers of these tickets, in the tickets' order, each with its link."""
    seen = {}
    for ticket in tickets:
        number = ticket.order_number.strip()
        if number and number not in seen:
            seen[number] = Order(number=number, url=order_url(number))
    return list(seen.values())
