"""The manager area: the board of every department a person supervises, and the feed of what
happened in them since they last looked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import manager_required
from departments.selectors import departments_managed_by
from tickets import activity_feed, board
from tickets.forms_manage import ActivityFilterForm
from tickets.queues import id_from_query


@manager_required
def manage(request):
    context = {"board": board.board_for(request.user), "refresh_url": request.get_full_path()}
    template = "manage/board.html"
    if request.htmx:
        template += "#board-body"
    return render(request, template, context)


def _department_ids(user) -> list[int]:
    return list(departments_managed_by(user).values_list("pk", flat=True))


@manager_required
def activity(request):
    departments = departments_managed_by(request.user).order_by("name")
    form = ActivityFilterForm(request.GET or None, departments=departments)
    filters = form.filters()
    page = activity_feed.feed_page(
        user=request.user,
        department_ids=[department.pk for department in departments],
        filters=filters,
        before=form.cursor(),
    )
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "filters": filters,
        "ignored": form.ignored(),
        "page": page,
        "query": query.urlencode(),
        "seen_up_to": request.user.activity_seen_up_to,
    }
    template = "manage/activity.html"
    if request.htmx:
        template += "#activity-body"
    return render(request, template, context)


@manager_required
@require_POST
def activity_seen(request):
    up_to = id_from_query(request.POST.get("up_to", ""))
    try:
        if up_to is None:
            raise ValidationError(_("Nothing to mark: the page showed no activity."))
        moved = activity_feed.activity_seen_mark(
            user=request.user, up_to=up_to, department_ids=_department_ids(request.user)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if moved:
            messages.success(request, _("Everything shown is marked seen."))
        else:
            messages.info(request, _("You had already seen all of that."))
    return redirect(reverse("manage:activity"))
