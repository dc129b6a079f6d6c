"""Recognising mail no person wrote: auto-replies, bounces, mailing lists, our own mail.

Such mail must never get an auto-response (RFC 3834, section 2), which is how two auto-responders
end up answering each other forever. A false alarm only costs a human one auto-response, a miss
can cost a loop, so a rule's header counts as soon as it is there (an empty Auto-Submitted too).
Mail from our own addresses is more than automatic: the intake sets it aside rather than make a
ticket for the product's own address, unless it is a consultation answer or names a ticket
(intake_plans.py)."""

import re
from enum import StrEnum

from tickets.mail.parsing import ParsedEmail


class AutomaticReason(StrEnum):
    AUTO_SUBMITTED = "auto-submitted"
    PRECEDENCE = "precedence"
    AUTO_RESPONSE_SUPPRESS = "auto-response-suppress"
    AUTOREPLY_HEADER = "autoreply-header"
    MAILING_LIST = "mailing-list"
    NULL_RETURN_PATH = "null-return-path"
    SYSTEM_SENDER = "system-sender"
    LOOP_HEADER = "loop-header"
    OWN_ADDRESS = "own-address"


AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
# Mailbox names only machines send from; "bounces+123@..." and "noreply-alerts@..." count too.
_SYSTEM_LOCAL_PART = re.compile(
    r"(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|no_reply|bounces?)(?:[-_.+].*)?",
    re.IGNORECASE,
)


def _keyword(value: str) -> str:
    """A structured header's keyword, parameters and comments dropped ("auto-replied; x=y")."""
    return re.split(r"[;(\s]", value.strip(), maxsplit=1)[0].lower()


def automatic_reasons(
    parsed: ParsedEmail, *, own_addresses: set[str], loop_header: str = "x-helpdesk-loop"
) -> list[str]:
    """Why this mail is automatic, as AutomaticReason values; empty when a person wrote it.

    `loop_header` must be one of the headers `parse_email` keeps (any "x-helpdesk-" header)."""
    headers = parsed.headers
    reasons: list[str] = []
    if "auto-submitted" in headers and _keyword(headers["auto-submitted"]) != "no":
        reasons.append(AutomaticReason.AUTO_SUBMITTED)
    if _keyword(headers.get("precedence", "")) in AUTOMATIC_PRECEDENCE:
        reasons.append(AutomaticReason.PRECEDENCE)
    suppress = headers.get("x-auto-response-suppress", "").strip()
    # MS-OXCMAIL defines "None" as "suppress nothing": it says nothing about the sender.
    if suppress and suppress.lower() != "none":
        reasons.append(AutomaticReason.AUTO_RESPONSE_SUPPRESS)
    if headers.get("x-autoreply", "").strip() or headers.get("x-autorespond", "").strip():
        reasons.append(AutomaticReason.AUTOREPLY_HEADER)
    if headers.get("list-id", "").strip() or headers.get("list-unsubscribe", "").strip():
        reasons.append(AutomaticReason.MAILING_LIST)
    if re.fullmatch(r"<\s*>", headers.get("return-path", "").strip()):
        reasons.append(AutomaticReason.NULL_RETURN_PATH)
    local_part = parsed.from_address.rpartition("@")[0]
    if _SYSTEM_LOCAL_PART.fullmatch(local_part):
        reasons.append(AutomaticReason.SYSTEM_SENDER)
    if loop_header.lower() in headers:
        reasons.append(AutomaticReason.LOOP_HEADER)
    if parsed.from_address.lower() in {address.strip().lower() for address in own_addresses}:
        reasons.append(AutomaticReason.OWN_ADDRESS)
    return reasons


def spam_flagged_upstream(parsed: ParsedEmail) -> bool:
    """The receiving server's filter (SpamAssassin, Rspamd) already called it spam."""
    flag = parsed.headers.get("x-spam-flag", "").strip().lower()
    status = parsed.headers.get("x-spam-status", "").strip().lower()
    return flag == "yes" or bool(re.match(r"yes\b", status))
