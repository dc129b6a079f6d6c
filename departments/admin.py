from django.contrib import admin

from departments.models import Category, Department, Membership, WebForm


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


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("department", "is_active")
    search_fields = ("name",)
    list_select_related = ("department",)


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "audience", "default_department", "default_tech", "is_active")
    list_filter = ("audience", "is_active")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("categories",)
    autocomplete_fields = ("default_tech",)
    list_select_related = ("default_department", "default_tech")
