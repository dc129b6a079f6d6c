"""The ticket page of the desk and what a tech does there."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reselect, reswap, retarget

from accounts.absences import absent_now
from accounts.access import staff_required
from departments.models import Department
from responses.selectors import PICKER_LIMIT, canned_responses_for
from tickets import (
    access,
    approvals,
    message_html,
    presence,
    properties,
    questionnaires,
    satisfaction,
    selectors,
    workflow,
)
from tickets.attachments import attachment_response
from tickets.forms_calls import CallForm
from tickets.forms_desk import PropertiesForm, ReplyForm, StatusForm, TransferForm
from tickets.mail import outbox
from tickets.models import Message
from tickets.questionnaires import QuestionsUnanswered
from tickets.sla.marks import clock_marks_attach
from tickets.views.questionnaire import (
    dialog_response,
    posted_questionnaire,
    questionnaire_form,
)

# The pages a ticket may be opened from that offer a way back (`?from=<key>`): a fixed set of
# named routes, never a URL taken from the request.
CAME_FROM = {
    "activity": ("manage:activity", gettext_lazy("Back to new activity")),
    "board": ("manage:board", gettext_lazy("Back to the board")),
}


def came_from(request) -> dict | None:
    """The way back to the page the ticket was opened from, if it is one of CAME_FROM."""
    found = CAME_FROM.get(request.GET.get("from", ""))
    if found is None:
        return None
    route, label = found
    return {"url": reverse(route), "label": label}


def _page(number):
    return reverse("tickets:desk_ticket", args=[number])


def ticket_page_context(
    request,
    ticket,
    *,
    reply_form=None,
    transfer_form=None,
    call_form=None,
    properties_form=None,
    reply_questionnaire=None,
    moment="",
    picker_query="",
    picker_open=False,
):
    user = request.user
    presence.presence_touch(ticket_id=ticket.pk, user=user)
    if reply_form is None:
        initial = {"internal": user.reply_as_note_by_default}
        reply_form = ReplyForm(initial=initial)
    questions = questionnaires.questions_for_ticket(ticket=ticket)
    answers = questionnaires.answers_for_ticket(ticket=ticket)
    answered = {answer.question_id for answer in answers}
    missing = [q for q in questions if q.is_required and q.pk not in answered]
    other_tickets = selectors.customer_other_tickets(ticket=ticket, user=user)
    rating = satisfaction.rating_of_ticket(ticket=ticket)
    # One policy look-up marks the ticket and the customer's other tickets.
    clock_marks_attach([ticket, *other_tickets])
    return {
        "questions": questions,
        "questionnaire_answers": answers,
        "questions_missing": missing,
        # The buttons a refusal can answer go through htmx, so the refusal opens the dialog.
        "closing_asks": bool(missing) and not ticket.is_closed,
        "replying_asks": ticket.first_response_at is None
        and any(q.ask_on_first_response for q in missing),
        "reply_questionnaire": reply_questionnaire,
        "questionnaire_moment": moment,
        "ticket": ticket,
        "rating": rating,
        "rating_poor": rating is not None and satisfaction.score_is_poor(rating.score),
        "thread": selectors.ticket_thread(ticket=ticket, public_only=False),
        "remote_images_for": message_html.remote_images_message_id(request),
        "other_tickets": other_tickets,
        "reply_form": reply_form,
        "transfer_form": transfer_form or TransferForm(ticket=ticket),
        "call_form": call_form or CallForm(),
        "owner_absence": absent_now([ticket.assignee_id]).get(ticket.assignee_id),
        "status_form": StatusForm(initial={"status": ticket.status_id}, ticket=ticket),
        "properties_form": properties_form or PropertiesForm(ticket=ticket),
        "supervisor": access.supervises_ticket(user=user, ticket=ticket),
        # Only mail of tickets staff entered waits for approval: other pages skip the query.
        "held_mails": outbox.mails_awaiting_approval(ticket=ticket) if ticket.created_by_id else [],
        "others": presence.presence_others(ticket_id=ticket.pk, user=user),
        "responses": canned_responses_for(
            user=user, department=ticket.department, query=picker_query
        )[:PICKER_LIMIT],
        "query": picker_query,
        "picker_open": picker_open or bool(picker_query),
        "page_url": _page(ticket.number),
        "poll_seconds": presence.POLL_SECONDS,
        "consult_departments": Department.objects.filter(is_active=True)
        .exclude(consultation_email="")
        .exclude(pk=ticket.department_id),
    }


@never_cache
@staff_required
def ticket_detail(request, number):
    """Opening a general-pool ticket takes it (managers and admins may look with ?peek=1).
    A ticket that left this person's sight since they had it in hand (another tech took it,
    it was transferred away) sends them back to the desk saying where it is now."""
    try:
        ticket = access.ticket_for_staff(user=request.user, number=number)
    except Http404:
        return _ticket_gone(request, number)
    peek = request.GET.get("peek") and access.supervises_ticket(user=request.user, ticket=ticket)
    if not peek:
        result = workflow.ticket_claim_on_open(ticket=ticket, tech=request.user)
        if result.taken_by is not None:
            messages.warning(
                request,
                _("%(name)s took %(tag)s a moment ago; it is in their pool now.")
                % {"name": result.taken_by.full_name, "tag": ticket.tag},
            )
            return redirect(reverse("tickets:desk") + "?queue=general")
        if result.claimed:
            messages.success(request, _("%(tag)s is now in your pool.") % {"tag": ticket.tag})
            ticket = access.ticket_for_staff(user=request.user, number=number)
    context = ticket_page_context(request, ticket)
    # Only supervisors have the manager area to go back to.
    context["came_from"] = came_from(request) if context["supervisor"] else None
    return render(request, "tickets/desk_ticket.html", context)


def _ticket_gone(request, number):
    gone = access.ticket_gone_from_staff(user=request.user, number=number)
    if gone is None:
        raise Http404
    if gone.taken_from_pool:
        messages.warning(
            request,
            _("%(name)s took %(tag)s a moment ago; it is in their pool now.")
            % {"name": gone.ticket.assignee.full_name, "tag": gone.ticket.tag},
        )
        page = reverse("tickets:desk") + "?queue=general"
    else:
        messages.info(
            request,
            _("%(tag)s is no longer yours to open: it is in %(where)s.")
            % {"tag": gone.ticket.tag, "where": access.whereabouts(gone.ticket)},
        )
        page = reverse("tickets:desk")
    return HttpResponseClientRedirect(page) if request.htmx else redirect(page)


@staff_required
@require_POST
def ticket_reply(request, number):
    """Send a reply or a note. When the questionnaire must be answered first (closing, or a
    first reply), nothing is sent and the questions are shown: a dialog with htmx, inside the
    reply form without JavaScript; posted again with the answers, all goes in one step."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    questionnaire = None
    moment = None
    if form.is_valid():
        data = form.cleaned_data
        moment = reply_moment(ticket, data)
        questionnaire = posted_questionnaire(request, ticket=ticket, moment=moment)
    if form.is_valid() and (questionnaire is None or questionnaire.is_valid()):
        try:
            message = workflow.ticket_reply(
                ticket=ticket,
                tech=request.user,
                body=data["body"],
                internal=data["internal"],
                attachments=data["attachments"],
                then_status=data["then"],
                answers=questionnaire.values if questionnaire else None,
            )
        except QuestionsUnanswered as error:
            moment = error.moment
            if questionnaire is None:
                questionnaire = questionnaire_form(ticket=ticket, moment=moment)
            else:
                questionnaire.errors_from(error)
        except ValidationError as error:
            if questionnaire is not None and _about_answers(error):
                questionnaire.errors_from(error)
            else:
                form.add_error("body", error)
        else:
            messages.success(request, _reply_confirmation(message, data["then"]))
            return _to_page(request, ticket)
    if questionnaire is not None and not form.errors:
        if request.htmx:
            return dialog_response(
                request,
                ticket=ticket,
                form=questionnaire,
                moment=moment,
                mode="reply",
                then=form.cleaned_data["then"],
            )
    elif request.htmx:
        questionnaire = None
    context = ticket_page_context(
        request, ticket, reply_form=form, reply_questionnaire=questionnaire, moment=moment
    )
    if request.htmx:
        # Any other refusal: the page with the draft and its errors, in place.
        response = render(request, "tickets/desk_ticket.html", context)
        return reselect(reswap(retarget(response, "#main"), "outerHTML"), "#main")
    return render(request, "tickets/desk_ticket.html", context, status=400)


def reply_moment(ticket, data) -> str | None:
    """When the questionnaire's answers are due with this reply (as workflow decides)."""
    if data["then"] == "closed" and not ticket.is_closed:
        return questionnaires.CLOSE
    if not data["internal"] and ticket.first_response_at is None:
        return questionnaires.FIRST_RESPONSE
    return None


def _about_answers(error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and all(
        key.startswith("question_") for key in error.error_dict
    )


def _to_page(request, ticket):
    page = _page(ticket.number)
    return HttpResponseClientRedirect(page) if request.htmx else redirect(page)


def _reply_confirmation(message: Message, then: str) -> str:
    if message.kind == Message.Kind.NOTE:
        return _("Internal note added.")
    if message.awaiting_approval:
        return _("Your reply waits for a manager's approval before it is sent.")
    if then == "pending":
        return _("Reply sent; the ticket waits for the customer.")
    if then == "closed":
        return _("Reply sent and the ticket closed.")
    return _("Reply sent.")


@staff_required
@require_POST
def ticket_transfer(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = TransferForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            ticket = workflow.ticket_transfer(
                ticket=ticket,
                by=request.user,
                to_department=form.cleaned_data["department"],
                to_tech=form.cleaned_data["tech"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("tech", error)
        else:
            messages.success(request, _("%(tag)s transferred.") % {"tag": ticket.tag})
            return redirect("tickets:desk")
    context = ticket_page_context(request, ticket, transfer_form=form)
    return render(request, "tickets/desk_ticket.html", context, status=400)


@never_cache
@staff_required
def transfer_techs(request, number):
    """The transfer form's tech list for the department chosen (htmx, on change)."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = TransferForm(initial={"department": request.GET.get("department", "")}, ticket=ticket)
    return render(request, "tickets/desk_ticket.html#transfer-techs", {"transfer_form": form})


@staff_required
@require_POST
def ticket_status(request, number):
    """Change the status. Closing with required questions unanswered is refused: the
    questionnaire opens as a dialog (htmx) or on the close page (no JavaScript)."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = StatusForm(request.POST, ticket=ticket)
    if form.is_valid():
        status = form.cleaned_data["status"]
        try:
            workflow.ticket_status_change(ticket=ticket, author=request.user, status=status)
        except QuestionsUnanswered as error:
            if request.htmx:
                return dialog_response(
                    request,
                    ticket=ticket,
                    form=questionnaire_form(ticket=ticket, moment=error.moment),
                    moment=error.moment,
                    mode="close",
                    close_status=status,
                )
            messages.warning(request, _("Answer the questionnaire to close the case."))
            close = reverse("tickets:desk_close", args=[ticket.number])
            return redirect(f"{close}?status={status.pk}")
        messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Choose one of the statuses in the list."))
    return _to_page(request, ticket)


@staff_required
@require_POST
def ticket_properties(request, number):
    """Change the category and the priority; the ticket stays where it is. With htmx the
    Properties panel comes back in place, the new event lines added to the thread."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = PropertiesForm(request.POST, ticket=ticket)
    events, note = [], ""
    if form.is_valid():
        try:
            events = properties.ticket_properties_change(
                ticket=ticket,
                by=request.user,
                category=form.cleaned_data["category"],
                priority=form.cleaned_data["priority"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            note = _("Properties saved.") if events else _("Nothing to change.")
            if not request.htmx:
                messages.success(request, note)
                return redirect(_page(ticket.number))
            ticket = access.ticket_for_staff(user=request.user, number=number)
            form = None
    status = 400 if form is not None and form.errors else 200
    if request.htmx:
        context = ticket_page_context(request, ticket, properties_form=form)
        context["properties_note"] = note
        context["new_events"] = events
        # htmx swaps 200 responses only: a refusal comes back 200 with its errors in the panel.
        return render(request, "tickets/desk_ticket.html#ticket-properties", context)
    context = ticket_page_context(request, ticket, properties_form=form)
    return render(request, "tickets/desk_ticket.html", context, status=status)


@staff_required
@require_POST
def reply_approve(request, number, message_id):
    ticket = access.ticket_for_supervisor(user=request.user, number=number)
    message = access.message_for_staff(user=request.user, message_id=message_id)
    if message.ticket_id != ticket.pk:
        raise Http404
    try:
        approvals.reply_approve(message=message, manager=request.user)
    except approvals.AlreadyDecided as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reply approved and sent."))
    return redirect(_page(ticket.number))


@staff_required
@require_POST
def mail_approve(request, number, outbound_id):
    """A manager lets a trainee's held mail (a new ticket's confirmation) go."""
    ticket = access.ticket_for_supervisor(user=request.user, number=number)
    outbound = access.outbound_of_ticket(ticket=ticket, outbound_id=outbound_id)
    try:
        approvals.mail_approve(outbound=outbound, manager=request.user)
    except approvals.AlreadyDecided as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("Mail approved; it is on its way."))
    return redirect(_page(ticket.number))


@never_cache
@staff_required
def ticket_presence(request, number):
    """Polled by the ticket page; POST means "I am writing a reply". The header's SLA mark comes
    along out of band, so it turns "due soon" or "overdue" while the page is open."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    presence.presence_touch(ticket_id=ticket.pk, user=request.user, typing=request.method == "POST")
    clock_marks_attach([ticket])
    context = {
        "ticket": ticket,
        "sla_refresh": True,
        "others": presence.presence_others(ticket_id=ticket.pk, user=request.user),
        "page_url": _page(ticket.number),
        "poll_seconds": presence.POLL_SECONDS,
    }
    return render(request, "tickets/desk_ticket.html#presence", context)


@staff_required
def desk_attachment(request, number, attachment_id):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    attachment = access.attachment_of_ticket(
        ticket=ticket, attachment_id=attachment_id, public_only=False
    )
    return attachment_response(attachment, thumbnail=request.GET.get("thumbnail") == "1")


@staff_required
def desk_message_html(request, number, message_id):
    """A mail's HTML, the document of its sandboxed frame on the ticket page."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=False)
    return message_html.message_frame_response(request, message=message, page_url=_page(number))


@staff_required
def desk_message_body(request, number, message_id):
    """The frame's block with the remote images shown or held back again."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=False)
    return message_html.message_html_block(request, message=message, page_url=_page(number))
