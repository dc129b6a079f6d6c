"""The mails about an account (no ticket): the password reset link, the link that confirms a
sign-up's address, and the note to an address that signs up although it has an account.

Each is an outbox row (tickets/mail/outbox.py) written in the transaction of the request, sent
after the commit and, should the broker be down then, by the sweep: never lost. The row names
the account in its key (`<kind>:<user id>:<nonce>`, a new nonce per request, so each request
is its own mail) and the link is made when the mail is rendered, from the account as it is then;
the texts are the admin-editable mail templates (responses/mail_templates.py)."""

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.tokens import password_reset_tokens, signup_tokens, uid_encode
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_render, mail_template_for
from responses.models import MailTemplate
from tickets.mail.outbound import AUTO_GENERATED, OutgoingMail
from tickets.mail.outbox import (
    PASSWORD_RESET,
    SIGNUP_EXISTING,
    SIGNUP_VERIFICATION,
    Held,
    OutboxEntry,
    Rendered,
    outbox_add_many,
)
from tickets.models import OutboundEmail

KINDS = (PASSWORD_RESET, SIGNUP_VERIFICATION, SIGNUP_EXISTING)


def account_mail_add(*, kind: str, to: str, user: User | None = None) -> OutboundEmail:
    """Write one account mail to the outbox in the caller's transaction."""
    key = f"{kind}:{user.pk if user else 0}:{secrets.token_hex(8)}"
    return outbox_add_many([OutboxEntry(kind=kind, ticket_id=None, to=to, idempotency_key=key)])[0]


def account_mail_user_id(key: str) -> int | None:
    """The account an account mail's outbox key names, if any."""
    _kind, _sep, rest = key.partition(":")
    user_text = rest.partition(":")[0]
    return int(user_text) if user_text.isdigit() and int(user_text) else None


def is_pending_signup(user: User) -> bool:
    """An account opened from the help centre whose address is not confirmed yet: a customer's,
    inactive, never signed in."""
    return user.kind == User.Kind.CUSTOMER and not user.is_active and user.last_login is None


def link_valid_for() -> str:
    """PASSWORD_RESET_TIMEOUT in words: "1 day", "3 hours", "30 minutes"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def password_reset_link(user: User) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid_encode(user), "token": password_reset_tokens.make_token(user)},
    )
    return settings.SITE_URL + path


def signup_link(user: User) -> str:
    path = reverse(
        "accounts:signup_confirm",
        kwargs={"uidb64": uid_encode(user), "token": signup_tokens.make_token(user)},
    )
    return settings.SITE_URL + path


def account_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The outbox's renderer for account mails: each for its account as it is now."""
    wanted = {account_mail_user_id(row.idempotency_key) for row in rows} - {None}
    people = User.objects.in_bulk(wanted)
    return [
        _account_mail(row, people.get(account_mail_user_id(row.idempotency_key))) for row in rows
    ]


def _names(user: User) -> dict[str, str]:
    name = user.full_name.strip()
    return {"customer_name": name, "customer_first_name": name.split(" ")[0] if name else ""}


def _account_mail(row: OutboundEmail, user: User | None) -> Rendered:
    values = dict.fromkeys(MAIL_PLACEHOLDERS, "")
    values.update(
        link_valid_for=link_valid_for(),
        sign_in_link=settings.SITE_URL + reverse("accounts:sign_in"),
        password_reset_link=settings.SITE_URL + reverse("accounts:password_reset"),
    )
    if row.kind == PASSWORD_RESET:
        if user is None or not user.is_active:
            return Held(_("The account is no longer active."))
        key = MailTemplate.Key.PASSWORD_RESET
        values.update(_names(user), account_link=password_reset_link(user))
    elif row.kind == SIGNUP_VERIFICATION:
        if user is None or not is_pending_signup(user):
            return Held(_("The account is confirmed already, or no longer there."))
        key = MailTemplate.Key.SIGNUP_VERIFICATION
        values.update(_names(user), account_link=signup_link(user))
    else:
        key = MailTemplate.Key.SIGNUP_EXISTING
    subject, body = mail_template_for(key=key)
    mail = mail_render(subject=subject, body=body, values=values)
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
        ticket=None,
        to=user.email if user is not None else row.to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        auto_submitted=AUTO_GENERATED,
    )
