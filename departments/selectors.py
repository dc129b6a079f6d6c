from django.db.models import QuerySet

from departments.models import Department


def departments_of(user) -> QuerySet[Department]:
    """The active departments a tech works in."""
    return Department.objects.filter(is_active=True, memberships__user=user).distinct()


def departments_managed_by(user) -> QuerySet[Department]:
    """The departments a person supervises: every active one for an admin."""
    if user.is_superuser:
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(
        is_active=True, memberships__user=user, memberships__is_manager=True
    ).distinct()


def user_is_manager(user) -> bool:
    """Whether a tech manages at least one active department (asked once per request)."""
    cached = getattr(user, "_is_manager_cache", None)
    if cached is None:
        cached = departments_managed_by(user).exists() if user.pk else False
        user._is_manager_cache = cached
    return cached
