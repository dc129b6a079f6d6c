"""The values a mail template may use: the canned responses' placeholders and the mails' own
(the tech's reply, the ticket's link, notifications, escalations, the monthly summary, the
satisfaction survey, the account mails). The admin's template editor lists them with these
descriptions, and rendering refuses any other (responses/mail_templates.py)."""

from django.utils.translation import gettext_lazy

from responses.placeholders import PLACEHOLDERS

MAIL_PLACEHOLDERS = {
    **PLACEHOLDERS,
    "tech_name": gettext_lazy("The name of the tech who wrote the reply"),
    "tech_first_name": gettext_lazy("The first name of the tech who wrote the reply"),
    "ticket_link": gettext_lazy("The customer's private link to the ticket"),
    "message": gettext_lazy("The text of the reply, or the consultation question"),
    "status": gettext_lazy("The ticket's status"),
    # Notifications to staff (never to customers).
    "recipient_name": gettext_lazy(
        "Notifications, escalation, warning and monthly summary: the staff member it goes to"
    ),
    "what_happened": gettext_lazy("Notifications: what happened, in one line"),
    "desk_link": gettext_lazy(
        "Notifications, escalation and warning: the ticket's page in the desk (staff only)"
    ),
    "notifications": gettext_lazy("Digest: one line per notification, with its link"),
    "notifications_link": gettext_lazy("Notifications: the staff member's list of notifications"),
    # The pending reminder (to a customer we are waiting for).
    "autoclose_days": gettext_lazy(
        "Pending reminder: the days after which the request closes without an answer "
        "(empty when the department never closes it)"
    ),
    "autoclose_notice": gettext_lazy(
        "Pending reminder: one sentence saying when the request closes without an answer "
        "(empty when the department never closes it)"
    ),
    # Escalation and at-risk warning mails to staff.
    "sla_clock": gettext_lazy(
        "Escalation and warning: which time limit, “first response” or “resolution”"
    ),
    "due_time": gettext_lazy(
        "Escalation and warning: when that time limit is due, in the recipient's time zone"
    ),
    "owner_name": gettext_lazy("Escalation and warning: the ticket's owner"),
    # The monthly summary to managers (reports/monthly_summary.py).
    "summary_month": gettext_lazy("Monthly summary: the month it covers, as “October 2026”"),
    "summary_departments": gettext_lazy(
        "Monthly summary: the departments it covers (“every department” for an admin)"
    ),
    "summary_numbers": gettext_lazy(
        "Monthly summary: the key numbers, one a line, each with the change from the month before"
    ),
    "report_link": gettext_lazy("Monthly summary: the reports page for last month (staff only)"),
    "preferences_link": gettext_lazy(
        "Monthly summary: the recipient's preferences, where they can stop the summary"
    ),
    # The satisfaction survey (to a customer whose case closed).
    "rating_links": gettext_lazy(
        "Satisfaction survey: one line per satisfaction mark with its link; the customer's "
        "click on one records it"
    ),
    "rating_change_notice": gettext_lazy(
        "Satisfaction survey: one sentence saying how long the customer may add a comment or "
        "change their answer (empty when a rating cannot be changed)"
    ),
    "survey_opt_out_link": gettext_lazy(
        "Satisfaction survey: the page where the customer asks for no more surveys"
    ),
    # Account mails (accounts/account_mail.py): no ticket; customer_name is the account's name.
    "account_link": gettext_lazy(
        "Password reset and sign-up: the personal link (choose a new password, confirm the "
        "address); it works once"
    ),
    "link_valid_for": gettext_lazy(
        "Password reset and sign-up: how long the link works, as “1 day” or “3 hours”"
    ),
    "password_reset_link": gettext_lazy(
        "Sign-up with an address that has an account: the page where a new password is asked for"
    ),
    "sign_in_link": gettext_lazy("Account mails: the sign-in page"),
}
