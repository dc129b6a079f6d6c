"""The people the helpdesk serves: customer records, their addresses, and the history of who
changed what in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.users import User, normalize_email_address


class Customer(models.Model):
    """Someone the helpdesk serves. Tickets link here; a registered account is optional."""

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
        limit_choices_to={"kind": User.Kind.STAFF},
        help_text=_("New tickets from this customer go straight to this tech."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        limit_choices_to={"kind": User.Kind.CUSTOMER},
    )
    notes = models.TextField(_("notes"), blank=True)
    survey_opt_out = models.BooleanField(
        _("no satisfaction surveys"),
        default=False,
        db_default=False,
        help_text=_("The customer asked not to be sent satisfaction surveys."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="accounts_customer_name_ci")]

    def __str__(self):
        return self.name


class CustomerEmail(models.Model):
    """One of a customer's addresses; an address belongs to one customer only."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="emails"
    )
    email = models.EmailField(_("email address"))
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("customer email address")
        verbose_name_plural = _("customer email addresses")
        ordering = ["-is_primary", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_customeremail_ci_unique"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="accounts_customeremail_one_primary",
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)


class CustomerChange(models.Model):
    """One line of a customer's history: who changed which field of the record, from what to
    what (accounts/customer_edits.py writes them; a merge is one line too). Actors are kept by
    name as well, so a line still reads right after the account is gone."""

    class Field(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")
        COMPANY = "company", _("Company")
        ACCOUNT_MANAGER = "account_manager", _("Account manager")
        NOTES = "notes", _("Notes")
        EMAIL_ADDED = "email_added", _("Address added")
        EMAIL_REMOVED = "email_removed", _("Address removed")
        PRIMARY_EMAIL = "primary_email", _("Primary address")
        MERGED = "merged", _("Merged")
        ACCOUNT = "account", _("Account")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("changed by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    field = models.CharField(_("field"), max_length=32, choices=Field.choices)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("customer change")
        verbose_name_plural = _("customer changes")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-at", "-id"], name="accounts_custchange_recent")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.field} {self.at:%Y-%m-%d %H:%M}"
