"""Where each person belongs: their landing page, and the areas the navigation offers them."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import can_read_reports, can_supervise, can_work_tickets, is_customer


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


DESK = NavItem(_("Desk"), "tickets:desk", "inbox")
MANAGE = NavItem(_("Manage"), "manage:board", "people")
REPORTS = NavItem(_("Reports"), "reports:index", "bar-chart")
MY_TICKETS = NavItem(_("My tickets"), "tickets:my_tickets", "chat-left-text")
SUPPORT = NavItem(_("Get help"), "tickets:support", "life-preserver")


def nav_items(user) -> list[NavItem]:
    if not user.is_authenticated:
        return [SUPPORT]
    items = []
    if can_work_tickets(user):
        items.append(DESK)
    if can_supervise(user):
        items.append(MANAGE)
    if can_read_reports(user):
        items.append(REPORTS)
    if is_customer(user):
        items += [MY_TICKETS, SUPPORT]
    return items


def landing_url(user) -> str:
    """Customers go to their tickets, techs to the desk, managers to supervision, admins to
    reports; visitors to the help centre."""
    if not user.is_authenticated:
        return SUPPORT.url
    if user.is_admin:
        return REPORTS.url
    if can_supervise(user):
        return MANAGE.url
    if can_work_tickets(user):
        return DESK.url
    return MY_TICKETS.url
