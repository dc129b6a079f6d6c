from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import SimpleLazyObject, cached_property

from accounts.navigation import nav_items


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    icon: str
    active: bool


def navigation(request):
    """The areas the signed-in person may enter, computed only when a template asks."""
    user = getattr(request, "user", None)
    if user is None:
        return {}

    def links():
        return [
            NavLink(item.label, item.url, item.icon, request.path.startswith(item.url))
            for item in nav_items(user)
        ]

    return {
        "nav_items": SimpleLazyObject(links),
        "notification_bell": NotificationBell(user),
        # The "Sign up" links, for visitors, while customers may open an account themselves.
        "customer_signup": settings.CUSTOMER_SIGNUP,
    }


class NotificationBell:
    """The bell's unread count: one capped, indexed count, only if a page shows the bell, and
    once per request however often the page asks."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from tickets.notification_inbox import unread_count

        return unread_count(self.user)

    @property
    def label(self) -> str:
        from tickets.notification_inbox import unread_label

        return unread_label(self.count)
