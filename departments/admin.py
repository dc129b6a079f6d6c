from django.contrib import admin

from departments.models import Department, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "consultation_email", "response_time_limit", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "consultation_email")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "retrieval_priority", "is_manager")
    list_filter = ("department", "is_manager")
    search_fields = ("user__email", "user__full_name", "department__name")
    list_select_related = ("user", "department")
    autocomplete_fields = ("user",)
