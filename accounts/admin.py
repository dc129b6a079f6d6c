from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.client_info import browser_summary
from accounts.models import Customer, CustomerEmail, LoginEvent, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "kind")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = (
        "email",
        "full_name",
        "kind",
        "replies_need_approval",
        "is_superuser",
        "is_active",
    )
    list_filter = ("kind", "replies_need_approval", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("full_name", "email")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "kind", "replies_need_approval", "time_zone")}),
        (_("Access"), {"fields": ("is_active", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "kind", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")


class CustomerEmailInline(admin.TabularInline):
    model = CustomerEmail
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "phone", "account_manager", "user")
    search_fields = ("name", "company", "phone", "emails__email")
    list_select_related = ("account_manager", "user")
    autocomplete_fields = ("account_manager", "user")
    inlines = [CustomerEmailInline]


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """Sign-in history is evidence: it can be read and filtered, never added to, edited or
    deleted, by anyone, admins included. The session key stays out of sight (it would let a
    reader act as that session while it lasts); the browser is shown whole, wrapped, with a
    short summary first."""

    list_display = ("at", "kind", "who", "ip_address", "browser")
    list_filter = ("kind",)
    search_fields = ("email", "user__email", "user__full_name", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)
    fields = ("at", "kind", "user", "email", "ip_address", "browser", "last_activity_at")
    readonly_fields = fields
    actions = None

    class Media:
        css = {"all": ["css/admin-login-history.css"]}

    @admin.display(description=_("user"), ordering="email")
    def who(self, obj):
        """The account and, below it, the address typed (they differ for a failed sign-in)."""
        return format_html(
            '{}<br><span class="login-email">{}</span>',
            obj.user.full_name if obj.user else "—",
            obj.email,
        )

    @admin.display(description=_("browser"), ordering="user_agent")
    def browser(self, obj):
        if not obj.user_agent:
            return "—"
        return format_html(
            '<span class="login-browser"><strong>{}</strong><br><span>{}</span></span>',
            browser_summary(obj.user_agent),
            obj.user_agent,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
