"""Customers open an account from the help centre when CUSTOMER_SIGNUP is on.

The account is written inactive and a link that confirms the address is mailed through the
outbox; it becomes usable only through that link (signed, expiring with PASSWORD_RESET_TIMEOUT,
working once: accounts/tokens.py). The page never tells whether an address has an account: an
address that has one gets a mail saying so, with the way to a new password, instead.

An account waiting for its confirmation is a customer's, inactive and never signed in; signing
up again with its address writes the new name and password and mails a fresh link (only the
address's owner can use it). An account an admin switched off is left alone, and its address
gets no mail."""

from django.db import IntegrityError, transaction

from accounts.account_mail import account_mail_add, is_pending_signup
from accounts.customers import customer_match_or_create
from accounts.models import CustomerEmail, User, normalize_email_address
from tickets.mail.outbox import SIGNUP_EXISTING, SIGNUP_VERIFICATION


@transaction.atomic
def signup_request(*, full_name: str, email: str, password: str) -> None:
    """Sign up `email`: a new inactive account and its confirmation mail, or the mail that
    fits the address's existing account. The caller answers the same in every case."""
    email = normalize_email_address(email)
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None and _address_of_another_account(email):
        account_mail_add(kind=SIGNUP_EXISTING, to=email)
        return
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email,
                    password,
                    full_name=full_name.strip(),
                    kind=User.Kind.CUSTOMER,
                    is_active=False,
                )
        except IntegrityError:  # the same address signed up a moment ago: that one stands
            return
        account_mail_add(kind=SIGNUP_VERIFICATION, to=email, user=user)
    elif is_pending_signup(user):
        user.full_name = full_name.strip()
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
        account_mail_add(kind=SIGNUP_VERIFICATION, to=email, user=user)
    elif user.is_active:
        account_mail_add(kind=SIGNUP_EXISTING, to=email, user=user)


def _address_of_another_account(email: str) -> bool:
    """A customer signs in with one address; their other addresses are theirs too."""
    return CustomerEmail.objects.filter(email=email, customer__user__isnull=False).exists()


@transaction.atomic
def signup_confirm(*, user: User) -> User:
    """The confirmation link was followed: the account opens, linked to the customer record of
    its address, or to a new one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    customer_match_or_create(email=user.email, name=user.full_name, user=user)
    return user
