"""Customer records: finding the customer behind an email address or account, creating one."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from accounts.models import Customer, CustomerEmail, User, normalize_email_address


def customer_by_email(*, email: str) -> Customer | None:
    email = normalize_email_address(email)
    address = CustomerEmail.objects.select_related("customer").filter(email=email).first()
    return address.customer if address else None


def customer_addresses(*, customer: Customer) -> list[CustomerEmail]:
    """The customer's addresses as they are now, primary first (a customer read with its
    addresses prefetched holds them as they were before a change)."""
    return list(CustomerEmail.objects.filter(customer=customer).order_by("-is_primary", "email"))


def customer_for_user(*, user: User) -> Customer | None:
    """The customer record of a signed-in customer: linked to the account, else matched by the
    account's email address (and then linked)."""
    customer = Customer.objects.filter(user=user).first()
    if customer is None:
        customer = customer_by_email(email=user.email)
        if customer is not None and customer.user_id is None:
            Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=user)
            customer.user = user
    return customer


def customer_match_or_create(
    *, email: str, name: str, phone: str = "", user: User | None = None
) -> Customer:
    """The customer who owns this address (case-insensitive), or a new one.

    Two requests racing to create the same new customer end with one record: the loser of the
    unique-address race takes the winner's."""
    email = normalize_email_address(email)
    customer = customer_for_user(user=user) if user is not None else None
    if customer is None:
        customer = customer_by_email(email=email)
    if customer is not None:
        return customer
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name=name.strip() or email, phone=phone, user=user)
            CustomerEmail.objects.create(customer=customer, email=email, is_primary=True)
    except IntegrityError:
        existing = customer_by_email(email=email)
        if existing is None:
            raise
        return existing
    return customer


def customers_by_emails(*, emails: Iterable[str]) -> dict[str, Customer]:
    """The customers behind these addresses, by normalised address, in one query (a batch of
    mail asks for all its senders at once); account managers come along for routing."""
    normalized = {normalize_email_address(email) for email in emails if email}
    if not normalized:
        return {}
    addresses = CustomerEmail.objects.filter(email__in=normalized).select_related(
        "customer", "customer__account_manager"
    )
    return {address.email: address.customer for address in addresses}


def customers_create(*, names_by_email: dict[str, str]) -> dict[str, Customer]:
    """A new customer for each address (normalised address → name), two statements for all.

    For a caller that knows the addresses are new (it looked them up in its transaction): an
    address another writer took meanwhile raises IntegrityError, and the caller starts over."""
    people = {normalize_email_address(email): name for email, name in names_by_email.items()}
    customers = {email: Customer(name=name.strip() or email) for email, name in people.items()}
    Customer.objects.bulk_create(customers.values())
    CustomerEmail.objects.bulk_create(
        CustomerEmail(customer=customer, email=email, is_primary=True)
        for email, customer in customers.items()
    )
    return customers
