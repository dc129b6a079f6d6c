"""What the generated helpdesk looks like: its sizes, departments and shares, and the words in it.

Names, subjects and bodies are few and repeated: the pages being timed care about row counts and
string lengths, not about variety."""

# Bump when the generated shape changes: a kept database filled by another version is refilled.
FILL_VERSION = "2"  # 2: the SLA clocks on every ticket, resolution limits on departments
SEED = 20240611

MEASURED_TECH_EMAIL = "measured-tech@bench.example.com"
TECHS = 50
CUSTOMERS = 50_000
MINE_ACTIVE = 40  # the measured tech's pool ("mine")
MINE_PENDING = 12
MINE_RETURNED = 3  # of the pool, tickets the customer wrote back to
THREAD_LENGTH = 50

# name, SLA in hours, share of the tickets
DEPARTMENTS = [
    ("Technical support", 8, 0.24),
    ("Billing", 24, 0.18),
    ("Accounts", 24, 0.12),
    ("Shipping", 48, 0.10),
    ("Returns", 48, 0.09),
    ("Sales", 8, 0.08),
    ("Hardware", 24, 0.07),
    ("Network", 4, 0.05),
    ("Security", 2, 0.04),
    ("Partners", 72, 0.03),
]
# Each department's resolution limit is this many times its response limit.
RESOLUTION_FACTOR = 3
# department index -> the measured tech's retrieval priority there
MEASURED_MEMBERSHIPS = {0: 3, 1: 1, 4: 2}

PRIORITY_CUTS = [0.20, 0.70, 0.95]  # low 20%, medium 50%, high 25%, emergency 5%
SOURCES = [
    ("email", 0.45),
    ("public_form", 0.30),
    ("phone", 0.10),
    ("customer_area", 0.07),
    ("member_area", 0.04),
    ("staff", 0.03),
    ("walk_in", 0.01),
]
FIRST_NAMES = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kasia", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Huber", "Ivanova",
    "Jensen", "Kowalski", "Laurent", "Müller", "Nowak", "Okafor", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang", "Novák",
]  # fmt: skip
SUBJECTS = [
    "Cannot sign in after password reset",
    "Invoice shows the wrong VAT number",
    "Order arrived damaged",
    "Refund not received yet",
    "VPN drops every few minutes",
    "Printer offline on the second floor",
    "Please change the delivery address",
    "Two-factor code never arrives",
    "Question about the enterprise plan",
    "Export to CSV times out",
    "Charged twice for the same month",
    "Parcel stuck in customs",
    "Laptop does not boot after update",
    "Need a copy of last year's invoices",
    "Account locked after failed attempts",
    "Wrong item in my order",
]
BODIES = [
    "Hello,\n\nsince this morning I cannot sign in any more. I reset my password twice and the "
    "page still says the password is wrong. Could you have a look?\n\nThanks",
    "Hi, the invoice attached to my last order shows an old VAT number. Our accounting needs a "
    "corrected copy before the end of the month. Best regards",
    "Thank you for getting back to me. I tried what you suggested and it works now on my laptop, "
    "but my colleague still sees the same error on hers.",
    "Dear support team,\n\nthe parcel came today but the box was crushed and two of the glasses "
    "inside are broken. I have photos if you need them. What should I do?",
    "We checked the logs: the request reached us at 09:14 and failed on the payment provider's "
    "side. I have asked them to look into it and will write again as soon as I hear back.",
    "Customer called again, very polite but getting impatient. Promised an answer by tomorrow.",
    "I have refunded the second charge; it should be back on your card within five working "
    "days. Sorry for the trouble.",
    "Could you please tell me when the replacement will be shipped? I need it before Friday.",
]
CANNED_TITLES = [
    "Greeting",
    "Asking for a screenshot",
    "Refund issued",
    "Password reset steps",
    "Escalated to second level",
    "Closing: no answer",
    "Shipping times",
    "Invoice copy",
    "Thanks for your patience",
    "Known outage",
]

# The long thread, repeated five times: what a drawn-out case looks like.
THREAD_PATTERN = [
    "customer",
    "event:claimed",
    "reply",
    "customer",
    "note",
    "reply",
    "customer",
    "event:status_changed",
    "reply",
    "note",
]
