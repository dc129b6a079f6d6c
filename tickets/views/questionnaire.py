"""The questionnaire a tech answers on closing a case (and, where set, on their first reply):
the plain close page, and the dialog htmx brings when a close or a reply was refused for
unanswered questions (tickets/questionnaires.py holds the rule)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import staff_required
from tickets import access, workflow
from tickets.forms_questionnaire import MARKER, QuestionnaireForm
from tickets.models import Status, StatusType, Ticket
from tickets.questionnaires import CLOSE, answers_for_ticket, questions_for_ticket


def questionnaire_form(
    *, ticket: Ticket, moment: str | None = CLOSE, data=None
) -> QuestionnaireForm:
    """The questions of `moment`, filled with the ticket's current answers; `moment` None: all
    of them, none required."""
    return QuestionnaireForm(
        data,
        questions=questions_for_ticket(ticket=ticket, moment=moment or CLOSE, with_choices=True),
        answers=answers_for_ticket(ticket=ticket),
        require=moment is not None,
    )


def posted_questionnaire(
    request, *, ticket: Ticket, moment: str | None
) -> QuestionnaireForm | None:
    """The questionnaire posted with a reply, or None when it was not shown."""
    if request.POST.get(MARKER) != "1":
        return None
    return questionnaire_form(ticket=ticket, moment=moment, data=request.POST)


def dialog_response(request, *, ticket: Ticket, form: QuestionnaireForm, moment: str, **context):
    """The dialog (htmx): `mode` "close" posts to the close page, "reply" re-sends the reply."""
    context = {
        "ticket": ticket,
        "questionnaire_form": form,
        "moment": moment,
        "page_url": reverse("tickets:desk_ticket", args=[ticket.number]),
        "close_url": reverse("tickets:desk_close", args=[ticket.number]),
        **context,
    }
    return render(request, "tickets/includes/questionnaire_dialog.html", context)


def closed_status(value) -> Status:
    """The closed-type status asked for, or the closed default."""
    status = None
    if str(value or "").isdigit():
        status = Status.objects.filter(pk=int(value), type=StatusType.CLOSED).first()
    return status or Status.objects.filter(type=StatusType.CLOSED, is_default=True).first()


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def ticket_close(request, number):
    """Answer the questionnaire and close the case in one step (also the way without
    JavaScript); on a closed case, change the answers."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    status = closed_status(request.POST.get("status") or request.GET.get("status"))
    form = questionnaire_form(
        ticket=ticket, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        was_closed = ticket.is_closed
        try:
            workflow.ticket_status_change(
                ticket=ticket,
                author=request.user,
                status=ticket.status if was_closed else status,
                status_type=StatusType.CLOSED,
                answers=form.values,
            )
        except ValidationError as error:
            form.errors_from(error)
        else:
            messages.success(
                request, _("Answers saved.") if was_closed else _("The case is closed.")
            )
            page = reverse("tickets:desk_ticket", args=[ticket.number])
            return HttpResponseClientRedirect(page) if request.htmx else redirect(page)
    if request.htmx:
        return dialog_response(
            request, ticket=ticket, form=form, moment=CLOSE, mode="close", close_status=status
        )
    context = {
        "ticket": ticket,
        "questionnaire_form": form,
        "moment": CLOSE,
        "close_url": reverse("tickets:desk_close", args=[ticket.number]),
        "close_status": status,
    }
    return render(
        request,
        "tickets/desk_close.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
