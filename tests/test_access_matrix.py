"""Who may pass which URL: every named route of the URLconf, for every role.

The routes come from the URLconf itself, and RULES says, for each, which roles pass; a route
without a rule fails the suite ("new route without a rule"), so nobody adds a page without
deciding who may open it. "Pass" is a 2xx/3xx answer that is not a redirect to a sign-in page;
"refused" is 403, 404 or a redirect to sign in. Any other answer (400, 405, 500…) fails: the
request each rule makes is one the allowed roles must succeed with.

The data is built once for the module inside a transaction that is rolled back at the end; each
case runs in its own savepoint, so a POST that claims, transfers or releases leaves nothing
behind for the next case. The Django admin is checked at its index and one model page (its other
routes are the admin's own); the `anymail` webhooks authenticate by their own secret, not by role,
and have their own tests."""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Absence, Customer, CustomerEmail
from departments.models import Mailbox
from responses.models import CannedResponse
from tests.factories import (
    AdminFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
    UserFactory,
    WebFormFactory,
)
from tests.mail.mails import mail
from tests.tickets.conftest import png_bytes
from tickets import workflow
from tickets.mail import outbox
from tickets.mail.intake import inbound_receive
from tickets.models import Message, Notification, StatusType
from tickets.statuses import status_default

SKIPPED_NAMESPACES = {"anymail"}  # webhooks: a secret, not a role (tests/mail/test_webhooks.py)
ADMIN_ROUTES_CHECKED = {"admin:index", "admin:tickets_ticket_changelist"}

ANONYMOUS = "anonymous"
ROLES = [
    ANONYMOUS,
    "customer_owner",  # the customer whose tickets these are
    "customer_other",
    "tech_a",  # works in department A; the "pool" ticket is in their pool
    "tech_b",  # works in department B
    "tech_none",  # staff, in no department
    "trainee_a",  # works in department A, replies need approval
    "manager_a",
    "manager_b",
    "admin",
]

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
STAFF = frozenset({"tech_a", "tech_b", "tech_none", "trainee_a", "manager_a", "manager_b", "admin"})
SUPERVISORS = frozenset({"manager_a", "manager_b", "admin"})
CUSTOMERS = frozenset({"customer_owner", "customer_other"})
OWNER = frozenset({"customer_owner"})
# Who sees a general-pool ticket of department A (its people, its managers, admins) …
DEPARTMENT_A = frozenset({"tech_a", "trainee_a", "manager_a", "admin"})
# … and a ticket in tech A's own pool (not the trainee: another tech's pool).
POOL_A = frozenset({"tech_a", "manager_a", "admin"})
SUPERVISES_A = frozenset({"manager_a", "admin"})
ADMIN = frozenset({"admin"})
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    method: str = "GET"
    data: dict = field(default_factory=dict)  # a value may be a name of one of World's ids
    headers: dict = field(default_factory=dict)
    message: str = "first"  # which message of the ticket a message_id names: first, held


def per_ticket(*, general: frozenset[str], pool: frozenset[str], **request) -> dict[str, Rule]:
    """A ticket route, tried on the general-pool ticket and on the one in tech A's pool."""
    return {"general": Rule(general, **request), "pool": Rule(pool, **request)}


# The rule of every route: {variant: Rule}. Variants other than "general"/"pool" ("-") use
# the general-pool ticket where the route needs one.
RULES: dict[str, dict[str, Rule]] = {
    "home": {"-": Rule(EVERYONE)},
    "healthz": {"-": Rule(EVERYONE)},
    # Accounts
    "accounts:sign_in": {"-": Rule(EVERYONE)},
    "accounts:sign_out": {"-": Rule(SIGNED_IN)},
    "accounts:preferences": {"-": Rule(STAFF)},
    "accounts:signature_image": {"-": Rule(STAFF)},
    "accounts:absence": {"-": Rule(STAFF)},
    "accounts:absence_stop": {"-": Rule(frozenset({"tech_a"}), method="POST")},  # tech A's
    # Forgot your password? and sign-up (on here, see signup_on): open to everyone; a signed-in
    # person asking to sign up is sent to their page. A link's token is checked by the page.
    "accounts:password_reset": {"-": Rule(EVERYONE)},
    "accounts:password_reset_done": {"-": Rule(EVERYONE)},
    "accounts:password_reset_confirm": {"-": Rule(EVERYONE)},
    "accounts:password_reset_complete": {"-": Rule(EVERYONE)},
    "accounts:signup": {"-": Rule(EVERYONE)},
    "accounts:signup_done": {"-": Rule(EVERYONE)},
    "accounts:signup_confirm": {"-": Rule(EVERYONE)},
    # Help centre and secret links: the token is the key, whoever holds it
    "tickets:support": {"-": Rule(EVERYONE)},
    "tickets:submitted": {"-": Rule(EVERYONE)},
    "tickets:web_form": {"-": Rule(EVERYONE)},
    "tickets:ticket_by_token": {"-": Rule(EVERYONE)},
    "tickets:token_attachment": {"-": Rule(EVERYONE)},
    "tickets:token_message_html": {"-": Rule(EVERYONE)},
    "tickets:token_message_body": {"-": Rule(EVERYONE), "htmx": Rule(EVERYONE, headers=HTMX)},
    # The rating page and the survey opt-out, reached from the survey mail's links
    "tickets:ticket_rate": {"-": Rule(EVERYONE)},
    "tickets:survey_opt_out": {"-": Rule(EVERYONE)},
    # Customer area
    "tickets:my_tickets": {"-": Rule(CUSTOMERS)},
    "tickets:my_search": {
        "-": Rule(CUSTOMERS),
        "htmx": Rule(CUSTOMERS, headers=HTMX),
    },
    "tickets:my_ticket": per_ticket(general=OWNER, pool=OWNER),
    "tickets:my_attachment": per_ticket(general=OWNER, pool=OWNER),
    "tickets:my_message_html": per_ticket(general=OWNER, pool=OWNER),
    "tickets:my_message_body": per_ticket(general=OWNER, pool=OWNER, headers=HTMX),
    "tickets:my_ticket_rate": per_ticket(general=OWNER, pool=OWNER),
    # Desk
    "tickets:desk": {"-": Rule(STAFF)},
    "tickets:desk_next": {"-": Rule(STAFF, method="POST")},
    "tickets:desk_search": {
        "-": Rule(STAFF),
        "htmx": Rule(STAFF, headers=HTMX),
    },
    "tickets:desk_ticket_new": {"-": Rule(STAFF)},
    "tickets:desk_customers": {"-": Rule(STAFF), "htmx": Rule(STAFF, headers=HTMX)},
    "tickets:desk_customer": {"-": Rule(DEPARTMENT_A)},
    # Olive Owner has an account: who may see her page may send her a reset link.
    "tickets:desk_customer_password_reset": {"-": Rule(DEPARTMENT_A, method="POST")},
    # Editing a customer: whoever may open the page (one of the customer's tickets is theirs to
    # see); a merge also needs the other customer (here: the customer itself, refused with a
    # message after the access check, so the page still answers).
    "tickets:desk_customer_edit": {"-": Rule(DEPARTMENT_A)},
    "tickets:desk_customer_email_add": {
        "-": Rule(DEPARTMENT_A, method="POST", data={"email": "second@example.org"})
    },
    "tickets:desk_customer_email_remove": {
        "-": Rule(DEPARTMENT_A, method="POST", data={"address": "1"})
    },
    "tickets:desk_customer_email_primary": {
        "-": Rule(DEPARTMENT_A, method="POST", data={"address": "1"})
    },
    "tickets:desk_customer_merge": {"-": Rule(DEPARTMENT_A)},
    "tickets:desk_customer_call": {
        "-": Rule(
            DEPARTMENT_A,
            method="POST",
            data={
                "ticket": "general_number",
                "direction": "outgoing",
                "reached": "no",
                "duration_minutes": "0",
            },
        )
    },
    "tickets:desk_spam": {"-": Rule(STAFF)},
    "tickets:desk_handed_over": {"-": Rule(STAFF)},
    "tickets:desk_take_back": {"-": Rule(STAFF, method="POST", data={"ticket": "all"})},
    "tickets:desk_spam_release": {"-": Rule(DEPARTMENT_A, method="POST")},
    "tickets:desk_ticket": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_presence": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_attachment": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_message_html": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_message_body": per_ticket(general=DEPARTMENT_A, pool=POOL_A, headers=HTMX),
    "tickets:desk_message_original": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_ticket_split": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_reply": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"body": "x", "internal": "on"}
    ),
    "tickets:desk_reply_insert": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"body": "A draft"}
    ),
    "tickets:desk_reply_responses": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"body": "A draft", "q": "x"}
    ),
    "tickets:desk_transfer": per_ticket(general=DEPARTMENT_A, pool=POOL_A, method="POST"),
    "tickets:desk_call_log": per_ticket(
        general=DEPARTMENT_A,
        pool=POOL_A,
        method="POST",
        data={"direction": "outgoing", "reached": "no", "duration_minutes": "0"},
    ),
    "tickets:desk_transfer_techs": per_ticket(general=DEPARTMENT_A, pool=POOL_A, headers=HTMX),
    "tickets:desk_properties": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"priority": "2"}
    ),
    "tickets:desk_status": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"status": "status_id"}
    ),
    "tickets:desk_close": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "tickets:desk_consult": per_ticket(
        general=DEPARTMENT_A,
        pool=POOL_A,
        method="POST",
        data={"department": "consulted_id", "question": "Can you help?"},
    ),
    "tickets:desk_mark_spam": per_ticket(general=DEPARTMENT_A, pool=POOL_A, method="POST"),
    "tickets:desk_reply_approve": per_ticket(
        general=SUPERVISES_A, pool=SUPERVISES_A, method="POST", message="held"
    ),
    "tickets:desk_mail_approve": per_ticket(general=SUPERVISES_A, pool=SUPERVISES_A, method="POST"),
    # Canned responses beside the reply box
    "responses:picker": per_ticket(general=DEPARTMENT_A, pool=POOL_A),
    "responses:use": per_ticket(
        general=DEPARTMENT_A, pool=POOL_A, method="POST", data={"body": "x"}, headers=HTMX
    ),
    # Notifications: every staff member has their own list; one notification is its
    # recipient's alone (tech A's, on the ticket in their pool)
    "tickets:notifications": {"-": Rule(STAFF), "htmx": Rule(STAFF, headers=HTMX)},
    "tickets:notification_bell": {"-": Rule(STAFF, headers=HTMX)},
    "tickets:notifications_read_all": {"-": Rule(STAFF, method="POST", data={"up_to": "1"})},
    "tickets:notification_open": {"-": Rule(frozenset({"tech_a"}), method="POST")},
    "tickets:notification_read": {"-": Rule(frozenset({"tech_a"}), method="POST")},
    # Managers and reports
    # The approvals queue: every manager opens it (seeing only their departments' held work);
    # deciding needs the ticket's department's manager (a manager of B gets 404).
    "manage:approvals": {"-": Rule(SUPERVISORS)},
    "manage:approvals_reply_approve": per_ticket(
        general=SUPERVISES_A, pool=SUPERVISES_A, method="POST", message="held"
    ),
    "manage:approvals_reply_edit": per_ticket(
        general=SUPERVISES_A,
        pool=SUPERVISES_A,
        method="POST",
        data={"body": "Edited by a manager"},
        message="held",
    ),
    "manage:approvals_reply_reject": per_ticket(
        general=SUPERVISES_A,
        pool=SUPERVISES_A,
        method="POST",
        data={"reason": "Not like this"},
        message="held",
    ),
    "manage:approvals_mail_approve": per_ticket(
        general=SUPERVISES_A, pool=SUPERVISES_A, method="POST"
    ),
    "manage:board": {"-": Rule(SUPERVISORS), "htmx": Rule(SUPERVISORS, headers=HTMX)},
    "manage:activity": {"-": Rule(SUPERVISORS), "htmx": Rule(SUPERVISORS, headers=HTMX)},
    "manage:activity_seen": {"-": Rule(SUPERVISORS, method="POST")},
    # A tech's page: tech A, reached through department A
    "manage:tech_detail": {"-": Rule(SUPERVISES_A)},
    "manage:tech_memberships": {
        "-": Rule(
            SUPERVISES_A,
            method="POST",
            data={"department": "department_a_id", "retrieval_priority": "2"},
        )
    },
    "manage:tech_sessions_csv": {"-": Rule(SUPERVISES_A)},
    "manage:tech_absence_add": {"-": Rule(SUPERVISES_A)},  # of tech A
    "manage:tech_absence_stop": {"-": Rule(SUPERVISES_A, method="POST")},
    "reports:index": {"-": Rule(SUPERVISORS)},
    "reports:table_csv": {"-": Rule(SUPERVISORS)},
    "reports:cases": {"-": Rule(SUPERVISORS)},
    "reports:cases_csv": {"-": Rule(SUPERVISORS)},
    # Sign-in history: every supervisor opens it (a manager reads only their departments' techs)
    "reports:sign_ins": {"-": Rule(SUPERVISORS), "htmx": Rule(SUPERVISORS, headers=HTMX)},
    "reports:sign_ins_sessions_csv": {"-": Rule(SUPERVISORS)},
    "reports:sign_ins_hours_csv": {"-": Rule(SUPERVISORS)},
    # Configuration: the admin, for admins only
    "admin:index": {"-": Rule(ADMIN)},
    "admin:tickets_ticket_changelist": {"-": Rule(ADMIN)},
}


def named_routes() -> dict[str, str]:
    """Every named route of the URLconf: {"namespace:name": pattern}."""

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern)

    routes = {}
    for name, pattern in walk(get_resolver().url_patterns, "", ""):
        namespace = name.split(":")[0] if ":" in name else ""
        if namespace in SKIPPED_NAMESPACES:
            continue
        if namespace == "admin" and name not in ADMIN_ROUTES_CHECKED:
            continue
        routes.setdefault(name, pattern)
    return routes


ROUTES = named_routes()


def cases():
    for name in sorted(ROUTES):
        for variant in sorted(RULES.get(name, {"-": None})):
            for role in ROLES:
                yield pytest.param(name, variant, role, id=f"{name}[{variant}]-{role}")


# The world every case runs against, built once for the module


@dataclass
class World:
    users: dict
    tickets: dict
    token: str
    attachments: dict
    messages: dict  # {"first"/"held": {ticket variant: message}}
    outbounds: dict  # {ticket variant: a confirmation held for approval}
    customer_id: int
    web_form_slug: str
    response_id: int
    spam_id: int
    status_id: int
    consulted_id: int
    department_a_id: int
    tech_id: int  # tech A, whose absence pages the manager routes name
    absence_id: int  # an absence of tech A ahead
    media: Path
    notification_id: int = 0  # tech A's notification of a customer message in their pool

    @property
    def general_number(self) -> int:
        return self.tickets["general"].number


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _build(media: Path) -> World:
    department_a = DepartmentFactory(name="Department A", consultation_email="")
    department_b = DepartmentFactory(name="Department B", consultation_email="b@example.test")
    mailbox = Mailbox.objects.create(
        name="A",
        department=department_a,
        email_address="a@example.test",
        host="127.0.0.1",
        username="a",
    )
    users = {
        "customer_owner": UserFactory(email="owner@example.org", full_name="Olive Owner"),
        "customer_other": UserFactory(email="other@example.org", full_name="Otis Other"),
        "tech_a": MembershipFactory(department=department_a).user,
        "tech_b": MembershipFactory(department=department_b).user,
        "tech_none": TechFactory(),
        "trainee_a": MembershipFactory(
            department=department_a, user=TechFactory(replies_need_approval=True)
        ).user,
        "manager_a": MembershipFactory(department=department_a, is_manager=True).user,
        "manager_b": MembershipFactory(department=department_b, is_manager=True).user,
        "admin": AdminFactory(),
    }
    owner = Customer.objects.create(name="Olive Owner", user=users["customer_owner"])
    CustomerEmail.objects.create(customer=owner, email="owner@example.org", is_primary=True)

    def mailed_ticket(subject):
        raw = mail(
            sender="Olive Owner <owner@example.org>",
            to=mailbox.email_address,
            subject=subject,
            attachments=[("photo.png", "image/png", png_bytes())],
        )
        return inbound_receive(raw=raw, channel="imap", mailbox=mailbox).inbound.ticket

    general = mailed_ticket("Waiting in the general pool")
    pool = mailed_ticket("In tech A's pool")
    pool = workflow.ticket_claim_on_open(ticket=pool, tech=users["tech_a"]).ticket
    tickets = {"general": general, "pool": pool}
    first = {name: ticket.messages.order_by("id").first() for name, ticket in tickets.items()}
    # A trainee's reply waiting for approval. Made directly: replying through the service would
    # also take the general-pool ticket into the trainee's pool.
    held = {
        name: Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.REPLY,
            author=users["trainee_a"],
            author_name=users["trainee_a"].full_name,
            body="Held for approval",
            awaiting_approval=True,
        )
        for name, ticket in tickets.items()
    }
    # A confirmation a trainee's ticket holds until a manager approves it.
    held_mail = {
        name: outbox.outbox_add(kind=outbox.CONFIRMATION, ticket=ticket, awaiting_approval=True)
        for name, ticket in tickets.items()
    }
    spam = inbound_receive(
        raw=mail(
            sender="Spammer <spam@example.net>",
            to=mailbox.email_address,
            headers={"X-Spam-Flag": "YES"},
        ),
        channel="imap",
        mailbox=mailbox,
    ).inbound
    storage_name = "signatures/matrix.jpg"
    (media / "signatures").mkdir(parents=True, exist_ok=True)
    (media / storage_name).write_bytes(_jpeg())
    for user in users.values():
        if user.is_tech:
            user.signature_image.name = storage_name
            user.save(update_fields=["signature_image"])
    web_form = WebFormFactory(default_department=department_a)
    notification = Notification.objects.create(
        recipient=users["tech_a"],
        message=first["pool"],
        activity="customer_message",
        reason="your_ticket",
    )
    assert general.customer_id == pool.customer_id == owner.pk
    return World(
        users=users,
        tickets=tickets,
        token=general.access_token,
        attachments={name: message.attachments.get() for name, message in first.items()},
        messages={"first": first, "held": held},
        outbounds=held_mail,
        customer_id=owner.pk,
        web_form_slug=web_form.slug,
        response_id=CannedResponse.objects.create(title="Thanks", body="Thanks.").pk,
        spam_id=spam.pk,
        status_id=status_default(StatusType.PENDING).pk,
        consulted_id=department_b.pk,
        department_a_id=department_a.pk,
        tech_id=users["tech_a"].pk,
        absence_id=Absence.objects.create(
            tech=users["tech_a"],
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=2),
            created_by=users["tech_a"],
        ).pk,
        media=media,
        notification_id=notification.pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield _build(media)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def signup_on(settings):
    """Sign-up's pages are a 404 for everyone while CUSTOMER_SIGNUP is off (its own tests)."""
    settings.CUSTOMER_SIGNUP = True


@pytest.fixture(autouse=True)
def media_root(settings, world):
    """The module's files (attachments, raw mail, signature images) for every case."""
    settings.MEDIA_ROOT = world.media
    return world.media


def url_for(name: str, variant: str, world: World, *, message: str = "first") -> str:
    ticket_variant = variant if variant in world.tickets else "general"
    ticket = world.tickets[ticket_variant]
    values = {
        "number": ticket.number,
        "message_id": world.messages[message][ticket_variant].pk,
        "attachment_id": world.attachments[ticket_variant].pk,
        "customer_id": world.customer_id,
        "token": world.token,
        "uidb64": "MQ",
        "slug": world.web_form_slug,
        "response_id": world.response_id,
        "inbound_id": world.spam_id,
        "outbound_id": world.outbounds[ticket_variant].pk,
        "tech_id": world.tech_id,
        "absence_id": world.absence_id,
        "notification_id": world.notification_id,
        "table": "techs",
        "metric": "closed",
    }
    pattern = ROUTES[name]
    kwargs = {key: value for key, value in values.items() if f":{key}>" in pattern}
    return reverse(name, kwargs=kwargs)


def outcome(response) -> str:
    status = response.status_code
    if status in (403, 404):
        return "refused"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target in (reverse("accounts:sign_in"), reverse("admin:login")):
            return "refused"
        return "passed"
    if 200 <= status < 300:
        return "passed"
    return f"answered {status}"


@pytest.mark.parametrize(("name", "variant", "role"), list(cases()))
def test_role_may_pass_route_only_as_its_rule_says(client, db, world, name, variant, role):
    rule = RULES.get(name, {}).get(variant)
    assert rule is not None, (
        f"New route without a rule: {name} ({ROUTES[name]}). Add it to RULES in "
        "tests/test_access_matrix.py with the roles that may pass."
    )
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    url = url_for(name, variant, world, message=rule.message)
    data = {key: getattr(world, value, value) for key, value in rule.data.items()}

    if rule.method == "POST":
        response = client.post(url, data, headers=rule.headers)
    else:
        response = client.get(url, headers=rule.headers)
    if response.streaming:  # files: read to the end, which closes them as a server would
        b"".join(response.streaming_content)

    expected = "passed" if role in rule.allowed else "refused"
    result = outcome(response)
    if name == "tickets:desk_ticket" and response.get("Location", "").startswith(
        reverse("tickets:desk") + "?"
    ):
        # Sent back to the queue instead of the ticket page: told only who took it from the
        # general pool they work (tickets/access.py, ticket_gone_from_staff).
        result = "refused"
    assert result == expected, (
        f"{role} {rule.method} {url}: {response.status_code} {response.get('Location', '')}"
    )


def test_every_rule_names_a_route_that_exists():
    assert set(RULES) - set(ROUTES) == set()


def test_an_anonymous_visitor_sent_to_sign_in_comes_back_to_the_page(client, db, world):
    url = url_for("tickets:desk_ticket", "general", world)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?{REDIRECT_FIELD_NAME}={url}"
