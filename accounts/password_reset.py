"""Password resets: a person asks for a link on the sign-in page's "Forgot your password?", or
staff send one to a customer from the customer's page. The link is mailed through the outbox
(accounts/account_mail.py) and set with Django's own views (accounts/views_password_reset.py).

Everyone with an active account and a password can ask, staff included, as with Django's own
views: the page answers the same whether or not the address has an account, so refusing staff
would not even be visible to them, and an admin who forgot their password needs it most."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.account_mail import account_mail_add
from accounts.customer_edits import change_record
from accounts.models import Customer, CustomerChange, User, normalize_email_address
from tickets.mail.outbox import PASSWORD_RESET
from tickets.models import OutboundEmail


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Mail a reset link to the active account with this address, if there is one; how many
    mails were written (0 or 1; the caller never shows it)."""
    users = User.objects.filter(email=normalize_email_address(email), is_active=True)
    written = 0
    for user in users:
        if user.has_usable_password():
            account_mail_add(kind=PASSWORD_RESET, to=user.email, user=user)
            written += 1
    return written


def customer_reset_account(*, customer: Customer) -> User | None:
    """The account a staff member may send a reset link to: the customer's own, while active
    (never a staff account that happens to be linked)."""
    user = customer.user
    if user is None or not user.is_active or user.kind != User.Kind.CUSTOMER:
        return None
    return user


@transaction.atomic
def password_reset_send(*, customer: Customer, actor: User) -> OutboundEmail:
    """Staff send the customer a reset link (the customer's page). The customer's history keeps
    who sent it and when, beside the mail in the outbox: a customer who says "someone changed my
    password" is answered from the customer's page. The line is an "Account" line (no new kind
    of line, so no migration), its text saying what happened."""
    user = customer_reset_account(customer=customer)
    if user is None:
        raise ValidationError(_("This customer has no active account to reset."))
    mail = account_mail_add(kind=PASSWORD_RESET, to=user.email, user=user)
    change_record(
        customer=customer,
        actor=actor,
        field=CustomerChange.Field.ACCOUNT,
        new=_("Password reset link sent to %(email)s") % {"email": user.email},
    )
    return mail
