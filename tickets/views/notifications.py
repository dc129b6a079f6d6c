"""A staff member's notifications: the list, opening one (it is read then), marking read, and
the bell's count that the navigation polls. Each person reaches only their own."""

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import staff_required
from tickets import notification_inbox as inbox
from tickets.queues import id_from_query

# Other parts of the page (the bell) listen for this after a mark.
CHANGED_EVENT = "notifications-changed"


def _list_context(request, page):
    return {
        "page": page,
        "items": [(n, inbox.notification_summary(n)) for n in page.items],
        "list_url": reverse("tickets:notifications"),
    }


@never_cache
@staff_required
@require_GET
def notifications(request):
    """Newest first, a page at a time (?before=<id> for older ones)."""
    page = inbox.notifications_page(
        user=request.user, before=id_from_query(request.GET.get("before", ""))
    )
    template = "tickets/notifications.html"
    if request.htmx:
        template += "#notification-list"
    return render(request, template, _list_context(request, page))


@staff_required
@require_POST
def notification_open(request, notification_id):
    """Read it and go to its ticket. Supervisors look without taking an unowned ticket."""
    notification = inbox.notification_of_user(user=request.user, notification_id=notification_id)
    inbox.notification_read(notification=notification)
    ticket_url = reverse("tickets:desk_ticket", args=[notification.message.ticket.number])
    return redirect(f"{ticket_url}?peek=1#message-{notification.message_id}")


@staff_required
@require_POST
def notification_read(request, notification_id):
    notification = inbox.notification_of_user(user=request.user, notification_id=notification_id)
    inbox.notification_read(notification=notification)
    if request.htmx:
        notification = inbox.notification_of_user(
            user=request.user, notification_id=notification_id
        )
        response = render(
            request,
            "tickets/notifications.html#notification-item",
            {"notification": notification, "summary": inbox.notification_summary(notification)},
        )
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect("tickets:notifications")


@staff_required
@require_POST
def notifications_read_all(request):
    """Up to the newest notification the person was shown: what came since stays unread."""
    up_to = id_from_query(request.POST.get("up_to", ""))
    if up_to is None:
        return HttpResponseBadRequest(_("Which notifications? Reload the page and try again."))
    inbox.notifications_read_all(user=request.user, up_to_id=up_to)
    if request.htmx:
        page = inbox.notifications_page(user=request.user)
        response = render(
            request, "tickets/notifications.html#notification-list", _list_context(request, page)
        )
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect("tickets:notifications")


@never_cache
@staff_required
@require_GET
def notification_bell(request):
    """The bell with its count, for the navigation's poll."""
    return render(request, "tickets/includes/notification_bell.html")
