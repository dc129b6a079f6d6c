from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

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

    return {"nav_items": SimpleLazyObject(links)}
