"""Tickets, their thread of messages and attachments, statuses, and the fraud stop.

Every model is imported here, so Django registers them under the tickets app and
`from tickets.models import Ticket` works; the migrations name `tickets.models.new_access_token`."""

# In the order the models were defined when this was one module, so the app registry lists them
# as before (content types and permissions are created in that order).
# isort: off
from tickets.models.tickets import (
    ACTIVE_STATUS_TYPES,
    AnswerPreference,
    Priority,
    Source,
    Status,
    StatusType,
    Ticket,
    TicketNumberCounter,
    new_access_token,
)
from tickets.models.messages import (
    ACTIVITY_OF_EVENT,
    Activity,
    Attachment,
    Message,
    customer_visible_q,
)
from tickets.models.senders import BlockedSender, RefusedAttempt
from tickets.models.mail import Consultation, InboundEmail, OutboundEmail
from tickets.models.spam import SpamCorpus, SpamToken
from tickets.models.questionnaires import QuestionAnswer, QuestionAnswerChoice
from tickets.models.notifications import (
    EmailState,
    Notification,
    NotificationPreference,
    NotificationReason,
)
from tickets.models.reporting import Closure, SatisfactionMark, SatisfactionRating
from tickets.models.calls import PhoneCall
# isort: on

__all__ = [
    "ACTIVE_STATUS_TYPES",
    "ACTIVITY_OF_EVENT",
    "Activity",
    "AnswerPreference",
    "Attachment",
    "BlockedSender",
    "Closure",
    "Consultation",
    "EmailState",
    "InboundEmail",
    "Message",
    "Notification",
    "NotificationPreference",
    "NotificationReason",
    "OutboundEmail",
    "PhoneCall",
    "Priority",
    "QuestionAnswer",
    "QuestionAnswerChoice",
    "RefusedAttempt",
    "SatisfactionMark",
    "SatisfactionRating",
    "Source",
    "SpamCorpus",
    "SpamToken",
    "Status",
    "StatusType",
    "Ticket",
    "TicketNumberCounter",
    "customer_visible_q",
    "new_access_token",
]
