"""Staff editing a customer record: the profile's fields, the addresses, and the history line
each change leaves (CustomerChange).

Two people editing the same customer at once: each save locks the customer's row, and writes
only the fields its editor changed (the form says which), so the last write wins field by field
and nobody's change to another field is undone. Address changes take the same lock, so two
removals at once never leave a customer without an address, and an address added meanwhile is
never lost."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Customer, CustomerChange, CustomerEmail, User, normalize_email_address

PROFILE_FIELDS = ("name", "phone", "company", "account_manager", "notes")
NAME_MAX_LENGTH = Customer._meta.get_field("name").max_length


class AddressTaken(ValidationError):
    """The address belongs to another customer; `owner` is that customer."""

    def __init__(self, *, owner: Customer, email: str):
        super().__init__(
            _("%(email)s belongs to another customer.") % {"email": email}, code="taken"
        )
        self.owner = owner
        self.email = email


def _locked(customer: Customer) -> Customer:
    return Customer.objects.select_for_update(of=("self",)).get(pk=customer.pk)


def _shown(field: str, value) -> str:
    if field == "account_manager":
        return value.full_name or value.email if value is not None else ""
    return value or ""


def change_record(
    *, customer: Customer, actor: User | None, field: str, old: str = "", new: str = ""
) -> CustomerChange:
    return CustomerChange.objects.create(
        customer=customer,
        actor=actor,
        actor_name=(actor.full_name or actor.email) if actor is not None else "",
        field=field,
        old_value=old,
        new_value=new,
    )


@transaction.atomic
def customer_update(*, customer: Customer, actor: User, changes: dict) -> list[str]:
    """Write the changed profile fields (name, phone, company, account manager, notes); the
    fields that really changed, each with its history line. The account manager must be an
    active staff member."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    errors = {}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            errors["name"] = _("A customer needs a name.")
        elif len(changes["name"]) > NAME_MAX_LENGTH:
            errors["name"] = _("Keep the name under %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    manager = changes.get("account_manager")
    if manager is not None and not (manager.is_active and manager.is_tech):
        errors["account_manager"] = _("The account manager must be an active staff member.")
    if errors:
        raise ValidationError(errors)
    locked = _locked(customer)
    written = []
    for field, value in changes.items():
        if field in ("phone", "company"):
            value = (value or "").strip()
        elif field == "notes":
            value = value or ""
        old = getattr(locked, field)
        if old == value:
            continue
        setattr(locked, field, value)
        written.append(field)
        change_record(
            customer=locked,
            actor=actor,
            field=field,
            old=_shown(field, old),
            new=_shown(field, value),
        )
    if written:
        locked.save(update_fields=[*written, "updated_at"])
    for field in written:
        setattr(customer, field, getattr(locked, field))
    return written


@transaction.atomic
def customer_email_add(*, customer: Customer, actor: User, email: str) -> CustomerEmail:
    """Add an address. One that belongs to another customer is refused (AddressTaken, nothing
    written); one the customer already has is refused too."""
    email = normalize_email_address(email)
    locked = _locked(customer)
    existing = CustomerEmail.objects.select_related("customer").filter(email=email).first()
    if existing is not None:
        if existing.customer_id == locked.pk:
            raise ValidationError(
                _("%(email)s is already one of this customer's addresses.") % {"email": email},
                code="own",
            )
        raise AddressTaken(owner=existing.customer, email=email)
    has_primary = CustomerEmail.objects.filter(customer=locked, is_primary=True).exists()
    try:
        with transaction.atomic():
            address = CustomerEmail.objects.create(
                customer=locked, email=email, is_primary=not has_primary
            )
    except IntegrityError:
        # Another customer took the address a moment ago.
        owner = Customer.objects.filter(emails__email=email).first()
        if owner is None:
            raise
        raise AddressTaken(owner=owner, email=email) from None
    change_record(customer=locked, actor=actor, field=CustomerChange.Field.EMAIL_ADDED, new=email)
    return address


@transaction.atomic
def customer_email_remove(*, customer: Customer, actor: User, address_id: int) -> str:
    """Remove one of the customer's addresses; the last one stays (a customer is reached by
    it). Removing the primary address makes the next one primary."""
    locked = _locked(customer)
    addresses = list(CustomerEmail.objects.filter(customer=locked).order_by("-is_primary", "pk"))
    address = next((a for a in addresses if a.pk == address_id), None)
    if address is None:
        raise ValidationError(_("That address is no longer one of this customer's."))
    if len(addresses) == 1:
        raise ValidationError(
            _("%(email)s is the customer's only address; add another before removing it.")
            % {"email": address.email}
        )
    address.delete()
    change_record(
        customer=locked, actor=actor, field=CustomerChange.Field.EMAIL_REMOVED, old=address.email
    )
    if address.is_primary:
        successor = next(a for a in addresses if a.pk != address.pk)
        CustomerEmail.objects.filter(pk=successor.pk).update(is_primary=True)
        change_record(
            customer=locked,
            actor=actor,
            field=CustomerChange.Field.PRIMARY_EMAIL,
            old=address.email,
            new=successor.email,
        )
    return address.email


@transaction.atomic
def customer_email_make_primary(*, customer: Customer, actor: User, address_id: int) -> str:
    """Make one of the customer's addresses the one mail goes to."""
    locked = _locked(customer)
    address = CustomerEmail.objects.filter(customer=locked, pk=address_id).first()
    if address is None:
        raise ValidationError(_("That address is no longer one of this customer's."))
    if address.is_primary:
        return address.email
    previous = CustomerEmail.objects.filter(customer=locked, is_primary=True).first()
    CustomerEmail.objects.filter(customer=locked, is_primary=True).update(is_primary=False)
    CustomerEmail.objects.filter(pk=address.pk).update(is_primary=True)
    change_record(
        customer=locked,
        actor=actor,
        field=CustomerChange.Field.PRIMARY_EMAIL,
        old=previous.email if previous else "",
        new=address.email,
    )
    return address.email


@dataclass(frozen=True)
class MergePlan:
    """What merging `removed` into `kept` moves, as the confirmation page shows it."""

    kept: Customer
    removed: Customer
    addresses: list[str]
    ticket_count: int
    call_count: int
    history_count: int
    account_moves: bool
    filled: dict  # field → value taken from the removed customer where the kept one has none
    refusal: str = ""


def _merge_refusal(kept: Customer, removed: Customer) -> str:
    if kept.pk == removed.pk:
        return _("Pick another customer: a customer cannot be merged into itself.")
    if kept.user_id and removed.user_id:
        return _(
            "Both customers have a sign-in account; merging would take the sign-in away from "
            "one of them. Nothing was merged."
        )
    return ""


def _filled(kept: Customer, removed: Customer) -> dict:
    filled = {}
    for field in ("phone", "company", "account_manager"):
        if not getattr(kept, field) and getattr(removed, field):
            filled[field] = getattr(removed, field)
    if removed.notes.strip():
        filled["notes"] = (
            f"{kept.notes.rstrip()}\n\n{removed.notes.strip()}"
            if kept.notes.strip()
            else removed.notes.strip()
        )
    return filled


def merge_plan(*, kept: Customer, removed: Customer) -> MergePlan:
    from tickets.models import Message, Ticket

    return MergePlan(
        kept=kept,
        removed=removed,
        addresses=list(removed.emails.values_list("email", flat=True)),
        ticket_count=Ticket.objects.filter(customer=removed).count(),
        call_count=Message.objects.filter(
            ticket__customer=removed, kind=Message.Kind.PHONE_CALL
        ).count(),
        history_count=removed.changes.count(),
        account_moves=bool(removed.user_id and not kept.user_id),
        filled=_filled(kept, removed),
        refusal=_merge_refusal(kept, removed),
    )


def _move_related(*, kept: Customer, removed: Customer) -> None:
    """Every row keyed to the removed customer now points at the kept one: each relation found
    on the model (tickets, messages' customer author, addresses, history, and whatever points
    at customers later), so nothing is left dangling or cascaded away."""
    for relation in Customer._meta.related_objects:
        if relation.many_to_many:
            continue
        model = relation.related_model
        name = relation.field.name
        if model is CustomerEmail:
            model._base_manager.filter(customer=removed).update(customer=kept, is_primary=False)
        elif relation.one_to_one and model._base_manager.filter(**{name: kept}).exists():
            continue  # the kept customer has its own; the removed one's goes with it
        else:
            model._base_manager.filter(**{name: removed}).update(**{name: kept})


@transaction.atomic
def customer_merge(*, kept: Customer, removed: Customer, actor: User) -> Customer:
    """Merge `removed` into `kept`: addresses, tickets (with their calls and ratings), history
    and anything else keyed to the customer move; empty fields of the kept record are filled
    from the removed one; the removed record is deleted and the merge is a line of the kept
    one's history. Refused when both have a sign-in account (one would lose its sign-in); an
    account only the removed customer has moves to the kept one."""
    first, second = sorted([kept.pk, removed.pk])
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second])}
    if len(locked) != 2 and kept.pk != removed.pk:
        raise ValidationError(_("One of the customers is gone: merged or removed meanwhile."))
    kept = locked[kept.pk]
    removed = locked.get(removed.pk, kept)
    refusal = _merge_refusal(kept, removed)
    if refusal:
        raise ValidationError(refusal, code="refused")
    addresses = list(removed.emails.values_list("email", flat=True))
    filled = _filled(kept, removed)
    account = removed.user
    _move_related(kept=kept, removed=removed)
    for field, value in filled.items():
        change_record(
            customer=kept,
            actor=actor,
            field=field,
            old=_shown(field, getattr(kept, field)),
            new=_shown(field, value),
        )
        setattr(kept, field, value)
    kept.survey_opt_out = kept.survey_opt_out or removed.survey_opt_out
    description = _("%(name)s (#%(id)d; %(addresses)s)") % {
        "name": removed.name,
        "id": removed.pk,
        "addresses": ", ".join(addresses) or "—",
    }
    removed.delete()
    if account is not None:
        kept.user = account
        change_record(
            customer=kept, actor=actor, field=CustomerChange.Field.ACCOUNT, new=account.email
        )
    kept.save()
    change_record(customer=kept, actor=actor, field=CustomerChange.Field.MERGED, new=description)
    return kept
