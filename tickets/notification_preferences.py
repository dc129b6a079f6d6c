"""How each staff member wants to hear about each kind of activity: the defaults that apply
without a row, reading them (one query for any number of people), and saving one person's own."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from tickets.models import Activity, NotificationPreference

InApp = NotificationPreference.InApp
Email = NotificationPreference.Email


@dataclass(frozen=True)
class Choice:
    in_app: str
    email: str


# Without a row: one's own tickets in the helpdesk; email at once for what needs one's action
# or concerns one's own work (a held reply to approve, one's reply decided, a mention).
DEFAULTS: dict[str, Choice] = {
    activity: Choice(
        in_app=InApp.MINE,
        email=Email.IMMEDIATE
        if activity
        in (
            Activity.REPLY_HELD,
            Activity.REPLY_APPROVED,
            Activity.REPLY_REJECTED,
            Activity.MENTIONED,
            Activity.CALL_BACK_DUE,
        )
        else Email.NEVER,
    )
    for activity in Activity.values
}


# Kinds whose recipients the rules fix by role (tickets/notifying.py), besides the ticket's owner
# who hears of everything: there is no "my departments' tickets" scope to choose for them, only
# whether to be emailed. Each with who hears of it, as the preferences table says.
FIXED_RECIPIENTS = {
    Activity.REPLY_HELD: gettext_lazy("The department's managers, and the ticket's owner"),
    Activity.REPLY_APPROVED: gettext_lazy("You, as the author, and the ticket's owner"),
    Activity.REPLY_REJECTED: gettext_lazy("You, as the author, and the ticket's owner"),
    Activity.MENTIONED: gettext_lazy("You, when mentioned, and the ticket's owner"),
    # The same people the SLA sweep mails (tickets/sla/escalation.py).
    Activity.SLA_AT_RISK: gettext_lazy(
        "The department's managers, and the ticket's owner (its techs while it has none)"
    ),
    Activity.SLA_ESCALATED: gettext_lazy(
        "The department's managers, and the ticket's owner (its techs while it has none)"
    ),
    # tickets/satisfaction.py: the department's managers hear of a case's first poor rating.
    Activity.POOR_RATING: gettext_lazy("The department's managers, and the ticket's owner"),
    # tickets/calls.py: the tech who set the reminder when logging a call.
    Activity.CALL_BACK_DUE: gettext_lazy("You, when you set the reminder, and the ticket's owner"),
}


# Kinds that come with their own mail to the same people (the SLA sweep's escalation and warning
# mails): their notification is never emailed again, and the preferences offer no email choice.
OWN_MAIL = {
    Activity.SLA_AT_RISK: gettext_lazy("The warning mail itself"),
    Activity.SLA_ESCALATED: gettext_lazy("The escalation mail itself"),
}


def has_email_choice(activity: str) -> bool:
    return activity not in OWN_MAIL


def has_scope(activity: str) -> bool:
    """Whether the in-app scope ("my tickets" / "and my departments'") applies to the kind."""
    return activity not in FIXED_RECIPIENTS


def preferences_for(user_ids: Iterable[int]) -> dict[tuple[int, str], Choice]:
    """Every (user, activity) of these people that differs from nothing: the saved rows; ask
    `preference_of` for a pair, which falls back to the defaults. One query."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        (user_id, activity): Choice(in_app=in_app, email=email)
        for user_id, activity, in_app, email in NotificationPreference.objects.filter(
            user_id__in=ids
        ).values_list("user_id", "activity", "in_app", "email")
    }


def preference_of(
    saved: Mapping[tuple[int, str], Choice], *, user_id: int, activity: str
) -> Choice:
    choice = saved.get((user_id, activity)) or DEFAULTS.get(
        activity, Choice(InApp.MINE, Email.NEVER)
    )
    if not has_email_choice(activity):
        return Choice(in_app=choice.in_app, email=Email.NEVER)
    return choice


def preferences_table(user: User) -> list[tuple[str, str, Choice]]:
    """One line per kind of activity: (activity, its label, the person's choice)."""
    saved = preferences_for([user.pk])
    return [
        (activity, label, preference_of(saved, user_id=user.pk, activity=activity))
        for activity, label in Activity.choices
    ]


def notification_preferences_save(*, user: User, choices: Mapping[str, Choice]) -> None:
    """Save one person's choices, only their own rows, all or nothing. Every kind of activity
    must be given, with a known in-app scope and email choice; kinds whose recipients are fixed
    (FIXED_RECIPIENTS) take no scope but "my tickets"."""
    if not (user.is_active and (user.is_tech or user.is_superuser)):
        raise PermissionDenied(_("Only staff members have notification preferences."))
    if set(choices) != set(Activity.values):
        raise ValidationError(_("Choose how to be notified of every kind of activity."))
    for choice in choices.values():
        if choice.in_app not in InApp.values or choice.email not in Email.values:
            raise ValidationError(_("Choose one of the offered options."))
    for activity, choice in choices.items():
        if not has_scope(activity) and choice.in_app != InApp.MINE:
            raise ValidationError(
                _("Who hears of “%(kind)s” is fixed: %(who)s. There is no scope to choose.")
                % {"kind": Activity(activity).label, "who": FIXED_RECIPIENTS[activity]}
            )
        if not has_email_choice(activity) and choice.email != Email.NEVER:
            raise ValidationError(
                _("“%(kind)s” comes with its own mail: %(mail)s. There is no email to choose.")
                % {"kind": Activity(activity).label, "mail": OWN_MAIL[activity]}
            )
    rows = [
        NotificationPreference(
            user=user, activity=activity, in_app=choice.in_app, email=choice.email
        )
        for activity, choice in choices.items()
    ]
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "activity"],
            update_fields=["in_app", "email"],
        )
