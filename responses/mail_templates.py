"""The mails the product sends, as templates admins can edit: the lookup of an admin's version
(mailbox, then department, then global, else the shipped default: responses/mail_defaults.py),
the values a mail is filled with, and rendering (the values a template may use:
responses/mail_placeholders.py).

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
from django.utils.translation import ngettext

from responses.mail_defaults import DEFAULTS
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.models import MailTemplate
from responses.placeholders import PLACEHOLDER_PATTERN, placeholders_render

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
