"""The approvals queue (/manage/approvals/): a manager decides on the work their trainees hold.

Each decision is a plain POST that redirects back with a message; with htmx the decided row is
swapped for a line saying what happened. The ticket page's held replies post here too (with
return_to=ticket) and go back to the ticket."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import manager_required
from tickets import access, approval_queue, approvals
from tickets.queues import id_from_query

TEMPLATE = "manage/approvals.html"


def _page_context(request, *, failed: dict | None = None) -> dict:
    after = id_from_query(request.GET.get("after", ""))
    held = approval_queue.held_replies_for(user=request.user, after=after)
    mails = approval_queue.held_mails_for(user=request.user)
    return {
        "held": held,
        "mails": mails,
        "replies_total": held.total,
        # Only when the list is cut does the whole number cost a count.
        "mails_total": (
            approval_queue.held_totals_for(user=request.user)[1]
            if len(mails) >= approval_queue.MAILS_SHOWN
            else len(mails)
        ),
        "after": after,
        "failed": failed or {},
    }


@never_cache
@manager_required
@require_GET
@vary_on_headers("HX-Request")
def approvals_queue(request):
    template = TEMPLATE + "#approval-list" if request.htmx else TEMPLATE
    return render(request, template, _page_context(request))


def _back(request, ticket):
    if request.POST.get("return_to") == "ticket":
        return redirect("tickets:desk_ticket", number=ticket.number)
    return redirect("manage:approvals")


def _decided(request, *, ticket, text: str, outcome: str = "sent"):
    """After a decision ("sent" or "rejected") or a lost race ("lost"): the swapped-out row
    with htmx, else back with the message."""
    if request.htmx:
        replies_total, mails_total = approval_queue.held_totals_for(user=request.user)
        context = {
            "ticket": ticket,
            "text": text,
            "outcome": outcome,
            # The headings' counts, swapped out of band: one decision less waits.
            "replies_total": replies_total,
            "mails_total": mails_total,
            "counts_oob": True,
        }
        return render(request, TEMPLATE + "#decided", context)
    level = {"sent": messages.SUCCESS, "rejected": messages.INFO}.get(outcome, messages.WARNING)
    messages.add_message(request, level, text)
    return _back(request, ticket)


def _refused(request, *, message, field: str, error: ValidationError, value: str):
    """Bad input (an empty text or reason): nothing changed; the row again with the error."""
    text = " ".join(error.messages)
    failed = {"id": message.pk, "field": field, "error": text, "value": value}
    if request.htmx:
        context = {"message": message, "failed": failed, "ticket": message.ticket}
        return render(request, TEMPLATE + "#held-reply", context)
    if request.POST.get("return_to") == "ticket":
        messages.error(request, text)
        return _back(request, message.ticket)
    return render(request, TEMPLATE, _page_context(request, failed=failed), status=400)


def _decide(request, message_id: int, *, decide, field: str = "", done: str, outcome="sent"):
    message = access.reply_for_supervisor(user=request.user, message_id=message_id)
    value = request.POST.get(field, "") if field else ""
    try:
        decide(message=message, value=value)
    except approvals.AlreadyDecided as error:
        text = " ".join(error.messages)
        return _decided(request, ticket=message.ticket, text=text, outcome="lost")
    except ValidationError as error:
        return _refused(request, message=message, field=field, error=error, value=value)
    text = done % {"tag": message.ticket.tag}
    return _decided(request, ticket=message.ticket, text=text, outcome=outcome)


@manager_required
@require_POST
def reply_approve(request, message_id):
    def decide(*, message, value):
        approvals.reply_approve(message=message, manager=request.user)

    return _decide(
        request, message_id, decide=decide, done=_("Reply on %(tag)s approved and sent.")
    )


@manager_required
@require_POST
def reply_edit_approve(request, message_id):
    def decide(*, message, value):
        approvals.reply_approve(message=message, manager=request.user, edited_body=value)

    return _decide(
        request,
        message_id,
        decide=decide,
        field="body",
        done=_("Reply on %(tag)s edited, approved and sent."),
    )


@manager_required
@require_POST
def reply_reject(request, message_id):
    def decide(*, message, value):
        approvals.reply_reject(message=message, manager=request.user, reason=value)

    return _decide(
        request,
        message_id,
        decide=decide,
        field="reason",
        done=_("Reply on %(tag)s rejected; the trainee sees your reason. Nothing was sent."),
        outcome="rejected",
    )


@manager_required
@require_POST
def mail_approve(request, outbound_id):
    outbound = access.held_mail_for_supervisor(user=request.user, outbound_id=outbound_id)
    try:
        approvals.mail_approve(outbound=outbound, manager=request.user)
    except approvals.AlreadyDecided as error:
        text = " ".join(error.messages)
        return _decided(request, ticket=outbound.ticket, text=text, outcome="lost")
    text = _("Mail of %(tag)s approved; it is on its way.") % {"tag": outbound.ticket.tag}
    return _decided(request, ticket=outbound.ticket, text=text)
