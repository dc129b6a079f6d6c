"""The mails' shipped texts: what each mail says until an admin writes their own version
(responses/mail_templates.py looks the admin's version up first)."""

from django.utils.translation import gettext_lazy

from responses.models import MailTemplate

Key = MailTemplate.Key

# Shipped defaults. Written in English and translated when a mail is rendered.
DEFAULTS: dict[str, tuple[str, str]] = {
    Key.PASSWORD_RESET: (
        gettext_lazy("Your password reset link"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "someone, probably you, asked to reset the password of your helpdesk account. "
            "Choose a new password at this link:\n"
            "{{ account_link }}\n\n"
            "The link works once, for {{ link_valid_for }}. If you did not ask for it, ignore "
            "this mail: your password stays as it is.\n\n"
            "Your support team"
        ),
    ),
    Key.SIGNUP_VERIFICATION: (
        gettext_lazy("Confirm your address to open your account"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "to open your helpdesk account, confirm that this address is yours:\n"
            "{{ account_link }}\n\n"
            "The link works once, for {{ link_valid_for }}. If you did not sign up, ignore this "
            "mail: no account is opened.\n\n"
            "Your support team"
        ),
    ),
    Key.SIGNUP_EXISTING: (
        gettext_lazy("You already have an account"),
        gettext_lazy(
            "Hello,\n\n"
            "someone, probably you, tried to sign up to the helpdesk with this address, but it "
            "already has an account. Sign in here:\n"
            "{{ sign_in_link }}\n\n"
            "Forgot your password? Ask for a new one here:\n"
            "{{ password_reset_link }}\n\n"
            "If you did not try to sign up, ignore this mail: nothing has changed.\n\n"
            "Your support team"
        ),
    ),
    Key.CONFIRMATION: (
        gettext_lazy("{{ ticket_tag }} We received your request: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "we have received your request and opened ticket #{{ ticket_number }}.\n\n"
            "Subject: {{ ticket_subject }}\n\n"
            "Follow your ticket, read our answers and reply at this private link:\n"
            "{{ ticket_link }}\n\n"
            "Keep this link to yourself: anyone who has it can read and answer the ticket.\n"
            "When you write to us about this request, keep the ticket number in the subject.\n\n"
            "Your support team, {{ department }}"
        ),
    ),
    Key.AUTO_RESPONSE: (
        gettext_lazy("{{ ticket_tag }} We received your message: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "thank you for writing. Your message is ticket #{{ ticket_number }}, and a member "
            "of {{ department }} will answer soon.\n\n"
            "To add to it, reply to this email and keep {{ ticket_tag }} in the subject, or "
            "use your private link:\n{{ ticket_link }}\n\n"
            "This is an automatic reply."
        ),
    ),
    Key.REPLY: (
        gettext_lazy("{{ ticket_tag }} Re: {{ ticket_subject }}"),
        gettext_lazy(
            "{{ message }}\n\n"
            "Read the whole conversation, or reply by answering this email:\n{{ ticket_link }}"
        ),
    ),
    Key.REPLY_NOTICE: (
        gettext_lazy("{{ ticket_tag }} There is an answer: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "there is a new answer to your ticket #{{ ticket_number }}. Read it here:\n"
            "{{ ticket_link }}"
        ),
    ),
    Key.CONSULTATION: (
        gettext_lazy("{{ ticket_tag }} Consultation: {{ ticket_subject }}"),
        gettext_lazy(
            "{{ tech_name }} ({{ department }}) asks for your help with ticket "
            "#{{ ticket_number }}:\n\n{{ message }}\n\n"
            "Please answer by replying to this email and keep {{ ticket_tag }} in the subject; "
            "your answer goes straight back into the ticket."
        ),
    ),
    Key.PENDING_REMINDER: (
        gettext_lazy("{{ ticket_tag }} We are waiting for your answer: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "we are still waiting for your answer on {{ ticket_tag }} {{ ticket_subject }}. "
            "{{ autoclose_notice }}\n\n"
            "Reply to this email, or use your private link:\n{{ ticket_link }}\n\n"
            "Your support team, {{ department }}"
        ),
    ),
    Key.SATISFACTION_SURVEY: (
        gettext_lazy("{{ ticket_tag }} How did we do? {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ customer_name }},\n\n"
            "your request {{ ticket_tag }} {{ ticket_subject }} is closed. How satisfied are "
            "you with our answer? One click on the line that fits is enough:\n\n"
            "{{ rating_links }}\n\n"
            "{{ rating_change_notice }}\n\n"
            "If something is still not right, reply to this email and the request opens again.\n\n"
            "Your support team, {{ department }}\n\n"
            "No more questions like this one: {{ survey_opt_out_link }}"
        ),
    ),
    Key.NOTIFICATION: (
        gettext_lazy("{{ ticket_tag }} {{ what_happened }}: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "{{ what_happened }} on ticket #{{ ticket_number }} ({{ department }}).\n\n"
            "{{ message }}\n\n"
            "Open the ticket:\n{{ desk_link }}\n\n"
            "Choose which notifications you receive in your preferences:\n"
            "{{ notifications_link }}"
        ),
    ),
    Key.NOTIFICATION_DIGEST: (
        gettext_lazy("Helpdesk: what happened on your tickets"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "this happened on tickets you follow since the last digest:\n\n"
            "{{ notifications }}\n\n"
            "All your notifications:\n{{ notifications_link }}"
        ),
    ),
    Key.ESCALATION: (
        gettext_lazy("{{ ticket_tag }} Escalation: {{ sla_clock }} overdue: {{ ticket_subject }}"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "ticket #{{ ticket_number }} ({{ department }}) passed its {{ sla_clock }} time "
            "limit: it was due {{ due_time }}.\n\n"
            "Subject: {{ ticket_subject }}\n"
            "Customer: {{ customer_name }}\n"
            "Owner: {{ owner_name }}\n"
            "Status: {{ status }}\n\n"
            "Open the ticket:\n{{ desk_link }}\n\n"
            "This mail goes to the department's managers and to the ticket's owner (to the "
            "department's techs while it has none), once for each time limit."
        ),
    ),
    Key.SLA_WARNING: (
        gettext_lazy(
            "{{ ticket_tag }} At risk: {{ sla_clock }} due {{ due_time }}: {{ ticket_subject }}"
        ),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "ticket #{{ ticket_number }} ({{ department }}) has less than a fifth of its "
            "{{ sla_clock }} time left: it is due {{ due_time }}.\n\n"
            "Subject: {{ ticket_subject }}\n"
            "Customer: {{ customer_name }}\n"
            "Owner: {{ owner_name }}\n"
            "Status: {{ status }}\n\n"
            "Open the ticket:\n{{ desk_link }}\n\n"
            "If the time limit passes, the department's managers get the escalation mail."
        ),
    ),
    Key.MONTHLY_SUMMARY: (
        gettext_lazy("Helpdesk summary for {{ summary_month }}: {{ summary_departments }}"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "here are the key numbers of {{ summary_month }} for {{ summary_departments }}, "
            "each with the change from the month before:\n\n"
            "{{ summary_numbers }}\n\n"
            "Days are counted in your time zone; response and resolution times are business "
            "time. The whole report, with the cases behind every number:\n"
            "{{ report_link }}\n\n"
            "You receive this summary because you chose it in your preferences, where you can "
            "also stop it:\n{{ preferences_link }}"
        ),
    ),
}
