"""The mails the product sends, as templates admins can edit: shipped defaults, the lookup of
an admin's version (mailbox, then department, then global), and rendering.

Rendering is the canned responses' plain substitution from a fixed list of values, never the
template engine, so an admin-written template cannot reach other data. The ticket tag is always
kept in the subject: threading replies depends on it.

What a visitor typed (their name, the subject) is never a link in a mail sent from the
helpdesk's own address: it is escaped, left out of the HTML part's linkifying, and carries
invisible breaks in anything a mail client would auto-link ("evil.example/login",
"http://…", "someone@…"), in the HTML and the plain-text part alike. Only the admin's template
text and the product's own values (the ticket link, the department, the tech's reply) become
links."""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from responses.models import MailTemplate
from responses.placeholders import PLACEHOLDER_PATTERN, PLACEHOLDERS, placeholders_render

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

# Values a visitor chose: shown as text, never as a link.
VISITOR_VALUES = frozenset({"customer_name", "customer_first_name", "ticket_subject"})

# A zero-width space on each side of the characters that make text look like an address to a
# mail client's linkifier: dots (with the ideographic and full-width dots IDNA reads as dots),
# the scheme's colon, the at sign. Linkifiers stop a link at it (Gmail puts one into addresses
# in subject lines for this very reason) and the reader sees nothing.
LINK_BREAKS = re.compile(r"[.:@\u3002\uff0e\uff61]+")
ZERO_WIDTH_SPACE = "\u200b"

# Stands for a visitor value while the HTML is built; NUL never occurs in stored text.
VISITOR_MARK = re.compile("\x00(\\d+)\x00")

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


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: SafeString


def mail_template_for(*, key: str, department=None, mailbox=None) -> tuple[str, str]:
    """The subject and text to use: the mailbox's version, the department's, the global one,
    else the shipped default (one query for all three)."""
    scopes = Q(department__isnull=True, mailbox__isnull=True)
    if department is not None:
        scopes |= Q(department=department, mailbox__isnull=True)
    if mailbox is not None:
        scopes |= Q(mailbox=mailbox)
    found = {
        ("mailbox" if t.mailbox_id else "department" if t.department_id else "global"): t
        for t in MailTemplate.objects.filter(scopes, key=key, is_active=True)
    }
    for scope in ("mailbox", "department", "global"):
        if scope in found:
            return found[scope].subject, found[scope].body
    subject, body = DEFAULTS[key]
    return str(subject), str(body)


def unlinkable(value: str) -> str:
    """Text that reads the same but that no mail client turns into a link."""
    return LINK_BREAKS.sub(
        lambda match: ZERO_WIDTH_SPACE + ZERO_WIDTH_SPACE.join(match.group(0)) + ZERO_WIDTH_SPACE,
        value,
    )


def mail_render(*, subject: str, body: str, values: dict[str, str]) -> RenderedMail:
    """Fill the placeholders; the subject always carries the ticket tag, on one line. Visitor
    values are never links (see the module's docstring)."""
    rendered_subject = " ".join(
        placeholders_render(subject, values, allowed=MAIL_PLACEHOLDERS).split()
    )
    tag = values.get("ticket_tag", "")
    if tag and tag not in rendered_subject:
        rendered_subject = f"{tag} {rendered_subject}"
    safe_values = {
        name: unlinkable(str(value)) if name in VISITOR_VALUES else value
        for name, value in values.items()
    }
    text = placeholders_render(body, safe_values, allowed=MAIL_PLACEHOLDERS)
    html = _html(body, safe_values)
    return RenderedMail(subject=rendered_subject[:998], text=text, html=html)


def _html(body: str, values: dict[str, str]) -> SafeString:
    """The HTML part: paragraphs and line breaks, links made from the template's own text and
    the product's values only. Each visitor value stands as a mark while the rest is escaped and
    linkified, so no link can start, end or run through it; then it goes in escaped."""
    visitor: list[str] = []

    def mark(match: re.Match) -> str:
        name = match.group(1)
        if name in VISITOR_VALUES and name in values:
            visitor.append(str(values[name]).replace("\x00", ""))
            return f"\x00{len(visitor) - 1}\x00"
        return match.group(0)

    product_values = {name: str(value).replace("\x00", "") for name, value in values.items()}
    marked = placeholders_render(
        PLACEHOLDER_PATTERN.sub(mark, body.replace("\x00", "")),
        product_values,
        allowed=MAIL_PLACEHOLDERS,
    )
    paragraphs = re.split(r"\n{2,}", marked.replace("\r\n", "\n").replace("\r", "\n"))
    html = []
    for paragraph in paragraphs:
        lines = []
        for line in paragraph.split("\n"):
            pieces = VISITOR_MARK.split(line)  # text, index, text, index, …, text
            lines.append(
                "".join(
                    escape(visitor[int(piece)]) if odd else urlize(escape(piece))
                    for odd, piece in ((index % 2, piece) for index, piece in enumerate(pieces))
                )
            )
        html.append(f"<p>{'<br>'.join(lines)}</p>")
    # Escaped above; the only tags are <p>, <br> and urlize's <a> around the template's links.
    return mark_safe("\n\n".join(html))


def mail_values(*, ticket, link: str, tech=None, message: str = "") -> dict[str, str]:
    """Everything a mail template may show, for one ticket."""
    customer_name = ticket.customer.name.strip()
    tech_name = tech.full_name.strip() if tech is not None else ""
    return {
        "customer_name": customer_name,
        "customer_first_name": customer_name.split()[0] if customer_name else "",
        "ticket_number": str(ticket.number),
        "ticket_tag": ticket.tag,
        "ticket_subject": ticket.subject,
        "ticket_link": link,
        "tech_name": tech_name,
        "tech_first_name": tech_name.split()[0] if tech_name else "",
        "department": ticket.department.name,
        "message": message,
        "status": ticket.status.name,
    }


def mail_preview(*, key: str, subject: str, body: str) -> RenderedMail:
    """How a template reads with example values, for the admin's preview."""
    values = {
        "customer_name": "Carla Customer",
        "customer_first_name": "Carla",
        "ticket_number": "1042",
        "ticket_tag": "[#1042]",
        "ticket_subject": _("Printer shows error E-042"),
        "ticket_link": "https://helpdesk.example.com/support/t/…/",
        "tech_name": "Tom Tech",
        "tech_first_name": "Tom",
        "department": _("Technical support"),
        "message": _("Please restart the printer and tell us whether the error comes back."),
        "status": _("In progress"),
        "recipient_name": "Tom Tech",
        "what_happened": _("Customer reply"),
        "desk_link": "https://helpdesk.example.com/desk/t/1042/",
        "notifications": "- [#1042] "
        + _("Customer reply")
        + ": "
        + _("Printer shows error E-042")
        + "\n  https://helpdesk.example.com/desk/t/1042/",
        "notifications_link": "https://helpdesk.example.com/notifications/",
        "autoclose_days": "7",
        # The same words tickets/sla/pending.py reminder_values() uses.
        "autoclose_notice": ngettext(
            "If we do not hear from you within %(days)d day, we will close the request; "
            "writing to us later opens it again.",
            "If we do not hear from you within %(days)d days, we will close the request; "
            "writing to us later opens it again.",
            7,
        )
        % {"days": 7},
        "sla_clock": _("first response"),
        "due_time": "30.11.2026 14:30 (Europe/Berlin)",
        "owner_name": "Tom Tech",
        "summary_month": "October 2026",
        "summary_departments": _("Technical support"),
        # In the words of reports/summary_numbers.py.
        "summary_numbers": _(
            "- E-mails received: 120 — ↑ 20 more (September 2026: 100)\n"
            "- Cases closed: 96 — ↓ 4 fewer (September 2026: 100)\n"
            "- Within SLA: 87.5 % — ↑ 2.5 percentage points higher (September 2026: 85.0 %)\n"
            "- Reopened: 3 — = no change (September 2026: 3)"
        ),
        "report_link": "https://helpdesk.example.com/reports/?period=last_month",
        "preferences_link": "https://helpdesk.example.com/accounts/preferences/",
        "rating_links": "\n".join(
            f"- {label}: https://helpdesk.example.com/support/t/…/rate/?mark={number}"
            for number, label in enumerate(
                (_("Excellent, thank you"), _("The answer satisfies"), _("Not complete enough")),
                start=1,
            )
        ),
        # The same words tickets/satisfaction_mail.py rating_change_notice() uses.
        "rating_change_notice": ngettext(
            "On the page that opens you can add a comment, or change your answer within "
            "%(days)d day.",
            "On the page that opens you can add a comment, or change your answer within "
            "%(days)d days.",
            14,
        )
        % {"days": 14},
        "survey_opt_out_link": "https://helpdesk.example.com/support/t/…/surveys/",
        "account_link": "https://helpdesk.example.com/accounts/password-reset/…/",
        "link_valid_for": ngettext("%(days)d day", "%(days)d days", 1) % {"days": 1},
        "password_reset_link": "https://helpdesk.example.com/accounts/password-reset/",
        "sign_in_link": "https://helpdesk.example.com/accounts/login/",
    }
    if key in (
        Key.NOTIFICATION_DIGEST,
        Key.MONTHLY_SUMMARY,
        Key.PASSWORD_RESET,
        Key.SIGNUP_VERIFICATION,
        Key.SIGNUP_EXISTING,
    ):
        values["ticket_tag"] = ""  # about many tickets, or none
    return mail_render(subject=subject, body=body, values=values)
