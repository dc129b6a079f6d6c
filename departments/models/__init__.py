"""Departments and their configuration: every model is imported here, so Django registers them
under the departments app and `from departments.models import Department` works (the migrations
name `departments.models.validate_time_zone`)."""

from departments.models.calendars import (
    BusinessCalendar,
    BusinessHours,
    Holiday,
    PriorityLimit,
    validate_time_zone,
)
from departments.models.departments import (
    RESERVED_FORM_SLUGS,
    Category,
    Department,
    Mailbox,
    Membership,
    WebForm,
)
from departments.models.questionnaires import (
    Dictionary,
    DictionaryEntry,
    Question,
)

__all__ = [
    "RESERVED_FORM_SLUGS",
    "BusinessCalendar",
    "BusinessHours",
    "Category",
    "Department",
    "Dictionary",
    "DictionaryEntry",
    "Holiday",
    "Mailbox",
    "Membership",
    "PriorityLimit",
    "Question",
    "WebForm",
    "validate_time_zone",
]
